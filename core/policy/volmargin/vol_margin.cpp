#include "core/policy/volmargin/vol_margin.hpp"

#include <cmath>

namespace liqd::policy {

VolatilityMargin::VolatilityMargin(uint32_t market, const MarketRisk& base, const VolMarginConfig& cfg)
    : market_(market), base_(base), cur_(base), cfg_(cfg) {}

void VolatilityMargin::on_mark(Price mark, TimeMs ts) {
  if (mark.v <= 0) return;
  if (!has_last_) {
    last_ = mark;
    last_ts_ = ts;
    has_last_ = true;
    return;
  }
  const TimeMs dt = ts - last_ts_;
  if (dt <= 0) return;  // same or older event time: no return to measure
  const double r = std::log(static_cast<double>(mark.v) / static_cast<double>(last_.v));
  const double lambda = std::exp2(-static_cast<double>(dt) / static_cast<double>(cfg_.half_life_ms));
  var_ = lambda * var_ + (1.0 - lambda) * (r * r / static_cast<double>(dt));
  last_ = mark;
  last_ts_ = ts;
  ++samples_;
}

double VolatilityMargin::sigma_horizon() const {
  return std::sqrt(var_ * static_cast<double>(cfg_.horizon_ms));
}

Ratio VolatilityMargin::dynamic_mmr() const {
  const double x = static_cast<double>(cfg_.k.v) / kRatioOne * sigma_horizon() * kRatioOne;
  if (!std::isfinite(x) || x <= 0) return Ratio(0);
  if (x >= static_cast<double>(cfg_.mmr_cap.v)) return cfg_.mmr_cap;
  return Ratio(static_cast<int64_t>(std::ceil(x)));
}

std::optional<MarketMarginChange> VolatilityMargin::maybe_update(TimeMs now) {
  if (updated_ && now - last_update_ < cfg_.interval_ms) return std::nullopt;
  if (samples_ < cfg_.min_samples) return std::nullopt;
  updated_ = true;
  last_update_ = now;
  const Ratio dyn = dynamic_mmr();
  MarketRisk next = cur_;
  bool changed = false;
  bool outside_band = false;
  for (int i = 0; i < base_.n_tiers; ++i) {
    const Ratio target = dyn > base_.tiers[i].mmr ? dyn : base_.tiers[i].mmr;
    const int64_t gap = target.v - cur_.tiers[i].mmr.v;
    if ((gap < 0 ? -gap : gap) >= (cfg_.min_change.v > 0 ? cfg_.min_change.v : 1)) outside_band = true;
  }
  if (!outside_band) return std::nullopt;
  for (int i = 0; i < base_.n_tiers; ++i) {
    const MarginTier& b = base_.tiers[i];
    MarginTier& t = next.tiers[i];
    Ratio target = dyn > b.mmr ? dyn : b.mmr;
    if (target > cfg_.mmr_cap && b.mmr <= cfg_.mmr_cap) target = cfg_.mmr_cap;
    Ratio mmr = cur_.tiers[i].mmr;
    if (target > mmr) mmr = target - mmr > cfg_.max_step ? mmr + cfg_.max_step : target;
    else if (target < mmr) mmr = mmr - target > cfg_.max_step ? mmr - cfg_.max_step : target;
    int64_t imr = b.imr.v + (mmr.v - b.mmr.v);
    if (imr > kRatioOne) imr = kRatioOne;
    if (imr < mmr.v) imr = mmr.v;
    if (mmr != t.mmr || imr != t.imr.v) changed = true;
    t.mmr = mmr;
    t.imr = Ratio(imr);
  }
  if (!changed) return std::nullopt;
  derive_deductions(next, nullptr, nullptr);
  MarketMarginChange c{};
  c.market = market_;
  c.ts = now;
  c.sigma_horizon = sigma_horizon();
  c.dynamic_mmr = dyn;
  c.n_tiers = base_.n_tiers;
  for (int i = 0; i < base_.n_tiers; ++i) {
    c.old_mmr[i] = cur_.tiers[i].mmr;
    c.old_imr[i] = cur_.tiers[i].imr;
    c.new_mmr[i] = next.tiers[i].mmr;
    c.new_imr[i] = next.tiers[i].imr;
  }
  c.risk = next;
  cur_ = next;
  return c;
}

}  // namespace liqd::policy
