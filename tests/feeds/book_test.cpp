// L2Book against a brute-force std::map book under random operations, plus the
// depth and cost queries on hand-computed books.
#include <gtest/gtest.h>

#include <random>

#include "feeds/book/l2_book.hpp"
#include "test_util.hpp"

using namespace liqd;
using namespace liqd::feeds;
using liqd::feeds::test::MapBook;
using liqd::feeds::test::same_levels;

namespace {
std::vector<Level> side_levels(const L2Book& b, Side s) {
  std::vector<Level> v;
  for (uint32_t i = 0; i < b.depth(s); ++i) v.push_back(b.level(s, i));
  return v;
}
}  // namespace

TEST(L2Book, MatchesMapBookUnderRandomUpdates) {
  L2Book book(4096);
  MapBook ref;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    const bool bid = rng() & 1;
    // Bids below 10000, asks above: this test is about storage, not crossing.
    const int64_t px = bid ? 9000 + static_cast<int64_t>(rng() % 1000) : 10001 + static_cast<int64_t>(rng() % 1000);
    const int64_t qty = (rng() % 4 == 0) ? 0 : 1 + static_cast<int64_t>(rng() % 1000);
    book.apply(bid ? kBid : kAsk, px, qty);
    ref.set(bid, px, qty);
    if (i % 997 == 0) {
      ASSERT_TRUE(book.check_invariants());
      ASSERT_TRUE(same_levels(side_levels(book, kBid), MapBook::levels(ref.bids))) << "at op " << i;
      ASSERT_TRUE(same_levels(side_levels(book, kAsk), MapBook::levels(ref.asks))) << "at op " << i;
    }
  }
  EXPECT_TRUE(same_levels(side_levels(book, kBid), MapBook::levels(ref.bids)));
  EXPECT_TRUE(same_levels(side_levels(book, kAsk), MapBook::levels(ref.asks)));
  EXPECT_FALSE(book.crossed());
}

TEST(L2Book, ApplyResultsAndCrossing) {
  L2Book b(8);
  EXPECT_EQ(b.apply(kBid, 100, 5), L2Book::ApplyResult::Inserted);
  EXPECT_EQ(b.apply(kBid, 100, 7), L2Book::ApplyResult::Updated);
  EXPECT_EQ(b.apply(kBid, 101, 0), L2Book::ApplyResult::DeleteMissing);
  EXPECT_EQ(b.apply(kAsk, 102, 1), L2Book::ApplyResult::Inserted);
  EXPECT_FALSE(b.crossed());
  EXPECT_EQ(b.apply(kBid, 102, 1), L2Book::ApplyResult::Inserted);
  EXPECT_TRUE(b.crossed());  // bid == ask counts as crossed
  EXPECT_EQ(b.apply(kBid, 102, 0), L2Book::ApplyResult::Deleted);
  EXPECT_EQ(b.best(kBid).price, 100);
  EXPECT_EQ(b.best(kBid).qty, 7);
}

TEST(L2Book, FullSideKeepsTheBestLevels) {
  L2Book b(4);
  for (int64_t p = 10; p <= 13; ++p) b.apply(kBid, p, 1);
  EXPECT_EQ(b.apply(kBid, 5, 1), L2Book::ApplyResult::DroppedFull);  // worse than all kept
  EXPECT_EQ(b.apply(kBid, 20, 1), L2Book::ApplyResult::Inserted);    // evicts 10
  ASSERT_EQ(b.depth(kBid), 4u);
  EXPECT_EQ(b.level(kBid, 0).price, 20);
  EXPECT_EQ(b.level(kBid, 3).price, 11);
  EXPECT_TRUE(b.check_invariants());
}

TEST(L2Book, DepthWithinBasisPoints) {
  // bid 99, 98, 97 / ask 101, 102, 103: mid 100. 100 bp = 1%: bids >= 99, asks <= 101.
  L2Book b(16);
  b.apply(kBid, 99, 1); b.apply(kBid, 98, 2); b.apply(kBid, 97, 4);
  b.apply(kAsk, 101, 10); b.apply(kAsk, 102, 20); b.apply(kAsk, 103, 40);
  EXPECT_EQ(b.depth_within_bp(kBid, 100), 1);
  EXPECT_EQ(b.depth_within_bp(kAsk, 100), 10);
  EXPECT_EQ(b.depth_within_bp(kBid, 200), 3);   // >= 98
  EXPECT_EQ(b.depth_within_bp(kAsk, 300), 70);  // <= 103
  EXPECT_EQ(b.depth_within_bp(kBid, 50), 0);
}

TEST(L2Book, CostToSellAndBuy) {
  // Prices with 2 dp, qty with 3 dp, quote with 2 dp.
  Scale sc;
  sc.price_dp = 2; sc.qty_dp = 3; sc.quote_dp = 2;
  L2Book b(16);
  b.apply(kBid, 10000, 1000);  // 100.00 x 1.000
  b.apply(kBid, 9950, 2000);   //  99.50 x 2.000
  b.apply(kAsk, 10100, 500);   // 101.00 x 0.500
  b.apply(kAsk, 10333, 5000);  // 103.33 x 5.000
  // Sell 2.5: 1 @ 100 + 1.5 @ 99.5 = 249.25
  FillCost c;
  Quote q = b.quote_to_fill(Side::Sell, 2500, sc, &c);
  EXPECT_TRUE(c.complete);
  EXPECT_EQ(c.filled_qty, 2500);
  EXPECT_EQ(c.worst_price, 9950);
  EXPECT_EQ(q.v, 24925);
  // Buy 0.501: 0.5 @ 101 + 0.001 @ 103.33 = 50.5 + 0.10333 = 50.60333 -> ceil 50.61
  q = b.quote_to_fill(Side::Buy, 501, sc, &c);
  EXPECT_EQ(q.v, 5061);
  // Sell 0.001 @ 99.5 after... : 0.001 @ 100 = 0.1 exactly
  EXPECT_EQ(b.quote_to_fill(Side::Sell, 1, sc).v, 10);
  // More than the book holds: incomplete.
  c = b.cost_to_fill(Side::Sell, 10000);
  EXPECT_FALSE(c.complete);
  EXPECT_EQ(c.filled_qty, 3000);
}
