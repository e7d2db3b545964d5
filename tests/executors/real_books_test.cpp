// The router on five real Binance 1000-level books (rescaled to one mid),
// against an independent reference: sort every level of every venue by
// effective price after fees and take the best until the order is filled.
// Lot-aligned books with one shared lot make that sort the exact optimum.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "executors/router/depth_snapshot.hpp"
#include "executors/router/router.hpp"

namespace liqd::exec {
namespace {

constexpr int64_t kLot = 100'000;   // 0.001 at qty_dp 8

std::vector<DepthSnapshot> load_books() {
  const char* names[] = {"BAT", "CHR", "CTK", "NEO", "SAND"};
  std::vector<DepthSnapshot> out;
  for (const char* n : names) {
    std::ifstream f(std::string(LIQD_TEST_DATA_DIR) + "/executors/rest_depth_" + n + "USDT_limit1000_2021-04-05.json");
    std::stringstream ss;
    ss << f.rdbuf();
    DepthSnapshot s;
    std::string err;
    EXPECT_TRUE(parse_depth_snapshot(ss.str(), 8, 8, s, err)) << n << ": " << err;
    DepthSnapshot r = rescale_to_mid(s, Price(100LL * 100'000'000));
    for (auto* side : {&r.bids, &r.asks}) {
      std::vector<Level> kept;
      for (Level l : *side) {
        l.qty.v = (l.qty.v / kLot) * kLot;
        if (l.qty.v > 0) kept.push_back(l);
      }
      *side = kept;
    }
    out.push_back(r);
  }
  return out;
}

TEST(RealBooks, SnapshotsLoadAndRescale) {
  auto books = load_books();
  ASSERT_EQ(books.size(), 5u);
  for (const auto& b : books) {
    EXPECT_GT(b.bids.size(), 900u);
    EXPECT_GT(b.asks.size(), 900u);
    // Each book straddles the common mid 100 after rescaling.
    EXPECT_LT(b.bids[0].px.v, 100LL * 100'000'000);
    EXPECT_GT(b.asks[0].px.v, 100LL * 100'000'000);
  }
}

TEST(RealBooks, RouterMatchesSortedLevelReference) {
  auto books = load_books();
  const int64_t fees[5] = {40'000, 40'000, 0, 40'000, 50'000};
  for (Side side : {Side::Sell, Side::Buy}) {
    std::vector<VenueInput> vs(5);
    int64_t depth = 0;
    for (int i = 0; i < 5; ++i) {
      vs[static_cast<size_t>(i)].levels = side == Side::Sell ? books[static_cast<size_t>(i)].bids : books[static_cast<size_t>(i)].asks;
      vs[static_cast<size_t>(i)].lot = Qty(kLot);
      vs[static_cast<size_t>(i)].taker_fee = Ratio(fees[i]);
      for (const Level& l : vs[static_cast<size_t>(i)].levels) depth += l.qty.v;
    }
    Router router;
    for (double frac : {0.001, 0.01, 0.05, 0.2, 0.9}) {
      RouteOrder o;
      o.side = side;
      o.qty = Qty(static_cast<int64_t>(static_cast<double>(depth) * frac) / kLot * kLot);
      o.limit = Price(side == Side::Sell ? 1 : INT64_MAX / 4);
      RoutePlan p;
      ASSERT_EQ(router.route(o, vs, p), RouteError::Ok);
      // Reference: every level, cost per unit px*(1e8+-fee), stable sort, take.
      struct Unit { i128 key; int64_t px, qty; int64_t fee; };
      std::vector<Unit> all;
      for (int i = 0; i < 5; ++i)
        for (const Level& l : vs[static_cast<size_t>(i)].levels) {
          i128 key = side == Side::Buy ? static_cast<i128>(l.px.v) * (kRatioOne + fees[i]) : -static_cast<i128>(l.px.v) * (kRatioOne - fees[i]);
          all.push_back(Unit{key, l.px.v, l.qty.v, fees[i]});
        }
      std::stable_sort(all.begin(), all.end(), [](const Unit& a, const Unit& b) { return a.key < b.key; });
      int64_t left = o.qty.v;
      i128 objective = 0;
      for (const Unit& u : all) {
        if (left == 0) break;
        int64_t t = std::min(left, u.qty);
        objective += u.key * t;
        left -= t;
      }
      EXPECT_TRUE(p.exact);
      EXPECT_EQ(p.filled.v, o.qty.v - left) << frac;
      EXPECT_EQ(p.objective, objective) << "side " << static_cast<int>(side) << " frac " << frac;
    }
  }
}

}  // namespace
}  // namespace liqd::exec
