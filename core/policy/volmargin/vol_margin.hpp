#pragma once
// Volatility-adjusted maintenance margin (issue 5, item 7).
//
// Statistic (double is fine here: it is a statistic, not a decision):
//   per mark observation with Δt > 0 and log return r = ln(P / P_prev),
//     v ← λ v + (1 − λ) r² / Δt,   λ = 2^(−Δt / half_life)
//   an EWMA of the variance per millisecond; σ_H = sqrt(v × horizon_ms) is the
//   volatility over the market's liquidation horizon (the time its book needs to
//   absorb a typical liquidation).
// Decision (fixed point):
//   dyn = ceil(k × σ_H × 10^8) as a Ratio (rounded up: a requirement rounds against
//   the trader, like MM itself), NaN / ∞ / negative treated as 0, capped at mmr_cap;
//   for every tier: target mmr = max(base mmr, dyn); the live ratio moves toward it by
//   at most max_step per update; imr = base imr + (mmr − base mmr), capped at 1, so
//   the initial ratio never falls below the maintenance ratio and the leverage gap
//   is kept; all deductions are re-derived (derive_deductions) so margin stays
//   continuous in notional.
// Updates happen at most once per interval_ms of event time, only after
// min_samples observations, only when some tier's target is at least min_change
// away from its live ratio (a dead band against churn), and only when a ratio changes; each returns a
// MarketMarginChange for the index (an O(exposures) re-arm) and the log.
#include <array>
#include <cstdint>
#include <optional>

#include "core/margin/market_risk.hpp"
#include "core/policy/common.hpp"

namespace liqd::policy {

struct VolMarginConfig {
  TimeMs half_life_ms = 3'600'000;   // EWMA half-life of the variance
  TimeMs horizon_ms = 600'000;       // liquidation horizon
  Ratio k{300'000'000};              // 3 σ
  TimeMs interval_ms = 60'000;       // at most one update per interval
  Ratio max_step{250'000};           // ≤ 0.25 % per tier per update
  Ratio min_change{0};               // dead band: no update unless some tier's target is this far
  Ratio mmr_cap{50'000'000};         // never above 50 %
  uint32_t min_samples = 30;
};

struct MarketMarginChange {
  uint32_t market = 0;
  TimeMs ts = 0;
  double sigma_horizon = 0;   // display / metric
  Ratio dynamic_mmr{0};       // k × σ_H, rounded up, capped
  uint8_t n_tiers = 0;
  std::array<Ratio, kMaxTiers> old_mmr{}, new_mmr{}, old_imr{}, new_imr{};
  MarketRisk risk;            // the market's new risk parameters
};

class VolatilityMargin {
 public:
  VolatilityMargin(uint32_t market, const MarketRisk& base, const VolMarginConfig& cfg);

  void on_mark(Price mark, TimeMs ts);
  std::optional<MarketMarginChange> maybe_update(TimeMs now);

  const MarketRisk& current() const { return cur_; }
  const MarketRisk& base() const { return base_; }
  double variance_per_ms() const { return var_; }
  double sigma_horizon() const;
  Ratio dynamic_mmr() const;
  uint64_t samples() const { return samples_; }

 private:
  uint32_t market_;
  MarketRisk base_, cur_;
  VolMarginConfig cfg_;
  double var_ = 0;
  Price last_;
  TimeMs last_ts_ = 0;
  bool has_last_ = false;
  uint64_t samples_ = 0;
  TimeMs last_update_ = 0;
  bool updated_ = false;
};

}  // namespace liqd::policy
