#pragma once
// The margin arithmetic of core/margin (position_margin's MM, cross_margin's
// equity, isolated_margin), bit for bit, with the powers of ten and the tier
// bounds precomputed per market and 64-bit division whenever the operands fit.
// Only what the index needs: MM (not IM), and an upper bound of the notional.
// The exactness tests compare the index's decisions with cross_margin and
// isolated_margin themselves, and the audit uses them too.
#include <cstdint>

#include "core/index/trigger_math.hpp"
#include "core/margin/margin.hpp"

namespace liqd {

// floor(num / den) for num ≥ 0, den > 0: one 128/64 `div` whenever den fits
// 64 bits and the quotient does (always, for the index's money amounts).
inline bool quotient_fits_u64(u128 n, u128 d) {
  return (d >> 64) == 0 && static_cast<uint64_t>(n >> 64) < static_cast<uint64_t>(d);
}
inline i128 div_floor_nonneg(i128 num, i128 den) {
  if (quotient_fits_u64(static_cast<u128>(num), static_cast<u128>(den))) {
    uint64_t r;
    return static_cast<i128>(udiv_128_64(static_cast<u128>(num), static_cast<uint64_t>(den), &r));
  }
  return num / den;
}
// Rounded as `div_round(num, den, mode)` for Floor / Ceil, den > 0.
inline i128 div_floor(i128 num, i128 den) {
  if (num >= 0) return div_floor_nonneg(num, den);
  const u128 n = static_cast<u128>(-num);  // num > INT128_MIN for every value the index meets
  if (quotient_fits_u64(n, static_cast<u128>(den))) {
    uint64_t r;
    const i128 q = static_cast<i128>(udiv_128_64(n, static_cast<uint64_t>(den), &r));
    return r == 0 ? -q : -q - 1;
  }
  const i128 q = static_cast<i128>(n) / den;
  return q * den == -num ? -q : -q - 1;
}
inline i128 div_ceil(i128 num, i128 den) { return -div_floor(-num, den); }

struct FastMarket {
  i128 pow_sh = 1;      // 10^(product_dp − quote_dp)
  i128 pow_sh8 = 1;     // 10^(product_dp − quote_dp + 8)
  i128 pow_eq = 1;      // 10^(kEquityDp − product_dp)
  int64_t pow_eq64 = 0;  // the same when it fits 63 bits, else 0
  int n_tiers = 0;
  u128 bound[kMaxTiers] = {};     // tier bound at product scale; all ones: unbounded
  i128 mm_ded[kMaxTiers] = {};    // mm_deduction_w × 10^sh
  int64_t mmr[kMaxTiers] = {};

  void init(const MarketRisk& m) {
    const int sh = m.scale.product_dp() - m.scale.quote_dp;
    pow_sh = pow10_fast(sh);
    pow_sh8 = pow10_fast(sh + kRatioDp);
    pow_eq = pow10_fast(kEquityDp - m.scale.product_dp());
    pow_eq64 = pow_eq <= INT64_MAX ? static_cast<int64_t>(pow_eq) : 0;
    n_tiers = m.n_tiers;
    for (int i = 0; i < m.n_tiers; ++i) {
      bound[i] = m.tiers[i].unbounded() ? ~u128{0} : static_cast<u128>(m.tiers[i].max_notional.v) * static_cast<u128>(pow_sh);
      mm_ded[i] = m.tiers[i].mm_deduction_w * pow_sh;
      mmr[i] = m.tiers[i].mmr.v;
    }
  }
  // notional_exact(size, mark) (product scale), one 64 × 64 → 128 multiply.
  static u128 notional(Qty size, Price mark) {
    const uint64_t s = size.v < 0 ? 0 - static_cast<uint64_t>(size.v) : static_cast<uint64_t>(size.v);
    return static_cast<u128>(s) * static_cast<uint64_t>(mark.v);  // marks are > 0
  }
  // pnl_exact(size, mark, entry): prices are ≥ 0, so mark − entry fits 64 bits.
  static i128 pnl(Qty size, Price mark, Price entry) {
    return static_cast<i128>(size.v) * (mark.v - entry.v);
  }
  // pnl at kEquityDp (cross_margin's equity scale).
  i128 pnl_equity(Qty size, Price mark, Price entry) const {
    const i128 p = pnl(size, mark, entry);
    return pow_eq64 != 0 ? p * pow_eq64 : p * pow_eq;
  }
  // tier_index(): n_tiers when beyond a bounded last tier.
  int tier(u128 n) const {
    int i = 0;
    while (i < n_tiers && n > bound[i]) ++i;
    return i;
  }
  // position_margin(...).mm for notional n = |size|·mark (product scale):
  // ceil((n·mmr − deduction) / 10^(sh+8)), the numerator ≥ 0 within its tier.
  int64_t mm(u128 n, int t) const {
    const int k = t < n_tiers ? t : n_tiers - 1;
    const i128 x = static_cast<i128>(n) * mmr[k] - mm_ded[k];
    if (x >= 0 && quotient_fits_u64(static_cast<u128>(x), static_cast<u128>(pow_sh8))) {
      uint64_t r;
      const uint64_t q = udiv_128_64(static_cast<u128>(x), static_cast<uint64_t>(pow_sh8), &r);
      return static_cast<int64_t>(q + (r != 0));
    }
    return static_cast<int64_t>(div_ceil(x, pow_sh8));
  }
  // ≥ the exact notional in quote units.
  int64_t notional_upper(u128 n) const {
    const i128 q = div_floor_nonneg(static_cast<i128>(n), pow_sh) + 1;
    return q > INT64_MAX ? INT64_MAX : static_cast<int64_t>(q);
  }
};

}  // namespace liqd
