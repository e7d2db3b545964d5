#include "daemon/replay/replay_setup.hpp"

#include <map>

#include "config/daemon_config.hpp"
#include "core/money/decimal.hpp"

namespace liqd::replay {

bool load_replay_setup(const std::string& config_path, const std::vector<std::string>& price_args, ReplaySetup& out,
                       std::string& err) {
  config::Diagnostics diag;
  const std::optional<config::Config> cfg = config::load_config(config_path, diag);
  if (!cfg) {
    err.clear();
    for (const config::ConfigError& e : diag.errors()) err += e.str() + "\n";
    err += config_path + ": " + std::to_string(diag.size()) + " config error(s)";
    return false;
  }
  std::map<std::string, std::string> price_of;
  for (const std::string& p : price_args) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      err = "--price " + p + ": expected SYMBOL=PRICE";
      return false;
    }
    price_of[p.substr(0, eq)] = p.substr(eq + 1);
  }
  out = ReplaySetup{};
  out.quote_dp = cfg->daemon.quote.quote_dp;
  out.fund_start = cfg->daemon.insurance_fund.start_balance;
  out.policy = service::policy_settings_from(cfg->daemon);
  for (const config::MarketConfig& mc : cfg->markets) {
    const auto it = price_of.find(mc.symbol);
    if (it == price_of.end()) {
      err = "market " + mc.symbol + ": no reference price (--price " + mc.symbol + "=P)";
      return false;
    }
    int64_t px = 0;
    if (parse_decimal_rounded(it->second, mc.risk.scale.price_dp, Round::HalfAwayFromZero, px) != DecimalError::Ok ||
        px <= 0) {
      err = "--price " + it->first + ": not a positive decimal";
      return false;
    }
    out.markets.push_back(ReplayMarket{mc.symbol, mc.risk, Price(px)});
    price_of.erase(it);
  }
  if (!price_of.empty()) {
    err = "--price " + price_of.begin()->first + ": not a configured market";
    return false;
  }
  if (out.markets.empty()) {
    err = config_path + ": no markets";
    return false;
  }
  return true;
}

}  // namespace liqd::replay
