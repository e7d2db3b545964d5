// Synthetic account population (`liqd gen-accounts` core).
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "core/policy/population/population.hpp"
#include "tests/policy/test_markets.hpp"

namespace liqd::policy {
namespace {

std::vector<PopulationMarket> two_markets() {
  MarketRisk btc = test::btc_tiered_market();
  btc.lot = Qty(10);
  MarketRisk eth = test::one_tier_market(500'000, 1'000'000);  // 100x max
  eth.lot = Qty(100);
  eth.tick = Price(1);
  return {PopulationMarket{"BTC-USD", Price(5'000'000), btc}, PopulationMarket{"ETH-USD", Price(300'000), eth}};
}

TEST(Population, AccountDependsOnlyOnSeedAndIndex) {
  auto mk = two_markets();
  PopulationConfig c{};
  c.seed = 42;
  const std::string a = account_json(generate_account(17, mk, c), mk);
  EXPECT_EQ(a, account_json(generate_account(17, mk, c), mk));
  c.seed = 43;
  EXPECT_NE(a, account_json(generate_account(17, mk, c), mk));
}

TEST(Population, JsonLineIsALiqdRiskAccountPlusId) {
  auto mk = two_markets();
  GenAccount g{};
  g.id = 7;
  g.collateral = Quote(123'450'000);
  g.n_positions = 2;
  g.pos[0] = GenPosition{.market = 0, .size = Qty(15), .entry = Price(5'000'010), .isolated = false, .isolated_margin = Quote(0)};
  g.pos[1] = GenPosition{.market = 1, .size = Qty(-20'000), .entry = Price(300'000), .isolated = false, .isolated_margin = Quote(0)};
  EXPECT_EQ(account_json(g, mk),
            "{\"id\":7,\"collateral\":\"123.45\",\"positions\":["
            "{\"market\":\"BTC-USD\",\"size\":\"0.0015\",\"entry_price\":\"50000.1\"},"
            "{\"market\":\"ETH-USD\",\"size\":\"-2\",\"entry_price\":\"3000\"}]}");
  g.n_positions = 1;
  g.collateral = Quote(0);
  g.pos[0].isolated = true;
  g.pos[0].isolated_margin = Quote(7'500'000);
  EXPECT_EQ(account_json(g, mk),
            "{\"id\":7,\"collateral\":\"0\",\"positions\":["
            "{\"market\":\"BTC-USD\",\"size\":\"0.0015\",\"entry_price\":\"50000.1\",\"isolated_margin\":\"7.5\"}]}");
}

// Isolated accounts come from their own random stream: with any share the other
// accounts (and every draw of the isolated ones) are the same; an isolated account
// is a single-market one whose whole deposit is posted to the position, so its
// equity judged alone equals the cross equity it would have had.
TEST(Population, IsolatedShareMovesTheDepositAndNothingElse) {
  auto mk = two_markets();
  PopulationConfig c{};
  c.seed = 8;
  PopulationConfig ci = c;
  ci.isolated_fraction = Ratio(30'000'000);  // 30 %
  int single = 0, iso = 0;
  for (int i = 0; i < 4000; ++i) {
    const GenAccount a = generate_account(i, mk, c);
    const GenAccount b = generate_account(i, mk, ci);
    ASSERT_EQ(a.n_positions, b.n_positions);
    EXPECT_EQ(a.leverage, b.leverage);
    for (int k = 0; k < a.n_positions; ++k) {
      EXPECT_FALSE(a.pos[k].isolated);
      EXPECT_EQ(a.pos[k].market, b.pos[k].market);
      EXPECT_EQ(a.pos[k].size, b.pos[k].size);
      EXPECT_EQ(a.pos[k].entry, b.pos[k].entry);
    }
    if (a.n_positions == 1) ++single;
    if (!b.pos[0].isolated) {
      EXPECT_EQ(b.collateral, a.collateral);
      continue;
    }
    ++iso;
    EXPECT_EQ(b.n_positions, 1);
    EXPECT_EQ(b.collateral.v, 0);
    EXPECT_EQ(b.pos[0].isolated_margin, a.collateral);
    const Position cross{.size = a.pos[0].size, .entry = a.pos[0].entry, .isolated_margin = Quote(0), .market = 0, .isolated = false};
    Position alone = cross;
    alone.isolated = true;
    alone.isolated_margin = b.pos[0].isolated_margin;
    const PopulationMarket& m = mk[a.pos[0].market];
    const MarginSummary cs = cross_margin(a.collateral, std::span<const Position>(&cross, 1),
                                          std::span<const MarketRisk>(&m.risk, 1), std::span<const Price>(&m.reference_price, 1));
    const MarginSummary is = isolated_margin(alone, m.risk, m.reference_price);
    EXPECT_EQ(is.equity, cs.equity);
    EXPECT_EQ(is.mm, cs.mm);
  }
  ASSERT_GT(single, 1000);
  EXPECT_NEAR(static_cast<double>(iso) / single, 0.30, 0.03);
}

TEST(Population, LeverageFollowsTheTableWhereTiersAllowIt) {
  MarketRisk m = test::one_tier_market(250'000, 500'000);  // 200x allowed everywhere
  std::vector<PopulationMarket> mk = {PopulationMarket{"X", Price(10'000), m}};
  PopulationConfig c{};
  c.seed = 9;
  const int n = 50'000;
  std::map<uint32_t, int> hist;
  for (int i = 0; i < n; ++i) ++hist[generate_account(i, mk, c).leverage];
  for (const auto& [lev, w] : kLeverageWeights) {
    const double got = static_cast<double>(hist[lev]) / n;
    EXPECT_NEAR(got, w / 1000.0, 0.006) << lev << "x";
  }
}

TEST(Population, StartsHealthyOnTickAndLotWithinTierLeverage) {
  auto mk = two_markets();
  PopulationConfig c{};
  c.seed = 5;
  int two = 0, longs = 0, positions = 0;
  for (int i = 0; i < 5000; ++i) {
    GenAccount a = generate_account(i, mk, c);
    std::vector<Position> p;
    std::vector<MarketRisk> rk;
    std::vector<Price> marks;
    for (int k = 0; k < a.n_positions; ++k) {
      const PopulationMarket& m = mk[a.pos[k].market];
      EXPECT_EQ(a.pos[k].size.v % m.risk.lot.v, 0);
      EXPECT_EQ(a.pos[k].entry.v % m.risk.tick.v, 0);
      EXPECT_NE(a.pos[k].size.v, 0);
      p.push_back(Position{.size = a.pos[k].size, .entry = a.pos[k].entry, .isolated_margin = Quote(0), .market = static_cast<uint32_t>(k), .isolated = false});
      rk.push_back(m.risk);
      marks.push_back(m.reference_price);
      const PositionMargin pm = position_margin(m.risk, a.pos[k].size, m.reference_price);
      EXPECT_LE(a.leverage, kRatioOne / m.risk.tiers[pm.tier < m.risk.n_tiers ? pm.tier : m.risk.n_tiers - 1].imr.v);
      longs += a.pos[k].size.v > 0;
      ++positions;
    }
    if (a.n_positions == 2) {
      ++two;
      EXPECT_NE(a.pos[0].market, a.pos[1].market);
    }
    MarginSummary s = cross_margin(a.collateral, p, rk, marks);
    EXPECT_GE(s.equity, s.im) << i;
  }
  EXPECT_NEAR(two / 5000.0, 0.25, 0.03);
  EXPECT_NEAR(static_cast<double>(longs) / positions, 0.55, 0.03);
}

}  // namespace
}  // namespace liqd::policy
