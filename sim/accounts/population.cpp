#include "sim/accounts/population.hpp"

#include <algorithm>
#include <cmath>

#include "core/money/int128.hpp"
#include "sim/util/rng.hpp"

namespace liqd::sim {

namespace {

constexpr int kQuoteDp = 6;

int draw_leverage(Rng& r, int max_lev) {
  uint64_t b = r.below(100);
  int lo, hi;
  if (b < 70) { lo = 2; hi = 10; }
  else if (b < 90) { lo = 10; hi = 25; }
  else if (b < 98) { lo = 25; hi = 50; }
  else { lo = 50; hi = std::max(50, max_lev); }
  hi = std::min(hi, max_lev);
  lo = std::min(lo, hi);
  return lo + static_cast<int>(r.below(static_cast<uint64_t>(hi - lo + 1)));
}

}  // namespace

std::vector<SimAccount> generate_population(const PopulationParams& p, const std::vector<MarketSpec>& markets,
                                            const std::vector<Price>& ref_prices) {
  std::vector<SimAccount> out;
  out.reserve(p.accounts);
  Rng r(mix(p.seed, 0xACC0));
  const uint32_t n_markets = static_cast<uint32_t>(markets.size());
  for (uint64_t i = 0; i < p.accounts; ++i) {
    SimAccount a;
    a.id = i + 1;
    // Log-uniform collateral in [100, 1e6] whole quote units. The draw is a double
    // (a statistic), turned into integer quote units once.
    const double whole = 100.0 * std::pow(10.0, 4.0 * r.unit());
    const int64_t collateral = static_cast<int64_t>(whole) * 1'000'000;
    a.collateral = Quote(collateral);
    const int lev = draw_leverage(r, p.max_leverage);
    a.leverage_x = static_cast<uint16_t>(lev);
    uint32_t first = static_cast<uint32_t>(r.below(n_markets));
    std::vector<uint32_t> mk{first};
    if (n_markets > 1 && r.below(100) < static_cast<uint64_t>(p.two_market_pct))
      mk.push_back((first + 1 + static_cast<uint32_t>(r.below(n_markets - 1))) % n_markets);
    const bool isolated = mk.size() == 1 && r.below(100) < static_cast<uint64_t>(p.isolated_pct);
    const i128 notional_each = static_cast<i128>(collateral) * lev / static_cast<i128>(mk.size());  // quote units
    for (uint32_t m : mk) {
      const MarketSpec& spec = markets[m];
      const Price ref = ref_prices[m];
      // Entry within ±0.5 % of the reference price, on the tick grid.
      const int64_t off_ppm = static_cast<int64_t>(r.below(10'001)) - 5'000;
      int64_t entry_ticks = static_cast<int64_t>(
          div_round(static_cast<i128>(ref.v) * (1'000'000 + off_ppm), static_cast<i128>(1'000'000) * spec.tick, Round::HalfAwayFromZero));
      entry_ticks = std::max<int64_t>(1, entry_ticks);
      const Price entry(entry_ticks * spec.tick);
      // size = notional / entry, in lots: quote_units × 10^(price_dp + qty_dp − quote_dp) / entry / lot.
      i128 qty_units = div_round(notional_each * pow10_i128(spec.scale.price_dp + spec.scale.qty_dp) ,
                                 static_cast<i128>(entry.v) * pow10_i128(kQuoteDp), Round::Floor);
      int64_t lots = static_cast<int64_t>(qty_units / spec.lot);
      if (lots < 1) lots = 1;
      const bool is_long = r.below(100) < static_cast<uint64_t>(p.long_pct);
      SimPosition pos;
      pos.market = m;
      pos.size = Qty((is_long ? lots : -lots) * spec.lot);
      pos.entry = entry;
      pos.isolated = isolated;
      if (isolated) {
        // The whole collateral is posted to the isolated position; the wallet keeps nothing.
        pos.isolated_margin = a.collateral;
        a.collateral = Quote(0);
      }
      a.positions.push_back(pos);
    }
    out.push_back(std::move(a));
  }
  return out;
}

FillEffect apply_fill(SimAccount& acc, uint32_t market, const MarketSpec& m, Qty signed_qty, Price px) {
  FillEffect fx;
  auto it = std::find_if(acc.positions.begin(), acc.positions.end(), [&](const SimPosition& p) { return p.market == market; });
  if (it == acc.positions.end()) {
    SimPosition p;
    p.market = market;
    acc.positions.push_back(p);
    it = acc.positions.end() - 1;
  }
  SimPosition& pos = *it;
  const int64_t old = pos.size.v, d = signed_qty.v;
  const bool reduces = old != 0 && ((old > 0) != (d > 0));
  Quote realised(0);
  if (reduces) {
    const int64_t closed = std::min(std::abs(old), std::abs(d));
    const int64_t closed_signed = old > 0 ? closed : -closed;  // sign of the position
    realised = mul_qty_price(Qty(closed_signed), px - pos.entry, m.scale, Round::Floor);
  }
  const int64_t now = old + d;
  if (old == 0 || (!reduces)) {
    // Opening or adding: volume-weighted entry, rounded half away from zero to a unit.
    i128 num = static_cast<i128>(std::abs(old)) * pos.entry.v + static_cast<i128>(std::abs(d)) * px.v;
    pos.entry = Price(static_cast<int64_t>(div_round(num, std::abs(now), Round::HalfAwayFromZero)));
  } else if (now != 0 && ((now > 0) != (old > 0))) {
    pos.entry = px;  // flipped: the remainder opened at the fill price
  }
  pos.size = Qty(now);
  if (pos.isolated) {
    pos.isolated_margin += realised;
    if (now == 0) {
      if (pos.isolated_margin.v >= 0) fx.collateral_delta = pos.isolated_margin;
      else fx.isolated_loss = Quote(0) - pos.isolated_margin;
      pos.isolated_margin = Quote(0);
    }
  } else {
    fx.collateral_delta = realised;
  }
  acc.collateral += fx.collateral_delta;
  fx.position = pos;
  if (now == 0) pos.entry = Price(0);
  return fx;
}

}  // namespace liqd::sim
