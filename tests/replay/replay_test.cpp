// `liqd replay` end to end on the three shipped real crash paths (Binance USD-M
// BTCUSDT 1m: 2020-03-12, 2021-05-19, 2022-11-08) with a generated population over the
// daemon's configured markets (config/liqd.yaml: BTC, ETH, DOGE), static and
// volatility-adjusted margin side by side. Checks, per run:
//   - the fund reconciles exactly with the fills: end = start + fees − shortfalls paid,
//     and its own journal reconciles (InsuranceFund::reconciles);
//   - every fill respects its limit price (limit_violations = 0);
//   - ADL runs only when the fund is short (adl_without_short = 0, checked per fill);
//   - shortfall = fund paid + backstop absorbed + ADL absorbed + bad debt;
//   - the health index's flagged set equals a brute-force scan of every account with
//     core/margin's cross_margin at every bar end (index_missed = 0, one scan per bar);
//   - the same inputs give byte-identical JSON.
#include <gtest/gtest.h>

#include <cstdio>

#include "core/policy/population/population.hpp"
#include "daemon/replay/price_path.hpp"
#include "daemon/replay/replay_engine.hpp"
#include "daemon/replay/replay_report.hpp"
#include "daemon/replay/replay_setup.hpp"

namespace liqd::replay {
namespace {

constexpr const char* kPaths[3] = {
    "binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv",
    "binance_usdm_BTCUSDT_1m_2021-05-19T1055Z_1523Z.csv",
    "binance_usdm_BTCUSDT_1m_2022-11-08T1816Z_2028Z.csv",
};

struct World {
  ReplaySetup setup;
  std::vector<ReplayAccount> accounts;
};

// The daemon's markets at the path's own first open for BTC (so BTC follows the real
// prices) and round references for ETH and DOGE; `n` accounts of seed `seed`, the
// same population `liqd gen-accounts` writes for these arguments.
World make_world(const std::vector<Bar>& bars, int n, uint64_t seed) {
  World w;
  std::string err;
  const std::string btc = "BTC-USD=" + std::to_string(bars.front().open / 100'000'000) + "." +
                          std::to_string(bars.front().open / 1'000'000 % 100 + 100).substr(1);
  EXPECT_TRUE(load_replay_setup(std::string(LIQD_CONFIG_DIR) + "/liqd.yaml", {btc, "ETH-USD=3000", "DOGE-USD=0.15"},
                                w.setup, err))
      << err;
  std::vector<policy::PopulationMarket> pm;
  for (const ReplayMarket& m : w.setup.markets) pm.push_back(policy::PopulationMarket{m.symbol, m.reference, m.risk});
  policy::PopulationConfig pc{};
  pc.seed = seed;
  for (int i = 0; i < n; ++i) {
    const policy::GenAccount g = policy::generate_account(static_cast<uint64_t>(i), pm, pc);
    ReplayAccount a;
    a.id = g.id;
    a.collateral = g.collateral;
    for (int k = 0; k < g.n_positions; ++k) {
      Position p;
      p.market = g.pos[static_cast<size_t>(k)].market;
      p.size = g.pos[static_cast<size_t>(k)].size;
      p.entry = g.pos[static_cast<size_t>(k)].entry;
      a.positions.push_back(p);
    }
    w.accounts.push_back(a);
  }
  return w;
}

std::vector<Bar> path(const char* f) {
  std::vector<Bar> bars;
  std::string err;
  EXPECT_TRUE(load_price_path(std::string(LIQD_TEST_DATA_DIR) + "/crash_days/" + f, bars, err)) << err;
  return bars;
}

ReplayResult run(const World& w, const std::vector<Bar>& bars, bool dynamic) {
  ReplayOptions o;
  o.dynamic = dynamic;
  o.fund_start = w.setup.fund_start;
  o.check_every_bars = 1;
  ReplayEngine e(w.setup.markets, o);
  return e.run(bars, w.accounts, {});
}

void check_invariants(const ReplayResult& r, const World& w, std::size_t n_bars, const char* what) {
  SCOPED_TRACE(what);
  EXPECT_TRUE(r.fund_reconciles);
  EXPECT_EQ(r.fund_end, w.setup.fund_start.v + r.fees_to_fund - r.fund_paid);
  EXPECT_EQ(r.limit_violations, 0);
  EXPECT_EQ(r.adl_without_short, 0);
  EXPECT_EQ(r.shortfall, r.fund_paid + r.backstop_absorbed + r.adl_absorbed + r.bad_debt);
  EXPECT_EQ(r.index_checks, static_cast<int64_t>(n_bars));
  EXPECT_EQ(r.index_missed, 0);
  EXPECT_GT(r.liquidations, 0);
  EXPECT_GT(r.fees_to_fund, 0);
  EXPECT_GE(r.flagged_total, r.max_underwater_accounts);
  // ADL only once the fund could not pay: with ADL events the fund must have been
  // drawn down to (nearly) nothing at some point, i.e. it paid at least its start.
  if (r.adl_events > 0) {
    EXPECT_GT(r.fund_paid, 0);
  }
}

TEST(Replay, CrashPathsStaticAndDynamicSideBySide) {
  std::vector<std::string> labels;
  std::vector<ReplayResult> results;
  for (const char* f : kPaths) {
    const std::vector<Bar> bars = path(f);
    ASSERT_GT(bars.size(), 100u);
    const World w = make_world(bars, 3000, 2026);
    const ReplayResult s = run(w, bars, false);
    const ReplayResult d = run(w, bars, true);
    check_invariants(s, w, bars.size(), f);
    check_invariants(d, w, bars.size(), f);
    EXPECT_EQ(s.margin_changes, 0);
    EXPECT_GT(d.margin_changes, 0) << f;
    // Volatility-adjusted margin raises maintenance during the crash, so accounts are
    // flagged earlier: at least as many enter liquidation.
    EXPECT_GE(d.flagged_total, s.flagged_total) << f;
    labels.push_back(std::string(f).substr(24, 10) + " static");
    labels.push_back(std::string(f).substr(24, 10) + " dynamic");
    results.push_back(s);
    results.push_back(d);
  }
  print_summary(stdout, labels, results, 6);
}

TEST(Replay, SameInputsSameJsonBytes) {
  const std::vector<Bar> bars = path(kPaths[2]);
  const World w = make_world(bars, 2000, 7);
  for (bool dyn : {false, true}) {
    const std::string a = result_json(run(w, bars, dyn), 6, dyn ? "dynamic" : "static", w.accounts.size(), bars.size());
    const std::string b = result_json(run(w, bars, dyn), 6, dyn ? "dynamic" : "static", w.accounts.size(), bars.size());
    EXPECT_EQ(a, b);
    EXPECT_NE(a.find("\"max_time_underwater_ms\": "), std::string::npos);
  }
}

TEST(Replay, JsonHasEveryIssueKeyInOrder) {
  ReplayResult r;
  r.shortfall = 1'234'567;
  const std::string j = result_json(r, 6, "static", 1, 1);
  size_t at = 0;
  for (const char* k : {"liquidations", "notional_liquidated", "fees_to_fund", "shortfall", "fund_paid", "bad_debt",
                        "adl_events", "backstop_transfers", "breaker_activations", "max_underwater_accounts",
                        "max_time_underwater_ms"}) {
    const size_t p = j.find("\"" + std::string(k) + "\": ", at);
    ASSERT_NE(p, std::string::npos) << k;
    at = p;
  }
  EXPECT_NE(j.find("\"shortfall\": 1.234567,"), std::string::npos) << j;
}

}  // namespace
}  // namespace liqd::replay
