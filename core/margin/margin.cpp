#include "core/margin/margin.hpp"

#include <cassert>

namespace liqd {

namespace {

// Notional at product scale compared with a tier bound in quote units: scale the
// bound up (exact) rather than the notional down (lossy).
inline i128 bound_at_product(const MarketRisk& m, Quote bound) {
  return static_cast<i128>(bound.v) * pow10_i128(m.scale.product_dp() - m.scale.quote_dp);
}

// notional × ratio − deduction, exact, at product_dp + 8 decimals.
inline i128 requirement_exact(const MarketRisk& m, i128 notional_product, Ratio r, i128 deduction_w) {
  const int shift = m.scale.product_dp() - m.scale.quote_dp;  // >= 0, checked at input
  return notional_product * r.v - deduction_w * pow10_i128(shift);
}

// The same rounded up to quote units.
inline Quote requirement(const MarketRisk& m, i128 notional_product, Ratio r, i128 deduction_w) {
  const int shift = m.scale.product_dp() - m.scale.quote_dp;
  i128 v = requirement_exact(m, notional_product, r, deduction_w);
  return Quote(static_cast<int64_t>(div_round(v, pow10_i128(shift + kRatioDp), Round::Ceil)));
}

inline const MarginTier& tier_for(const MarketRisk& m, i128 n) {
  int t = tier_index(m, n);
  return m.tiers[static_cast<size_t>(t < m.n_tiers ? t : m.n_tiers - 1)];  // beyond: refused at input
}

}  // namespace

int tier_index(const MarketRisk& m, i128 notional_product) {
  for (int i = 0; i < m.n_tiers; ++i) {
    const MarginTier& t = m.tiers[static_cast<size_t>(i)];
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
  const MarginTier& tier = tier_for(m, n);
  out.mm = requirement(m, n, tier.mmr, tier.mm_deduction_w);
  out.im = requirement(m, n, tier.imr, tier.im_deduction_w);
  return out;
}

i128 mm_exact(const MarketRisk& m, Qty size, Price mark, int dp) {
  i128 n = notional_exact(size, mark);
  const MarginTier& t = tier_for(m, n);
  assert(dp >= m.scale.product_dp() + kRatioDp);
  return requirement_exact(m, n, t.mmr, t.mm_deduction_w) * pow10_i128(dp - m.scale.product_dp() - kRatioDp);
}

i128 im_exact(const MarketRisk& m, Qty size, Price mark, int dp) {
  i128 n = notional_exact(size, mark);
  const MarginTier& t = tier_for(m, n);
  assert(dp >= m.scale.product_dp() + kRatioDp);
  return requirement_exact(m, n, t.imr, t.im_deduction_w) * pow10_i128(dp - m.scale.product_dp() - kRatioDp);
}

int exact_dp_for(const MarketRisk& m) {
  int pd = m.scale.product_dp();
  return (pd > m.scale.quote_dp ? pd : m.scale.quote_dp) + kRatioDp;
}

int exact_dp_for(std::span<const MarketRisk> markets) {
  int dp = kRatioDp + 6;
  for (const MarketRisk& m : markets) {
    int d = exact_dp_for(m);
    if (d > dp) dp = d;
  }
  return dp;
}

Quote MarginSummary::slack(int quote_dp) const {
  return Quote(static_cast<int64_t>(div_round(equity_x - mm_x, pow10_i128(exact_dp - quote_dp), Round::Floor)));
}

MarginSummary cross_margin(Quote collateral, std::span<const Position> positions,
                           std::span<const MarketRisk> markets, std::span<const Price> marks) {
  MarginSummary s{};
  // Markets share the quote scale but may differ in price and qty decimals, so
  // accumulate exactly at exact_dp decimals and round once.
  const int quote_dp = markets.empty() ? 6 : markets[0].scale.quote_dp;
  const int xdp = exact_dp_for(markets);
  s.exact_dp = xdp;
  s.equity_x = static_cast<i128>(collateral.v) * pow10_i128(xdp - quote_dp);
  for (const Position& p : positions) {
    if (p.isolated || p.size.v == 0) continue;
    const MarketRisk& m = markets[p.market];
    const Price mark = marks[p.market];
    s.equity_x += pnl_exact(p.size, mark, p.entry) * pow10_i128(xdp - m.scale.product_dp());
    s.mm_x += mm_exact(m, p.size, mark, xdp);
    s.im_x += im_exact(m, p.size, mark, xdp);
    PositionMargin pm = position_margin(m, p.size, mark);
    s.mm += pm.mm;
    s.im += pm.im;
    ++s.open_positions;
  }
  s.equity = Quote(static_cast<int64_t>(div_round(s.equity_x, pow10_i128(xdp - quote_dp), Round::Floor)));
  return s;
}

MarginSummary isolated_margin(const Position& p, const MarketRisk& m, Price mark) {
  MarginSummary s{};
  const int xdp = exact_dp_for(m);
  const int qd = m.scale.quote_dp;
  s.exact_dp = xdp;
  s.equity_x = static_cast<i128>(p.isolated_margin.v) * pow10_i128(xdp - qd) +
               pnl_exact(p.size, mark, p.entry) * pow10_i128(xdp - m.scale.product_dp());
  s.equity = Quote(static_cast<int64_t>(div_round(s.equity_x, pow10_i128(xdp - qd), Round::Floor)));
  if (p.size.v != 0) {
    s.mm_x = mm_exact(m, p.size, mark, xdp);
    s.im_x = im_exact(m, p.size, mark, xdp);
    PositionMargin pm = position_margin(m, p.size, mark);
    s.mm = pm.mm;
    s.im = pm.im;
  }
  s.open_positions = p.size.v != 0 ? 1 : 0;
  return s;
}

}  // namespace liqd
