// liqd replay --config FILE --prices CSV --accounts FILE --price SYMBOL=P ...
//             [--policy static|dynamic|both] [--json OUT] [--progress] [--summary]
// Replays a crash-day price path over an account population through the health
// index, breaker, (volatility) margin, planner, fill model, fund, backstop and ADL
// (daemon/replay/). Writes the totals as JSON; prints a summary table to stderr
// (stdout with --summary); with --progress one status line per simulated minute.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/money/decimal.hpp"
#include "daemon/commands/commands.hpp"
#include "daemon/replay/replay_report.hpp"
#include "daemon/replay/replay_setup.hpp"

namespace liqd::cmd {

namespace {

struct ReplayCli {
  std::string config, prices, accounts, policy = "static", json;
  std::vector<std::string> ref_prices;
  int substeps = 1;
  bool progress = false, summary = false, no_check = false;
  int pace_ms = 0;
  std::string depth, vault, vault_max;
  std::vector<std::string> oracle_faults;
};

bool money_opt(const std::string& text, const char* name, int dp, Quote& out) {
  if (text.empty()) return true;
  int64_t v = 0;
  if (parse_decimal(text, dp, v) != DecimalError::Ok || v <= 0) {
    std::fprintf(stderr, "liqd replay: %s %s: not a positive decimal\n", name, text.c_str());
    return false;
  }
  out = Quote(v);
  return true;
}

int run(const ReplayCli& o) {
  if (o.policy != "static" && o.policy != "dynamic" && o.policy != "both") {
    std::fprintf(stderr, "liqd replay: --policy %s: expected static, dynamic or both\n", o.policy.c_str());
    return 2;
  }
  if (o.substeps < 1 || o.substeps > 60) {
    std::fprintf(stderr, "liqd replay: --substeps %d: expected 1..60\n", o.substeps);
    return 2;
  }
  std::string err;
  replay::ReplaySetup setup;
  if (!replay::load_replay_setup(o.config, o.ref_prices, setup, err)) {
    std::fprintf(stderr, "liqd replay: %s\n", err.c_str());
    return 2;
  }
  std::vector<replay::Bar> bars;
  if (!replay::load_price_path(o.prices, bars, err)) {
    std::fprintf(stderr, "liqd replay: %s\n", err.c_str());
    return 2;
  }
  std::vector<std::string> symbols;
  std::vector<MarketRisk> risks;
  for (const replay::ReplayMarket& m : setup.markets) {
    symbols.push_back(m.symbol);
    risks.push_back(m.risk);
  }
  std::vector<replay::ReplayAccount> accounts;
  if (!replay::load_accounts(o.accounts, symbols, risks, accounts, err)) {
    std::fprintf(stderr, "liqd replay: %s\n", err.c_str());
    return 2;
  }
  replay::ReplayOptions opt;
  opt.substeps = o.substeps;
  opt.fund_start = setup.fund_start;
  // The daemon file's policy sections, as the service reads them (the engine's
  // own defaults are the same numbers when a section is absent).
  opt.planner = setup.policy.planner;
  opt.market_liq = setup.policy.market_liq;
  opt.breaker = setup.policy.breaker;
  opt.vol = setup.policy.vol;
  opt.check_every_bars = o.no_check ? 0 : 1;
  for (const std::string& f : o.oracle_faults)
    if (!replay::parse_oracle_fault(f, setup.markets, opt.oracle_faults, err)) {
      std::fprintf(stderr, "liqd replay: %s\n", err.c_str());
      return 2;
    }
  if (!money_opt(o.depth, "--book-depth", setup.quote_dp, opt.book_depth_per_pct) ||
      !money_opt(o.vault, "--vault-collateral", setup.quote_dp, opt.vault_collateral) ||
      !money_opt(o.vault_max, "--vault-max-notional", setup.quote_dp, opt.vault_max_notional))
    return 2;

  std::vector<std::string> labels;
  if (o.policy == "both") labels = {"static", "dynamic"};
  else labels = {o.policy};
  std::vector<replay::ReplayResult> results;
  for (const std::string& pol : labels) {
    opt.dynamic = pol == "dynamic";
    replay::ReplayEngine eng(setup.markets, opt);
    std::function<void(const replay::ReplayStatus&)> cb;
    auto next_line = std::chrono::steady_clock::now();
    if (o.progress) {
      cb = [&](const replay::ReplayStatus& s) {
        const std::string line = "[" + pol + "] " + replay::progress_line(s, symbols, setup.quote_dp) + "\n";
        std::fputs(line.c_str(), stderr);
        if (o.pace_ms > 0) {  // display only: each simulated minute takes at least pace_ms of wall time
          next_line += std::chrono::milliseconds(o.pace_ms);
          const auto t = std::chrono::steady_clock::now();
          if (next_line > t) std::this_thread::sleep_until(next_line);
          else next_line = t;
        }
      };
    }
    results.push_back(eng.run(bars, accounts, cb));
  }
  FILE* table = o.summary ? stdout : stderr;
  std::fprintf(table, "liqd replay: %zu accounts, %zu bars of %s\n", accounts.size(), bars.size(), o.prices.c_str());
  replay::print_summary(table, labels, results, setup.quote_dp);
  if (!o.json.empty()) {
    std::string doc;
    if (labels.size() == 1) {
      doc = replay::result_json(results[0], setup.quote_dp, labels[0], accounts.size(), bars.size());
    } else {
      doc = "{\n";
      for (std::size_t i = 0; i < labels.size(); ++i) {
        doc += "\"" + labels[i] + "\": " +
               replay::result_json(results[i], setup.quote_dp, labels[i], accounts.size(), bars.size());
        doc.pop_back();
        doc += i + 1 < labels.size() ? ",\n" : "\n";
      }
      doc += "}\n";
    }
    FILE* f = o.json == "-" ? stdout : std::fopen(o.json.c_str(), "wb");
    if (!f) {
      std::fprintf(stderr, "liqd replay: %s: cannot write\n", o.json.c_str());
      return 1;
    }
    const bool ok = std::fwrite(doc.data(), 1, doc.size(), f) == doc.size();
    if (f != stdout && std::fclose(f) != 0) return 1;
    if (!ok) return 1;
  }
  for (const replay::ReplayResult& r : results)
    if (!r.fund_reconciles || r.limit_violations || r.adl_without_short || r.index_missed) {
      std::fprintf(stderr, "liqd replay: a check failed (see \"checks\")\n");
      return 1;
    }
  return 0;
}

}  // namespace

void add_replay(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("replay", "replay a price path over an account population through the liquidation engine");
  auto o = std::make_shared<ReplayCli>();
  sub->add_option("--config", o->config, "daemon YAML (its markets, fund start)")->required();
  sub->add_option("--prices", o->prices, "price path CSV: ts_ms,open,high,low,close,volume")->required();
  sub->add_option("--accounts", o->accounts, "population JSONL (liqd gen-accounts)")->required();
  sub->add_option("--price", o->ref_prices, "reference price per market, SYMBOL=P: the path's first open maps to it")
      ->required();
  sub->add_option("--policy", o->policy, "static | dynamic (volatility-adjusted margin) | both")->capture_default_str();
  sub->add_option("--json", o->json, "write the totals here as JSON (- for stdout)");
  sub->add_option("--substeps", o->substeps, "steps per leg of a bar's walk (1: open, extremes, close)")->capture_default_str();
  sub->add_option("--book-depth", o->depth, "book depth per 1 % of price per market, quote units (default: 1 % of the market's open interest at start)");
  sub->add_option("--vault-collateral", o->vault, "backstop vault collateral (default 1000000)");
  sub->add_option("--oracle-fault", o->oracle_faults,
                  "[MARKET/]SOURCE:spike:PCT:FROM-TO or [MARKET/]SOURCE:silent:FROM-TO (minutes from the path start; repeat)");
  sub->add_option("--vault-max-notional", o->vault_max, "backstop vault limit per market (default 2000000)");
  sub->add_flag("--progress", o->progress, "one status line per simulated minute on stderr");
  sub->add_option("--pace-ms", o->pace_ms, "with --progress: wall ms to wait per simulated minute (demo)");
  sub->add_flag("--summary", o->summary, "print the summary table on stdout instead of stderr");
  sub->add_flag("--no-check-index", o->no_check, "skip the brute-force index check at every bar end");
  sub->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace liqd::cmd
