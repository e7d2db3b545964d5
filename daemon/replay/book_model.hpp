#pragma once
// Deterministic fill model for `liqd replay`: per market a linear book centred on
// the path's current price (the mark), `depth` quote per 1 % of price on each side (per market)
// beyond a half spread. Liquidity taken during one walk point stays taken until the
// next point (refill): fills in the same step walk deeper into the book. An IOC gets
// the largest whole-lot size whose marginal price still respects its limit, all at
// that marginal price (conservative for the liquidated account). Fixed point only.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/margin/margin.hpp"
#include "core/policy/planner/planner.hpp"

namespace liqd::replay {

struct Fill {
  Qty qty;      // 0 when nothing is fillable within the limit
  Price price;  // the marginal (worst) price of the walk, rounded away from the mark to the tick
};

class BookModel {
 public:
  BookModel(std::size_t markets, Quote depth_per_pct, Ratio half_spread)
      : depth_(markets, depth_per_pct), half_spread_(half_spread), used_(markets, 0) {}

  void set_depth(uint32_t m, Quote depth_per_pct) { depth_[m] = Quote(depth_per_pct.v > 0 ? depth_per_pct.v : 1); }
  Quote depth(uint32_t m) const { return depth_[m]; }

  void refill() { std::fill(used_.begin(), used_.end(), 0); }

  // Price after taking q more (sell: below the mark).
  Price price_for(uint32_t m, const MarketRisk& r, Price mark, bool sell, Qty q) const {
    const i128 n = notional_exact(q, mark) / pow10_i128(r.scale.product_dp() - r.scale.quote_dp) + used_[m];
    const i128 imp = half_spread_.v + n * kRatioOne / (100 * static_cast<i128>(depth_[m].v));
    i128 off = div_round(static_cast<i128>(mark.v) * imp, kRatioOne, Round::Ceil);
    const int64_t tick = r.tick.v > 0 ? r.tick.v : 1;
    off = div_round(off, tick, Round::Ceil) * tick;
    const i128 p = sell ? mark.v - off : mark.v + off;
    return Price(static_cast<int64_t>(p < tick ? tick : p));
  }

  Fill fill(uint32_t m, const MarketRisk& r, Price mark, const policy::LiqOrder& o) const {
    const bool sell = o.close_long;
    const int64_t lot = r.lot.v > 0 ? r.lot.v : 1;
    int64_t lo = 0, hi = o.qty.v / lot;  // largest lot count within the limit
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo + 1) / 2;
      const Price p = price_for(m, r, mark, sell, Qty(mid * lot));
      if (sell ? p >= o.limit : p <= o.limit) lo = mid;
      else hi = mid - 1;
    }
    if (lo == 0) return Fill{Qty(0), Price(0)};
    Qty q(lo * lot);
    if (lo == o.qty.v / lot && o.qty.v % lot != 0) {  // a sub-lot remainder goes with the last lot
      const Price p = price_for(m, r, mark, sell, o.qty);
      if (sell ? p >= o.limit : p <= o.limit) q = o.qty;
    }
    return Fill{q, price_for(m, r, mark, sell, q)};
  }

  // The fill took q (at notional measured at the mark, as price_for counts it).
  void consume(uint32_t m, Qty q, Price mark, const MarketRisk& r) {
    const Qty aq(q.v < 0 ? -q.v : q.v);
    used_[m] += static_cast<int64_t>(notional_exact(aq, mark) / pow10_i128(r.scale.product_dp() - r.scale.quote_dp));
  }

 private:
  std::vector<Quote> depth_;  // per market, quote per 1 % of price
  Ratio half_spread_;
  std::vector<int64_t> used_;  // quote units taken this step, per market
};

}  // namespace liqd::replay
