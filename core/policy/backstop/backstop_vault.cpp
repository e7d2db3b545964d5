#include "core/policy/backstop/backstop_vault.hpp"

#include <cassert>

namespace liqd::policy {

const char* to_string(BackstopWhy w) {
  switch (w) {
    case BackstopWhy::None: return "none";
    case BackstopWhy::NoLiquidity: return "no_liquidity_within_fillable";
    case BackstopWhy::EquityBelowThreshold: return "equity_below_backstop_threshold";
  }
  return "?";
}

BackstopWhy backstop_due(Quote equity, Quote mm, const BackstopConfig& cfg, bool no_liquidity) {
  if (no_liquidity) return BackstopWhy::NoLiquidity;
  // equity < fraction × MM, exactly: equity × 1e8 < MM × fraction.
  if (static_cast<i128>(equity.v) * kRatioOne < static_cast<i128>(mm.v) * cfg.trigger_fraction.v)
    return BackstopWhy::EquityBelowThreshold;
  return BackstopWhy::None;
}

void backstop_apply(BackstopVault& v, const MarketRisk& m, uint32_t market, Qty size, Price price) {
  if (v.positions.size() <= market) v.positions.resize(market + 1);
  Position& p = v.positions[market];
  p.market = market;
  p.entry = Price(0);
  // The vault pays size × price for a long it takes (receives for a short); its
  // cost rounds up.
  const i128 cost = static_cast<i128>(size.v) * price.v;
  const int shift = m.scale.product_dp() - m.scale.quote_dp;
  v.collateral -= Quote(static_cast<int64_t>(div_round(cost, pow10_i128(shift), Round::Ceil)));
  p.size += size;
}

namespace {

// Would the vault, after taking `add` at `price`, stay within its limits? The
// transfer is applied to `v` in place and undone exactly before returning (no
// copy: this runs on the core thread, once per bisection probe).
bool within_limits(BackstopVault& v, const BackstopConfig& cfg, std::span<const MarketRisk> markets,
                   std::span<const Price> marks, uint32_t market, Qty add, Price price) {
  const Quote collateral_before = v.collateral;
  const Position before = v.positions[market];
  backstop_apply(v, markets[market], market, add, price);
  bool ok = true;
  i128 total = 0;
  for (const Position& p : v.positions) {
    if (p.size.v == 0) continue;
    const MarketRisk& m = markets[p.market];
    const i128 n = notional_exact(p.size, marks[p.market]);
    const i128 scale = pow10_i128(m.scale.product_dp() - m.scale.quote_dp);
    total += div_round(n, scale, Round::Ceil);
    if (p.market == market) {
      const Quote cap = p.market < cfg.max_notional.size() ? cfg.max_notional[p.market] : Quote(0);
      if (div_round(n, scale, Round::Ceil) > cap.v) ok = false;
    }
  }
  if (total > cfg.max_total_notional.v) ok = false;
  if (ok) {
    const MarginSummary s = cross_margin(v.collateral, v.positions, markets, marks);
    // equity ≥ MM × (1 + buffer)
    ok = static_cast<i128>(s.equity.v) * kRatioOne >= static_cast<i128>(s.mm.v) * (kRatioOne + cfg.margin_buffer.v);
  }
  v.collateral = collateral_before;
  v.positions[market] = before;
  return ok;
}

}  // namespace

Qty backstop_capacity(BackstopVault& v, const BackstopConfig& cfg, std::span<const MarketRisk> markets,
                      std::span<const Price> marks, uint32_t market, Qty size, Price price) {
  assert(size.v != 0 && market < markets.size());
  if (v.positions.size() <= market) {
    // (only a vault built without room for every market: callers size it once)
    const std::size_t old = v.positions.size();
    v.positions.resize(market + 1);
    for (std::size_t i = old; i <= market; ++i) v.positions[i].market = static_cast<uint32_t>(i);
  }
  const MarketRisk& m = markets[market];
  const int sign = size.v > 0 ? 1 : -1;
  const int64_t lot = m.lot.v > 0 ? m.lot.v : 1;
  const int64_t lots = (size.v < 0 ? -size.v : size.v) / lot;
  // Largest number of lots that passes, by bisection; verified at the end.
  int64_t lo = 0, hi = lots;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo + 1) / 2;
    if (within_limits(v, cfg, markets, marks, market, Qty(sign * mid * lot), price)) lo = mid;
    else hi = mid - 1;
  }
  if (lo > 0 && !within_limits(v, cfg, markets, marks, market, Qty(sign * lo * lot), price)) return Qty(0);
  return Qty(sign * lo * lot);
}

}  // namespace liqd::policy
