#include "daemon/replay/replay_setup.hpp"

#include <map>

#include <boost/algorithm/string/split.hpp>

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
    ReplayMarket rm{mc.symbol, mc.risk, Price(px), service::oracle_config_from(mc), {}};
    for (const config::OracleSource& s : mc.oracles) rm.sources.push_back(s.name);
    out.markets.push_back(std::move(rm));
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

namespace {

// Minutes ("12", "1.5") to ms, exactly (three decimals of a minute at most).
bool minutes_ms(const std::string& s, int64_t& ms) {
  int64_t milli = 0;
  if (parse_decimal(s, 3, milli) != DecimalError::Ok || milli < 0) return false;
  ms = milli * 60;
  return true;
}

std::vector<std::string> split(const std::string& s, char c) {
  std::vector<std::string> out;
  boost::algorithm::split(out, s, [c](char x) { return x == c; });
  return out;
}

}  // namespace

bool parse_oracle_fault(const std::string& arg, const std::vector<ReplayMarket>& markets,
                        std::vector<OracleFault>& out, std::string& err) {
  const std::string what = "--oracle-fault " + arg + ": ";
  const std::vector<std::string> f = split(arg, ':');
  if (f.size() < 3) {
    err = what + "expected [MARKET/]SOURCE:spike:PCT:FROM-TO or [MARKET/]SOURCE:silent:FROM-TO";
    return false;
  }
  OracleFault base;
  std::size_t win = 2;
  if (f[1] == "spike") {
    if (f.size() != 4) {
      err = what + "spike takes PCT:FROM-TO";
      return false;
    }
    int64_t pct = 0;  // percent at kRatioDp − 2 decimals → a Ratio
    if (parse_decimal(f[2], kRatioDp - 2, pct) != DecimalError::Ok || pct <= -100 * 1'000'000) {
      err = what + "PCT: expected a signed percentage above -100";
      return false;
    }
    base.kind = OracleFault::Kind::Spike;
    base.move = Ratio(pct);
    win = 3;
  } else if (f[1] == "silent") {
    if (f.size() != 3) {
      err = what + "silent takes FROM-TO";
      return false;
    }
    base.kind = OracleFault::Kind::Silent;
  } else {
    err = what + "kind: expected spike or silent, got '" + f[1] + "'";
    return false;
  }
  const std::vector<std::string> w = split(f[win], '-');
  if (w.size() != 2 || !minutes_ms(w[0], base.from_ms) || !minutes_ms(w[1], base.to_ms) ||
      base.from_ms >= base.to_ms) {
    err = what + "window: expected FROM-TO in minutes from the path start, FROM < TO";
    return false;
  }
  std::string market, source = f[0];
  if (const auto slash = f[0].find('/'); slash != std::string::npos) {
    market = f[0].substr(0, slash);
    source = f[0].substr(slash + 1);
  }
  bool market_found = market.empty(), any = false;
  for (std::size_t m = 0; m < markets.size(); ++m) {
    if (!market.empty() && markets[m].symbol != market) continue;
    market_found = true;
    for (std::size_t k = 0; k < markets[m].sources.size() && k < markets[m].oracle.n_sources; ++k) {
      if (markets[m].sources[k] != source) continue;
      OracleFault x = base;
      x.market = static_cast<uint32_t>(m);
      x.source = static_cast<uint8_t>(k);
      out.push_back(x);
      any = true;
    }
  }
  if (!market_found) {
    err = what + "market " + market + ": not a configured market";
    return false;
  }
  if (!any) {
    err = what + "source " + source + ": no configured market has it" + (market.empty() ? "" : " (" + market + ")");
    return false;
  }
  return true;
}

}  // namespace liqd::replay
