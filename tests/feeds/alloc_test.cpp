// No allocation per message once a handler is warm: every operator new in this
// binary is counted, and replaying recorded deltas on synced books must not call it.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "feeds/feed_factory.hpp"
#include "test_util.hpp"

namespace {
std::atomic<uint64_t> g_allocs{0};
}

void* operator new(size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }

// Our operator new is malloc, so free is the matching release; GCC cannot see that.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

using namespace liqd;
using namespace liqd::feeds;
using namespace liqd::feeds::test;

namespace {
class CountingSink final : public EventSink {
 public:
  uint64_t n = 0;
  void on_book(const BookUpdated&, const L2Book&) override { ++n; }
  void on_price(const PriceUpdate&) override { ++n; }
  void on_trade(const Trade&) override { ++n; }
  void on_bbo(const BestBidOffer&) override { ++n; }
};
Scale sc(int p, int q) {
  Scale s;
  s.price_dp = static_cast<int8_t>(p);
  s.qty_dp = static_cast<int8_t>(q);
  return s;
}
}  // namespace

TEST(FeedAllocations, NoneOnTheSyncedPath) {
  struct Case {
    Venue venue;
    std::vector<std::string> lines;
    std::vector<std::pair<const char*, Scale>> scales;
    size_t warm;  // lines fed before counting (snapshots, first sight of each market)
  };
  std::vector<Case> cases;
  cases.push_back({Venue::BybitV5, read_lines("bybit_v5/ws_linear_BTCUSDT_SOLUSDT_2026-08-09.jsonl"),
                   {{"BTCUSDT", sc(2, 3)}, {"SOLUSDT", sc(3, 1)}}, 400});
  cases.push_back({Venue::OkxV5, read_lines("okx_v5/ws_public_2022-02-27.jsonl"),
                   {{"ELON-USDT", sc(11, 0)}, {"PROPS-ETH", sc(8, 8)}, {"ZEN-USDT", sc(2, 6)}, {"UNI-USD-SWAP", sc(3, 0)}}, 1500});
  for (Case& c : cases) {
    SCOPED_TRACE(venue_name(c.venue));
    MarketTable markets(64);
    for (auto& [sym, s] : c.scales) markets.add(c.venue, sym, s);
    markets.set_default_scale(sc(4, 0));
    CountingSink sink;
    auto feed = make_feed(c.venue, markets, sink, FeedOptions{});
    for (size_t i = 0; i < c.warm; ++i) feed->on_message(c.lines[i]);
    const uint64_t before = g_allocs.load();
    const uint64_t events_before = sink.n;
    for (size_t i = c.warm; i < c.lines.size(); ++i) feed->on_message(c.lines[i]);
    EXPECT_GT(sink.n - events_before, 500u);
    EXPECT_EQ(g_allocs.load() - before, 0u);
    EXPECT_EQ(feed->counters().errors_total, 0u);
  }
}
