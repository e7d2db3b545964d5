// liqd gen-accounts --n N --seed S --config FILE --price SYMBOL=P [...]
// Writes a synthetic account population to stdout as JSONL: one `liqd risk`
// account object plus "id" per line (core/policy/population).
//
// TODO(config): the markets are read here with a minimal reader of the config
// schema (quote.scale, markets.dir|files, symbol, tick_size, lot_size, tiers);
// switch to liqd_config's strict loader once the config branch is merged. Market
// YAML has no reference price, so each market's comes from --price SYMBOL=P.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/margin/market_risk.hpp"
#include "core/money/decimal.hpp"
#include "core/policy/population/population.hpp"
#include "daemon/commands/commands.hpp"

namespace liqd::cmd {

namespace {

struct GenOptions {
  uint64_t n = 1000;
  uint64_t seed = 1;
  std::string config;
  std::vector<std::string> prices;
  std::string isolated = "0.15";  // as liqd-sim's population (sim/accounts/population.hpp)
};

// Reads a decimal string field at `dp` decimals; false (with a message) when bad.
bool read_decimal(const YAML::Node& node, const char* key, int dp, const std::string& where, int64_t& out) {
  const YAML::Node v = node[key];
  if (!v || !v.IsScalar()) {
    std::fprintf(stderr, "liqd gen-accounts: %s: %s: missing\n", where.c_str(), key);
    return false;
  }
  const DecimalError e = parse_decimal(v.as<std::string>(), dp, out);
  if (e != DecimalError::Ok) {
    std::fprintf(stderr, "liqd gen-accounts: %s: %s: %s\n", where.c_str(), key, to_string(e));
    return false;
  }
  return true;
}

bool load_market(const std::string& path, int quote_dp, policy::PopulationMarket& out) {
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    std::fprintf(stderr, "liqd gen-accounts: %s: %s\n", path.c_str(), e.what());
    return false;
  }
  if (!doc["symbol"] || !doc["tick_size"] || !doc["lot_size"] || !doc["tiers"] || !doc["tiers"].IsSequence()) {
    std::fprintf(stderr, "liqd gen-accounts: %s: needs symbol, tick_size, lot_size, tiers\n", path.c_str());
    return false;
  }
  out.symbol = doc["symbol"].as<std::string>();
  MarketRisk& m = out.risk;
  m = MarketRisk{};
  int price_dp = 0, qty_dp = 0;
  if (decimal_places(doc["tick_size"].as<std::string>(), price_dp) != DecimalError::Ok ||
      decimal_places(doc["lot_size"].as<std::string>(), qty_dp) != DecimalError::Ok) {
    std::fprintf(stderr, "liqd gen-accounts: %s: tick_size/lot_size: not a decimal\n", path.c_str());
    return false;
  }
  m.scale = Scale{static_cast<int8_t>(price_dp), static_cast<int8_t>(qty_dp), static_cast<int8_t>(quote_dp)};
  int64_t tick = 0, lot = 0;
  if (!read_decimal(doc, "tick_size", price_dp, path, tick) || !read_decimal(doc, "lot_size", qty_dp, path, lot))
    return false;
  m.tick = Price(tick);
  m.lot = Qty(lot);
  const YAML::Node tiers = doc["tiers"];
  if (tiers.size() == 0 || tiers.size() > static_cast<size_t>(kMaxTiers)) {
    std::fprintf(stderr, "liqd gen-accounts: %s: tiers: 1..%d expected\n", path.c_str(), kMaxTiers);
    return false;
  }
  m.n_tiers = static_cast<uint8_t>(tiers.size());
  for (size_t i = 0; i < tiers.size(); ++i) {
    const std::string where = path + ": tiers[" + std::to_string(i) + "]";
    MarginTier& t = m.tiers[i];
    int64_t v = 0;
    if (tiers[i]["max_notional"]) {
      if (!read_decimal(tiers[i], "max_notional", quote_dp, where, v)) return false;
      t.max_notional = Quote(v);
    }
    if (!read_decimal(tiers[i], "imr", kRatioDp, where, v)) return false;
    t.imr = Ratio(v);
    if (!read_decimal(tiers[i], "mmr", kRatioDp, where, v)) return false;
    t.mmr = Ratio(v);
  }
  derive_deductions(m, nullptr, nullptr);
  return true;
}

int run(const GenOptions& o) {
  YAML::Node d;
  try {
    d = YAML::LoadFile(o.config);
  } catch (const YAML::Exception& e) {
    std::fprintf(stderr, "liqd gen-accounts: %s: %s\n", o.config.c_str(), e.what());
    return 2;
  }
  int quote_dp = 6;
  if (d["quote"] && d["quote"]["scale"]) {
    if (decimal_places(d["quote"]["scale"].as<std::string>(), quote_dp) != DecimalError::Ok) {
      std::fprintf(stderr, "liqd gen-accounts: %s: quote.scale: not a decimal\n", o.config.c_str());
      return 2;
    }
  }
  namespace fs = std::filesystem;
  const fs::path base = fs::path(o.config).parent_path();
  std::vector<std::string> files;
  const YAML::Node mk = d["markets"];
  if (mk && mk["files"] && mk["files"].IsSequence()) {
    for (const auto& f : mk["files"]) files.push_back((base / f.as<std::string>()).string());
  } else if (mk && mk["dir"]) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(base / mk["dir"].as<std::string>(), ec))
      if (e.path().extension() == ".yaml") files.push_back(e.path().string());
    if (ec) {
      std::fprintf(stderr, "liqd gen-accounts: %s: markets.dir: %s\n", o.config.c_str(), ec.message().c_str());
      return 2;
    }
  } else {
    std::fprintf(stderr, "liqd gen-accounts: %s: markets: needs dir or files\n", o.config.c_str());
    return 2;
  }
  std::sort(files.begin(), files.end());  // same order on every file system
  std::map<std::string, std::string> price_of;
  for (const std::string& p : o.prices) {
    const auto eq = p.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "liqd gen-accounts: --price %s: expected SYMBOL=PRICE\n", p.c_str());
      return 2;
    }
    price_of[p.substr(0, eq)] = p.substr(eq + 1);
  }
  std::vector<policy::PopulationMarket> markets;
  for (const std::string& f : files) {
    policy::PopulationMarket m;
    if (!load_market(f, quote_dp, m)) return 2;
    const auto it = price_of.find(m.symbol);
    if (it == price_of.end()) {
      std::fprintf(stderr, "liqd gen-accounts: market %s: no reference price (--price %s=P)\n", m.symbol.c_str(),
                   m.symbol.c_str());
      return 2;
    }
    int64_t px = 0;
    if (parse_decimal_rounded(it->second, m.risk.scale.price_dp, Round::HalfAwayFromZero, px) != DecimalError::Ok ||
        px <= 0) {
      std::fprintf(stderr, "liqd gen-accounts: --price %s: not a positive decimal\n", it->first.c_str());
      return 2;
    }
    m.reference_price = Price(px);
    markets.push_back(std::move(m));
  }
  if (markets.empty()) {
    std::fprintf(stderr, "liqd gen-accounts: %s: no markets\n", o.config.c_str());
    return 2;
  }
  policy::PopulationConfig pc{};
  pc.seed = o.seed;
  int64_t iso = 0;
  if (parse_decimal(o.isolated, kRatioDp, iso) != DecimalError::Ok || iso < 0 || iso > kRatioOne) {
    std::fprintf(stderr, "liqd gen-accounts: --isolated-fraction %s: expected a decimal in [0, 1]\n", o.isolated.c_str());
    return 2;
  }
  pc.isolated_fraction = Ratio(iso);
  std::string line;
  for (uint64_t i = 0; i < o.n; ++i) {
    line = policy::account_json(policy::generate_account(i, markets, pc), markets);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace

void add_gen_accounts(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("gen-accounts", "write a synthetic account population as JSONL (liqd risk accounts + id)");
  auto o = std::make_shared<GenOptions>();  // owned by the callback, freed with the app
  sub->add_option("--n", o->n, "number of accounts")->required();
  sub->add_option("--seed", o->seed, "population seed (account i depends only on seed and i)")->required();
  sub->add_option("--config", o->config, "daemon YAML (its markets are used)")->required();
  sub->add_option("--price", o->prices, "reference price per market, SYMBOL=PRICE (repeat)");
  sub->add_option("--isolated-fraction", o->isolated,
                  "share of the single-market accounts in isolated margin (whole deposit posted to the position)")
      ->capture_default_str();
  sub->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace liqd::cmd
