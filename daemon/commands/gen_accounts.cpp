// liqd gen-accounts --n N --seed S --config FILE --price SYMBOL=P [...]
// Writes a synthetic account population to stdout as JSONL: one `liqd risk`
// account object plus "id" per line (core/policy/population).
// The markets come from config's strict loader (load_replay_setup, as `liqd replay`
// reads them); market YAML has no reference price, so each market's comes from
// --price SYMBOL=P.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/money/decimal.hpp"
#include "core/policy/population/population.hpp"
#include "daemon/commands/commands.hpp"
#include "daemon/replay/replay_setup.hpp"

namespace liqd::cmd {

namespace {

struct GenOptions {
  uint64_t n = 1000;
  uint64_t seed = 1;
  std::string config;
  std::vector<std::string> prices;
  std::string isolated = "0.15";  // as liqd-sim's population (sim/accounts/population.hpp)
};

int run(const GenOptions& o) {
  // The markets as the daemon and `liqd replay` read them (config's strict loader),
  // each at its --price reference.
  replay::ReplaySetup setup;
  std::string err;
  if (!replay::load_replay_setup(o.config, o.prices, setup, err)) {
    std::fprintf(stderr, "liqd gen-accounts: %s\n", err.c_str());
    return 2;
  }
  std::vector<policy::PopulationMarket> markets;
  for (const replay::ReplayMarket& m : setup.markets)
    markets.push_back(policy::PopulationMarket{m.symbol, m.reference, m.risk});
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
