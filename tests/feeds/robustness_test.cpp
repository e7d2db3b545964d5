// Every handler rejects malformed, truncated, oversized, wrong-type, non-UTF-8,
// trailing-garbage and badly-numbered input with the right code, counts it, and
// still parses the next good message.
#include <gtest/gtest.h>

#include "feeds/feed_factory.hpp"
#include "test_util.hpp"

using namespace liqd;
using namespace liqd::feeds;
using namespace liqd::feeds::test;

namespace {

struct Case {
  Venue venue;
  std::string valid;
  std::string wrong_type_from, wrong_type_to;  // replacement giving a WrongType field
  std::string number_from;                      // a price string to replace
  std::string too_precise;                      // same price with one more decimal
};

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  size_t p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

std::vector<Case> cases() {
  std::vector<Case> v;
  v.push_back({Venue::BinanceUsdm, read_lines("binance_usdm/ws_combined_stream_2021-07-22.jsonl")[0],
               "\"b\":\"7.6110\"", "\"b\":7.6110", "\"b\":\"7.6110\"", "\"b\":\"7.61101\""});
  v.push_back({Venue::BybitV5, read_lines("bybit_v5/ws_linear_BTCUSDT_SOLUSDT_2026-08-09.jsonl")[0],
               "\"markPrice\":\"65117.44\"", "\"markPrice\":65117.44", "\"markPrice\":\"65117.44\"", "\"markPrice\":\"65117.441\""});
  std::string okx;
  for (const auto& l : read_lines("okx_v5/ws_public_2022-02-27.jsonl"))
    if (l.find("\"tradeId\":\"15270483\"") != std::string::npos) okx = l;
  v.push_back({Venue::OkxV5, okx, "\"px\":\"32.51\"", "\"px\":32.51", "\"px\":\"32.51\"", "\"px\":\"32.511\""});
  // Without its message_id, so that repeating it is not a sequence gap.
  v.push_back({Venue::DydxV4, replaced(read_lines("dydx_v4/indexer_ws_v4_orderbook_ETH-USD_sequence.jsonl")[0], "\"message_id\":4,", ""),
               "\"channel\":\"v4_orderbook\"", "\"channel\":4", "\"price\":\"1576.579\"", "\"price\":\"1576.5791\""});
  v.push_back({Venue::Hyperliquid, read_file("hyperliquid/info_l2Book_DYDX_2023-07-17.json"),
               "\"coin\":\"DYDX\"", "\"coin\":[]", "\"px\":\"2.111\"", "\"px\":\"2.11111\""});
  v.push_back({Venue::PythHermes, read_file("pyth/hermes_api_latest_price_feeds_ETHUSD_docs_example_2023-08-15.json"),
               "\"expo\":-8", "\"expo\":\"-8\"", "\"price\":\"184136023127\"", "\"price\":\"1841360231.271\""});
  return v;
}

Scale scale_for(Venue v) {
  Scale s;
  s.price_dp = v == Venue::BinanceUsdm ? 4 : v == Venue::BybitV5 ? 2 : v == Venue::OkxV5 ? 2 : v == Venue::DydxV4 ? 3
             : v == Venue::Hyperliquid ? 4 : 8;
  s.qty_dp = v == Venue::BinanceUsdm ? 0 : v == Venue::Hyperliquid ? 1 : 6;
  return s;
}

}  // namespace

TEST(FeedRobustness, BadInputIsRejectedCountedAndHarmless) {
  for (Case c : cases()) {
    while (!c.valid.empty() && (c.valid.back() == '\n' || c.valid.back() == '\r' || c.valid.back() == ' ')) c.valid.pop_back();
    SCOPED_TRACE(venue_name(c.venue));
    ASSERT_FALSE(c.valid.empty());
    MarketTable markets(64);
    markets.set_default_scale(scale_for(c.venue));
    RecordingSink sink;
    FeedOptions o;
    o.max_message_bytes = 64 * 1024;
    auto feed = make_feed(c.venue, markets, sink, o);
    ASSERT_TRUE(feed);
    struct Bad { std::string msg; FeedError want; };
    std::string non_utf8 = c.valid;
    non_utf8.insert(non_utf8.find('"') + 1, "\xff\xfe");
    std::string deep(5000, '[');
    std::vector<Bad> bad = {
        {"", FeedError::Empty},
        {" \t\r\n", FeedError::Empty},
        {c.valid.substr(0, c.valid.size() / 2), FeedError::Malformed},
        {c.valid.substr(0, c.valid.size() - 1), FeedError::Malformed},
        {replaced(c.valid, ":", " "), FeedError::Malformed},
        {replaced(c.valid, "}", ",}"), FeedError::Malformed},
        {deep, FeedError::Malformed},
        {c.valid + " 1", FeedError::TrailingGarbage},
        {c.valid + " x", FeedError::TrailingGarbage},
        {c.valid + "{}", FeedError::TrailingGarbage},
        {c.valid + c.valid, FeedError::TrailingGarbage},
        {non_utf8, FeedError::NotUtf8},
        {"123", FeedError::WrongType},
        {replaced(c.valid, c.wrong_type_from, c.wrong_type_to), FeedError::WrongType},
        {replaced(c.valid, c.number_from, c.too_precise), FeedError::TooPrecise},
        {replaced(c.valid, c.number_from, replaced(c.number_from, c.number_from.substr(c.number_from.find(":") + 1), "\"1e5\"")),
         FeedError::BadDecimal},
        {std::string(o.max_message_bytes + 1, ' ') + "{}", FeedError::TooLarge},
    };
    // Oversized: larger than the limit even before trimming.
    bad.back().msg = "{\"x\":\"" + std::string(o.max_message_bytes, 'a') + "\"}";
    uint64_t n = 0;
    for (const Bad& b : bad) {
      Status st = feed->on_message(b.msg);
      if (b.want == FeedError::kCount) EXPECT_FALSE(st.ok()) << "input #" << n;
      else EXPECT_EQ(st.code, b.want) << "input #" << n << " got " << to_string(st.code) << " (" << st.where << "): "
                                 << b.msg.substr(0, 120);
      ++n;
    }
    EXPECT_EQ(feed->counters().errors_total, n);
    EXPECT_EQ(feed->counters().messages, n);
    EXPECT_EQ(feed->counters().errors_of(FeedError::TrailingGarbage), 4u);
    EXPECT_EQ(feed->counters().errors_of(FeedError::NotUtf8), 1u);
    // Nothing reached the sink, and the next good message is fine.
    EXPECT_TRUE(sink.prices.empty() && sink.books.empty() && sink.trades.empty() && sink.bbos.empty());
    Status ok = feed->on_message(c.valid);
    EXPECT_TRUE(ok.ok()) << to_string(ok.code) << " " << ok.where;
    EXPECT_EQ(feed->counters().errors_total, n);
  }
}

TEST(FeedRobustness, NegativeQuantityAndUnknownMarket) {
  MarketTable markets(8);
  Scale s;
  s.price_dp = 4;
  s.qty_dp = 0;
  markets.add(Venue::BinanceUsdm, "SUSHIUSDT", s);
  RecordingSink sink;
  auto feed = make_feed(Venue::BinanceUsdm, markets, sink, FeedOptions{});
  const std::string line = read_lines("binance_usdm/ws_combined_stream_2021-07-22.jsonl")[0];
  EXPECT_EQ(feed->on_message(replaced(line, "\"B\":\"2\"", "\"B\":\"-2\"")).code, FeedError::NegativeQty);
  EXPECT_EQ(feed->on_message(replaced(line, "SUSHIUSDT", "NOPEUSDT")).code, FeedError::UnknownMarket);
  EXPECT_EQ(feed->counters().errors_total, 2u);
}
