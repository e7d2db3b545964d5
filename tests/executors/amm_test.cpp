// AMM venues: derived depth against the curve formulas, and a pool competing
// with an order book. Units: price_dp = 2, qty_dp = 0.
#include <gtest/gtest.h>

#include <vector>

#include "executors/amm/constant_product.hpp"
#include "executors/amm/oracle_pool.hpp"
#include "executors/router/router.hpp"

namespace liqd::exec {
namespace {

// 1000 base and 1,000,000.00 quote: mid 1000.00.
ConstantProductPool pool_1000() {
  ConstantProductPool p;
  p.base_reserve = Qty(1000);
  p.quote_reserve = static_cast<i128>(1'000'000) * 100;  // quote in units of 10^-2
  return p;
}

TEST(ConstantProduct, SwapAmountsMatchTheFormula) {
  ConstantProductPool p = pool_1000();
  EXPECT_EQ(p.mid(), Price(100000));
  // Selling 10 into x=1000, y=1e6: dy = 1e6*10/1010 = 9900.990099.. -> 9900.99 (down).
  EXPECT_EQ(p.total(Side::Sell, 10), 990099);
  // Buying 10: dy = 1e6*10/990 = 10101.0101.. -> 10101.02 (up).
  EXPECT_EQ(p.total(Side::Buy, 10), 1010102);
  EXPECT_EQ(p.total(Side::Buy, 1000), -1);  // cannot drain the pool
}

TEST(ConstantProduct, DerivedDepthMatchesCurve) {
  ConstantProductPool p = pool_1000();
  for (Side side : {Side::Sell, Side::Buy}) {
    std::vector<Level> lv(10);
    DepthRequest req{side, Qty(100), Qty(1), Price(0)};
    int n = p.depth(req, lv);
    ASSERT_EQ(n, 10);
    int64_t q = 0;
    i128 sum = 0;
    for (int k = 0; k < n; ++k) {
      const Level& l = lv[static_cast<size_t>(k)];
      EXPECT_EQ(l.qty, Qty(10));
      if (k > 0) {
        if (side == Side::Sell) { EXPECT_LT(l.px, lv[static_cast<size_t>(k - 1)].px); }
        else { EXPECT_GT(l.px, lv[static_cast<size_t>(k - 1)].px); }
      }
      q += l.qty.v;
      sum += static_cast<i128>(l.px.v) * l.qty.v;
      // x*y=k: dy(q) = y*q/(x+q) for a sell, y*q/(x-q) for a buy.
      const i128 y = static_cast<i128>(1'000'000) * 100;
      i128 curve = side == Side::Sell ? y * q / (1000 + q) : (y * q + (1000 - q) - 1) / (1000 - q);
      // Each level is priced at its slice average rounded against us: the levels
      // never promise more than the curve, and lose less than one price unit per base unit.
      if (side == Side::Sell) {
        EXPECT_LE(sum, curve);
        EXPECT_GT(sum, curve - q);
      } else {
        EXPECT_GE(sum, curve);
        EXPECT_LT(sum, curve + q);
      }
    }
    // First slice of a sell: 1e6*10/1010 / 10 = 990.099 -> 990.09
    if (side == Side::Sell) { EXPECT_EQ(lv[0].px, Price(99009)); }
  }
}

TEST(ConstantProduct, DepthStopsAtLimit) {
  ConstantProductPool p = pool_1000();
  std::vector<Level> lv(100);
  // Sell up to 100 in slices of 1; average price of slice k ~ 1e6/((1000+k)(999+k)) * 1000.
  // Limit 990.00 is crossed after ~5 units.
  DepthRequest req{Side::Sell, Qty(100), Qty(1), Price(99000)};
  int n = p.depth(req, lv);
  ASSERT_GT(n, 1);
  EXPECT_LT(lv[static_cast<size_t>(n - 1)].px, Price(99000));   // one level beyond, then stop
  EXPECT_GE(lv[static_cast<size_t>(n - 2)].px, Price(99000));
}

TEST(OraclePool, GmxStyleQuadraticImpact) {
  OraclePool p;
  p.oracle = Price(10000);         // 100.00
  p.impact_factor = Ratio(1'000'000);  // 1% per whole base unit of imbalance
  p.qty_dp = 0;
  // d = 0: impact = 100.00 * 0.01 * q^2
  EXPECT_EQ(p.total(Side::Sell, 1), 9900);   // 100.00 - 1.00
  EXPECT_EQ(p.total(Side::Sell, 2), 19600);  // 200.00 - 4.00
  EXPECT_EQ(p.total(Side::Buy, 2), 20400);
  // d = -1: the first unit restores balance (no rebate counted), then impact grows.
  p.imbalance = Qty(-1);
  EXPECT_EQ(p.total(Side::Sell, 1), 10000);
  EXPECT_EQ(p.total(Side::Sell, 2), 20000);  // (1)^2 - (-1)^2 = 0
  EXPECT_EQ(p.total(Side::Sell, 3), 29700);  // (2)^2 - 1 = 3 -> 3.00
}

TEST(AmmRouting, PoolCompetesWithBookLevelByLevel) {
  // Pool: 100,000 base, mid 1000.00. Selling k units, the k-th unit's price is about
  // 1000*(1 - 2k/100000): it stays at or above 999.00 for about the first 50 units.
  // Book: 999.00 x 1000. Selling 100, the optimum splits near 50/50.
  ConstantProductPool pool;
  pool.base_reserve = Qty(100'000);
  pool.quote_reserve = static_cast<i128>(100'000) * 100'000;
  std::vector<Level> amm(200);
  int n = pool.depth(DepthRequest{Side::Sell, Qty(100), Qty(1), Price(90000)}, amm);
  amm.resize(static_cast<size_t>(n));
  std::vector<Level> book{{Price(99900), Qty(1000)}};
  std::vector<VenueInput> vs(2);
  vs[0].levels = amm;
  vs[1].levels = book;
  Router r;
  RoutePlan plan;
  ASSERT_EQ(r.route(RouteOrder{Side::Sell, Qty(100), Price(90000), Urgency::Normal}, vs, plan), RouteError::Ok);
  ASSERT_EQ(plan.n_children, 2);
  EXPECT_EQ(plan.filled, Qty(100));
  const Child& a = plan.children[0].venue == 0 ? plan.children[0] : plan.children[1];
  EXPECT_GE(a.qty, Qty(45));
  EXPECT_LE(a.qty, Qty(55));
  EXPECT_GE(a.limit_price, Price(99900));   // no pool unit sold below the book's price
}

}  // namespace
}  // namespace liqd::exec
