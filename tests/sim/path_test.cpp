// The price driver's walk order, step placement and scaling, on the real crash path.
#include <gtest/gtest.h>

#include "sim/path/price_path.hpp"

namespace liqd::sim {
namespace {

std::string crash_path() { return std::string(LIQD_TEST_DATA_DIR) + "/sim/binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv"; }

TEST(PricePath, LoadsRealCrashDay) {
  std::vector<Bar> bars;
  ASSERT_EQ(load_bars_csv(crash_path(), bars), "");
  ASSERT_EQ(bars.size(), 294u);  // PROVENANCE: 294 bars, 23:07 -> 04:00
  // First row: 1584054420000,5741.41,5746.77,5707.96,5712.98,283.242
  EXPECT_EQ(bars[0].ts_ms, 1584054420000);
  EXPECT_EQ(bars[0].open, 574141000000);
  EXPECT_EQ(bars[0].high, 574677000000);
  EXPECT_EQ(bars[0].low, 570796000000);
  EXPECT_EQ(bars[0].close, 571298000000);
  EXPECT_EQ(bars[0].volume, 28324200000);
  int64_t lo = bars[0].low;
  for (const Bar& b : bars) lo = std::min(lo, b.low);
  EXPECT_EQ(lo, 362181000000);  // README: low 3,622 (3,621.81) at 02:16
}

TEST(PricePath, RejectsBadRows) {
  std::vector<Bar> bars;
  EXPECT_NE(parse_bars_csv("ts_ms,open,high,low,close,volume\n1,2,1,1,1,1\n", bars).find("line 2"), std::string::npos);
  EXPECT_NE(parse_bars_csv("ts_ms,open,high,low,close,volume\n1,2,x,1,1,1\n", bars).find("high"), std::string::npos);
  EXPECT_NE(parse_bars_csv("open,high\n", bars), "");
}

TEST(PricePath, DownBarWalksLowFirstUpBarHighFirst) {
  // Bar 1 closes down (100 -> 96), bar 2 closes up (96 -> 99).
  std::vector<Bar> bars;
  ASSERT_EQ(parse_bars_csv("ts_ms,open,high,low,close,volume\n0,100,103,94,96,7\n60000,96,101,95,99,7\n", bars), "");
  std::vector<PathPoint> pts;
  ASSERT_EQ(walk_path(bars, 4, WalkOrder::LowFirstOnDown, pts), "");
  ASSERT_EQ(pts.size(), 8u);
  const int64_t u = 100'000'000;
  std::vector<int64_t> want = {100 * u, 94 * u, 103 * u, 96 * u, 96 * u, 101 * u, 95 * u, 99 * u};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(pts[i].px, want[i]) << i;
  EXPECT_EQ(pts[1].ts_ms, 15000);
  EXPECT_EQ(pts[5].ts_ms, 75000);
  ASSERT_EQ(walk_path(bars, 4, WalkOrder::HighFirstOnDown, pts), "");
  EXPECT_EQ(pts[1].px, 103 * u);
  EXPECT_EQ(pts[2].px, 94 * u);
  EXPECT_EQ(pts[5].px, 95 * u);
}

TEST(PricePath, ManyStepsHitExtremesAndInterpolate) {
  std::vector<Bar> bars;
  ASSERT_EQ(parse_bars_csv("ts_ms,open,high,low,close,volume\n0,100,103,94,96,10\n", bars), "");
  std::vector<PathPoint> pts;
  ASSERT_EQ(walk_path(bars, 8, WalkOrder::LowFirstOnDown, pts), "");  // 7 intervals: legs 3,2,2
  ASSERT_EQ(pts.size(), 8u);
  const int64_t u = 100'000'000;
  EXPECT_EQ(pts[0].px, 100 * u);
  EXPECT_EQ(pts[1].px, 98 * u);   // 100 + (94-100)/3
  EXPECT_EQ(pts[3].px, 94 * u);   // low
  EXPECT_EQ(pts[4].px, 9850000000);  // halfway 94 -> 103
  EXPECT_EQ(pts[5].px, 103 * u);  // high
  EXPECT_EQ(pts[7].px, 96 * u);   // close
  EXPECT_EQ(pts[7].ts_ms, 52500);  // 7 × 60000 / 8
  EXPECT_EQ(walk_path(bars, 3, WalkOrder::LowFirstOnDown, pts), "steps per bar must be 1 or 4..60000");
  ASSERT_EQ(walk_path(bars, 1, WalkOrder::LowFirstOnDown, pts), "");
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_EQ(pts[0].px, 96 * u);
}

TEST(PricePath, ScalesToAnyReferencePrice) {
  // ETH at 190.00 (tick 0.01): path 5741.41 -> 190.00; the path low 3622 -> 190×3622/5741.41 = 119.8625… -> 119.86.
  const int64_t open0 = 574141000000;
  EXPECT_EQ(scale_to_market(open0, open0, Price(19000), 1), Price(19000));
  EXPECT_EQ(scale_to_market(362200000000, open0, Price(19000), 1), Price(11986));
  // Tick 0.05 (5 units): 119.8625 -> 119.85.
  EXPECT_EQ(scale_to_market(362200000000, open0, Price(19000), 5), Price(11985));
  // BTC at its own price, tick 0.1 at price_dp 1: 5712.98 -> 5713.0.
  EXPECT_EQ(scale_to_market(571298000000, open0, Price(57414), 1), Price(57130));
}

}  // namespace
}  // namespace liqd::sim
