#include "core/margin/margin.hpp"
#include "core/margin/pow10.hpp"

#include <cassert>

namespace liqd {

namespace {

// Notional at product scale compared with a tier bound in quote units: scale the
// bound up (exact) rather than the notional down (lossy).
inline i128 bound_at_product(const MarketRisk& m, Quote bound) {
  return static_cast<i128>(bound.v) * p10(m.scale.product_dp() - m.scale.quote_dp);
}

// One position's notional, tier and exact requirements (notional × ratio −
// deduction) at product_dp + 8 decimals: one tier lookup serves MM and IM.
struct Requirements {
  i128 notional;  // product scale
  int tier;       // n_tiers when beyond a bounded last tier
  i128 mm;
  i128 im;
};

inline Requirements requirements(const MarketRisk& m, Qty size, Price mark) {
  Requirements r{};
  r.notional = notional_exact(size, mark);
  r.tier = tier_index(m, r.notional);
  // Beyond a bounded last tier (refused at input) the last tier extends.
  const MarginTier& t = m.tiers[static_cast<size_t>(r.tier < m.n_tiers ? r.tier : m.n_tiers - 1)];
  const i128 shift = p10(m.scale.product_dp() - m.scale.quote_dp);  // >= 1, checked at input
  r.mm = r.notional * t.mmr.v - t.mm_deduction_w * shift;
  r.im = r.notional * t.imr.v - t.im_deduction_w * shift;
  return r;
}

// Exact requirement at product_dp + 8 -> quote units, rounded up.
inline Quote round_up(const MarketRisk& m, i128 exact) {
  return Quote(static_cast<int64_t>(div_round(exact, p10(m.scale.product_dp() - m.scale.quote_dp + kRatioDp), Round::Ceil)));
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
  const Requirements r = requirements(m, size, mark);
  PositionMargin out{};
  out.notional = Quote(static_cast<int64_t>(
      div_round(r.notional, p10(m.scale.product_dp() - m.scale.quote_dp), Round::HalfAwayFromZero)));
  out.tier = r.tier;
  out.mm = round_up(m, r.mm);
  out.im = round_up(m, r.im);
  return out;
}

i128 mm_exact(const MarketRisk& m, Qty size, Price mark, int dp) {
  assert(dp >= m.scale.product_dp() + kRatioDp);
  return requirements(m, size, mark).mm * p10(dp - m.scale.product_dp() - kRatioDp);
}

i128 im_exact(const MarketRisk& m, Qty size, Price mark, int dp) {
  assert(dp >= m.scale.product_dp() + kRatioDp);
  return requirements(m, size, mark).im * p10(dp - m.scale.product_dp() - kRatioDp);
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
  return Quote(static_cast<int64_t>(div_round(equity_x - mm_x, p10(exact_dp - quote_dp), Round::Floor)));
}

MarginSummary cross_margin(Quote collateral, std::span<const Position> positions,
                           std::span<const MarketRisk> markets, std::span<const Price> marks) {
  MarginSummary s{};
  // Markets share the quote scale but may differ in price and qty decimals, so
  // accumulate exactly at exact_dp decimals and round once.
  const int quote_dp = markets.empty() ? 6 : markets[0].scale.quote_dp;
  const int xdp = exact_dp_for(markets);
  s.exact_dp = xdp;
  s.equity_x = static_cast<i128>(collateral.v) * p10(xdp - quote_dp);
  for (const Position& p : positions) {
    if (p.isolated || p.size.v == 0) continue;
    const MarketRisk& m = markets[p.market];
    const Price mark = marks[p.market];
    const int pd = m.scale.product_dp();
    s.equity_x += pnl_exact(p.size, mark, p.entry) * p10(xdp - pd);
    const Requirements r = requirements(m, p.size, mark);
    const i128 up = p10(xdp - pd - kRatioDp);
    s.mm_x += r.mm * up;
    s.im_x += r.im * up;
    s.mm += round_up(m, r.mm);
    s.im += round_up(m, r.im);
    ++s.open_positions;
  }
  s.equity = Quote(static_cast<int64_t>(div_round(s.equity_x, p10(xdp - quote_dp), Round::Floor)));
  return s;
}

MarginSummary isolated_margin(const Position& p, const MarketRisk& m, Price mark) {
  MarginSummary s{};
  const int xdp = exact_dp_for(m);
  const int qd = m.scale.quote_dp;
  const int pd = m.scale.product_dp();
  s.exact_dp = xdp;
  s.equity_x = static_cast<i128>(p.isolated_margin.v) * p10(xdp - qd) + pnl_exact(p.size, mark, p.entry) * p10(xdp - pd);
  s.equity = Quote(static_cast<int64_t>(div_round(s.equity_x, p10(xdp - qd), Round::Floor)));
  if (p.size.v != 0) {
    const Requirements r = requirements(m, p.size, mark);
    const i128 up = p10(xdp - pd - kRatioDp);
    s.mm_x = r.mm * up;
    s.im_x = r.im * up;
    s.mm = round_up(m, r.mm);
    s.im = round_up(m, r.im);
    s.open_positions = 1;
  }
  return s;
}

}  // namespace liqd
