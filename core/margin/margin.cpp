#include "core/margin/margin.hpp"

namespace liqd {

namespace {

// Notional at product scale compared with a tier bound in quote units: scale the
// bound up (exact) rather than the notional down (lossy).
inline i128 bound_at_product(const MarketRisk& m, Quote bound) {
  return static_cast<i128>(bound.v) * pow10_i128(m.scale.product_dp() - m.scale.quote_dp);
}

// notional × ratio − deduction, at scale product_dp + 8, rounded up to quote units.
inline Quote requirement(const MarketRisk& m, i128 notional_product, Ratio r, i128 deduction_w) {
  const int shift = m.scale.product_dp() - m.scale.quote_dp;  // >= 0, checked at config
  i128 v = notional_product * r.v - deduction_w * pow10_i128(shift);
  return Quote(static_cast<int64_t>(div_round(v, pow10_i128(shift + kRatioDp), Round::Ceil)));
}

}  // namespace

int tier_index(const MarketRisk& m, i128 notional_product) {
  for (int i = 0; i < m.n_tiers; ++i) {
    const MarginTier& t = m.tiers[i];
    if (t.unbounded() || notional_product <= bound_at_product(m, t.max_notional)) return i;
  }
  return m.n_tiers;
}

PositionMargin position_margin(const MarketRisk& m, Qty size, Price mark) {
  PositionMargin out{};
  i128 n = notional_exact(size, mark);
  const int shift = m.scale.product_dp() - m.scale.quote_dp;
  out.notional = Quote(static_cast<int64_t>(div_round(n, pow10_i128(shift), Round::HalfAwayFromZero)));
  out.tier = tier_index(m, n);
  int t = out.tier < m.n_tiers ? out.tier : m.n_tiers - 1;  // beyond: refused at input
  const MarginTier& tier = m.tiers[t];
  out.mm = requirement(m, n, tier.mmr, tier.mm_deduction_w);
  out.im = requirement(m, n, tier.imr, tier.im_deduction_w);
  return out;
}

MarginSummary cross_margin(Quote collateral, std::span<const Position> positions,
                           std::span<const MarketRisk> markets, std::span<const Price> marks) {
  MarginSummary s{};
  // Markets share the quote scale but may differ in price and qty decimals, so
  // accumulate equity exactly at kEquityDp decimals and round down once.
  int quote_dp = markets.empty() ? 6 : markets[0].scale.quote_dp;
  i128 equity_e = static_cast<i128>(collateral.v) * pow10_i128(kEquityDp - quote_dp);
  for (const Position& p : positions) {
    if (p.isolated || p.size.v == 0) continue;
    const MarketRisk& m = markets[p.market];
    equity_e += pnl_exact(p.size, marks[p.market], p.entry) * pow10_i128(kEquityDp - m.scale.product_dp());
    PositionMargin pm = position_margin(m, p.size, marks[p.market]);
    s.mm += pm.mm;
    s.im += pm.im;
    ++s.open_positions;
  }
  s.equity = Quote(static_cast<int64_t>(div_round(equity_e, pow10_i128(kEquityDp - quote_dp), Round::Floor)));
  return s;
}

MarginSummary isolated_margin(const Position& p, const MarketRisk& m, Price mark) {
  MarginSummary s{};
  const int shift = m.scale.product_dp() - m.scale.quote_dp;
  i128 pnl = pnl_exact(p.size, mark, p.entry);
  i128 eq = static_cast<i128>(p.isolated_margin.v) * pow10_i128(shift) + pnl;
  s.equity = Quote(static_cast<int64_t>(div_round(eq, pow10_i128(shift), Round::Floor)));
  PositionMargin pm = position_margin(m, p.size, mark);
  s.mm = pm.mm;
  s.im = pm.im;
  s.open_positions = p.size.v != 0 ? 1 : 0;
  return s;
}

}  // namespace liqd
