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

// One --oracle-fault: [MARKET/]SOURCE:spike:PCT:FROM-TO or [MARKET/]SOURCE:silent:FROM-TO,
// SOURCE a configured oracle name, PCT a signed percentage ("30", "-12.5"), FROM and
// TO minutes from the path's first bar (decimals allowed, FROM < TO). Without MARKET
// the fault applies to every market that has the source. Appends to `out`; false
// with the reason in `err` when the argument or a name is bad.
bool parse_oracle_fault(const std::string& arg, const std::vector<ReplayMarket>& markets,
                        std::vector<OracleFault>& out, std::string& err);

}  // namespace liqd::replay
