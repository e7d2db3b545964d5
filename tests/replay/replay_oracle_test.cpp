// The replay's oracle stage (daemon/replay/replay_oracles.hpp) on real crash paths:
// each market's configured sources (config/markets/*.yaml: BTC has three, ETH and
// DOGE two) feed policy::IndexOracle, whose verdict decides whether a market may
// liquidate, as in the daemon.
//   - Fault-free, the index and mark equal the path price: no source is dropped,
//     no market goes STALE.
//   - One of three sources spiking ±30 % is outvoted by the median: the run decides
//     exactly as the fault-free one (same JSON but the drop counter).
//   - With two sources a spike leaves no majority: those markets are STALE for the
//     window, every step of it; BTC (three sources) is not.
//   - A silent source is stale after its max_staleness_ms: STALE from the first
//     walk point of the window, no liquidation in any market while it lasts (the
//     fault-free run does liquidate then), liquidations again after it (past the
//     breaker's calm hold).
#include <gtest/gtest.h>

#include "daemon/replay/replay_report.hpp"
#include "tests/replay/replay_world.hpp"

namespace liqd::replay {
namespace {

struct Outcome {
  ReplayResult r;
  std::vector<ReplayStatus> bars;  // status after each bar
};

Outcome run_with(const World& w, const std::vector<Bar>& bars, const std::vector<std::string>& faults) {
  ReplayOptions o;
  o.fund_start = w.setup.fund_start;
  o.check_every_bars = 1;
  std::string err;
  for (const std::string& f : faults) EXPECT_TRUE(parse_oracle_fault(f, w.setup.markets, o.oracle_faults, err)) << err;
  Outcome out;
  out.r = ReplayEngine(w.setup.markets, o).run(bars, w.accounts, [&](const ReplayStatus& s) { out.bars.push_back(s); });
  return out;
}

std::string json_without_drops(ReplayResult r, std::size_t n, std::size_t bars) {
  r.oracle_source_drops = 0;
  return result_json(r, 6, "static", n, bars);
}

TEST(ReplayOracle, SetupReadsEachMarketsSources) {
  const World w = make_world(path(kPaths[2]), 0, 1);
  ASSERT_EQ(w.setup.markets.size(), 3u);
  EXPECT_EQ(w.setup.markets[0].oracle.n_sources, 3);
  EXPECT_EQ(w.setup.markets[0].oracle.min_sources, 3);
  EXPECT_EQ(w.setup.markets[1].symbol, "DOGE-USD");
  EXPECT_EQ(w.setup.markets[1].oracle.n_sources, 2);
  EXPECT_EQ(w.setup.markets[0].sources, (std::vector<std::string>{"pyth", "binance-mark", "hyperliquid"}));
  EXPECT_EQ(w.setup.markets[0].oracle.max_age_ms[0], 2000);
  EXPECT_EQ(w.setup.markets[0].oracle.max_deviation.v, 500'000);  // 0.005
}

TEST(ReplayOracle, ParseFaultNamesWhatIsWrong) {
  const World w = make_world(path(kPaths[2]), 0, 1);
  std::vector<OracleFault> f;
  std::string err;
  ASSERT_TRUE(parse_oracle_fault("pyth:silent:10-20.5", w.setup.markets, f, err)) << err;
  ASSERT_EQ(f.size(), 3u);  // every market has pyth
  EXPECT_EQ(f[0].kind, OracleFault::Kind::Silent);
  EXPECT_EQ(f[0].from_ms, 600'000);
  EXPECT_EQ(f[0].to_ms, 1'230'000);
  f.clear();
  ASSERT_TRUE(parse_oracle_fault("BTC-USD/hyperliquid:spike:-12.5:0-1", w.setup.markets, f, err)) << err;
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].market, 0u);
  EXPECT_EQ(f[0].source, 2);
  EXPECT_EQ(f[0].move.v, -12'500'000);
  for (const char* bad : {"pyth", "pyth:loud:1-2", "pyth:silent:2-1", "pyth:silent:x-2", "pyth:spike:30:1",
                          "pyth:spike:-100:1-2", "nosuch:silent:1-2", "XRP-USD/pyth:silent:1-2",
                          "ETH-USD/hyperliquid:silent:1-2"}) {
    err.clear();
    EXPECT_FALSE(parse_oracle_fault(bad, w.setup.markets, f, err)) << bad;
    EXPECT_NE(err.find(bad), std::string::npos) << err;
  }
}

TEST(ReplayOracle, OneSpikingSourceOfThreeIsOutvoted) {
  const std::vector<Bar> bars = path(kPaths[2]);
  const World w = make_world(bars, 2000, 11);
  const Outcome clean = run_with(w, bars, {});
  EXPECT_EQ(clean.r.oracle_stale_steps, 0);
  EXPECT_EQ(clean.r.oracle_source_drops, 0);
  EXPECT_GT(clean.r.liquidations, 0);
  const std::string base = json_without_drops(clean.r, w.accounts.size(), bars.size());
  for (const char* f : {"BTC-USD/hyperliquid:spike:30:0-1000", "BTC-USD/pyth:spike:-30:20-60"}) {
    SCOPED_TRACE(f);
    const Outcome x = run_with(w, bars, {f});
    EXPECT_EQ(x.r.oracle_stale_steps, 0);
    EXPECT_GT(x.r.oracle_source_drops, 0);  // dropped for its deviation, every step of the window
    EXPECT_EQ(json_without_drops(x.r, w.accounts.size(), bars.size()), base);
  }
}

TEST(ReplayOracle, TwoSourcesThatDisagreeLeaveTheMarketStale) {
  const std::vector<Bar> bars = path(kPaths[2]);
  const World w = make_world(bars, 500, 11);
  // Minutes 20–40 of a 4-point walk: 20 bars × 4 points, in ETH and DOGE (pyth is
  // one of their two sources); BTC has a third source and stays trusted.
  const Outcome x = run_with(w, bars, {"pyth:spike:30:20-40"});
  EXPECT_EQ(x.r.oracle_stale_steps, 2 * 20 * 4);
  ASSERT_GT(x.bars.size(), 45u);
  for (int b = 20; b < 40; ++b) {
    EXPECT_EQ(x.bars[static_cast<std::size_t>(b)].modes[1], policy::MarketMode::Stale) << b;  // DOGE
    EXPECT_EQ(x.bars[static_cast<std::size_t>(b)].modes[2], policy::MarketMode::Stale) << b;  // ETH
    EXPECT_NE(x.bars[static_cast<std::size_t>(b)].modes[0], policy::MarketMode::Stale) << b;  // BTC
  }
  EXPECT_NE(x.bars[45].modes[2], policy::MarketMode::Stale);
}

TEST(ReplayOracle, SilentSourceStopsLiquidationUntilItIsBack) {
  // Black Thursday; pyth silent everywhere for minutes [kFrom, kTo): every market
  // loses its quorum (BTC 2 of 3, ETH and DOGE 1 of 2).
  constexpr int kFrom = 120, kTo = 180;
  const std::vector<Bar> bars = path(kPaths[0]);
  const World w = make_world(bars, 2000, 5);
  const Outcome clean = run_with(w, bars, {});
  const Outcome x = run_with(w, bars, {"pyth:silent:120-180"});
  ASSERT_GT(x.bars.size(), static_cast<std::size_t>(kTo + 20));
  auto liq_in = [](const Outcome& r, int from, int to) {  // liquidations in bars [from, to)
    return r.bars[static_cast<std::size_t>(to - 1)].liquidations - r.bars[static_cast<std::size_t>(from - 1)].liquidations;
  };
  ASSERT_GT(liq_in(clean, kFrom, kTo), 0) << "the window must be one where the clean run liquidates";
  EXPECT_EQ(liq_in(x, kFrom, kTo), 0);
  EXPECT_EQ(x.r.oracle_stale_steps, 3 * (kTo - kFrom) * 4);
  for (int b = kFrom; b < kTo; ++b)
    for (policy::MarketMode m : x.bars[static_cast<std::size_t>(b)].modes) EXPECT_EQ(m, policy::MarketMode::Stale) << b;
  // Back: the breaker holds PAUSED for its calm period, then liquidation resumes.
  EXPECT_NE(x.bars[kTo].modes[0], policy::MarketMode::Stale);
  EXPECT_GT(liq_in(x, kTo, kTo + 20), 0);
  EXPECT_EQ(x.r.index_missed, 0);
  EXPECT_TRUE(x.r.fund_reconciles);
  EXPECT_EQ(x.r.limit_violations, 0);
}

}  // namespace
}  // namespace liqd::replay
