// The generated population (distribution, determinism) and the fill bookkeeping.
#include <gtest/gtest.h>

#include "sim/accounts/population.hpp"

namespace liqd::sim {
namespace {

std::vector<MarketSpec> markets() {
  MarketSpec b, e;
  EXPECT_EQ(parse_market_spec("BTCUSDT:tick=0.1:lot=0.001", b), "");
  EXPECT_EQ(parse_market_spec("ETHUSDT:tick=0.01:lot=0.001", e), "");
  return {b, e};
}

TEST(Population, SeededLeverageDistribution) {
  PopulationParams p;
  p.accounts = 20000;
  p.seed = 5;
  auto ms = markets();
  std::vector<Price> refs = {Price(57414), Price(19000)};
  auto a = generate_population(p, ms, refs);
  auto b = generate_population(p, ms, refs);
  ASSERT_EQ(a.size(), 20000u);
  int low = 0, tail = 0, isolated = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].id, i + 1);
    ASSERT_EQ(a[i].collateral, b[i].collateral);
    ASSERT_EQ(a[i].positions.size(), b[i].positions.size());
    if (a[i].leverage_x <= 10) ++low;
    if (a[i].leverage_x > 50) ++tail;
    for (auto& pos : a[i].positions) {
      ASSERT_NE(pos.size.v, 0);
      ASSERT_EQ(pos.size.v % ms[pos.market].lot, 0);
      isolated += pos.isolated;
    }
  }
  // 70 % in 2-10x (+ the 10x edge of the next bucket), ~2 % past 50x.
  EXPECT_GT(low, 20000 * 68 / 100);
  EXPECT_LT(low, 20000 * 76 / 100);
  EXPECT_GT(tail, 20000 * 1 / 100);
  EXPECT_LT(tail, 20000 * 3 / 100);
  EXPECT_GT(isolated, 0);
}

TEST(Population, FillRealisesPnlIntoCollateral) {
  auto ms = markets();
  SimAccount acc;
  acc.id = 1;
  acc.collateral = Quote(1'000'000'000);  // 1,000 USDC
  acc.positions.push_back({0, Qty(2000), Price(50000), false, Quote(0)});  // long 2 BTC @ 5000.0
  // Sell 0.5 BTC at 4800.0: realised = 0.5 × (4800 − 5000) = −100 USDC.
  FillEffect fx = apply_fill(acc, 0, ms[0], Qty(-500), Price(48000));
  EXPECT_EQ(fx.collateral_delta, Quote(-100'000'000));
  EXPECT_EQ(acc.collateral, Quote(900'000'000));
  EXPECT_EQ(fx.position.size, Qty(1500));
  EXPECT_EQ(fx.position.entry, Price(50000));
  // Buy 0.5 more at 4700.0: entry = (1.5×5000 + 0.5×4700)/2 = 4925.0.
  fx = apply_fill(acc, 0, ms[0], Qty(500), Price(47000));
  EXPECT_EQ(fx.collateral_delta, Quote(0));
  EXPECT_EQ(fx.position.entry, Price(49250));
  // Close all 2 at 4925.0 + 10: realised +20 USDC.
  fx = apply_fill(acc, 0, ms[0], Qty(-2000), Price(49350));
  EXPECT_EQ(fx.position.size, Qty(0));
  EXPECT_EQ(fx.collateral_delta, Quote(20'000'000));
}

TEST(Population, IsolatedCloseReturnsMargin) {
  auto ms = markets();
  SimAccount acc;
  acc.positions.push_back({1, Qty(-10'000), Price(20000), true, Quote(100'000'000)});  // short 10 ETH @200, 100 USDC
  // Buy 10 at 205.00: realised −50 into isolated margin, closed: 50 back to collateral.
  FillEffect fx = apply_fill(acc, 1, ms[1], Qty(10'000), Price(20500));
  EXPECT_EQ(fx.position.size, Qty(0));
  EXPECT_EQ(fx.collateral_delta, Quote(50'000'000));
  EXPECT_EQ(acc.collateral, Quote(50'000'000));
  EXPECT_EQ(fx.isolated_loss, Quote(0));
}

TEST(Population, IsolatedCloseBelowZeroMarginLeavesTheCrossCollateralAlone) {
  auto ms = markets();
  SimAccount acc;
  acc.collateral = Quote(1'000'000'000);
  acc.positions.push_back({1, Qty(-10'000), Price(20000), true, Quote(100'000'000)});  // short 10 ETH @200, 100 USDC
  // Buy 10 at 215.00: realised −150, 50 beyond the isolated margin: the venue's loss.
  FillEffect fx = apply_fill(acc, 1, ms[1], Qty(10'000), Price(21500));
  EXPECT_EQ(fx.position.size, Qty(0));
  EXPECT_EQ(fx.collateral_delta, Quote(0));
  EXPECT_EQ(fx.isolated_loss, Quote(50'000'000));
  EXPECT_EQ(acc.collateral, Quote(1'000'000'000));
}

}  // namespace
}  // namespace liqd::sim
