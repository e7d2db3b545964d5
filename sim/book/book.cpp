#include "sim/book/book.hpp"

#include <algorithm>

#include "core/money/int128.hpp"
#include "sim/util/rng.hpp"

namespace liqd::sim {

DepthGrid resolve_grid(const MarketSpec& m, Price ref) {
  DepthGrid g;
  const DepthProfile& d = m.depth;
  g.levels = std::max(1, d.levels);
  g.growth_pct = d.growth_pct;
  g.jitter_pct = std::clamp(d.jitter_pct, 0, 90);
  // bps_x100 / 1e6 of the reference price, in ticks, at least one.
  auto bps_ticks = [&](int bps_x100) {
    i128 units = div_round(static_cast<i128>(ref.v) * bps_x100, 1'000'000, Round::HalfAwayFromZero);
    return std::max<int64_t>(1, static_cast<int64_t>(div_round(units, m.tick, Round::HalfAwayFromZero)));
  };
  g.spread_ticks = d.spread_ticks > 0 ? d.spread_ticks : bps_ticks(d.spread_bps_x100);
  g.step_ticks = d.level_step_ticks > 0 ? d.level_step_ticks : bps_ticks(d.step_bps_x100);
  // top_notional / ref in lots: notional (whole quote) × 10^(price_dp + qty_dp) / ref / lot.
  i128 qty_units = div_round(static_cast<i128>(d.top_notional) * pow10_i128(m.scale.price_dp + m.scale.qty_dp), ref.v,
                             Round::HalfAwayFromZero);
  g.top_qty_lots = std::max<int64_t>(1, static_cast<int64_t>(div_round(qty_units, m.lot, Round::HalfAwayFromZero)));
  return g;
}

namespace {

Qty level_qty(const MarketSpec& m, const DepthGrid& g, uint64_t seed, uint64_t step, int side, int level) {
  // lots = top × (100 + growth × level) / 100 × (100 + jitter) / 100, jitter in [−j, +j].
  i128 lots = static_cast<i128>(g.top_qty_lots) * (100 + static_cast<i128>(g.growth_pct) * level);
  int64_t jitter = 0;
  if (g.jitter_pct > 0) {
    uint64_t r = mix(seed, step, static_cast<uint64_t>(side), static_cast<uint64_t>(level));
    jitter = static_cast<int64_t>(r % static_cast<uint64_t>(2 * g.jitter_pct + 1)) - g.jitter_pct;
  }
  lots = div_round(lots * (100 + jitter), 10'000, Round::HalfAwayFromZero);
  if (lots < 1) lots = 1;
  return Qty(static_cast<int64_t>(lots) * m.lot);
}

}  // namespace

void generate_book(const MarketSpec& m, const DepthGrid& g, Price mid, uint64_t seed, uint64_t step, BookSides& out) {
  out.bids.clear();
  out.asks.clear();
  const int64_t mid_ticks = static_cast<int64_t>(div_round(mid.v, m.tick, Round::HalfAwayFromZero));
  const int64_t best_bid = mid_ticks - g.spread_ticks / 2;
  const int64_t best_ask = best_bid + g.spread_ticks;
  for (int i = 0; i < g.levels; ++i) {
    int64_t bt = best_bid - g.step_ticks * i;
    if (bt >= 1) out.bids.push_back({Price(bt * m.tick), level_qty(m, g, seed, step, 0, i)});
    int64_t at = best_ask + g.step_ticks * i;
    out.asks.push_back({Price(at * m.tick), level_qty(m, g, seed, step, 1, i)});
  }
}

void diff_side(const std::vector<Level>& before, const std::vector<Level>& after, bool descending,
               std::vector<Level>& changes) {
  changes.clear();
  auto better = [descending](Price a, Price b) { return descending ? a > b : a < b; };
  size_t i = 0, j = 0;
  // Merge walk over two sorted sides.
  while (i < before.size() || j < after.size()) {
    if (j < after.size() && (i == before.size() || better(after[j].px, before[i].px))) {
      changes.push_back(after[j++]);
    } else if (i < before.size() && (j == after.size() || better(before[i].px, after[j].px))) {
      changes.push_back({before[i++].px, Qty(0)});
    } else {
      if (before[i].qty != after[j].qty) changes.push_back(after[j]);
      ++i;
      ++j;
    }
  }
}

}  // namespace liqd::sim
