// Inputs of `liqd replay`: the price-path CSV (refused with file:line), the walk of a
// bar (open → low → high → close when it closed down, else open → high → low → close),
// the scaling of the path onto a market, the accounts file and the market setup.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/money/decimal.hpp"
#include "daemon/replay/accounts_file.hpp"
#include "daemon/replay/price_path.hpp"
#include "daemon/replay/replay_setup.hpp"

namespace liqd::replay {
namespace {

const char* kHeader = "ts_ms,open,high,low,close,volume\n";

TEST(ReplayPricePath, ParsesTheShippedPathsExactly) {
  std::vector<Bar> bars;
  std::string err;
  ASSERT_TRUE(load_price_path(std::string(LIQD_TEST_DATA_DIR) +
                                  "/crash_days/binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv",
                              bars, err))
      << err;
  ASSERT_EQ(bars.size(), 294u);
  // First row of the file: 1584054420000,5741.41,5746.77,5707.96,5712.98,283.242
  EXPECT_EQ(bars[0].ts_ms, 1584054420000);
  EXPECT_EQ(bars[0].open, 574'141'000'000);
  EXPECT_EQ(bars[0].high, 574'677'000'000);
  EXPECT_EQ(bars[0].low, 570'796'000'000);
  EXPECT_EQ(bars[0].close, 571'298'000'000);
  EXPECT_EQ(bars[0].volume, 28'324'200'000);
  for (const char* f : {"binance_usdm_BTCUSDT_1m_2021-05-19T1055Z_1523Z.csv", "binance_usdm_BTCUSDT_1m_2022-11-08T1816Z_2028Z.csv"}) {
    ASSERT_TRUE(load_price_path(std::string(LIQD_TEST_DATA_DIR) + "/crash_days/" + f, bars, err)) << err;
    EXPECT_GT(bars.size(), 100u);
  }
}

TEST(ReplayPricePath, RefusesABadLineWithFileAndLine) {
  std::vector<Bar> bars;
  std::string err;
  const std::string good = "1000,10,11,9,10.5,1\n";
  EXPECT_FALSE(parse_price_path(std::string(kHeader) + good + "61000,10,11,9,abc,1\n", "day.csv", bars, err));
  EXPECT_EQ(err.rfind("day.csv:3: close: ", 0), 0u) << err;
  EXPECT_FALSE(parse_price_path(std::string(kHeader) + good + "61000,10,11,10.2,10,1\n", "day.csv", bars, err));
  EXPECT_EQ(err, "day.csv:3: low: above open or close");
  EXPECT_FALSE(parse_price_path(std::string(kHeader) + good + "61000,10,11,9\n", "day.csv", bars, err));
  EXPECT_EQ(err, "day.csv:3: expected 6 fields, got 4");
  EXPECT_FALSE(parse_price_path(std::string(kHeader) + good + good, "day.csv", bars, err));
  EXPECT_EQ(err, "day.csv:3: ts_ms: not after the previous bar");
  EXPECT_FALSE(parse_price_path(std::string(kHeader) + "1000,10,9.5,9,10,1\n", "day.csv", bars, err));
  EXPECT_EQ(err, "day.csv:2: high: below open or close");
  EXPECT_FALSE(parse_price_path("time,o,h,l,c,v\n" + good, "day.csv", bars, err));
  EXPECT_EQ(err, "day.csv:1: header: expected ts_ms,open,high,low,close,volume");
  EXPECT_TRUE(parse_price_path(std::string(kHeader) + good, "day.csv", bars, err)) << err;
}

TEST(ReplayPricePath, WalksADownBarViaTheLowFirst) {
  std::vector<WalkPoint> w;
  walk_bar(Bar{0, 100, 120, 80, 90, 0}, 1, w);  // closed down
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[1].price, 80);
  EXPECT_EQ(w[2].price, 120);
  EXPECT_EQ(w[3].price, 90);
  EXPECT_EQ(w[1].ts_ms, 15'000);
  walk_bar(Bar{0, 100, 120, 80, 110, 0}, 1, w);  // closed up
  EXPECT_EQ(w[1].price, 120);
  EXPECT_EQ(w[2].price, 80);
  // Two steps per leg: 100 → 90 → 80 → 100 → 120 → 105 → 90; 7 points 60000/7 ms apart.
  walk_bar(Bar{0, 100, 120, 80, 90, 0}, 2, w);
  const int64_t want[7] = {100, 90, 80, 100, 120, 105, 90};
  ASSERT_EQ(w.size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(w[static_cast<size_t>(i)].price, want[i]) << i;
  EXPECT_EQ(w[6].ts_ms, 6 * 60'000 / 7);
}

TEST(ReplayPricePath, ScalesThePathToTheMarketsReference) {
  // First open 5741.41 → reference 50,000.0 (price_dp 1, tick 0.1):
  // 50000 × 3782.57 / 5741.41 = 32941.1242... → 32941.1
  EXPECT_EQ(scale_to_market(378'257'000'000, 574'141'000'000, Price(500'000), Price(1)).v, 329'411);
  // DOGE-like: tick 0.000001 at 6 dp, reference 0.15: half of the path → 0.075.
  EXPECT_EQ(scale_to_market(50, 100, Price(150'000), Price(1)).v, 75'000);
  // A tick of 5 units rounds to a multiple of 5, never below one tick.
  EXPECT_EQ(scale_to_market(1, 1'000'000, Price(100), Price(5)).v, 5);
  EXPECT_EQ(scale_to_market(103, 100, Price(1000), Price(5)).v, 1030);
  EXPECT_EQ(scale_to_market(1033, 1000, Price(1000), Price(5)).v, 1035);
}

TEST(ReplaySetup, LoadsTheDaemonConfigAndNeedsAReferencePerMarket) {
  ReplaySetup s;
  std::string err;
  const std::string cfg = std::string(LIQD_CONFIG_DIR) + "/liqd.yaml";
  EXPECT_FALSE(load_replay_setup(cfg, {"BTC-USD=50000"}, s, err));
  EXPECT_NE(err.find("no reference price"), std::string::npos) << err;
  EXPECT_FALSE(load_replay_setup(cfg, {"BTC-USD=50000", "ETH-USD=3000", "DOGE-USD=0.15", "XRP-USD=1"}, s, err));
  EXPECT_EQ(err, "--price XRP-USD: not a configured market");
  ASSERT_TRUE(load_replay_setup(cfg, {"BTC-USD=50000", "ETH-USD=3000", "DOGE-USD=0.15"}, s, err)) << err;
  ASSERT_EQ(s.markets.size(), 3u);
  EXPECT_EQ(s.quote_dp, 6);
  EXPECT_EQ(s.fund_start.v, 2'500'000'000'000);  // insurance_fund.start_balance: "2500000"
}

TEST(ReplayAccounts, ReadsGenAccountsLinesAndRefusesBadOnes) {
  ReplaySetup s;
  std::string err;
  ASSERT_TRUE(load_replay_setup(std::string(LIQD_CONFIG_DIR) + "/liqd.yaml",
                                {"BTC-USD=50000", "ETH-USD=3000", "DOGE-USD=0.15"}, s, err));
  std::vector<std::string> sym;
  std::vector<MarketRisk> risk;
  for (const ReplayMarket& m : s.markets) {
    sym.push_back(m.symbol);
    risk.push_back(m.risk);
  }
  std::vector<ReplayAccount> acc;
  const std::string l1 =
      R"({"id":0,"collateral":"31.8","positions":[{"market":"DOGE-USD","size":"636","entry_price":"0.150749"}]})";
  const std::string l2 =
      R"({"id":1,"collateral":"165.57","positions":[{"market":"ETH-USD","size":"-0.5519","entry_price":"2932.6"}]})";
  ASSERT_TRUE(parse_accounts(l1 + "\n" + l2 + "\n", "pop.jsonl", sym, risk, acc, err)) << err;
  ASSERT_EQ(acc.size(), 2u);
  EXPECT_EQ(acc[0].collateral.v, 31'800'000);
  const Position& eth = acc[1].positions[0];
  EXPECT_EQ(sym[eth.market], "ETH-USD");
  int64_t want = 0;
  ASSERT_EQ(parse_decimal("-0.5519", risk[eth.market].scale.qty_dp, want), DecimalError::Ok);
  EXPECT_EQ(eth.size.v, want);
  EXPECT_FALSE(parse_accounts(l1 + "\n" + R"({"id":2,"collateral":"1","positions":[{"market":"XRP-USD","size":"1","entry_price":"1"}]})",
                              "pop.jsonl", sym, risk, acc, err));
  EXPECT_EQ(err, "pop.jsonl:2: positions[].market: XRP-USD is not a configured market");
  EXPECT_FALSE(parse_accounts(l1 + "\n" + l1, "pop.jsonl", sym, risk, acc, err));
  EXPECT_EQ(err, "pop.jsonl:2: id: 0 appears twice");
  EXPECT_FALSE(parse_accounts(l1 + "\n{\"id\":3,", "pop.jsonl", sym, risk, acc, err));
  EXPECT_EQ(err.rfind("pop.jsonl:2: ", 0), 0u) << err;
  // Isolated: "isolated_margin" makes the position isolated; a cross and an isolated
  // position may share a market, two of the same kind may not.
  const std::string iso =
      R"({"id":4,"collateral":"10","positions":[{"market":"BTC-USD","size":"0.01","entry_price":"50000","isolated_margin":"55.5"},)"
      R"({"market":"BTC-USD","size":"-0.02","entry_price":"50000"}]})";
  ASSERT_TRUE(parse_accounts(iso, "pop.jsonl", sym, risk, acc, err)) << err;
  ASSERT_EQ(acc.size(), 1u);
  ASSERT_EQ(acc[0].positions.size(), 2u);
  EXPECT_TRUE(acc[0].positions[0].isolated);
  EXPECT_EQ(acc[0].positions[0].isolated_margin.v, 55'500'000);
  EXPECT_FALSE(acc[0].positions[1].isolated);
  EXPECT_FALSE(parse_accounts(
      R"({"id":5,"collateral":"0","positions":[{"market":"BTC-USD","size":"0.01","entry_price":"50000","isolated_margin":"-1"}]})",
      "pop.jsonl", sym, risk, acc, err));
  EXPECT_EQ(err, "pop.jsonl:1: positions[].isolated_margin: must be >= 0");
  EXPECT_FALSE(parse_accounts(
      R"({"id":6,"collateral":"0","positions":[{"market":"BTC-USD","size":"0.01","entry_price":"50000","isolated_margin":"1"},)"
      R"({"market":"BTC-USD","size":"0.01","entry_price":"50000","isolated_margin":"1"}]})",
      "pop.jsonl", sym, risk, acc, err));
  EXPECT_EQ(err, "pop.jsonl:1: positions[].market: a second isolated position in BTC-USD");
}

}  // namespace
}  // namespace liqd::replay
