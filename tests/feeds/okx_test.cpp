// OKX v5 on the 2022-02-27 recording: every books-l2-tbt checksum verifies; a
// corrupted message triggers a resync; seqId/prevSeqId gaps (synthetic, the 2022
// feed has none) trigger a resync.
#include <gtest/gtest.h>

#include "feeds/crc32.hpp"
#include "feeds/venues/okx_v5.hpp"
#include "test_util.hpp"

using namespace liqd;
using namespace liqd::feeds;
using namespace liqd::feeds::test;

namespace {
constexpr const char* kFile = "okx_v5/ws_public_2022-02-27.jsonl";

Scale sc(int p, int q) {
  Scale s;
  s.price_dp = static_cast<int8_t>(p);
  s.qty_dp = static_cast<int8_t>(q);
  return s;
}

struct Fixture {
  MarketTable markets{64};
  RecordingSink sink;
  std::unique_ptr<OkxV5Feed> feed;
  Fixture() {
    sink.keep_books = false;
    // Scales from the instruments' tick and lot sizes as they appear in the recording.
    markets.add(Venue::OkxV5, "ELON-USDT", sc(11, 0));
    markets.add(Venue::OkxV5, "PROPS-ETH", sc(8, 8));
    markets.add(Venue::OkxV5, "ZEN-USDT", sc(2, 6));
    markets.add(Venue::OkxV5, "UNI-USD-SWAP", sc(3, 0));
    markets.set_default_scale(sc(4, 0));  // the options: 4 dp prices, whole contracts
    feed = std::make_unique<OkxV5Feed>(markets, sink, FeedOptions{});
  }
};
}  // namespace

TEST(Okx, Crc32KnownValue) {
  // The CRC-32 check value of "123456789" (IEEE 802.3 / zlib).
  EXPECT_EQ(crc32("123456789", 9), 0xCBF43926u);
}

TEST(Okx, EveryRecordedChecksumVerifies) {
  Fixture f;
  uint64_t book_msgs = 0, with_checksum = 0;
  for (const std::string& line : read_lines(kFile)) {
    if (line.find("\"books-l2-tbt\"") != std::string::npos && line.find("\"data\"") != std::string::npos) {
      ++book_msgs;
      if (line.find("\"checksum\"") != std::string::npos) ++with_checksum;
    }
    Status st = f.feed->on_message(line);
    ASSERT_TRUE(st.ok()) << to_string(st.code) << " " << st.where << " in " << line.substr(0, 200);
  }
  const FeedCounters& c = f.feed->counters();
  EXPECT_EQ(book_msgs, 3679u);
  EXPECT_EQ(with_checksum, book_msgs);
  EXPECT_EQ(c.checksum_mismatches, 0u);
  // Every book message was checked, except updates that came before their
  // instrument's snapshot (skipped, as the venue documents).
  EXPECT_EQ(c.checksum_ok + c.deltas_skipped, book_msgs);
  EXPECT_GT(c.checksum_ok, 3000u);
  EXPECT_EQ(c.errors_total, 0u);
  EXPECT_EQ(c.resyncs, 0u);
}

TEST(Okx, CorruptedMessageTriggersResync) {
  for (int mode = 0; mode < 2; ++mode) {
    Fixture f;
    bool corrupted = false;
    Status bad;
    uint64_t skipped_before = 0;
    for (std::string line : read_lines(kFile)) {
      if (!corrupted && line.find("UNI-USD-SWAP") != std::string::npos && line.find("\"action\":\"update\"") != std::string::npos &&
          f.feed->book_state(f.markets.find(Venue::OkxV5, "UNI-USD-SWAP")) != nullptr) {
        if (mode == 0) {
          // Change the checksum value.
          size_t p = line.find("\"checksum\":") + 11;
          line.replace(p, 1, line[p] == '1' ? "2" : "1");
        } else {
          // Change one size ("441" -> "442" style: bump the last digit of the first size).
          size_t p = line.find("[[\"") + 3;
          p = line.find("\",\"", p) + 3;
          size_t q = line.find('"', p) - 1;
          line[q] = line[q] == '9' ? '8' : static_cast<char>(line[q] + 1);
        }
        corrupted = true;
        bad = f.feed->on_message(line);
        skipped_before = f.feed->counters().deltas_skipped;
        continue;
      }
      f.feed->on_message(line);
    }
    ASSERT_TRUE(corrupted);
    EXPECT_EQ(bad.code, FeedError::ChecksumMismatch) << mode;
    EXPECT_EQ(f.feed->counters().checksum_mismatches, 1u);
    EXPECT_EQ(f.feed->counters().resyncs, 1u);
    ASSERT_EQ(f.sink.resyncs.size(), 1u);
    EXPECT_EQ(f.sink.resyncs[0].reason, ResyncReason::Checksum);
    // No snapshot follows in the recording: later UNI updates are skipped, not applied.
    EXPECT_GT(f.feed->counters().deltas_skipped, skipped_before);
    EXPECT_EQ(f.feed->book_state(f.markets.find(Venue::OkxV5, "UNI-USD-SWAP"))->state, SyncState::AwaitingSnapshot);
  }
}

TEST(Okx, SeqIdGapTriggersResync) {
  MarketTable markets(8);
  markets.add(Venue::OkxV5, "BTC-USDT", sc(2, 8));
  RecordingSink sink;
  OkxV5Feed feed(markets, sink, FeedOptions{});
  auto msg = [](const char* action, const char* bid, int64_t prev, int64_t seq) {
    return std::string(R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":")") + action +
           R"(","data":[{"asks":[["8476.98","415","0","13"]],"bids":[[")" + bid +
           R"(","256","0","12"]],"ts":"1597026383085","prevSeqId":)" + std::to_string(prev) +
           ",\"seqId\":" + std::to_string(seq) + "}]}";
  };
  ASSERT_TRUE(feed.on_message(msg("snapshot", "8476.97", -1, 100)).ok());
  ASSERT_TRUE(feed.on_message(msg("update", "8476.90", 100, 101)).ok());
  ASSERT_TRUE(feed.on_message(msg("update", "8476.91", 101, 101)).ok());  // no-change heartbeat
  EXPECT_EQ(sink.books.back().ev.seq, 101u);
  Status st = feed.on_message(msg("update", "8476.92", 103, 104));
  EXPECT_EQ(st.code, FeedError::Gap);
  EXPECT_EQ(feed.counters().gaps, 1u);
  ASSERT_EQ(sink.resyncs.size(), 1u);
  EXPECT_EQ(sink.resyncs[0].expected_seq, 101u);
  EXPECT_EQ(sink.resyncs[0].got_seq, 103u);
  // A new snapshot resyncs.
  ASSERT_TRUE(feed.on_message(msg("snapshot", "8476.97", -1, 200)).ok());
  EXPECT_EQ(sink.books.back().bids.size(), 1u);
}

TEST(Okx, ChecksumOfAKnownBook) {
  // The string OKX hashes for bids 3366.1x7, 3366.0x6 and asks 3366.8x9, 3368x8
  // is "3366.1:7:3366.8:9:3366:6:3368:8" (docs' checksum layout).
  L2Book b(8);
  Scale s = sc(1, 0);
  b.apply(kBid, 33661, 7);
  b.apply(kBid, 33660, 6);
  b.apply(kAsk, 33668, 9);
  b.apply(kAsk, 33680, 8);
  const std::string expect = "3366.1:7:3366.8:9:3366:6:3368:8";
  EXPECT_EQ(OkxV5Feed::checksum(b, s), static_cast<int32_t>(crc32(expect.data(), expect.size())));
}

TEST(Okx, TradeValues) {
  Fixture f;
  // {"arg":{"channel":"trades","instId":"ZEN-USDT"},"data":[{"instId":"ZEN-USDT","tradeId":"15270483","px":"32.51","sz":"0.37568","side":"buy","ts":"1646003666197"}]}
  for (const std::string& line : read_lines(kFile)) {
    if (line.find("\"tradeId\":\"15270483\"") != std::string::npos) { ASSERT_TRUE(f.feed->on_message(line).ok()); break; }
  }
  ASSERT_EQ(f.sink.trades.size(), 1u);
  EXPECT_EQ(f.sink.trades[0].trade_id, 15270483u);
  EXPECT_EQ(f.sink.trades[0].price, 3251);
  EXPECT_EQ(f.sink.trades[0].qty, 375680);
  EXPECT_EQ(f.sink.trades[0].taker, Side::Buy);
  EXPECT_EQ(f.sink.trades[0].h.exch_ts_ns, 1646003666197LL * 1000000);
}

TEST(Okx, MarkPriceMessage) {
  // Shape from the OKX v5 docs (mark-price channel push data).
  MarketTable markets(8);
  markets.add(Venue::OkxV5, "BTC-USDT", sc(1, 8));
  RecordingSink sink;
  OkxV5Feed feed(markets, sink, FeedOptions{});
  ASSERT_TRUE(feed.on_message(R"({"arg":{"channel":"mark-price","instId":"BTC-USDT"},"data":[{"instType":"MARGIN","instId":"BTC-USDT","markPx":"42310.6","ts":"1630049139746"}]})").ok());
  ASSERT_EQ(sink.prices.size(), 1u);
  EXPECT_EQ(sink.prices[0].price, 423106);
  EXPECT_EQ(sink.prices[0].source, PriceSource::Mark);
}
