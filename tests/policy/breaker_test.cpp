// Circuit breakers (issue 5, item 6).
#include <gtest/gtest.h>

#include <vector>

#include "core/policy/breaker/circuit_breaker.hpp"

namespace liqd::policy {
namespace {

BreakerConfig two_bands() {
  BreakerConfig c{};
  c.n_bands = 2;
  c.bands[0] = BreakerBand{10'000, Ratio(1'000'000), Ratio(3'000'000)};  // 1 % / 3 % in 10 s
  c.bands[1] = BreakerBand{60'000, Ratio(3'000'000), Ratio(5'000'000)};  // 3 % / 5 % in 60 s
  c.throttle_divergence = Ratio(1'000'000);
  c.pause_divergence = Ratio(2'000'000);
  c.thin_throttle_cover = Ratio(kRatioOne);   // depth < 1 × next order
  c.thin_pause_cover = Ratio(25'000'000);     // depth < 0.25 × next order
  c.calm_ms = 30'000;
  return c;
}

BreakerInputs at(int64_t mark) {
  BreakerInputs in{};
  in.mark = Price(mark);
  in.index = Price(mark);
  return in;
}

TEST(Breaker, MarkMoveEscalatesThenStepsDownAfterCalmPeriods) {
  CircuitBreaker b(two_bands());
  std::vector<std::pair<TimeMs, BreakerChange>> changes;
  auto tick = [&](TimeMs t, int64_t mark) {
    if (auto c = b.on_tick(at(mark), t)) changes.emplace_back(t, *c);
  };
  for (TimeMs t = 0; t <= 9000; t += 1000) tick(t, 10000);
  EXPECT_TRUE(changes.empty());
  tick(10'000, 10150);  // +1.5 % within 10 s
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].second.to, MarketMode::Throttle);
  EXPECT_EQ(changes[0].second.reason, BreakerReason::MarkMove);
  EXPECT_EQ(changes[0].second.band, 0);
  EXPECT_EQ(changes[0].second.measure.v, 1'500'000);
  EXPECT_EQ(b.effects().chunk_scale.v, 50'000'000);
  EXPECT_EQ(b.effects().cooldown_mult, 2);
  tick(11'000, 10350);  // +3.5 %
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].second.from, MarketMode::Throttle);
  EXPECT_EQ(changes[1].second.to, MarketMode::Paused);
  EXPECT_EQ(changes[1].second.reason, BreakerReason::MarkMove);
  EXPECT_FALSE(b.effects().may_liquidate);
  for (TimeMs t = 12'000; t <= 120'000; t += 1000) tick(t, 10350);
  // The last 100.00 print (t = 9 s) leaves the 10 s band at ~19 s (+ one slot): PAUSED
  // until ~49 s; it stays in the 60 s band (3.5 % > 3 %) until ~69 s: THROTTLE until ~99 s.
  const TimeMs slot = b.slot_ms();
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[2].second.to, MarketMode::Throttle);
  EXPECT_EQ(changes[2].second.reason, BreakerReason::Calm);
  EXPECT_GE(changes[2].first, 19'000 + 30'000);
  EXPECT_LE(changes[2].first, 19'000 + slot + 30'000 + 1000);
  EXPECT_EQ(changes[3].second.to, MarketMode::Normal);
  EXPECT_EQ(changes[3].second.reason, BreakerReason::Calm);
  EXPECT_GE(changes[3].first, 69'000 + 30'000);
  EXPECT_LE(changes[3].first, 69'000 + slot + 30'000 + 1000);
  EXPECT_TRUE(b.effects().may_liquidate);
}

TEST(Breaker, SlowDriftBelowEveryBandStaysNormal) {
  CircuitBreaker b(two_bands());
  // 0.04 % per second: 0.4 % per 10 s, 2.4 % per 60 s — under both throttles.
  int64_t mark = 100'000;
  for (TimeMs t = 0; t <= 300'000; t += 1000) {
    EXPECT_FALSE(b.on_tick(at(mark), t).has_value()) << t;
    mark = mark * 9996 / 10000;
  }
  EXPECT_EQ(b.mode(), MarketMode::Normal);
}

TEST(Breaker, IndexMidDivergence) {
  CircuitBreaker b(two_bands());
  BreakerInputs in = at(10000);
  in.book_mid = Price(10150);  // 1.5 %
  auto c = b.on_tick(in, 0);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Throttle);
  EXPECT_EQ(c->reason, BreakerReason::Divergence);
  EXPECT_EQ(c->measure.v, 1'500'000);
  in.book_mid = Price(9790);   // 2.1 % below
  c = b.on_tick(in, 1000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Paused);
  EXPECT_EQ(c->reason, BreakerReason::Divergence);
  in.book_mid = Price(10000);
  EXPECT_FALSE(b.on_tick(in, 30'999).has_value());
  c = b.on_tick(in, 31'000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Normal);  // throttle last seen at 0 too: both calm
}

TEST(Breaker, ThinBookForTheNextOrder) {
  CircuitBreaker b(two_bands());
  BreakerInputs in = at(10000);
  in.next_order_notional = Quote(100'000'000'000);
  in.depth_within_bound = Quote(100'000'000'000);  // exactly covers: fine
  EXPECT_FALSE(b.on_tick(in, 0).has_value());
  in.depth_within_bound = Quote(80'000'000'000);
  auto c = b.on_tick(in, 1);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Throttle);
  EXPECT_EQ(c->reason, BreakerReason::ThinBook);
  EXPECT_EQ(c->measure.v, 80'000'000);
  in.depth_within_bound = Quote(10'000'000'000);
  c = b.on_tick(in, 2);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Paused);
  EXPECT_EQ(c->measure.v, 10'000'000);
}

TEST(Breaker, ManualPauseHoldsUntilManualResume) {
  CircuitBreaker b(two_bands());
  auto c = b.manual_pause(5);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Paused);
  EXPECT_EQ(c->reason, BreakerReason::ManualPause);
  for (TimeMs t = 0; t < 200'000; t += 1000) EXPECT_FALSE(b.on_tick(at(10000), t).has_value());
  EXPECT_EQ(b.mode(), MarketMode::Paused);
  c = b.manual_resume(200'000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Normal);
  EXPECT_EQ(c->reason, BreakerReason::ManualResume);
}

TEST(Breaker, OracleStaleThenPausedForACalmPeriod) {
  CircuitBreaker b(two_bands());
  EXPECT_FALSE(b.on_tick(at(10000), 500).has_value());   // a quorum first
  BreakerInputs stale{};
  stale.oracle_stale = true;
  auto c = b.on_tick(stale, 1000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Stale);
  EXPECT_EQ(c->reason, BreakerReason::OracleStale);
  EXPECT_TRUE(b.effects().cancel_in_flight);
  EXPECT_FALSE(b.effects().may_liquidate);
  EXPECT_FALSE(b.on_tick(stale, 2000).has_value());
  c = b.on_tick(at(10000), 5000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->from, MarketMode::Stale);
  EXPECT_EQ(c->to, MarketMode::Paused);
  EXPECT_EQ(c->reason, BreakerReason::OracleRecovered);
  EXPECT_FALSE(b.on_tick(at(10000), 34'999).has_value());
  c = b.on_tick(at(10000), 35'000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Normal);
}

// At start-up the sources arrive one by one: STALE until the first quorum, then
// straight to NORMAL (a restart does not hold liquidations for a calm period).
// A later loss of the quorum is a real recovery and holds PAUSED again.
TEST(Breaker, FirstQuorumAfterStartIsAWarmUpNotARecovery) {
  CircuitBreaker b(two_bands());
  BreakerInputs stale{};
  stale.oracle_stale = true;
  auto c = b.on_tick(stale, 1000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Stale);
  c = b.on_tick(at(10000), 2000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Normal);
  EXPECT_EQ(c->reason, BreakerReason::OracleRecovered);
  EXPECT_TRUE(b.effects().may_liquidate);
  ASSERT_TRUE(b.on_tick(stale, 3000));
  c = b.on_tick(at(10000), 4000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Paused);
  EXPECT_FALSE(b.effects().may_liquidate);
}

// A restart that finds the market PAUSED in the journal holds it from the start,
// then for a calm period from its first quorum (not from the journaled change: the
// new process has no mark history) and one more calm period in THROTTLE; a calm
// market after a fresh start (no restore) goes straight to NORMAL.
TEST(Breaker, RestoredPauseIsHeldForCalmPeriodsFromTheFirstQuorum) {
  CircuitBreaker b(two_bands());
  b.restore(MarketMode::Paused);
  EXPECT_EQ(b.mode(), MarketMode::Paused);
  EXPECT_FALSE(b.effects().may_liquidate);
  BreakerInputs stale{};
  stale.oracle_stale = true;
  auto c = b.on_tick(stale, 1000);  // sources still arriving
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Stale);
  c = b.on_tick(at(10000), 2000);   // first quorum: back to the held level, not NORMAL
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Paused);
  for (TimeMs t = 3000; t < 32'000; t += 1000) EXPECT_FALSE(b.on_tick(at(10000), t).has_value()) << t;
  c = b.on_tick(at(10000), 32'000);  // calm_ms (30 s) after the first quorum
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Throttle);
  EXPECT_EQ(c->reason, BreakerReason::Calm);
  for (TimeMs t = 33'000; t < 62'000; t += 1000) EXPECT_FALSE(b.on_tick(at(10000), t).has_value()) << t;
  c = b.on_tick(at(10000), 62'000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Normal);

  CircuitBreaker fresh(two_bands());
  c = fresh.on_tick(at(10000), 2000);
  EXPECT_FALSE(c.has_value());
  EXPECT_EQ(fresh.mode(), MarketMode::Normal);
}

TEST(Breaker, RestoredThrottleAndStale) {
  CircuitBreaker t(two_bands());
  t.restore(MarketMode::Throttle);
  EXPECT_EQ(t.effects().cooldown_mult, 2);
  EXPECT_FALSE(t.on_tick(at(10000), 5000).has_value());  // first tick has a quorum: stays THROTTLE
  EXPECT_FALSE(t.on_tick(at(10000), 34'000).has_value());
  auto c = t.on_tick(at(10000), 35'000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Normal);

  CircuitBreaker s(two_bands());
  s.restore(MarketMode::Stale);  // held as PAUSED: its oracle had gone before the stop
  EXPECT_EQ(s.mode(), MarketMode::Paused);
  EXPECT_FALSE(s.on_tick(at(10000), 5000).has_value());
  c = s.on_tick(at(10000), 35'000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, MarketMode::Throttle);

  CircuitBreaker n(two_bands());
  n.restore(MarketMode::Normal);
  EXPECT_EQ(n.mode(), MarketMode::Normal);
  EXPECT_FALSE(n.on_tick(at(10000), 5000).has_value());
}

}  // namespace
}  // namespace liqd::policy
