// Synthetic depth: grid placement and the diff that becomes a depthUpdate.
#include <gtest/gtest.h>

#include <map>

#include "sim/book/book.hpp"

namespace liqd::sim {
namespace {

MarketSpec btc() {
  MarketSpec m;
  EXPECT_EQ(parse_market_spec("BTCUSDT:tick=0.1:lot=0.001", m), "");
  return m;
}

TEST(Book, MarketSpecParses) {
  MarketSpec m;
  ASSERT_EQ(parse_market_spec("ETHUSDT:ref=190.5:tick=0.01:lot=0.001", m), "");
  EXPECT_EQ(m.coin, "ETH");
  EXPECT_EQ(m.scale.price_dp, 2);
  EXPECT_EQ(m.scale.qty_dp, 3);
  EXPECT_EQ(m.tick, 1);
  EXPECT_EQ(m.ref, Price(19050));
  EXPECT_EQ(m.pyth_id, "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace");
  EXPECT_NE(parse_market_spec("btc", m), "");
  EXPECT_NE(parse_market_spec("BTCUSDT:foo=1", m), "");
  EXPECT_NE(parse_market_spec("BTCUSDT:tick=abc", m), "");
  ASSERT_EQ(parse_market_spec("DOGEUSDT:tick=0.00001:lot=1", m), "");
  EXPECT_EQ(m.pyth_id.size(), 64u);
  EXPECT_EQ(m.pyth_id.substr(0, 4), "51a1");
}

TEST(Book, GridAroundMid) {
  MarketSpec m = btc();
  m.depth.jitter_pct = 0;
  // ref 5000.0: spread 1 bp = 0.5 -> 5 ticks; step 2 bp = 1.0 -> 10 ticks;
  // top 50,000 / 5,000 = 10 BTC = 10,000 lots.
  DepthGrid g = resolve_grid(m, Price(50000));
  EXPECT_EQ(g.spread_ticks, 5);
  EXPECT_EQ(g.step_ticks, 10);
  EXPECT_EQ(g.top_qty_lots, 10000);
  BookSides b;
  generate_book(m, g, Price(50000), 7, 0, b);
  ASSERT_EQ(b.bids.size(), 20u);
  ASSERT_EQ(b.asks.size(), 20u);
  EXPECT_EQ(b.bids[0].px, Price(49998));  // 5000.0 - floor(5/2) ticks
  EXPECT_EQ(b.asks[0].px, Price(50003));
  EXPECT_EQ(b.bids[1].px, Price(49988));
  EXPECT_EQ(b.bids[0].qty, Qty(10000));
  EXPECT_EQ(b.bids[2].qty, Qty(15000));  // +25 % per level
  for (size_t i = 1; i < b.bids.size(); ++i) {
    EXPECT_LT(b.bids[i].px, b.bids[i - 1].px);
    EXPECT_GT(b.asks[i].px, b.asks[i - 1].px);
  }
}

TEST(Book, JitterIsSeededAndBounded) {
  MarketSpec m = btc();
  DepthGrid g = resolve_grid(m, Price(50000));
  BookSides a, b, c;
  generate_book(m, g, Price(50000), 7, 3, a);
  generate_book(m, g, Price(50000), 7, 3, b);
  generate_book(m, g, Price(50000), 8, 3, c);
  EXPECT_EQ(a.bids, b.bids);
  EXPECT_NE(a.bids, c.bids);
  for (size_t i = 0; i < a.bids.size(); ++i) {
    int64_t base = 10000 * (100 + 25 * static_cast<int64_t>(i)) / 100;
    EXPECT_GE(a.bids[i].qty.v, base * 80 / 100 - 1);
    EXPECT_LE(a.bids[i].qty.v, base * 120 / 100 + 1);
  }
}

// Applying the diff (Binance semantics: qty 0 removes) to the old side gives the new side.
TEST(Book, DiffReplaysToNewBook) {
  MarketSpec m = btc();
  DepthGrid g = resolve_grid(m, Price(50000));
  BookSides before, after;
  generate_book(m, g, Price(50000), 1, 0, before);
  generate_book(m, g, Price(49870), 1, 1, after);
  for (int side = 0; side < 2; ++side) {
    const auto& o = side ? before.asks : before.bids;
    const auto& n = side ? after.asks : after.bids;
    std::vector<Level> ch;
    diff_side(o, n, side == 0, ch);
    std::map<int64_t, int64_t> book;
    for (auto& l : o) book[l.px.v] = l.qty.v;
    for (auto& l : ch) {
      if (l.qty.v == 0) {
        ASSERT_EQ(book.erase(l.px.v), 1u);
      } else {
        book[l.px.v] = l.qty.v;
      }
    }
    std::map<int64_t, int64_t> want;
    for (auto& l : n) want[l.px.v] = l.qty.v;
    EXPECT_EQ(book, want);
  }
  std::vector<Level> none;
  diff_side(before.bids, before.bids, true, none);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace liqd::sim
