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
//     core/margin (cross_margin, and isolated_margin for each isolated position) at
//     every bar end (index_missed = 0, one scan per bar);
//   - the same inputs give byte-identical JSON.
#include <gtest/gtest.h>

#include <cstdio>

#include "daemon/replay/replay_engine.hpp"
#include "daemon/replay/replay_report.hpp"
#include "tests/replay/replay_world.hpp"
#include "tests/support/sanitized.hpp"

namespace liqd::replay {
namespace {

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
    const World w = make_world(bars, test::kSanitized ? 1000 : 3000, 2026);
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

// An isolated position is judged and liquidated on its own margin: the same BTC long
// at 10x, once isolated beside a large wallet and once cross on that wallet. On Black
// Thursday (BTC −50 %) only the isolated one is liquidated; the cross one is carried
// by the wallet. Both runs keep every invariant, including the brute-force index scan
// (which must judge the isolated position alone to agree with the index).
TEST(Replay, IsolatedPositionIsLiquidatedAloneNotFromTheWallet) {
  const std::vector<Bar> bars = path(kPaths[0]);
  World w = make_world(bars, 0, 1);
  const ReplayMarket& btc = w.setup.markets[0];
  ASSERT_EQ(btc.symbol, "BTC-USD");
  const Qty one(static_cast<int64_t>(pow10_i128(btc.risk.scale.qty_dp)));  // 1 BTC
  const Quote notional = mul_qty_price(one, btc.reference, btc.risk.scale, Round::HalfAwayFromZero);
  const Quote wallet(notional.v * 4);  // carries a 50 % fall of one BTC many times over
  Position p{.size = one, .entry = btc.reference, .isolated_margin = Quote(notional.v / 10), .market = 0, .isolated = true};
  for (bool iso : {true, false}) {
    SCOPED_TRACE(iso ? "isolated" : "cross");
    World x = w;
    ReplayAccount a;
    a.id = 1;
    a.collateral = wallet;
    Position q = p;
    if (!iso) {
      q.isolated = false;
      q.isolated_margin = Quote(0);
      a.collateral = Quote(wallet.v + notional.v / 10);  // the same money in all
    }
    a.positions.push_back(q);
    x.accounts.push_back(a);
    ReplayOptions o;
    o.fund_start = w.setup.fund_start;
    o.book_depth_per_pct = Quote(notional.v * 10);  // a deep book: the isolated close fills
    const ReplayResult r = ReplayEngine(x.setup.markets, o).run(bars, x.accounts, {});
    EXPECT_EQ(r.index_missed, 0);
    EXPECT_EQ(r.index_checks, static_cast<int64_t>(bars.size()));
    EXPECT_TRUE(r.fund_reconciles);
    EXPECT_EQ(r.limit_violations, 0);
    if (iso) {
      EXPECT_GT(r.liquidations, 0);
      EXPECT_GT(r.flagged_total, 0);
      // The whole position went (10x: it passes maintenance long before −50 %), by
      // IOC or, when a minute's fall skipped past 2/3 MM, to the backstop vault; a
      // loss below zero equity is the absorbers', not the wallet's.
      EXPECT_GE(r.notional_liquidated, notional.v / 2);
      EXPECT_EQ(r.shortfall, r.fund_paid + r.backstop_absorbed + r.adl_absorbed + r.bad_debt);
    } else {
      EXPECT_EQ(r.liquidations, 0);
      EXPECT_EQ(r.flagged_total, 0);
    }
  }
}

TEST(Replay, SameInputsSameJsonBytes) {
  const std::vector<Bar> bars = path(kPaths[2]);
  const World w = make_world(bars, test::kSanitized ? 700 : 2000, 7);
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
