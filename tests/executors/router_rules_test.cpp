// Hand-computed routing cases: each expectation is worked out in the comment.
// Units: price_dp = 2, qty_dp = 0 (so Price(10000) = 100.00, Qty(5) = 5 units).
#include <gtest/gtest.h>

#include <vector>

#include "executors/router/router.hpp"

namespace liqd::exec {
namespace {

VenueInput venue(const std::vector<Level>& lv) {
  VenueInput v;
  v.levels = lv;
  return v;
}

const Child* child_on(const RoutePlan& p, int venue_index) {
  for (int k = 0; k < p.n_children; ++k)
    if (p.children[k].venue == venue_index) return &p.children[k];
  return nullptr;
}

TEST(RouterRules, FeesChangeTheSplit) {
  // Sell 5. A bids 100.00 with a 0.50% fee -> 99.50 after fees; B bids 99.80, no fee.
  std::vector<Level> a{{Price(10000), Qty(10)}};
  std::vector<Level> b{{Price(9980), Qty(10)}};
  std::vector<VenueInput> vs{venue(a), venue(b)};
  vs[0].taker_fee = Ratio(500'000);  // 0.005
  RouteOrder o{Side::Sell, Qty(5), Price(9000), Urgency::Normal};
  Router r;
  RoutePlan p;
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  ASSERT_EQ(p.n_children, 1);
  EXPECT_EQ(p.children[0].venue, 1);  // B wins after fees
  EXPECT_EQ(p.children[0].qty, Qty(5));
  // Same books, A's fee 0.10% -> 99.90 > 99.80: A wins.
  vs[0].taker_fee = Ratio(100'000);
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  ASSERT_EQ(p.n_children, 1);
  EXPECT_EQ(p.children[0].venue, 0);
  // expected cost = fee 500.00 * 0.001 = 0.50 quote; no distance from best (100.00).
  // units 10^-(2+0+8): 0.50 -> 50 * 1e8
  EXPECT_EQ(expected_cost_units(p, Side::Sell), static_cast<i128>(50) * kRatioOne);
}

TEST(RouterRules, WalksLevelsAcrossVenuesByEffectivePrice) {
  // Buy 10. A asks 100.00 x3, 100.10 x3, 100.40 x10 (fee 0.1%: 100.10, 100.2001, 100.5004)
  //         B asks 100.05 x4, 100.30 x10        (no fee: 100.05, 100.30)
  // Order by effective price: B 100.05 x4, A 100.10 x3, A 100.2001 x3 -> 10 filled.
  std::vector<Level> a{{Price(10000), Qty(3)}, {Price(10010), Qty(3)}, {Price(10040), Qty(10)}};
  std::vector<Level> b{{Price(10005), Qty(4)}, {Price(10030), Qty(10)}};
  std::vector<VenueInput> vs{venue(a), venue(b)};
  vs[0].taker_fee = Ratio(100'000);
  RouteOrder o{Side::Buy, Qty(10), Price(10100), Urgency::Normal};
  Router r;
  RoutePlan p;
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  const Child* ca = child_on(p, 0);
  const Child* cb = child_on(p, 1);
  ASSERT_TRUE(ca && cb);
  EXPECT_EQ(ca->qty, Qty(6));
  EXPECT_EQ(ca->limit_price, Price(10010));
  EXPECT_EQ(ca->avg_price, Price(10005));  // (3*100.00 + 3*100.10)/6
  EXPECT_EQ(cb->qty, Qty(4));
  EXPECT_EQ(cb->limit_price, Price(10005));
  EXPECT_EQ(p.filled, Qty(10));
  EXPECT_EQ(p.best_px, Price(10000));
  // notional = 600.30 + 400.20 = 1000.50; fees = 600.30*0.001 = 0.6003
  // distance from best 100.00: 1000.50 - 1000.00 = 0.50; cost = 1.1003 quote,
  // in units of 10^-(2+0+8): 1.1003e10
  EXPECT_EQ(p.notional, 100050);
  EXPECT_EQ(expected_cost_units(p, Side::Buy), static_cast<i128>(11'003'000'000));
}

TEST(RouterRules, LimitAppliesToRawPrice) {
  // Sell 10 with limit 99.00: A bids 99.50 x4, 98.90 x20 -> only 4 within the limit.
  // B bids 99.00 x3 with a 1% fee (99.00 raw is inside the limit even though 98.01 after fees).
  std::vector<Level> a{{Price(9950), Qty(4)}, {Price(9890), Qty(20)}};
  std::vector<Level> b{{Price(9900), Qty(3)}};
  std::vector<VenueInput> vs{venue(a), venue(b)};
  vs[1].taker_fee = Ratio(1'000'000);
  RouteOrder o{Side::Sell, Qty(10), Price(9900), Urgency::Normal};
  Router r;
  RoutePlan p;
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  EXPECT_EQ(p.filled, Qty(7));
  EXPECT_EQ(p.unfilled, Qty(3));
  for (int k = 0; k < p.n_children; ++k) EXPECT_GE(p.children[k].limit_price, Price(9900));
}

TEST(RouterRules, LotMinAndMaxRespected) {
  // Sell 10. A: best bids (101.00 x10) but lot 4, max 8 -> at most 8.
  // B: 100.00 x10, lot 1, min 3 -> needs at least 3, so the optimum is A 8 + B... only 2 left < min 3.
  // Max fill: A 4 + B 6 = 10, or A 8 + B 2 (refused). So A 4, B 6.
  std::vector<Level> a{{Price(10100), Qty(10)}};
  std::vector<Level> b{{Price(10000), Qty(10)}};
  std::vector<VenueInput> vs{venue(a), venue(b)};
  vs[0].lot = Qty(4);
  vs[0].max_qty = Qty(9);  // rounds down to 8
  vs[1].min_qty = Qty(3);
  RouteOrder o{Side::Sell, Qty(10), Price(9000), Urgency::Normal};
  Router r;
  RoutePlan p;
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  EXPECT_TRUE(p.exact);
  EXPECT_EQ(p.filled, Qty(10));
  ASSERT_TRUE(child_on(p, 0) && child_on(p, 1));
  EXPECT_EQ(child_on(p, 0)->qty, Qty(4));
  EXPECT_EQ(child_on(p, 1)->qty, Qty(6));
}

TEST(RouterRules, VenueDownIsRerouted) {
  std::vector<Level> a{{Price(10100), Qty(10)}};
  std::vector<Level> b{{Price(10000), Qty(10)}};
  std::vector<VenueInput> vs{venue(a), venue(b)};
  RouteOrder o{Side::Sell, Qty(5), Price(9000), Urgency::Normal};
  Router r;
  RoutePlan p;
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  ASSERT_EQ(p.n_children, 1);
  EXPECT_EQ(p.children[0].venue, 0);
  vs[0].healthy = false;
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  ASSERT_EQ(p.n_children, 1);
  EXPECT_EQ(p.children[0].venue, 1);
  EXPECT_EQ(p.filled, Qty(5));
  EXPECT_EQ(p.best_px, Price(10000));  // best of the healthy book
}

TEST(RouterRules, RemainderPlans) {
  // Visible within limit: 10 units. Sell 40.
  std::vector<Level> a{{Price(10000), Qty(10)}, {Price(8000), Qty(100)}};
  std::vector<VenueInput> vs{venue(a)};
  Router r;
  RoutePlan p;
  RouteOrder o{Side::Sell, Qty(40), Price(9000), Urgency::Normal};
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  EXPECT_EQ(p.unfilled, Qty(30));
  // Normal: 10% of visible depth 10 = 1 per slice -> 30 slices every 10 s.
  EXPECT_EQ(p.remainder.action, RemainderAction::Twap);
  EXPECT_EQ(p.remainder.slice_qty, Qty(1));
  EXPECT_EQ(p.remainder.slices, 30u);
  EXPECT_EQ(p.remainder.interval_ms, 10'000u);
  o.urgency = Urgency::Immediate;
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  EXPECT_EQ(p.remainder.action, RemainderAction::Backstop);
  EXPECT_EQ(p.remainder.qty, Qty(30));
  // Too many slices (Low: 5% of 10 -> below one lot -> 1 per slice; 3000 slices) -> backstop.
  o.urgency = Urgency::Low;
  o.qty = Qty(3010);
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  EXPECT_EQ(p.remainder.action, RemainderAction::Backstop);
  // Nothing inside the limit: retry later.
  o.qty = Qty(5);
  o.limit = Price(10001);
  o.urgency = Urgency::Normal;
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  EXPECT_EQ(p.filled, Qty(0));
  EXPECT_EQ(p.remainder.action, RemainderAction::Retry);
  // Every venue down: retry.
  vs[0].healthy = false;
  o.limit = Price(9000);
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  EXPECT_EQ(p.remainder.action, RemainderAction::Retry);
  // Dust below the minimum: backstop.
  vs[0].healthy = true;
  vs[0].min_qty = Qty(20);
  o.qty = Qty(5);
  ASSERT_EQ(r.route(o, vs, p), RouteError::Ok);
  EXPECT_EQ(p.remainder.action, RemainderAction::Backstop);
}

TEST(RouterRules, RejectsBadInput) {
  std::vector<Level> unordered{{Price(10000), Qty(1)}, {Price(10010), Qty(1)}};
  std::vector<VenueInput> vs{venue(unordered)};
  Router r;
  RoutePlan p;
  EXPECT_EQ(r.route(RouteOrder{Side::Sell, Qty(2), Price(9000), Urgency::Normal}, vs, p), RouteError::BadVenue);
  EXPECT_EQ(r.route(RouteOrder{Side::Sell, Qty(0), Price(9000), Urgency::Normal}, vs, p), RouteError::BadOrder);
  vs[0].lot = Qty(0);
  EXPECT_EQ(r.route(RouteOrder{Side::Sell, Qty(1), Price(9000), Urgency::Normal}, vs, p), RouteError::BadVenue);
}

}  // namespace
}  // namespace liqd::exec
