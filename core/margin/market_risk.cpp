#include "core/margin/market_risk.hpp"

namespace liqd {

void derive_deductions(MarketRisk& m, const bool* explicit_mm, const bool* explicit_im) {
  if (m.n_tiers == 0) return;
  if (!explicit_mm || !explicit_mm[0]) m.tiers[0].mm_deduction_w = 0;
  if (!explicit_im || !explicit_im[0]) m.tiers[0].im_deduction_w = 0;
  for (int n = 1; n < m.n_tiers; ++n) {
    const MarginTier& prev = m.tiers[n - 1];
    MarginTier& t = m.tiers[n];
    i128 bound = prev.max_notional.v;
    if (!explicit_mm || !explicit_mm[n])
      t.mm_deduction_w = bound * (t.mmr.v - prev.mmr.v) + prev.mm_deduction_w;
    if (!explicit_im || !explicit_im[n])
      t.im_deduction_w = bound * (t.imr.v - prev.imr.v) + prev.im_deduction_w;
  }
}

// At notional N = max_notional_i the margin of tier i is N×r_i − d_i and of tier
// i+1 is N×r_(i+1) − d_(i+1); continuity means the two agree.
i128 mm_jump_at_boundary(const MarketRisk& m, int i) {
  const MarginTier& a = m.tiers[i];
  const MarginTier& b = m.tiers[i + 1];
  i128 n = a.max_notional.v;
  return (n * b.mmr.v - b.mm_deduction_w) - (n * a.mmr.v - a.mm_deduction_w);
}

i128 im_jump_at_boundary(const MarketRisk& m, int i) {
  const MarginTier& a = m.tiers[i];
  const MarginTier& b = m.tiers[i + 1];
  i128 n = a.max_notional.v;
  return (n * b.imr.v - b.im_deduction_w) - (n * a.imr.v - a.im_deduction_w);
}

}  // namespace liqd
