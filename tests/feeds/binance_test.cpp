// Binance USD-M on the recorded 2021-07-22 stream and REST snapshots, and on the
// documentation's markPriceUpdate / forceOrder examples.
#include <gtest/gtest.h>

#include <algorithm>
#include <simdjson.h>

#include "core/money/decimal.hpp"
#include "feeds/venues/binance_usdm.hpp"
#include "test_util.hpp"

using namespace liqd;
using namespace liqd::feeds;
using namespace liqd::feeds::test;

namespace {

constexpr const char* kStream = "binance_usdm/ws_combined_stream_2021-07-22.jsonl";
const char* kSymbols[] = {"SUSHIUSDT", "AKROUSDT", "KEEPUSDT", "CTKUSDT"};
std::string snapshot_file(const std::string& sym) { return "binance_usdm/rest_depth_" + sym + "_limit1000_2021-07-22.json"; }

Scale scale(int pdp, int qdp) {
  Scale s;
  s.price_dp = static_cast<int8_t>(pdp);
  s.qty_dp = static_cast<int8_t>(qdp);
  return s;
}

int64_t dec(std::string_view s, int dp) {
  int64_t v = 0;
  EXPECT_EQ(parse_decimal(s, dp, v), DecimalError::Ok) << s;
  return v;
}

// Reference: the documented procedure written plainly over the simdjson DOM API
// and a std::map book. Returns the book after the last applied event and the
// number of applied events.
struct RefResult {
  MapBook book;
  int applied = 0;
  uint64_t last_u = 0;
};
RefResult reference_book(const std::string& sym, const Scale& sc) {
  RefResult r;
  simdjson::dom::parser p;
  simdjson::padded_string snap = simdjson::padded_string(read_file(snapshot_file(sym)));
  simdjson::dom::element s = p.parse(snap);
  const uint64_t last_id = uint64_t(s["lastUpdateId"]);
  for (auto side : {"bids", "asks"})
    for (simdjson::dom::element lv : s[side].get_array())
      r.book.set(std::string_view(side) == "bids", dec(std::string_view(lv.at(0)), sc.price_dp), dec(std::string_view(lv.at(1)), sc.qty_dp));
  bool first = true;
  uint64_t prev_u = 0;
  for (const std::string& line : read_lines(kStream)) {
    simdjson::padded_string ps(line);
    simdjson::dom::element m = p.parse(ps);
    simdjson::dom::element d = m["data"];
    if (std::string_view(d["e"]) != "depthUpdate" || std::string_view(d["s"]) != sym) continue;
    const uint64_t U = uint64_t(d["U"]), u = uint64_t(d["u"]), pu = uint64_t(d["pu"]);
    if (u < last_id) continue;
    if (first) {
      EXPECT_TRUE(U <= last_id && last_id <= u);
      first = false;
    } else {
      EXPECT_EQ(pu, prev_u);
    }
    for (auto side : {"b", "a"})
      for (simdjson::dom::element lv : d[side].get_array())
        r.book.set(std::string_view(side) == "b", dec(std::string_view(lv.at(0)), sc.price_dp), dec(std::string_view(lv.at(1)), sc.qty_dp));
    prev_u = u;
    ++r.applied;
  }
  r.last_u = prev_u;
  return r;
}

struct Fixture {
  MarketTable markets{64};
  RecordingSink sink;
  std::unique_ptr<BinanceUsdmFeed> feed;
  explicit Fixture(std::string only = "") {
    markets.add(Venue::BinanceUsdm, "SUSHIUSDT", scale(4, 0));
    markets.add(Venue::BinanceUsdm, "AKROUSDT", scale(5, 0));
    markets.add(Venue::BinanceUsdm, "KEEPUSDT", scale(4, 0));
    markets.add(Venue::BinanceUsdm, "CTKUSDT", scale(5, 0));
    markets.add(Venue::BinanceUsdm, "BTCUSDT", scale(8, 3));
    FeedOptions o;
    o.only_symbol = std::move(only);
    feed = std::make_unique<BinanceUsdmFeed>(markets, sink, o);
  }
};

}  // namespace

TEST(BinanceUsdm, SnapshotThenStreamReconstructsEveryBook) {
  for (const char* sym : kSymbols) {
    Fixture f;
    const MarketId m = f.markets.find(Venue::BinanceUsdm, sym);
    ASSERT_TRUE(f.feed->on_snapshot(sym, read_file(snapshot_file(sym))).ok());
    for (const std::string& line : read_lines(kStream)) ASSERT_TRUE(f.feed->on_message(line).ok()) << line;
    RefResult ref = reference_book(sym, f.markets.info(m).scale);
    ASSERT_GT(ref.applied, 5) << sym;
    const BookState* bs = f.feed->book_state(m);
    ASSERT_NE(bs, nullptr);
    EXPECT_EQ(bs->state, SyncState::Synced) << sym;
    EXPECT_EQ(bs->last_seq, ref.last_u) << sym;
    std::vector<Level> bids, asks;
    for (uint32_t i = 0; i < bs->book.depth(kBid); ++i) bids.push_back(bs->book.level(kBid, i));
    for (uint32_t i = 0; i < bs->book.depth(kAsk); ++i) asks.push_back(bs->book.level(kAsk, i));
    EXPECT_TRUE(same_levels(bids, MapBook::levels(ref.book.bids))) << sym;
    EXPECT_TRUE(same_levels(asks, MapBook::levels(ref.book.asks))) << sym;
    EXPECT_EQ(f.feed->counters().gaps, 0u) << sym;
    EXPECT_EQ(f.feed->counters().errors_total, 0u) << sym;
    // Every book event for the market: snapshot + one per applied delta.
    const auto n = std::count_if(f.sink.books.begin(), f.sink.books.end(), [&](const BookCopy& b) { return b.ev.h.market == m; });
    EXPECT_EQ(n, ref.applied + 1) << sym;
  }
}

TEST(BinanceUsdm, DeltasBeforeTheSnapshotAreBufferedThenReplayed) {
  // Stream first, snapshot last: the same final book as snapshot-first.
  Fixture a("SUSHIUSDT"), b("SUSHIUSDT");
  ASSERT_TRUE(a.feed->on_snapshot("SUSHIUSDT", read_file(snapshot_file("SUSHIUSDT"))).ok());
  for (const std::string& line : read_lines(kStream)) a.feed->on_message(line);
  for (const std::string& line : read_lines(kStream)) b.feed->on_message(line);
  EXPECT_GT(b.feed->counters().deltas_buffered, 100u);
  EXPECT_EQ(b.sink.books.size(), 0u);
  // A bare REST line uses the --market symbol (only_symbol) when none is given.
  ASSERT_TRUE(b.feed->on_message(read_file(snapshot_file("SUSHIUSDT"))).ok());
  ASSERT_FALSE(b.sink.books.empty());
  ASSERT_FALSE(a.sink.books.empty());
  EXPECT_EQ(a.sink.books.back().ev.seq, b.sink.books.back().ev.seq);
  EXPECT_TRUE(same_levels(a.sink.books.back().bids, b.sink.books.back().bids));
  EXPECT_TRUE(same_levels(a.sink.books.back().asks, b.sink.books.back().asks));
  EXPECT_GT(b.feed->counters().deltas_skipped, 0u);  // held deltas older than lastUpdateId
  EXPECT_EQ(b.feed->counters().errors_total, 0u);
}

TEST(BinanceUsdm, MissingDeltaIsAGapAndRequestsResync) {
  Fixture f("SUSHIUSDT");
  ASSERT_TRUE(f.feed->on_snapshot("SUSHIUSDT", read_file(snapshot_file("SUSHIUSDT"))).ok());
  int depth_seen = 0;
  Status gap;
  for (const std::string& line : read_lines(kStream)) {
    if (line.find("sushiusdt@depth") != std::string::npos && ++depth_seen == 10) continue;  // lose one
    Status st = f.feed->on_message(line);
    if (!st.ok() && gap.ok()) gap = st;
  }
  EXPECT_EQ(gap.code, FeedError::Gap);
  EXPECT_STREQ(gap.where, "pu");
  EXPECT_EQ(f.feed->counters().gaps, 1u);
  EXPECT_EQ(f.feed->counters().resyncs, 1u);
  ASSERT_EQ(f.sink.resyncs.size(), 1u);
  EXPECT_EQ(f.sink.resyncs[0].reason, ResyncReason::Gap);
  // After the gap the book waits for a new snapshot: later deltas are held, not applied.
  const BookState* bs = f.feed->book_state(f.markets.find(Venue::BinanceUsdm, "SUSHIUSDT"));
  EXPECT_EQ(bs->state, SyncState::AwaitingSnapshot);
  EXPECT_EQ(bs->book.depth(kBid), 0u);
}

TEST(BinanceUsdm, CrossingDeltaRequestsResync) {
  Fixture f("SUSHIUSDT");
  ASSERT_TRUE(f.feed->on_snapshot("SUSHIUSDT", read_file(snapshot_file("SUSHIUSDT"))).ok());
  // First applicable delta in the recording (U <= lastUpdateId <= u), with a bid
  // added above the best ask (7.6120).
  const std::string delta =
      R"({"stream":"sushiusdt@depth@100ms","data":{"e":"depthUpdate","E":1626992741364,"T":1626992741335,"s":"SUSHIUSDT","U":600859605926,"u":600859607423,"pu":600859604824,"b":[["7.7000","1"]],"a":[]}})";
  Status st = f.feed->on_message(delta);
  EXPECT_EQ(st.code, FeedError::Crossed);
  EXPECT_EQ(f.feed->counters().crossed, 1u);
  ASSERT_EQ(f.sink.resyncs.size(), 1u);
  EXPECT_EQ(f.sink.resyncs[0].reason, ResyncReason::Crossed);
}

TEST(BinanceUsdm, ParsedValuesEqualTheMessage) {
  Fixture f;
  // Line 1 of the recording: a bookTicker.
  // {"e":"bookTicker","u":600859600576,"s":"SUSHIUSDT","b":"7.6110","B":"2","a":"7.6120","A":"297","T":1626992741012,"E":1626992741017}
  ASSERT_TRUE(f.feed->on_message(read_lines(kStream)[0]).ok());
  ASSERT_EQ(f.sink.bbos.size(), 1u);
  const BestBidOffer& b = f.sink.bbos[0];
  EXPECT_EQ(b.seq, 600859600576u);
  EXPECT_EQ(b.bid_px, 76110);  // 4 dp
  EXPECT_EQ(b.bid_qty, 2);
  EXPECT_EQ(b.ask_px, 76120);
  EXPECT_EQ(b.ask_qty, 297);
  EXPECT_EQ(b.h.exch_ts_ns, 1626992741017LL * 1000000);
  // The snapshot's first levels: bids [["7.6110","6"],["7.6080","161"],...
  ASSERT_TRUE(f.feed->on_snapshot("SUSHIUSDT", read_file(snapshot_file("SUSHIUSDT"))).ok());
  const BookCopy& snap = f.sink.books.back();
  EXPECT_TRUE(snap.ev.snapshot);
  EXPECT_EQ(snap.ev.seq, 600859605926u);
  EXPECT_EQ(snap.bids.size(), 1000u);
  EXPECT_EQ(snap.asks.size(), 1000u);
  EXPECT_EQ(snap.bids[0].price, 76110);
  EXPECT_EQ(snap.bids[0].qty, 6);
  EXPECT_EQ(snap.bids[1].price, 76080);
  EXPECT_EQ(snap.bids[1].qty, 161);
}

TEST(BinanceUsdm, AggTradeValues) {
  Fixture f;
  for (const std::string& line : read_lines(kStream)) {
    if (line.find("aggTrade") == std::string::npos) continue;
    ASSERT_TRUE(f.feed->on_message(line).ok());
    break;
  }
  ASSERT_EQ(f.sink.trades.size(), 1u);
  // Check against the line's own text, parsed independently.
  for (const std::string& line : read_lines(kStream)) {
    if (line.find("aggTrade") == std::string::npos) continue;
    simdjson::dom::parser p;
    simdjson::padded_string ps(line);
    simdjson::dom::element d = p.parse(ps)["data"];
    const MarketId m = f.markets.find(Venue::BinanceUsdm, std::string_view(d["s"]));
    const Scale& sc = f.markets.info(m).scale;
    const Trade& t = f.sink.trades[0];
    EXPECT_EQ(t.trade_id, uint64_t(d["a"]));
    EXPECT_EQ(t.price, dec(std::string_view(d["p"]), sc.price_dp));
    EXPECT_EQ(t.qty, dec(std::string_view(d["q"]), sc.qty_dp));
    EXPECT_EQ(t.taker, bool(d["m"]) ? Side::Sell : Side::Buy);
    EXPECT_EQ(t.h.exch_ts_ns, int64_t(uint64_t(d["T"])) * 1000000);
    break;
  }
}

TEST(BinanceUsdm, DocsMarkPriceAndForceOrderExamples) {
  Fixture f;
  auto lines = read_lines("binance_usdm/docs_examples.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& l : lines) ASSERT_TRUE(f.feed->on_message(l).ok()) << l;
  // markPriceUpdate: p "11794.15000000" (mark), i "11784.62659091" (index), E 1562305380000.
  ASSERT_EQ(f.sink.prices.size(), 2u);
  EXPECT_EQ(f.sink.prices[0].source, PriceSource::Mark);
  EXPECT_EQ(f.sink.prices[0].price, 1179415000000);
  EXPECT_EQ(f.sink.prices[0].dp, 8);
  EXPECT_EQ(f.sink.prices[1].source, PriceSource::Index);
  EXPECT_EQ(f.sink.prices[1].price, 1178462659091);
  EXPECT_EQ(f.sink.prices[0].h.exch_ts_ns, 1562305380000LL * 1000000);
  // forceOrder: SELL, ap "9910", z "0.014", T 1568014460893.
  ASSERT_EQ(f.sink.liquidations.size(), 1u);
  const Liquidation& l = f.sink.liquidations[0];
  EXPECT_EQ(l.side, Side::Sell);
  EXPECT_EQ(l.price, 991000000000);
  EXPECT_EQ(l.qty, 14);  // 3 dp
  EXPECT_EQ(l.h.exch_ts_ns, 1568014460893LL * 1000000);
  // The documentation's own text with its trailing comma is not JSON: rejected, counted.
  Status st = f.feed->on_message(
      R"({"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893,}})");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(f.feed->counters().errors_total, 1u);
}

TEST(BinanceUsdm, SnapshotWithoutMarketIsAnError) {
  MarketTable markets(8);
  RecordingSink sink;
  BinanceUsdmFeed feed(markets, sink, FeedOptions{});
  Status st = feed.on_message(read_file(snapshot_file("SUSHIUSDT")));
  EXPECT_EQ(st.code, FeedError::NeedsMarket);
}
