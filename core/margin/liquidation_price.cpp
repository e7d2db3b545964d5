// Liquidation price, solved exactly across tiers.
//
// With the other marks fixed, position i's judge slack (equity − MM) as a function
// of its market's mark P, inside tier t, is linear:
//   slack(P) = K + d_t + |s|·P·(sign − mmr_t)          (all exact at dp decimals)
// where K = (equity − s·mark) − (MM − MM_i) at the current mark, sign = ±1 the
// side, d_t the tier's deduction. Hence the candidate root of tier t is
//   notional N* = (K + d_t) / (mmr_t − sign),   P* = N* / |s|,
// and it is THE root when N* lies inside the tier's notional range. Margin is
// continuous in notional (refused otherwise at input), so slack is continuous and
// monotone (slope |s|(1 − mmr) ≥ 0 for a long, −|s|(1 + mmr) < 0 for a short):
// at most one tier holds a root, and a root on a boundary is the same in both.
// Only i128 arithmetic with checked products: the index may call this per re-arm.
#include <cassert>

#include "core/margin/big_int.hpp"
#include "core/margin/liquidation.hpp"
#include "core/margin/pow10.hpp"

namespace liqd {

namespace {

// sign(x·y − z) without overflow: x·y is compared exactly or known to be huge.
int cmp_product(i128 x, i128 y, i128 z) {
  i128 prod;
  if (!__builtin_mul_overflow(x, y, &prod)) return prod < z ? -1 : (prod > z ? 1 : 0);
  const bool positive = (x > 0) == (y > 0);
  return positive ? 1 : -1;  // |x·y| > 2^127 > |z|
}

}  // namespace

MaybePrice liquidation_price(const AccountView& a, size_t i) {
  const Position& p = a.positions[i];
  const MarketRisk& m = a.markets[p.market];
  const Price mark = a.marks[p.market];
  assert(p.size.v != 0 && m.n_tiers > 0);
  const Judge j = judge_of(a, i);
  const int pd = m.scale.product_dp();
  const int qd = m.scale.quote_dp;
  const i128 f = p10(j.dp - pd - kRatioDp);          // product·ratio -> dp
  const i128 f_pnl = p10(j.dp - pd);                  // product -> dp
  const i128 abs_s = p.size.v < 0 ? -static_cast<i128>(p.size.v) : static_cast<i128>(p.size.v);
  const i128 side = p.size.v > 0 ? kRatioOne : -kRatioOne;   // ±1 at ratio scale

  // K: the slack without this position's mark-dependent terms.
  const i128 k = (j.equity - static_cast<i128>(p.size.v) * mark.v * f_pnl) - (j.mm - j.mm_position);

  for (int t = 0; t < m.n_tiers; ++t) {
    const MarginTier& tier = m.tiers[static_cast<size_t>(t)];
    i128 den = f * (tier.mmr.v - side);  // N* = num / den, N* at product scale
    if (den == 0) continue;              // flat slack in this tier (a long with mmr 1)
    i128 num = k + tier.mm_deduction_w * p10(pd - qd) * f;
    if (den < 0) { den = -den; num = -num; }
    // Lower bound: N* > 0 in the first tier, N* >= previous bound after it.
    if (t == 0) {
      if (num <= 0) continue;
    } else {
      const i128 lower = static_cast<i128>(m.tiers[static_cast<size_t>(t - 1)].max_notional.v) * p10(pd - qd);
      if (cmp_product(lower, den, num) > 0) continue;
    }
    if (!tier.unbounded() && t + 1 < m.n_tiers) {
      const i128 upper = static_cast<i128>(tier.max_notional.v) * p10(pd - qd);
      if (cmp_product(upper, den, num) < 0) continue;
    }
    // P* = num / (den · |s|) at price scale, rounded half away from zero.
    i128 denom;
    i128 units;
    if (!__builtin_mul_overflow(den, abs_s, &denom)) {
      units = div_round(num, denom, Round::HalfAwayFromZero);
    } else {
      bool fits = false;
      units = div_round(BigInt(num), BigInt(den) * BigInt(abs_s), Round::HalfAwayFromZero, fits);
      if (!fits) return {};
    }
    if (units <= 0 || units > static_cast<i128>(INT64_MAX)) return {};
    return {true, units};
  }
  return {};
}

}  // namespace liqd
