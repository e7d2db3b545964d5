// Insurance fund (issue 5, item 2).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/policy/fund/insurance_fund.hpp"

namespace liqd::policy {
namespace {

TEST(InsuranceFund, PaysWhatItHasAndReportsTheRest) {
  const Quote start[1] = {Quote(1'000'000'000)};  // 1,000 USDC
  InsuranceFund f(1, start);
  FundEvent e = f.receive_fee(0, Quote(2'500'000), 7, 1, 100);
  EXPECT_EQ(e.seq, 1u);
  EXPECT_EQ(e.reason, FundReason::LiquidationFee);
  EXPECT_EQ(e.balance_after.v, 1'002'500'000);
  ShortfallCover c = f.cover_shortfall(0, Quote(400'000'000), 8, 1, 200);
  EXPECT_EQ(c.paid.v, 400'000'000);
  EXPECT_EQ(c.uncovered.v, 0);
  EXPECT_EQ(c.event.delta.v, -400'000'000);
  EXPECT_EQ(c.event.balance_after.v, 602'500'000);
  c = f.cover_shortfall(0, Quote(700'000'000), 9, 1, 300);
  EXPECT_EQ(c.paid.v, 602'500'000);
  EXPECT_EQ(c.uncovered.v, 97'500'000);  // to backstop / ADL
  EXPECT_EQ(f.balance(0).v, 0);
  c = f.cover_shortfall(0, Quote(1), 9, 1, 301);
  EXPECT_EQ(c.paid.v, 0);
  EXPECT_EQ(c.event.seq, 0u);  // nothing paid, nothing journaled
  EXPECT_TRUE(f.reconciles());
}

TEST(InsuranceFund, FloorIsNeverCrossed) {
  const Quote start[1] = {Quote(100)};
  const Quote floor[1] = {Quote(40)};
  InsuranceFund f(1, start, floor);
  EXPECT_EQ(f.cover_shortfall(0, Quote(100), 1, 0, 0).paid.v, 60);
  EXPECT_EQ(f.withdraw(0, Quote(1), 1).seq, 0u);
  EXPECT_EQ(f.balance(0).v, 40);
  EXPECT_TRUE(f.reconciles());
}

// A long random journal: replaying the events alone gives the balance, and the
// balance equals start + fees − shortfalls paid, per asset, to the unit.
TEST(InsuranceFund, JournalReplayReconcilesExactly) {
  const Quote start[2] = {Quote(5'000'000'000), Quote(0)};
  InsuranceFund f(2, start);
  std::vector<FundEvent> journal = {f.start_event(0), f.start_event(1)};
  std::mt19937_64 rng(42);
  int64_t fees[2] = {0, 0}, paid[2] = {0, 0};
  for (int i = 0; i < 20'000; ++i) {
    const int a = static_cast<int>(rng() % 2);
    if (rng() % 3 == 0) {
      Quote s(static_cast<int64_t>(rng() % 50'000'000));
      ShortfallCover c = f.cover_shortfall(a, s, rng() % 1000, 0, i);
      EXPECT_EQ(c.paid + c.uncovered, s);
      paid[a] += c.paid.v;
      if (c.event.seq) journal.push_back(c.event);
    } else {
      Quote fee(static_cast<int64_t>(rng() % 20'000'000));
      journal.push_back(f.receive_fee(a, fee, rng() % 1000, 0, i));
      fees[a] += fee.v;
    }
  }
  int64_t replay[2] = {0, 0};
  uint64_t last_seq = 0;
  for (const FundEvent& e : journal) {
    replay[e.asset] += e.delta.v;
    EXPECT_EQ(replay[e.asset], e.balance_after.v);
    if (e.seq) {
      EXPECT_EQ(e.seq, last_seq + 1);
      last_seq = e.seq;
    }
  }
  for (int a = 0; a < 2; ++a) {
    EXPECT_EQ(replay[a], f.balance(a).v);
    EXPECT_EQ(f.balance(a).v, start[a].v + fees[a] - paid[a]);
    EXPECT_EQ(f.fees(a).v, fees[a]);
    EXPECT_EQ(f.shortfalls_paid(a).v, paid[a]);
    EXPECT_GE(f.balance(a).v, 0);
  }
  EXPECT_TRUE(f.reconciles());
}

}  // namespace
}  // namespace liqd::policy
