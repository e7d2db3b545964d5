#pragma once
// Market fixtures for core tests: tiered risk with derived (continuous) or
// explicit zero (jumping) maintenance deductions, several unit scales.
#include <cstdint>

#include "core/margin/market_risk.hpp"

namespace liqd::test {

// Tier bounds in whole quote (USDC), ratios in basis points.
inline MarketRisk make_market(int price_dp, int qty_dp, const int64_t* bounds_usd, const int64_t* mmr_bp,
                              int n_tiers, bool jumps) {
  MarketRisk m{};
  m.scale = Scale{static_cast<int8_t>(price_dp), static_cast<int8_t>(qty_dp), 6};
  m.n_tiers = static_cast<uint8_t>(n_tiers);
  bool explicit_mm[kMaxTiers] = {};
  bool explicit_im[kMaxTiers] = {};
  for (int i = 0; i < n_tiers; ++i) {
    MarginTier& t = m.tiers[i];
    t.max_notional = bounds_usd[i] < 0 ? Quote(INT64_MAX) : Quote(bounds_usd[i] * 1'000'000);
    t.mmr = Ratio(mmr_bp[i] * 10'000);
    t.imr = Ratio(mmr_bp[i] * 20'000);
    explicit_mm[i] = jumps;  // explicit zero deductions: margin jumps up at each bound
    explicit_im[i] = jumps;
  }
  derive_deductions(m, explicit_mm, explicit_im);
  return m;
}

// A Binance-like ladder: 0.4 % to 10 % over four tiers.
inline MarketRisk standard_market(int price_dp, int qty_dp, bool jumps = false, int scale_mmr_pct = 100) {
  static const int64_t bounds[] = {50'000, 250'000, 1'000'000, -1};
  int64_t mmr[] = {40, 100, 250, 1000};
  for (int64_t& r : mmr) r = r * scale_mmr_pct / 100;
  return make_market(price_dp, qty_dp, bounds, mmr, 4, jumps);
}

}  // namespace liqd::test
