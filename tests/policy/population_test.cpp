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
  g.pos[0] = GenPosition{0, Qty(15), Price(5'000'010)};
  g.pos[1] = GenPosition{1, Qty(-20'000), Price(300'000)};
  EXPECT_EQ(account_json(g, mk),
            "{\"id\":7,\"collateral\":\"123.45\",\"positions\":["
            "{\"market\":\"BTC-USD\",\"size\":\"0.0015\",\"entry_price\":\"50000.1\"},"
            "{\"market\":\"ETH-USD\",\"size\":\"-2\",\"entry_price\":\"3000\"}]}");
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
