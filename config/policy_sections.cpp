// Readers of the daemon file's policy sections: liquidation (the planner),
// circuit_breaker, dynamic_margin, backstop and executor. Each key is optional; an absent one keeps the
// default in daemon_config.hpp. daemon/service/policy_from_config.cpp maps them onto
// the core's policy types.
#include <cassert>
#include <string>

#include "config/daemon_sections.hpp"
#include "config/market_parts.hpp"
#include "core/money/decimal.hpp"

namespace liqd::config::detail {

namespace {

constexpr int64_t kHour = 3'600'000;
constexpr std::size_t kMaxBands = 4;  // policy::kMaxBreakerBands (checked where they are mapped)

void opt_int(const Ctx& ctx, MapReader& m, const char* key, int64_t lo, int64_t hi, int64_t& out) {
  if (YAML::Node n = m.get(key); n.IsDefined()) read_int(ctx, n, m.key_path(key), lo, hi, out);
}

void opt_ratio(const Ctx& ctx, MapReader& m, const char* key, int64_t lo, bool lo_open, int64_t hi, Ratio& out) {
  if (YAML::Node n = m.get(key); n.IsDefined()) read_ratio(ctx, n, m.key_path(key), lo, lo_open, hi, false, out);
}

// A non-negative amount of the quote asset at quote.scale.
void opt_amount(const Ctx& ctx, MapReader& m, const char* key, int quote_dp, Quote& out) {
  YAML::Node n = m.get(key);
  if (!n.IsDefined()) return;
  int64_t v = 0;
  if (!read_decimal(ctx, n, m.key_path(key), quote_dp, v)) return;
  if (v < 0) {
    ctx.error(n, m.key_path(key), "must not be negative, got " + n.Scalar());
    return;
  }
  out = Quote(v);
}

}  // namespace

void read_liquidation(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  LiquidationSection& l = out.liquidation;
  const int dp = out.quote.quote_dp;
  opt_ratio(ctx, m, "target_buffer", 0, false, 10 * kRatioOne, l.target_buffer);
  opt_amount(ctx, m, "small_account_notional", dp, l.small_account_notional);
  opt_ratio(ctx, m, "deep_underwater_fraction", 0, false, kRatioOne, l.deep_underwater_fraction);
  opt_amount(ctx, m, "large_account_notional", dp, l.large_account_notional);
  opt_ratio(ctx, m, "large_chunk_fraction", 0, true, kRatioOne, l.large_chunk_fraction);
  opt_int(ctx, m, "cooldown_ms", 0, kHour, l.cooldown_ms);
  opt_amount(ctx, m, "max_order_notional", dp, l.max_order_notional);
  if (l.max_order_notional.v == 0)
    ctx.error(m.get("max_order_notional"), m.key_path("max_order_notional"), "must be positive (it bounds every order)");
  opt_amount(ctx, m, "global_cap_per_minute", dp, l.global_cap_per_minute);
  opt_int(ctx, m, "order_timeout_ms", 100, 600'000, l.order_timeout_ms);
  opt_int(ctx, m, "no_fill_backoff_ms", 0, 60'000, l.no_fill_backoff_ms);
  opt_int(ctx, m, "no_fill_backoff_max_ms", 0, kHour, l.no_fill_backoff_max_ms);
  if (l.no_fill_backoff_max_ms < l.no_fill_backoff_ms)
    ctx.error_line(m.line_of_key("no_fill_backoff_max_ms"), m.key_path("no_fill_backoff_max_ms"),
                   std::to_string(l.no_fill_backoff_max_ms) + " is below no_fill_backoff_ms (" +
                       std::to_string(l.no_fill_backoff_ms) + ")");
  if (l.small_account_notional.v >= 0 && l.large_account_notional.v >= 0 &&
      l.large_account_notional < l.small_account_notional)
    ctx.error_line(m.line_of_key("large_account_notional"), m.key_path("large_account_notional"),
                   "is below small_account_notional (a large account would be closed in one order)");
}

void read_circuit_breaker(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  CircuitBreakerSection& b = out.circuit_breaker;
  if (YAML::Node bands = m.get("bands"); bands.IsDefined() && expect_sequence(ctx, bands, m.key_path("bands"), false)) {
    b.bands.clear();
    if (bands.size() > kMaxBands)
      ctx.error(bands, m.key_path("bands"),
                std::to_string(bands.size()) + " bands, at most " + std::to_string(kMaxBands));
    for (std::size_t i = 0; i < bands.size() && i < kMaxBands; ++i) {
      MapReader band(ctx, bands[i], m.key_path("bands") + "[" + std::to_string(i) + "]");
      if (!band.valid()) continue;
      BreakerBandSection s;
      read_int(ctx, band.require("window_ms"), band.key_path("window_ms"), 1'000, kHour, s.window_ms);
      opt_ratio(ctx, band, "throttle_move", 0, false, kRatioOne, s.throttle_move);
      opt_ratio(ctx, band, "pause_move", 0, false, kRatioOne, s.pause_move);
      if (s.throttle_move.v == 0 && s.pause_move.v == 0)
        ctx.error_line(band.line(), band.path(), "give throttle_move, pause_move or both");
      else if (s.throttle_move.v > 0 && s.pause_move.v > 0 && s.pause_move <= s.throttle_move)
        ctx.error_line(band.line_of_key("pause_move"), band.key_path("pause_move"),
                       "must be above throttle_move (PAUSED is the stronger stage)");
      band.finish();
      b.bands.push_back(s);
    }
  }
  opt_ratio(ctx, m, "throttle_divergence", 0, false, kRatioOne, b.throttle_divergence);
  opt_ratio(ctx, m, "pause_divergence", 0, false, kRatioOne, b.pause_divergence);
  if (b.throttle_divergence.v > 0 && b.pause_divergence.v > 0 && b.pause_divergence <= b.throttle_divergence)
    ctx.error_line(m.line_of_key("pause_divergence"), m.key_path("pause_divergence"),
                   "must be above throttle_divergence (PAUSED is the stronger stage)");
  opt_int(ctx, m, "calm_ms", 1'000, kHour, b.calm_ms);
  opt_ratio(ctx, m, "throttle_chunk_scale", 0, true, kRatioOne, b.throttle_chunk_scale);
  opt_int(ctx, m, "throttle_cooldown_mult", 1, 100, b.throttle_cooldown_mult);
}

void read_dynamic_margin(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  DynamicMarginSection& d = out.dynamic_margin;
  if (YAML::Node n = m.get("enabled"); n.IsDefined()) read_bool(ctx, n, m.key_path("enabled"), d.enabled);
  opt_int(ctx, m, "half_life_ms", 1'000, 7 * 24 * kHour, d.half_life_ms);
  opt_int(ctx, m, "horizon_ms", 1'000, 24 * kHour, d.horizon_ms);
  opt_ratio(ctx, m, "k", 0, true, 20 * kRatioOne, d.k);
  opt_int(ctx, m, "interval_ms", 1'000, 24 * kHour, d.interval_ms);
  opt_ratio(ctx, m, "max_step", 0, true, kRatioOne, d.max_step);
  opt_ratio(ctx, m, "min_change", 0, false, kRatioOne, d.min_change);
  opt_ratio(ctx, m, "mmr_cap", 0, true, kRatioOne, d.mmr_cap);
  opt_int(ctx, m, "min_samples", 2, 1'000'000, d.min_samples);
}

void read_backstop(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  BackstopSection& b = out.backstop;
  const int dp = out.quote.quote_dp;
  int64_t account = 0;
  opt_int(ctx, m, "account", 0, INT64_MAX, account);
  b.account = static_cast<uint64_t>(account);
  opt_ratio(ctx, m, "trigger_fraction", 0, false, kRatioOne, b.trigger_fraction);
  opt_amount(ctx, m, "max_notional_per_market", dp, b.max_notional_per_market);
  opt_amount(ctx, m, "max_total_notional", dp, b.max_total_notional);
  opt_ratio(ctx, m, "margin_buffer", 0, false, 10 * kRatioOne, b.margin_buffer);
  opt_ratio(ctx, m, "hedge_charge", 0, false, kRatioOne / 10, b.hedge_charge);
  if (YAML::Node n = m.get("split"); n.IsDefined()) read_bool(ctx, n, m.key_path("split"), b.split);
}

void read_executor(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  ExecutorSection& e = out.executor;
  opt_int(ctx, m, "tracker_capacity", 64, 1 << 20, e.tracker_capacity);
  opt_int(ctx, m, "keep_ended_ms", 100, 600'000, e.keep_ended_ms);
}

// Amount defaults depend on quote.scale, so they are set after every section is read.
void finish_policy_defaults(DaemonConfig& out) {
  const int dp = out.quote.quote_dp;
  const auto dflt = [dp](Quote& q, const char* text) {
    if (q.v >= 0) return;
    int64_t v = 0;
    const DecimalError e = parse_decimal(text, dp, v);
    (void)e;
    assert(e == DecimalError::Ok);
    q = Quote(v);
  };
  dflt(out.liquidation.small_account_notional, "1000");
  dflt(out.liquidation.large_account_notional, "100000");
  dflt(out.liquidation.max_order_notional, "500000");
  dflt(out.backstop.max_notional_per_market, "10000000");
  dflt(out.backstop.max_total_notional, "50000000");
}

}  // namespace liqd::config::detail
