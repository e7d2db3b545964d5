#include "core/policy/population/population.hpp"

#include <cassert>
#include <cmath>

#include "core/money/decimal.hpp"

namespace liqd::policy {

namespace {

// splitmix64 (Steele, Lea, Flood 2014): a full-period 64-bit mixer.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct Rng {
  uint64_t s;
  uint64_t next() { return s = mix(s); }
  // uniform in [0, n)
  uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<u128>(next()) * n) >> 64); }
  // true with probability r (a Ratio)
  bool chance(Ratio r) { return below(static_cast<uint64_t>(kRatioOne)) < static_cast<uint64_t>(r.v); }
};

uint32_t draw_leverage(Rng& g) {
  uint64_t x = g.below(1000);
  for (const auto& [lev, w] : kLeverageWeights) {
    if (x < w) return lev;
    x -= w;
  }
  return 10;
}

// Log-uniform notional in [lo, hi] quote units: lo × (hi/lo)^u with u in 1/2^20 steps.
// The power is computed in double (a statistic of the generator), then rounded down.
int64_t draw_notional(Rng& g, Quote lo, Quote hi) {
  const double u = static_cast<double>(g.below(1u << 20)) / static_cast<double>(1u << 20);
  const double v = static_cast<double>(lo.v) * std::pow(static_cast<double>(hi.v) / static_cast<double>(lo.v), u);
  return static_cast<int64_t>(v);
}

// Largest leverage the tier of this notional allows: floor(1 / imr).
uint32_t max_leverage(const MarketRisk& m, Qty size, Price px) {
  const PositionMargin pm = position_margin(m, size, px);
  const int t = pm.tier < m.n_tiers ? pm.tier : m.n_tiers - 1;
  const int64_t imr = m.tiers[t].imr.v;
  return imr > 0 ? static_cast<uint32_t>(kRatioOne / imr) : 1;
}

}  // namespace

GenAccount generate_account(uint64_t index, std::span<const PopulationMarket> markets, const PopulationConfig& cfg) {
  assert(!markets.empty());
  Rng g{mix(cfg.seed ^ mix(index + 0x5DEECE66Dull))};
  GenAccount a{};
  a.id = index;
  uint32_t lev = draw_leverage(g);
  const int n = (markets.size() > 1 && g.chance(cfg.second_market_fraction)) ? 2 : 1;
  const uint32_t first = static_cast<uint32_t>(g.below(markets.size()));
  i128 total_notional = 0;
  for (int k = 0; k < n; ++k) {
    const uint32_t mk = k == 0 ? first : static_cast<uint32_t>((first + 1 + g.below(markets.size() - 1)) % markets.size());
    const PopulationMarket& pm = markets[mk];
    const MarketRisk& m = pm.risk;
    const int64_t notional = draw_notional(g, cfg.min_notional, cfg.max_notional);
    // size = notional / price at product scale, whole lots, at least one lot.
    const i128 q = static_cast<i128>(notional) * pow10_i128(m.scale.product_dp() - m.scale.quote_dp) / pm.reference_price.v;
    int64_t size = floor_to_lot(Qty(static_cast<int64_t>(q)), m.lot).v;
    if (size < m.lot.v) size = m.lot.v > 0 ? m.lot.v : 1;
    const bool lng = g.chance(cfg.long_fraction);
    // entry = reference × (1 + s), s uniform in ±entry_spread, on the tick grid
    const int64_t span = 2 * cfg.entry_spread.v + 1;
    const int64_t s = static_cast<int64_t>(g.below(static_cast<uint64_t>(span))) - cfg.entry_spread.v;
    Price entry(pm.reference_price.v + static_cast<int64_t>(div_round(
                                           static_cast<i128>(pm.reference_price.v) * s, kRatioOne, Round::Floor)));
    entry = round_to_tick(entry, m.tick, Round::HalfAwayFromZero);
    a.pos[k] = GenPosition{.market = mk, .size = Qty(lng ? size : -size), .entry = entry, .isolated = false, .isolated_margin = Quote(0)};
    const uint32_t cap = max_leverage(m, Qty(size), pm.reference_price);
    if (lev > cap) lev = cap;
    if (lev < 1) lev = 1;
    total_notional += notional_exact(Qty(size), pm.reference_price) / pow10_i128(m.scale.product_dp() - m.scale.quote_dp);
  }
  a.n_positions = static_cast<uint8_t>(n);
  a.leverage = lev;
  a.collateral = Quote(static_cast<int64_t>(div_round(total_notional, lev, Round::Ceil)));
  // Collateral is the deposit; with entry != reference the unrealized PnL is
  // collateral + Σ size × (reference − entry). Never start below initial margin.
  std::array<Position, 2> p{};
  std::array<MarketRisk, 2> rk{};
  std::array<Price, 2> mk{};
  for (int k = 0; k < n; ++k) {
    p[k] = Position{.size = a.pos[k].size, .entry = a.pos[k].entry, .isolated_margin = Quote(0), .market = static_cast<uint32_t>(k), .isolated = false};
    rk[k] = markets[a.pos[k].market].risk;
    mk[k] = markets[a.pos[k].market].reference_price;
  }
  MarginSummary ms = cross_margin(a.collateral, std::span<const Position>(p.data(), n),
                                  std::span<const MarketRisk>(rk.data(), n), std::span<const Price>(mk.data(), n));
  if (ms.equity < ms.im) {
    for (int k = 0; k < n; ++k) a.pos[k].entry = markets[a.pos[k].market].reference_price;
  }
  // Isolated: its own stream, so the draws above (and every other account) are
  // the same whatever the share. Same deposit, same position: the equity judged
  // alone equals the cross equity of a one-position account.
  if (n == 1 && cfg.isolated_fraction.v > 0) {
    Rng gi{mix(cfg.seed ^ mix(index ^ 0x1501A7EDull))};
    if (gi.chance(cfg.isolated_fraction)) {
      a.pos[0].isolated = true;
      a.pos[0].isolated_margin = a.collateral;
      a.collateral = Quote(0);
    }
  }
  return a;
}

std::string account_json(const GenAccount& a, std::span<const PopulationMarket> markets) {
  std::string s = "{\"id\":" + std::to_string(a.id) + ",\"collateral\":\"";
  const int quote_dp = markets[0].risk.scale.quote_dp;
  s += format_decimal(a.collateral.v, quote_dp);
  s += "\",\"positions\":[";
  for (int k = 0; k < a.n_positions; ++k) {
    const GenPosition& p = a.pos[k];
    const MarketRisk& m = markets[p.market].risk;
    if (k) s += ',';
    s += "{\"market\":\"" + markets[p.market].symbol + "\",\"size\":\"" + format_decimal(p.size.v, m.scale.qty_dp) +
         "\",\"entry_price\":\"" + format_decimal(p.entry.v, m.scale.price_dp) + "\"";
    if (p.isolated) s += ",\"isolated_margin\":\"" + format_decimal(p.isolated_margin.v, quote_dp) + "\"";
    s += '}';
  }
  s += "]}";
  return s;
}

}  // namespace liqd::policy
