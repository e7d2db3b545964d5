// The IOC matching model against an independent brute-force walk of the same book.
#include <gtest/gtest.h>

#include "sim/util/rng.hpp"
#include "sim/venue/matching.hpp"

namespace liqd::sim {
namespace {

// Brute force: expand the book into single lots, sort by priority, take one lot at a time.
struct BruteResult { int64_t qty = 0; i128 cost = 0; int64_t worst = 0; };
BruteResult brute(const BookSides& b, OrderSide side, int64_t qty, int64_t limit) {
  std::vector<int64_t> lots;  // price of each unit
  const auto& lv = side == OrderSide::Buy ? b.asks : b.bids;
  for (auto& l : lv)
    for (int64_t k = 0; k < l.qty.v; ++k) lots.push_back(l.px.v);
  std::sort(lots.begin(), lots.end());
  if (side == OrderSide::Sell) std::reverse(lots.begin(), lots.end());
  BruteResult r;
  for (int64_t p : lots) {
    if (r.qty == qty) break;
    if (side == OrderSide::Buy ? p > limit : p < limit) break;
    ++r.qty;
    r.cost += p;
    r.worst = p;
  }
  return r;
}

TEST(Matching, WalksLevelsAndStopsAtLimit) {
  BookSides b;
  b.asks = {{Price(100), Qty(3)}, {Price(101), Qty(2)}, {Price(103), Qty(5)}};
  std::vector<Fill> fills;
  Qty got = match_ioc(b, OrderSide::Buy, Qty(7), Price(101), fills);
  EXPECT_EQ(got, Qty(5));  // 3 @100 + 2 @101, 103 is beyond the limit
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].px, Price(100));
  EXPECT_EQ(fills[1].qty, Qty(2));
  ASSERT_EQ(b.asks.size(), 1u);  // both consumed levels are gone
  EXPECT_EQ(b.asks[0].px, Price(103));
  got = match_ioc(b, OrderSide::Buy, Qty(2), Price(200), fills);
  EXPECT_EQ(got, Qty(2));
  EXPECT_EQ(b.asks[0].qty, Qty(3));  // partial level stays with the rest
}

TEST(Matching, AgreesWithBruteForceOnRandomBooks) {
  Rng r(42);
  for (int iter = 0; iter < 300; ++iter) {
    BookSides b;
    int64_t px = 1000 + static_cast<int64_t>(r.below(100));
    for (int i = 0; i < 12; ++i) {
      px += 1 + static_cast<int64_t>(r.below(4));
      b.asks.push_back({Price(px), Qty(1 + static_cast<int64_t>(r.below(9)))});
    }
    px = 1000;
    for (int i = 0; i < 12; ++i) {
      px -= 1 + static_cast<int64_t>(r.below(4));
      b.bids.push_back({Price(px), Qty(1 + static_cast<int64_t>(r.below(9)))});
    }
    const OrderSide side = r.below(2) ? OrderSide::Buy : OrderSide::Sell;
    const int64_t qty = 1 + static_cast<int64_t>(r.below(80));
    const int64_t limit = side == OrderSide::Buy ? 1000 + static_cast<int64_t>(r.below(160)) : 1000 - static_cast<int64_t>(r.below(60));
    BruteResult want = brute(b, side, qty, limit);
    int64_t total_before = 0;
    for (auto& l : side == OrderSide::Buy ? b.asks : b.bids) total_before += l.qty.v;
    std::vector<Fill> fills;
    Qty got = match_ioc(b, side, Qty(qty), Price(limit), fills);
    i128 cost = 0;
    int64_t sum = 0;
    for (auto& f : fills) { cost += static_cast<i128>(f.px.v) * f.qty.v; sum += f.qty.v; }
    ASSERT_EQ(got.v, want.qty) << iter;
    ASSERT_EQ(sum, want.qty) << iter;
    ASSERT_TRUE(cost == want.cost) << iter;
    if (!fills.empty()) {
      ASSERT_EQ(fills.back().px.v, want.worst) << iter;
    }
    int64_t total_after = 0;
    for (auto& l : side == OrderSide::Buy ? b.asks : b.bids) total_after += l.qty.v;
    ASSERT_EQ(total_before - total_after, want.qty) << iter;
  }
}

}  // namespace
}  // namespace liqd::sim
