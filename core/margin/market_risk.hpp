#pragma once
// The risk parameters of one market, as the margin engine and the index use them.
// Fixed capacity (no heap) so a MarketRisk can be copied into the core and read on
// the hot path. Built from config (config/) or from `liqd risk` input.
#include <array>
#include <cstdint>
#include <optional>

#include "core/money/fixed.hpp"

namespace liqd {

inline constexpr int kMaxTiers = 16;

struct MarginTier {
  // Upper bound of the tier's notional, inclusive, in Quote units.
  // The last tier may be unbounded (INT64_MAX).
  Quote max_notional{INT64_MAX};
  Ratio imr;
  Ratio mmr;
  // Deductions at "wide" scale: quote_dp + kRatioDp decimals, so a derived
  // deduction max_notional × Δratio is exact and margin is exactly continuous.
  i128 mm_deduction_w = 0;
  i128 im_deduction_w = 0;
  constexpr bool unbounded() const { return max_notional.v == INT64_MAX; }
};

struct MarketRisk {
  Scale scale;
  Price tick{1};
  Qty lot{1};
  uint8_t n_tiers = 0;
  std::array<MarginTier, kMaxTiers> tiers{};
  Ratio liquidation_fee{0};
  // Fillable-price pair (dYdX v4); both set or both absent.
  bool has_fillable = false;
  Ratio bankruptcy_adjustment{0};
  Ratio spread_to_mmr{0};

  // Highest maintenance ratio of any tier (the index's short-side bound).
  Ratio max_mmr() const {
    Ratio m{0};
    for (int i = 0; i < n_tiers; ++i) if (tiers[i].mmr > m) m = tiers[i].mmr;
    return m;
  }
};

// Fill in omitted deductions so margin is continuous in notional:
// d_0 = 0, d_n = max_notional_(n-1) × (r_n − r_(n-1)) + d_(n-1).
// `explicit_mm[i]` / `explicit_im[i]` say which tiers gave their own deduction.
void derive_deductions(MarketRisk& m, const bool* explicit_mm, const bool* explicit_im);

// Margin jump at the boundary after tier i (0 when continuous), at wide scale.
// Positive: margin jumps up when notional crosses into tier i+1.
i128 mm_jump_at_boundary(const MarketRisk& m, int i);
i128 im_jump_at_boundary(const MarketRisk& m, int i);

}  // namespace liqd
