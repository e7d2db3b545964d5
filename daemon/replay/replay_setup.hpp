#pragma once
// Markets for `liqd replay` from the daemon YAML (config's strict load_config) and
// one reference price per market (`--price SYMBOL=P`, as for `liqd gen-accounts`):
// the path's first open maps to P, every later path price p to P × p / first open.
#include <string>
#include <vector>

#include "daemon/replay/replay_engine.hpp"
#include "daemon/service/policy_from_config.hpp"

namespace liqd::replay {

struct ReplaySetup {
  std::vector<ReplayMarket> markets;  // config order (market file names, sorted)
  int quote_dp = 6;
  Quote fund_start{0};                // insurance_fund.start_balance
  service::PolicySettings policy;     // liquidation, circuit_breaker, dynamic_margin sections
};

// false with every error in `err` (one per line) when the config or a price is bad,
// or a configured market has no reference price.
bool load_replay_setup(const std::string& config_path, const std::vector<std::string>& price_args, ReplaySetup& out,
                       std::string& err);

}  // namespace liqd::replay
