// The core on its own thread: a feed thread pushes events through the input
// ring, a planner thread drains candidates, a reader thread polls the seqlock
// snapshot. Afterwards the set equals a brute-force scan and the planner's view
// (last message per account) equals the set.
#include <atomic>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/engine/core_loop.hpp"
#include "tests/core/test_markets.hpp"

namespace liqd {
namespace {

TEST(CoreThreaded, FeedCorePlannerAndSnapshotReader) {
  constexpr uint32_t kMarkets = 4, kAccounts = 500;
  constexpr uint64_t kEvents = 40000;
  std::vector<MarketRisk> mk;
  std::vector<Price> marks;
  for (uint32_t m = 0; m < kMarkets; ++m) {
    mk.push_back(test::standard_market(2, 4));
    marks.push_back(Price(1'000'000 * (m + 1)));
  }
  SpscRing<Event> in(256);
  SpscRing<Candidate> out(16);
  CoreSnapshot snap;
  CoreConfig cfg{kAccounts, kAccounts * 8, kAccounts * 8, 12};
  HealthCore core(cfg, mk, marks, &out);
  std::mt19937_64 rng(3);
  for (AccountId a = 0; a < kAccounts; ++a) {
    std::vector<Position> v;
    for (uint32_t m = 0; m < kMarkets; ++m) {
      if (rng() % 2) continue;
      Position p;
      p.market = m;
      p.size = Qty(static_cast<int64_t>(rng() % 20000) - 10000);
      if (p.size.v == 0) p.size = Qty(1);
      p.entry = marks[m];
      v.push_back(p);
    }
    ASSERT_TRUE(core.load_account(a, Quote(static_cast<int64_t>(100'000'000 + rng() % 3'000'000'000ull)), v));
  }

  std::atomic<bool> feed_done{false}, core_done{false};
  std::vector<Price> feed_marks = marks;
  std::thread feed([&] {
    std::mt19937_64 r(9);
    for (uint64_t i = 0; i < kEvents; ++i) {
      Event e;
      const uint32_t m = static_cast<uint32_t>(r() % kMarkets);
      if (i % 50 == 49) {
        e = Event::deposit(static_cast<AccountId>(r() % kAccounts), Quote(1'000'000'000), i / 50 + 1,
                           static_cast<int64_t>(i));
      } else {
        // ±1 % steps with mean reversion: accounts cross the line both ways.
        int64_t p = feed_marks[m].v;
        p += static_cast<int64_t>(r() % 20001) - 10000 - (p - static_cast<int64_t>(1'000'000 * (m + 1))) / 20;
        if (p < 1000) p = 1000;
        feed_marks[m] = Price(p);
        e = Event::price(m, Price(p), Price(p), Price(p), static_cast<int64_t>(i));
      }
      while (!in.try_push(e)) std::this_thread::yield();
    }
    feed_done.store(true, std::memory_order_release);
  });
  std::thread core_thread([&] {
    run_core_loop(core, in, snap, feed_done, CoreLoopOptions{64, 16});
    core_done.store(true, std::memory_order_release);
  });
  std::vector<int> last(kAccounts, -1);
  uint64_t received = 0;
  std::thread planner([&] {
    Candidate c;
    while (!core_done.load(std::memory_order_acquire)) {
      while (out.try_pop(c)) { last[c.account] = c.kind == CandidateKind::Flagged ? 1 : 0; ++received; }
    }
  });
  uint64_t reads = 0, backwards = 0, prev = 0;
  std::thread reader([&] {
    CoreSnapshot::Payload p{};
    while (!core_done.load(std::memory_order_acquire)) {
      if (!snap.try_load(p, 100)) continue;
      ++reads;
      if (p[0] < prev) ++backwards;
      prev = p[0];
    }
  });
  feed.join();
  core_thread.join();
  planner.join();
  reader.join();

  // Finish dispatch on this thread (the core thread is gone).
  Candidate c;
  for (int i = 0; i < 100000 && core.pending_dispatch() > 0; ++i) {
    while (out.try_pop(c)) { last[c.account] = c.kind == CandidateKind::Flagged ? 1 : 0; ++received; }
    core.flush_dispatch();
  }
  while (out.try_pop(c)) { last[c.account] = c.kind == CandidateKind::Flagged ? 1 : 0; ++received; }

  EXPECT_EQ(core.counters().events, kEvents);
  EXPECT_EQ(core.counters().rejected, 0u);
  EXPECT_EQ(backwards, 0u);
  CoreSnapshot::Payload p{};
  ASSERT_TRUE(snap.try_load(p));
  EXPECT_EQ(p[0], kEvents);
  EXPECT_EQ(p[2], core.flagged().size());
  for (uint32_t m = 0; m < kMarkets; ++m) EXPECT_EQ(static_cast<int64_t>(p[8 + 3 * m]), feed_marks[m].v);
  uint64_t n_flagged = 0;
  for (AccountId a = 0; a < kAccounts; ++a) {
    const auto pos = core.store().positions(a);
    bool ref = cross_margin(core.store().collateral(a), pos, mk, feed_marks).liquidatable();
    ASSERT_EQ(core.is_flagged(a), ref) << a;
    ASSERT_EQ(last[a] == 1, ref) << a;  // the planner's view matches the set
    n_flagged += ref;
  }
  EXPECT_GT(core.counters().flagged_total, 20u);
  EXPECT_GT(core.counters().recovered_total, 10u);
  EXPECT_EQ(received, core.counters().dispatched);
  EXPECT_EQ(core.counters().index_missed, 0u);
  std::printf("flagged now %llu, transitions %llu, ring full %llu, snapshot reads %llu\n",
              static_cast<unsigned long long>(n_flagged),
              static_cast<unsigned long long>(core.counters().flagged_total),
              static_cast<unsigned long long>(core.counters().out_ring_full),
              static_cast<unsigned long long>(reads));
}

}  // namespace
}  // namespace liqd
