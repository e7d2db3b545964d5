// Bybit v5 on the 2026-08-09 linear recording.
#include <gtest/gtest.h>

#include <simdjson.h>

#include "core/money/decimal.hpp"
#include "feeds/venues/bybit_v5.hpp"
#include "test_util.hpp"

using namespace liqd;
using namespace liqd::feeds;
using namespace liqd::feeds::test;

namespace {
constexpr const char* kFile = "bybit_v5/ws_linear_BTCUSDT_SOLUSDT_2026-08-09.jsonl";
Scale sc(int p, int q) {
  Scale s;
  s.price_dp = static_cast<int8_t>(p);
  s.qty_dp = static_cast<int8_t>(q);
  return s;
}
struct Fixture {
  MarketTable markets{16};
  RecordingSink sink;
  std::unique_ptr<BybitV5Feed> feed;
  explicit Fixture(int64_t stale_ns = 0) {
    markets.add(Venue::BybitV5, "BTCUSDT", sc(2, 3));
    markets.add(Venue::BybitV5, "SOLUSDT", sc(3, 1));
    FeedOptions o;
    o.stale_after_ns = stale_ns;
    feed = std::make_unique<BybitV5Feed>(markets, sink, o);
  }
};
int64_t dec(std::string_view s, int dp) {
  int64_t v = 0;
  EXPECT_EQ(parse_decimal(s, dp, v), DecimalError::Ok) << s;
  return v;
}
}  // namespace

TEST(Bybit, RecordingAppliesEveryDeltaAndMatchesMapBook) {
  Fixture f;
  f.sink.keep_books = false;
  for (const std::string& line : read_lines(kFile)) ASSERT_TRUE(f.feed->on_message(line).ok()) << line.substr(0, 200);
  const FeedCounters& c = f.feed->counters();
  EXPECT_EQ(c.snapshots, 2u);
  EXPECT_EQ(c.deltas, 795u);
  EXPECT_EQ(c.gaps, 0u);
  EXPECT_EQ(c.errors_total, 0u);
  // Reference: std::map books from the DOM parser.
  for (const char* sym : {"BTCUSDT", "SOLUSDT"}) {
    const MarketId m = f.markets.find(Venue::BybitV5, sym);
    const Scale& s = f.markets.info(m).scale;
    MapBook ref;
    simdjson::dom::parser p;
    for (const std::string& line : read_lines(kFile)) {
      simdjson::padded_string ps(line);
      simdjson::dom::element e = p.parse(ps);
      std::string_view topic;
      if (e["topic"].get(topic) || topic != std::string("orderbook.200.") + sym) continue;
      if (std::string_view(e["type"]) == "snapshot") ref.clear();
      for (auto side : {"b", "a"})
        for (simdjson::dom::element lv : e["data"][side].get_array())
          ref.set(std::string_view(side) == "b", dec(std::string_view(lv.at(0)), s.price_dp), dec(std::string_view(lv.at(1)), s.qty_dp));
    }
    const L2Book& b = f.feed->book_state(m)->book;
    std::vector<Level> bids, asks;
    for (uint32_t i = 0; i < b.depth(kBid); ++i) bids.push_back(b.level(kBid, i));
    for (uint32_t i = 0; i < b.depth(kAsk); ++i) asks.push_back(b.level(kAsk, i));
    EXPECT_TRUE(same_levels(bids, MapBook::levels(ref.bids))) << sym;
    EXPECT_TRUE(same_levels(asks, MapBook::levels(ref.asks))) << sym;
    EXPECT_GT(bids.size(), 100u);
  }
}

TEST(Bybit, MissingDeltaIsAGap) {
  Fixture f;
  int n = 0;
  Status gap;
  for (const std::string& line : read_lines(kFile)) {
    if (line.find("orderbook.200.BTCUSDT") != std::string::npos && line.find("\"delta\"") != std::string::npos && ++n == 50) continue;
    Status st = f.feed->on_message(line);
    if (!st.ok() && gap.ok()) gap = st;
  }
  EXPECT_EQ(gap.code, FeedError::Gap);
  EXPECT_STREQ(gap.where, "data.u");
  EXPECT_EQ(f.feed->counters().gaps, 1u);
  ASSERT_EQ(f.sink.resyncs.size(), 1u);
  EXPECT_EQ(f.sink.resyncs[0].got_seq, f.sink.resyncs[0].expected_seq + 1);
  EXPECT_GT(f.feed->counters().deltas_skipped, 100u);  // waits for a snapshot that never comes
}

TEST(Bybit, TickerAndTradeValues) {
  Fixture f;
  auto lines = read_lines(kFile);
  // Line 1: tickers.BTCUSDT snapshot with "markPrice":"65117.44","indexPrice":"65137.76".
  ASSERT_TRUE(f.feed->on_message(lines[0]).ok());
  ASSERT_EQ(f.sink.prices.size(), 2u);
  EXPECT_EQ(f.sink.prices[0].source, PriceSource::Mark);
  EXPECT_EQ(f.sink.prices[0].price, 6511744);
  EXPECT_EQ(f.sink.prices[1].source, PriceSource::Index);
  EXPECT_EQ(f.sink.prices[1].price, 6513776);
  // Line 3: delta with markPrice only (65117.43).
  ASSERT_TRUE(f.feed->on_message(lines[2]).ok());
  ASSERT_EQ(f.sink.prices.size(), 3u);
  EXPECT_EQ(f.sink.prices[2].price, 6511743);
  // publicTrade: {"T":1786310819680,"s":"BTCUSDT","S":"Sell","v":"0.004","p":"65114.20",...,"seq":753843954913}
  for (const auto& l : lines) {
    if (l.find("a9188a0a-82bc-50de-be60-03eedbe3cdd7") != std::string::npos) {
      ASSERT_TRUE(f.feed->on_message(l).ok());
    }
  }
  ASSERT_EQ(f.sink.trades.size(), 1u);
  EXPECT_EQ(f.sink.trades[0].price, 6511420);
  EXPECT_EQ(f.sink.trades[0].qty, 4);
  EXPECT_EQ(f.sink.trades[0].taker, Side::Sell);
  EXPECT_EQ(f.sink.trades[0].trade_id, 753843954913u);
  EXPECT_EQ(f.sink.trades[0].h.exch_ts_ns, 1786310819680LL * 1000000);
}

TEST(Bybit, AllLiquidationDocsShape) {
  // Shape of the v5 "All Liquidation" push (S is the liquidated position's side).
  Fixture f;
  ASSERT_TRUE(f.feed->on_message(R"({"topic":"allLiquidation.SOLUSDT","type":"snapshot","ts":1739502303204,"data":[{"T":1739502302929,"s":"SOLUSDT","S":"Buy","v":"20000","p":"195.123"}]})").ok());
  ASSERT_EQ(f.sink.liquidations.size(), 1u);
  EXPECT_EQ(f.sink.liquidations[0].side, Side::Sell);  // a long closed by a sell order
  EXPECT_EQ(f.sink.liquidations[0].qty, 200000);
  EXPECT_EQ(f.sink.liquidations[0].price, 195123);
}

TEST(Bybit, StalenessUsesEventTime) {
  Fixture f(2'000'000'000);  // 2 s
  const std::string snap_btc = R"({"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1000000,"data":{"s":"BTCUSDT","b":[["100.00","1"]],"a":[["101.00","1"]],"u":1,"seq":1}})";
  const std::string snap_sol = R"({"topic":"orderbook.50.SOLUSDT","type":"snapshot","ts":TS,"data":{"s":"SOLUSDT","b":[["1.000","1"]],"a":[["1.100","1"]],"u":1,"seq":1}})";
  auto sol_at = [&](int64_t ts) { std::string s = snap_sol; s.replace(s.find("TS"), 2, std::to_string(ts)); return s; };
  ASSERT_TRUE(f.feed->on_message(snap_btc).ok());
  ASSERT_TRUE(f.feed->on_message(sol_at(1001000)).ok());  // +1 s: nothing stale
  EXPECT_EQ(f.sink.stales.size(), 0u);
  ASSERT_TRUE(f.feed->on_message(sol_at(1002500)).ok());  // +2.5 s: BTC stale
  ASSERT_EQ(f.sink.stales.size(), 1u);
  EXPECT_EQ(f.sink.stales[0].h.market, f.markets.find(Venue::BybitV5, "BTCUSDT"));
  EXPECT_EQ(f.sink.stales[0].last_update_ns, 1000000LL * 1000000);
  ASSERT_TRUE(f.feed->on_message(sol_at(1003000)).ok());  // reported once
  EXPECT_EQ(f.sink.stales.size(), 1u);
  EXPECT_EQ(f.feed->counters().stale_events, 1u);
  ASSERT_TRUE(f.feed->on_message(R"({"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1003100,"data":{"s":"BTCUSDT","b":[["100.50","2"]],"a":[],"u":2,"seq":2}})").ok());
  EXPECT_FALSE(f.feed->book_state(f.markets.find(Venue::BybitV5, "BTCUSDT"))->stale);
}
