// dYdX v4 (real message_id gap), Hyperliquid (/info payloads, bare and in
// {"channel","data"} envelopes) and Pyth Hermes (docs example response).
#include <gtest/gtest.h>

#include <simdjson.h>

#include "core/money/decimal.hpp"
#include "feeds/venues/dydx_v4.hpp"
#include "feeds/venues/hyperliquid.hpp"
#include "feeds/venues/pyth_hermes.hpp"
#include "test_util.hpp"

using namespace liqd;
using namespace liqd::feeds;
using namespace liqd::feeds::test;

namespace {
Scale sc(int p, int q) {
  Scale s;
  s.price_dp = static_cast<int8_t>(p);
  s.qty_dp = static_cast<int8_t>(q);
  return s;
}
int64_t dec(std::string_view s, int dp) {
  int64_t v = 0;
  EXPECT_EQ(parse_decimal(s, dp, v), DecimalError::Ok) << s;
  return v;
}
constexpr const char* kDydx = "dydx_v4/indexer_ws_v4_orderbook_ETH-USD_sequence.jsonl";
}  // namespace

TEST(Dydx, RealGapAtMessage12IsDetected) {
  MarketTable markets(8);
  markets.add(Venue::DydxV4, "ETH-USD", sc(3, 6));
  RecordingSink sink;
  DydxV4Feed feed(markets, sink, FeedOptions{});
  auto lines = read_lines(kDydx);
  ASSERT_EQ(lines.size(), 9u);
  for (size_t i = 0; i + 1 < lines.size(); ++i) ASSERT_TRUE(feed.on_message(lines[i]).ok()) << i;
  EXPECT_EQ(sink.books.back().ev.seq, 11u);
  Status st = feed.on_message(lines.back());  // message_id 13
  EXPECT_EQ(st.code, FeedError::Gap);
  EXPECT_EQ(feed.counters().gaps, 1u);
  ASSERT_EQ(sink.resyncs.size(), 1u);
  EXPECT_EQ(sink.resyncs[0].expected_seq, 12u);
  EXPECT_EQ(sink.resyncs[0].got_seq, 13u);
  EXPECT_EQ(feed.book_state(markets.find(Venue::DydxV4, "ETH-USD"))->state, SyncState::AwaitingSnapshot);
}

TEST(Dydx, BookMatchesMapBookWithNewestWinsUncrossing) {
  MarketTable markets(8);
  markets.add(Venue::DydxV4, "ETH-USD", sc(3, 6));
  RecordingSink sink;
  DydxV4Feed feed(markets, sink, FeedOptions{});
  auto lines = read_lines(kDydx);
  MapBook ref;
  simdjson::dom::parser p;
  uint64_t uncrossed = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    ASSERT_TRUE(feed.on_message(lines[i]).ok());
    simdjson::padded_string ps(lines[i]);
    simdjson::dom::element e = p.parse(ps);
    if (std::string_view(e["type"]) == "subscribed") {
      for (auto side : {"bids", "asks"})
        for (simdjson::dom::element lv : e["contents"][side].get_array())
          ref.set(std::string_view(side) == "bids", dec(std::string_view(lv["price"]), 3), dec(std::string_view(lv["size"]), 6));
      // First snapshot value: {"price":"1576.579","size":"0.749382"}
      EXPECT_EQ(sink.books[0].bids[0].price, 1576579);
      EXPECT_EQ(sink.books[0].bids[0].qty, 749382);
      EXPECT_EQ(sink.books[0].bids.size() + sink.books[0].asks.size(), 690u);
      continue;
    }
    for (simdjson::dom::element c : e["contents"].get_array()) {
      for (auto side : {"bids", "asks"}) {
        simdjson::dom::array arr;
        if (c[side].get(arr)) continue;
        for (simdjson::dom::element lv : arr) {
          const bool bid = std::string_view(side) == "bids";
          const int64_t px = dec(std::string_view(lv.at(0)), 3), qty = dec(std::string_view(lv.at(1)), 6);
          ref.set(bid, px, qty);
          if (qty == 0) continue;
          // Newest wins: remove opposite levels at or through px.
          if (bid) while (!ref.asks.empty() && ref.asks.begin()->first <= px) { ref.asks.erase(ref.asks.begin()); ++uncrossed; }
          else while (!ref.bids.empty() && ref.bids.begin()->first >= px) { ref.bids.erase(ref.bids.begin()); ++uncrossed; }
        }
      }
    }
  }
  EXPECT_GT(uncrossed, 0u);  // the recording does cross (message 7)
  EXPECT_EQ(feed.counters().uncrossed_levels, uncrossed);
  EXPECT_TRUE(same_levels(sink.books.back().bids, MapBook::levels(ref.bids)));
  EXPECT_TRUE(same_levels(sink.books.back().asks, MapBook::levels(ref.asks)));
}

TEST(Hyperliquid, L2BookBareAndInEnvelope) {
  MarketTable markets(64);
  markets.set_default_scale(sc(4, 1));
  RecordingSink sink;
  HyperliquidFeed feed(markets, sink, FeedOptions{});
  const std::string body = read_file("hyperliquid/info_l2Book_DYDX_2023-07-17.json");
  ASSERT_TRUE(feed.on_message(body).ok());
  ASSERT_TRUE(feed.on_message(R"({"channel":"l2Book","data":)" + body + "}").ok());
  ASSERT_EQ(sink.books.size(), 2u);
  for (const BookCopy& b : sink.books) {
    ASSERT_EQ(b.bids.size(), 20u);
    ASSERT_EQ(b.asks.size(), 20u);
    // {"n":1,"px":"2.111","sz":"134.4"} first bid; {"n":2,"px":"2.1124","sz":"352.3"} first ask;
    // last bid {"px":"1.81","sz":"2397.0"}
    EXPECT_EQ(b.bids[0].price, 21110);
    EXPECT_EQ(b.bids[0].qty, 1344);
    EXPECT_EQ(b.asks[0].price, 21124);
    EXPECT_EQ(b.asks[0].qty, 3523);
    EXPECT_EQ(b.bids[19].price, 18100);
    EXPECT_EQ(b.bids[19].qty, 23970);
    EXPECT_EQ(b.ev.seq, 1689630203930u);
    EXPECT_TRUE(b.ev.snapshot);
  }
}

TEST(Hyperliquid, AllMidsBareAndInEnvelope) {
  MarketTable markets(64);
  markets.set_default_scale(sc(8, 4));
  RecordingSink sink;
  HyperliquidFeed feed(markets, sink, FeedOptions{});
  const std::string body = read_file("hyperliquid/info_allMids_2023-07-17.json");
  ASSERT_TRUE(feed.on_message(body).ok());
  ASSERT_EQ(sink.prices.size(), 28u);
  ASSERT_TRUE(feed.on_message(R"({"channel":"allMids","data":{"mids":)" + body + "}}").ok());
  ASSERT_EQ(sink.prices.size(), 56u);
  // "BTC":"30135.0", "kPEPE":"0.001565"
  const MarketId btc = markets.find(Venue::Hyperliquid, "BTC");
  const MarketId pepe = markets.find(Venue::Hyperliquid, "kPEPE");
  int seen = 0;
  for (const PriceUpdate& p : sink.prices) {
    if (p.h.market == btc) { EXPECT_EQ(p.price, 3013500000000); ++seen; }
    if (p.h.market == pepe) { EXPECT_EQ(p.price, 156500); ++seen; }
    EXPECT_EQ(p.source, PriceSource::Mid);
  }
  EXPECT_EQ(seen, 4);
}

TEST(Pyth, DocsExampleExact) {
  MarketTable markets(8);
  markets.set_default_scale(sc(8, 0));
  RecordingSink sink;
  PythHermesFeed feed(markets, sink, FeedOptions{});
  const std::string body = read_file("pyth/hermes_api_latest_price_feeds_ETHUSD_docs_example_2023-08-15.json");
  ASSERT_TRUE(feed.on_message(body).ok());
  // v2 shape and SSE framing carry the same parsed objects.
  ASSERT_TRUE(feed.on_message(R"({"binary":{"encoding":"hex","data":["00"]},"parsed":)" + body + "}").ok());
  ASSERT_TRUE(feed.on_message("data:" + std::string(R"({"parsed":)") + body + "}").ok());
  ASSERT_EQ(sink.prices.size(), 6u);
  for (int k = 0; k < 3; ++k) {
    const PriceUpdate& p = sink.prices[2 * k];
    const PriceUpdate& ema = sink.prices[2 * k + 1];
    // "price":"184136023127","conf":"177166324","expo":-8,"publish_time":1692110601
    EXPECT_EQ(p.source, PriceSource::Oracle);
    EXPECT_EQ(p.price, 184136023127);
    EXPECT_EQ(p.conf, 177166324);
    EXPECT_EQ(p.dp, 8);
    EXPECT_EQ(p.h.exch_ts_ns, 1692110601LL * 1000000000);
    // ema "price":"184100641000","conf":"178704085"
    EXPECT_EQ(ema.source, PriceSource::OracleEma);
    EXPECT_EQ(ema.price, 184100641000);
    EXPECT_EQ(ema.conf, 178704085);
  }
  EXPECT_EQ(markets.info(sink.prices[0].h.market).symbol(), "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace");
}

TEST(Pyth, ExponentFinerThanTheScaleKeepsThePublishedDecimals) {
  // Pyth publishes 8 decimals (expo -8); a market with a 4-decimal tick must not
  // lose them in the parser: the event carries dp 8 and the exact mantissa
  // (Hermes docs example: ETH/USD 1841.36023127 ± 1.77166324).
  MarketTable markets(8);
  markets.set_default_scale(sc(4, 0));
  RecordingSink sink;
  PythHermesFeed feed(markets, sink, FeedOptions{});
  Status st = feed.on_message(read_file("pyth/hermes_api_latest_price_feeds_ETHUSD_docs_example_2023-08-15.json"));
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(sink.prices.size(), 2u);
  EXPECT_EQ(sink.prices[0].dp, 8);
  EXPECT_EQ(sink.prices[0].price, 184136023127);
  EXPECT_EQ(sink.prices[0].conf, 177166324);
  EXPECT_EQ(sink.prices[1].price, 184100641000);
}

TEST(Pyth, HugePositiveExponentIsOutOfRangeNotAnOverflow) {
  // Found by fuzz_feed_pyth_hermes on CI: expo +30 on an 8-dp market scales by
  // 10^38, which overflowed the 128-bit product (UBSan). Any nonzero mantissa
  // that needs more than 10^18 cannot fit an int64 and is refused; zero is fine.
  MarketTable markets(8);
  markets.set_default_scale(sc(8, 0));
  RecordingSink sink;
  PythHermesFeed feed(markets, sink, FeedOptions{});
  const auto msg = [](const char* price, int expo) {
    return std::string(R"({"id":"ab","price":{"price":")") + price + R"(","conf":"0","expo":)" +
           std::to_string(expo) + R"(,"publish_time":1}})";
  };
  for (int expo : {11, 12, 20, 30}) {
    Status st = feed.on_message(msg("9223372036854775807", expo));
    EXPECT_EQ(st.code, FeedError::OutOfRange) << expo;
    EXPECT_STREQ(st.where, "price") << expo;
  }
  EXPECT_TRUE(sink.prices.empty());
  ASSERT_TRUE(feed.on_message(msg("0", 30)).ok());
  ASSERT_TRUE(feed.on_message(msg("7", 10)).ok());  // 7e10 at 8 dp = 7e18, fits
  ASSERT_EQ(sink.prices.size(), 2u);
  EXPECT_EQ(sink.prices[0].price, 0);
  EXPECT_EQ(sink.prices[1].price, 7'000'000'000'000'000'000);
}
