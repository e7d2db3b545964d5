// The JSONL replay transport feeds a handler exactly like direct calls, and
// carries the recorded receive times (local_ts) for skew measurement.
#include <gtest/gtest.h>

#include "feeds/transport/jsonl_replay.hpp"
#include "feeds/venues/binance_usdm.hpp"
#include "test_util.hpp"

using namespace liqd;
using namespace liqd::feeds;
using namespace liqd::feeds::test;

namespace {
struct Fixture {
  MarketTable markets{16};
  RecordingSink sink;
  std::unique_ptr<BinanceUsdmFeed> feed;
  Fixture() {
    Scale s;
    s.price_dp = 4;
    s.qty_dp = 0;
    markets.add(Venue::BinanceUsdm, "SUSHIUSDT", s);
    FeedOptions o;
    o.only_symbol = "SUSHIUSDT";
    feed = std::make_unique<BinanceUsdmFeed>(markets, sink, o);
    feed->on_snapshot("SUSHIUSDT", read_file("binance_usdm/rest_depth_SUSHIUSDT_limit1000_2021-07-22.json"));
  }
};
}  // namespace

TEST(JsonlReplay, SameResultAsDirectFeedingAndCarriesReceiveTimes) {
  Fixture direct, replayed, paced;
  for (const auto& l : read_lines("binance_usdm/ws_combined_stream_2021-07-22.jsonl")) direct.feed->on_message(l, 0);
  JsonlReplay r;
  ASSERT_TRUE(r.load(data_path("binance_usdm/ws_combined_stream_2021-07-22.jsonl"),
                     data_path("binance_usdm/ws_combined_stream_2021-07-22.recv_ts.txt")));
  EXPECT_EQ(r.size(), 1535u);
  ReplayStats st = r.play(*replayed.feed);
  EXPECT_EQ(st.lines, 1535u);
  EXPECT_EQ(st.errors, 0u);
  EXPECT_EQ(st.bad_recv_ts, 0u);
  // Recorded pace, 1000x faster than real time (the capture spans 30 s).
  ReplayStats st2 = r.play(*paced.feed, JsonlReplay::Pace::Recorded, 1000.0);
  EXPECT_EQ(st2.errors, 0u);
  for (Fixture* f : {&replayed, &paced}) {
    EXPECT_EQ(f->sink.books.size(), direct.sink.books.size());
    EXPECT_TRUE(same_levels(f->sink.books.back().bids, direct.sink.books.back().bids));
    EXPECT_EQ(f->feed->counters().deltas, direct.feed->counters().deltas);
  }
  // Exchange time minus the recorder's receive time: the recorder was a few hundred
  // ms from Binance at most; direct feeding has no local time, hence no samples.
  const FeedCounters& c = replayed.feed->counters();
  EXPECT_EQ(direct.feed->counters().skew_samples, 0u);
  EXPECT_GT(c.skew_samples, 500u);
  EXPECT_GT(c.skew_min_ns, -5'000'000'000LL);
  EXPECT_LT(c.skew_max_ns, 5'000'000'000LL);
  EXPECT_NE(replayed.sink.books.back().ev.h.local_ts_ns, 0);
}

TEST(JsonlReplay, MismatchedReceiveTimesFileIsRefused) {
  JsonlReplay r;
  EXPECT_FALSE(r.load(data_path("binance_usdm/ws_combined_stream_2021-07-22.jsonl"),
                      data_path("dydx_v4/indexer_ws_v4_orderbook_ETH-USD_sequence.jsonl")));
  EXPECT_FALSE(r.load(data_path("nope.jsonl")));
}
