// The Binance fast path (BinanceUsdmFeed::handle_fast, feeds/fast_scan.hpp) against the
// general simdjson path, differentially: the same bytes through a handler with the fast
// path and one without must give the same status, the same events (every book in full
// after every change), the same counters (but the fast-path count itself), message by
// message. Input: the recorded 2021-07-22 combined stream and REST snapshots
// (tests/data/feeds/binance_usdm, see PROVENANCE.md there), as recorded and with random
// byte mutations (flips, inserts, deletions, truncation, trailing garbage, whitespace
// between tokens), under five option sets: plain, one market only, unknown markets
// auto-registered, validation off, snapshots arriving mid-stream (deltas held).
// Each message is an exact-size heap copy, so AddressSanitizer sees any read past it.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "feeds/venues/binance_usdm.hpp"
#include "test_util.hpp"

using namespace liqd;
using namespace liqd::feeds;

namespace {

struct LogSink final : EventSink {
  std::string log;
  void on_book(const BookUpdated& e, const L2Book& b) override {
    log += "B" + std::to_string(e.h.market) + "," + std::to_string(e.seq) + "," + std::to_string(e.h.exch_ts_ns) + "," +
           std::to_string(e.levels_changed) + "," + std::to_string(e.snapshot) + "|";
    for (Side s : {kBid, kAsk})
      for (uint32_t i = 0; i < b.depth(s); ++i) {
        const Level l = b.level(s, i);
        log += std::to_string(l.price) + ":" + std::to_string(l.qty) + ",";
      }
  }
  void on_resync(const ResyncRequest& r) override {
    log += "R" + std::to_string(r.h.market) + "," + std::to_string(r.expected_seq) + "," + std::to_string(r.got_seq) + "," +
           std::to_string(static_cast<int>(r.reason)) + "|";
  }
  void on_bbo(const BestBidOffer& e) override {
    log += "q" + std::to_string(e.bid_px) + "," + std::to_string(e.bid_qty) + "," + std::to_string(e.ask_px) + "," +
           std::to_string(e.ask_qty) + "," + std::to_string(e.seq) + "," + std::to_string(e.h.exch_ts_ns) + "," +
           std::to_string(e.h.market) + "|";
  }
  void on_price(const PriceUpdate& e) override { log += "p" + std::to_string(e.price) + "|"; }
  void on_trade(const Trade& e) override { log += "t" + std::to_string(e.price) + "|"; }
  void on_liquidation(const Liquidation& e) override { log += "l" + std::to_string(e.price) + "|"; }
};

void mutate(std::string& l, std::mt19937_64& rng) {
  static const char pool[] = "0123456789.,:-\"[]{} \\eE+x\x80\xff\t";
  const int k = 1 + static_cast<int>(rng() % 3);
  for (int j = 0; j < k && !l.empty(); ++j) {
    const size_t pos = rng() % l.size();
    switch (rng() % 6) {
      case 0: l[pos] = pool[rng() % (sizeof pool - 1)]; break;
      case 1: l.insert(pos, 1, pool[rng() % (sizeof pool - 1)]); break;
      case 2: l.erase(pos, 1); break;
      case 3: l.resize(pos); break;
      case 4: l += (rng() % 2) ? " " : "x"; break;
      case 5: {
        const size_t q = l.find("\",\"", pos);
        if (q != std::string::npos) l.replace(q, 3, "\" , \"");
        break;
      }
    }
  }
}

TEST(BinanceFastPath, DecidesExactlyAsTheGeneralPath) {
  const std::vector<std::string> lines = test::read_lines("binance_usdm/ws_combined_stream_2021-07-22.jsonl");
  ASSERT_GT(lines.size(), 1000u);
  const char* syms[] = {"SUSHIUSDT", "AKROUSDT", "KEEPUSDT", "CTKUSDT"};
  std::vector<std::string> snaps;
  for (const char* s : syms) snaps.push_back(test::read_file(std::string("binance_usdm/rest_depth_") + s + "_limit1000_2021-07-22.json"));
  std::mt19937_64 rng(7);
  uint64_t messages = 0, fast = 0;
  for (int it = 0; it < 15; ++it) {
    SCOPED_TRACE("pass " + std::to_string(it));
    const int variant = it % 5;  // 0 plain, 1 one market, 2 auto-register, 3 validation off, 4 snapshots mid-stream
    MarketTable m1(64), m2(64);
    for (int i = 0; i < 4; ++i) {
      if (variant == 2 && i % 2 == 1) continue;
      Scale sc;
      sc.price_dp = static_cast<int8_t>(i % 2 == 1 ? 5 : 4);
      sc.qty_dp = 0;
      m1.add(Venue::BinanceUsdm, syms[i], sc);
      m2.add(Venue::BinanceUsdm, syms[i], sc);
    }
    if (variant == 2) {
      Scale d;
      d.price_dp = 6;
      d.qty_dp = 1;
      m1.set_default_scale(d);
      m2.set_default_scale(d);
    }
    LogSink s1, s2;
    FeedOptions o;
    o.validate_full = variant != 3;
    if (variant == 1) o.only_symbol = "SUSHIUSDT";
    o.max_levels_per_message = it % 7 == 0 ? 8 : 16384;  // a small scratch array: both must refuse alike
    FeedOptions o2 = o;
    o.fast_path = true;
    o2.fast_path = false;
    BinanceUsdmFeed f1(m1, s1, o), f2(m2, s2, o2);
    auto snapshots = [&] {
      for (int i = 0; i < 4; ++i) {
        f1.on_snapshot(syms[i], snaps[i]);
        f2.on_snapshot(syms[i], snaps[i]);
      }
    };
    if (variant != 4) snapshots();
    size_t n = 0;
    for (const std::string& l0 : lines) {
      if (variant == 4 && ++n == 300) snapshots();
      std::string l = l0;
      if (it > 0 && rng() % 3 == 0) mutate(l, rng);
      std::unique_ptr<char[]> exact(new char[l.empty() ? 1 : l.size()]);
      std::memcpy(exact.get(), l.data(), l.size());
      const std::string_view v(exact.get(), l.size());
      const Status a = f1.on_message(v, 1000 + static_cast<int64_t>(messages));
      const Status b = f2.on_message(v, 1000 + static_cast<int64_t>(messages));
      ++messages;
      ASSERT_EQ(a.code, b.code) << l;
      ASSERT_STREQ(a.where, b.where) << l;
      ASSERT_EQ(s1.log, s2.log) << l;
      FeedCounters c1 = f1.counters();
      EXPECT_EQ(f2.counters().fast_path, 0u);
      c1.fast_path = 0;
      ASSERT_EQ(std::memcmp(&c1, &f2.counters(), sizeof(FeedCounters)), 0) << l;
      s1.log.clear();
      s2.log.clear();
    }
    fast += f1.counters().fast_path;
  }
  // The comparison means something only if the fast path decided most messages.
  EXPECT_GT(fast, messages / 2) << fast << " of " << messages;
}

// The fast path's integer reader (two 8-byte words, else the digit loop) on the
// edge cases the recording does not have: every digit count from 1 to 21,
// leading zeros, 2^64 - 1 and 2^64, a value right at the end of the message.
// Each one replaces in turn the E, T, U, u and pu of a real depthUpdate and the
// u, T and E of a bookTicker; both paths must decide alike.
TEST(BinanceFastPath, IntegersDecideAsTheGeneralPath) {
  const std::vector<std::string> lines = test::read_lines("binance_usdm/ws_combined_stream_2021-07-22.jsonl");
  std::string depth, ticker;
  for (const std::string& l : lines) {
    if (depth.empty() && l.find("sushiusdt@depth") != std::string::npos) depth = l;
    if (ticker.empty() && l.find("\"e\":\"bookTicker\"") != std::string::npos) ticker = l;
  }
  ASSERT_FALSE(depth.empty());
  ASSERT_FALSE(ticker.empty());
  std::vector<std::string> values = {"0", "00", "01", "007", "18446744073709551615", "18446744073709551616",
                                     "9999999999999999999", "99999999999999999999", "1-", "1.5", "1e3", ""};
  for (int n = 1; n <= 21; ++n) {
    values.push_back(std::string(static_cast<size_t>(n), '9'));
    values.push_back("1" + std::string(static_cast<size_t>(n - 1), '0'));
    values.push_back(std::string("6008596009176008596009").substr(0, static_cast<size_t>(n)));
  }
  Scale sc;
  sc.price_dp = 4;
  sc.qty_dp = 0;
  MarketTable m1(16), m2(16);
  m1.add(Venue::BinanceUsdm, "SUSHIUSDT", sc);
  m2.add(Venue::BinanceUsdm, "SUSHIUSDT", sc);
  LogSink s1, s2;
  FeedOptions o, o2;
  o2.fast_path = false;
  BinanceUsdmFeed f1(m1, s1, o), f2(m2, s2, o2);
  const std::string snap = test::read_file("binance_usdm/rest_depth_SUSHIUSDT_limit1000_2021-07-22.json");
  f1.on_snapshot("SUSHIUSDT", snap);
  f2.on_snapshot("SUSHIUSDT", snap);
  uint64_t fast_before = f1.counters().fast_path;
  int cases = 0;
  for (const std::string* base : {&depth, &ticker}) {
    for (const char* key : {"\"E\":", "\"T\":", "\"U\":", "\"u\":", "\"pu\":"}) {
      const size_t at = base->find(key);
      if (at == std::string::npos) continue;
      const size_t b = at + std::strlen(key);
      const size_t e = base->find_first_not_of("0123456789", b);
      for (const std::string& v : values) {
        const std::string l = base->substr(0, b) + v + base->substr(e);
        std::unique_ptr<char[]> exact(new char[l.size()]);
        std::memcpy(exact.get(), l.data(), l.size());
        const std::string_view msg(exact.get(), l.size());
        const Status a = f1.on_message(msg, 0);
        const Status c = f2.on_message(msg, 0);
        ++cases;
        ASSERT_EQ(a.code, c.code) << l;
        ASSERT_STREQ(a.where, c.where) << l;
        ASSERT_EQ(s1.log, s2.log) << l;
        FeedCounters c1 = f1.counters();
        c1.fast_path = 0;
        ASSERT_EQ(std::memcmp(&c1, &f2.counters(), sizeof(FeedCounters)), 0) << l;
        s1.log.clear();
        s2.log.clear();
      }
    }
  }
  EXPECT_GT(cases, 500);
  // The fast path must have read some of them (else this compares the general path with itself).
  EXPECT_GT(f1.counters().fast_path - fast_before, static_cast<uint64_t>(cases) / 4);
}

}  // namespace
