// SpscRing and SeqLock: single-thread semantics (unit) and real producer /
// consumer threads (threaded; run under TSan by the tsan preset).
#include <atomic>
#include <cstdint>
#include <thread>

#include <gtest/gtest.h>

#include "core/ring/seqlock.hpp"
#include "core/ring/spsc_ring.hpp"

namespace liqd {
namespace {

TEST(SpscRing, CapacityRoundsUpToPowerOfTwo) {
  SpscRing<int> r(5);
  EXPECT_EQ(r.capacity(), 8u);
  SpscRing<int> r2(1);
  EXPECT_EQ(r2.capacity(), 2u);
}

TEST(SpscRing, FullRingRefusesAndKeepsOrder) {
  SpscRing<uint64_t> r(4);
  for (uint64_t i = 0; i < 4; ++i) EXPECT_TRUE(r.try_push(i));
  EXPECT_FALSE(r.try_push(99));  // full: refused, nothing overwritten
  uint64_t v = 0;
  ASSERT_TRUE(r.try_pop(v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(r.try_push(4));
  for (uint64_t i = 1; i <= 4; ++i) {
    ASSERT_TRUE(r.try_pop(v));
    EXPECT_EQ(v, i);
  }
  EXPECT_FALSE(r.try_pop(v));
}

TEST(SpscRing, WrapsManyTimes) {
  SpscRing<uint32_t> r(8);
  uint32_t next_out = 0;
  for (uint32_t i = 0; i < 10000; ++i) {
    ASSERT_TRUE(r.try_push(i));
    if (i % 3 == 0) {
      uint32_t v;
      while (r.try_pop(v)) ASSERT_EQ(v, next_out++);
    }
  }
}

struct Msg {
  uint64_t seq;
  uint64_t check;  // seq * constant: a torn slot would not match
};

TEST(SpscRingThreaded, ProducerConsumerInOrderWithFullRingCounted) {
  constexpr uint64_t kN = 100000;
  SpscRing<Msg> r(64);
  uint64_t full = 0;
  std::thread prod([&] {
    for (uint64_t i = 1; i <= kN; ++i) {
      Msg m{i, i * 0x9E3779B97F4A7C15ull};
      while (!r.try_push(m)) { ++full; std::this_thread::yield(); }
    }
  });
  uint64_t expect = 1, bad = 0;
  std::thread cons([&] {
    Msg m{};
    while (expect <= kN) {
      if (!r.try_pop(m)) { std::this_thread::yield(); continue; }
      if (m.seq != expect || m.check != m.seq * 0x9E3779B97F4A7C15ull) ++bad;
      ++expect;
    }
  });
  prod.join();
  cons.join();
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(expect, kN + 1);
  Msg m{};
  EXPECT_FALSE(r.try_pop(m));
  (void)full;  // how often the ring was full depends on scheduling
}

TEST(SeqLock, SingleThreadRoundTrip) {
  SeqLock<4> s;
  SeqLock<4>::Payload in{1, 2, 3, 4}, out{};
  s.store(in);
  ASSERT_TRUE(s.try_load(out));
  EXPECT_EQ(out, in);
  EXPECT_EQ(s.version(), 2u);
}

TEST(SeqLockThreaded, ReaderNeverSeesTornSnapshot) {
  constexpr std::size_t W = 16;
  SeqLock<W> s;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    SeqLock<W>::Payload p{};
    for (uint64_t v = 1; v <= 100000; ++v) {
      for (std::size_t i = 0; i < W; ++i) p[i] = v * (i + 1);
      s.store(p);
    }
    done.store(true, std::memory_order_release);
  });
  uint64_t torn = 0, reads = 0, last = 0, backwards = 0;
  std::thread reader([&] {
    SeqLock<W>::Payload p{};
    while (!done.load(std::memory_order_acquire)) {
      if (!s.try_load(p, 1000)) continue;
      ++reads;
      for (std::size_t i = 0; i < W; ++i)
        if (p[i] != p[0] * (i + 1)) ++torn;
      if (p[0] < last) ++backwards;
      last = p[0];
    }
  });
  writer.join();
  reader.join();
  EXPECT_EQ(torn, 0u);
  EXPECT_EQ(backwards, 0u);
  SeqLock<W>::Payload p{};
  ASSERT_TRUE(s.try_load(p));
  EXPECT_EQ(p[0], 100000u);
  EXPECT_EQ(p[W - 1], 100000u * W);
}

}  // namespace
}  // namespace liqd
