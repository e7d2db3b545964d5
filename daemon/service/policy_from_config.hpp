#pragma once
// The daemon YAML turned into each stage's configuration: the core's markets
// (risk, oracle quorum from each market's `oracles:`), policy tuning, and the
// executor's markets and journal options. One place, so `liqd --config`, the
// tests and `liqd replay` read the same numbers.
#include "config/daemon_config.hpp"
#include "daemon/service/core_stage.hpp"
#include "daemon/service/executor_stage.hpp"

namespace liqd::service {

// A reload that would flag accounts at once is walked in this many steps, one
// per this much event time.
inline constexpr int kReloadRampSteps = 10;
inline constexpr int64_t kReloadRampStepMs = 30'000;

// The daemon file's liquidation, circuit_breaker and dynamic_margin sections as
// the core's policy types. The service and `liqd replay` both start from these.
struct PolicySettings {
  policy::PlannerConfig planner;
  policy::MarketLiqConfig market_liq;   // every market alike
  policy::BreakerConfig breaker;
  policy::VolMarginConfig vol;
  bool dynamic_margin = false;
  policy::BackstopConfig backstop;      // account 0: none; max_notional has one entry per market
};
// `markets`: how many markets the vault's per-market cap applies to.
PolicySettings policy_settings_from(const config::DaemonConfig& d, std::size_t markets = 0);

CoreStageConfig core_config_from(const config::Config& cfg);
ExecutorConfig executor_config_from(const config::Config& cfg);
// The backstop vault's contracts (one own per market, one per external venue)
// for the executor's VaultDesk; vault_account 0 when backstop.account is 0.
exec::vault::DeskConfig vault_desk_config_from(const config::Config& cfg);
policy::OracleConfig oracle_config_from(const config::MarketConfig& m);

}  // namespace liqd::service
