// Health index: trigger arithmetic, liquidation and recovery at the exact
// price found by brute force, ladder visits, dispatch when the out ring is full,
// sequence numbers and malformed events.
#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "core/engine/health_core.hpp"
#include "core/index/fast_margin.hpp"
#include "core/index/trigger_math.hpp"
#include "tests/core/test_markets.hpp"

namespace liqd {
namespace {

TEST(TriggerMath, MoveNeverExceedsItsShareOfTheBudget) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100000; ++i) {
    const int64_t budget = static_cast<int64_t>(rng() % 1'000'000'000'000ull);
    const i128 weight = 1 + static_cast<i128>(rng() % 1'000'000'000'000'000ull) * 100;
    const int64_t price = 1 + static_cast<int64_t>(rng() % 10'000'000'000'000ull);
    const uint64_t f = relative_move_factor(budget, weight);
    const int64_t d = move_for(price, f);
    // δ·W ≤ P·B·1e8 exactly.
    ASSERT_LE(static_cast<i128>(d) * weight, static_cast<i128>(price) * budget * 100'000'000) << i;
    ASSERT_GE(d, 0);
  }
  EXPECT_EQ(down_key(100, 100), INT64_MIN);
  EXPECT_EQ(down_key(100, 30), 70);
  EXPECT_EQ(up_key(INT64_MAX - 5, 10), INT64_MAX);
}

// The weighted split: for every unit, Σ (notional_i + 1)·c_i·δ_i / P_i ≤ B·1e8,
// checked per position as δ_i·W' ≤ P_i·g_i·B·1e8 (summing over i with
// W' = Σ (notional_i + 1)·c_i·g_i gives the unit's bound).
TEST(TriggerMath, WeightedMovesNeverExceedTheUnitsBudget) {
  std::mt19937_64 rng(2);
  for (int i = 0; i < 100000; ++i) {
    const int n = 2 + static_cast<int>(rng() % 5);
    const int64_t budget = static_cast<int64_t>(rng() % (rng() % 2 ? 1'000'000ull : 1'000'000'000'000'000ull));
    int64_t notional[8], c[8], price[8];
    int top = 0;
    for (int k = 0; k < n; ++k) {
      notional[k] = static_cast<int64_t>(rng() % (uint64_t{1} << (1 + rng() % 62)));
      c[k] = 100'000'000 + static_cast<int64_t>(rng() % 100'000'001);
      price[k] = 1 + static_cast<int64_t>(rng() % (uint64_t{1} << (1 + rng() % 62)));
      top = std::max(top, bit_length(notional[k]));
    }
    i128 w = 0;
    uint32_t g[8];
    for (int k = 0; k < n; ++k) {
      g[k] = split_weight(notional[k], top);
      ASSERT_GE(g[k], 1024u);
      w += static_cast<i128>(notional[k] + 1) * c[k] * g[k];
    }
    const uint64_t f = weighted_move_factor(budget, w);
    for (int k = 0; k < n; ++k) {
      const int64_t d = weighted_move_for(price[k], f, g[k]);
      ASSERT_GE(d, 0);
      // δ ≤ P·f·g/2^42 and f ≤ B·1e8·2^42/W'  ⇒  δ·W' ≤ P·g·B·1e8 (in exact 256-bit-free form:
      // compare δ·2^42 ≤ P·f·g and f·W' ≤ B·1e8·2^42).
      const unsigned __int128 lhs = static_cast<unsigned __int128>(d) << kSplitFracBits;
      const unsigned __int128 pf = static_cast<unsigned __int128>(price[k]) * f;  // < 2^126
      // P·f·g may exceed 128 bits: compare lhs / g ≤ P·f instead (g ≥ 1).
      ASSERT_LE(lhs / g[k], pf) << i;
    }
    ASSERT_LE(static_cast<i128>(f) * w, (static_cast<i128>(std::min<int64_t>(budget, int64_t{1} << 57)) * 100'000'000)
                                            << kSplitFracBits) << i;
  }
  EXPECT_EQ(split_weight(1000, bit_length(1000)), 1024u);
  EXPECT_EQ(split_weight(1, 31), 1024u << 10);
}

TEST(FastMargin, SameNumbersAsTheMarginEngine) {
  std::mt19937_64 rng(5);
  const int dps[][2] = {{2, 4}, {1, 6}, {4, 3}, {8, 8}, {0, 8}, {6, 2}};
  for (int k = 0; k < 12; ++k) {
    const MarketRisk m = test::standard_market(dps[k % 6][0], dps[k % 6][1], k % 2 == 1, 100 + 10 * k);
    FastMarket fm;
    fm.init(m);
    for (int i = 0; i < 20000; ++i) {
      const Qty size(static_cast<int64_t>(rng() % 4'000'000'000'000ull) - 2'000'000'000'000);
      const Price mark(std::max<int64_t>(1, static_cast<int64_t>(rng() % 100'000'000'000ull) >> (rng() % 30)));
      const PositionMargin pm = position_margin(m, size, mark);
      const u128 n = FastMarket::notional(size, mark);
      ASSERT_EQ(static_cast<i128>(n), notional_exact(size, mark));
      ASSERT_EQ(fm.tier(n), pm.tier);
      ASSERT_EQ(fm.mm(n, fm.tier(n)), pm.mm.v) << i;
      ASSERT_GE(fm.notional_upper(n), pm.notional.v);
      Position p;
      p.size = size;
      p.entry = Price(1 + static_cast<int64_t>(rng() % 100'000'000'000ull));
      p.isolated = true;
      p.isolated_margin = Quote(static_cast<int64_t>(rng() % 1'000'000'000'000ull));
      const MarginSummary iso = isolated_margin(p, m, mark);
      ASSERT_EQ(FastMarket::pnl(size, mark, p.entry), pnl_exact(size, mark, p.entry));
      ASSERT_EQ(fm.pnl_equity(size, mark, p.entry), pnl_exact(size, mark, p.entry) * fm.pow_eq);
      // The index's isolated equity: margin + floor(pnl / 10^sh).
      const i128 eq = p.isolated_margin.v + div_floor(FastMarket::pnl(size, mark, p.entry), fm.pow_sh);
      ASSERT_EQ(static_cast<int64_t>(eq), iso.equity.v) << i;
      ASSERT_EQ(eq, div_floor(static_cast<i128>(p.isolated_margin.v) * fm.pow_sh + pnl_exact(size, mark, p.entry), fm.pow_sh));
    }
  }
}

// One BTC-like market: price 2 dp, qty 3 dp; tiers per test::standard_market.
struct OneMarket {
  std::vector<MarketRisk> mk{test::standard_market(2, 4)};
  std::vector<Price> marks{Price(5'000'000)};  // 50,000.00
};

// The highest mark at which the position is liquidatable (brute force over the
// margin engine), searching down from `from`.
int64_t liq_price_long(const Position& p, Quote collateral, const OneMarket& w, int64_t from) {
  std::vector<Price> marks{Price(from)};
  std::vector<Position> v{p};
  int64_t lo = 1, hi = from;  // liquidatable at lo (assumed), not at hi
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    marks[0] = Price(mid);
    if (cross_margin(collateral, v, w.mk, marks).liquidatable()) lo = mid;
    else hi = mid;
  }
  return lo;
}

TEST(HealthCore, LongFlagsAtExactLiquidationPriceAndRecoversAboveIt) {
  OneMarket w;
  Position p;
  p.market = 0;
  p.size = Qty(20'000);  // 2 BTC, $100k notional
  p.entry = Price(5'000'000);
  const Quote collateral(10'000'000'000);  // $10k: 10x
  const int64_t liq = liq_price_long(p, collateral, w, 5'000'000);
  ASSERT_GT(liq, 4'000'000);
  ASSERT_LT(liq, 4'700'000);

  CoreConfig cfg{4, 16, 64, 12};
  HealthCore core(cfg, w.mk, w.marks, nullptr);
  std::vector<Position> v{p};
  ASSERT_TRUE(core.load_account(0, collateral, v));
  EXPECT_FALSE(core.is_flagged(0));
  int64_t ts = 0;
  // Walk down in uneven steps; the flag must appear exactly at `liq`.
  for (int64_t px = 5'000'000; px > liq - 500; px -= 37) {
    core.apply(Event::price(0, Price(px), Price(px), Price(px), ++ts));
    ASSERT_EQ(core.is_flagged(0), px <= liq) << px;
  }
  // And back up: the recovery trigger clears it exactly above `liq`.
  for (int64_t px = liq - 400; px < liq + 400; px += 13) {
    core.apply(Event::price(0, Price(px), Price(px), Price(px), ++ts));
    ASSERT_EQ(core.is_flagged(0), px <= liq) << px;
  }
  // A single big jump across and back.
  core.apply(Event::price(0, Price(1'000'000), Price(0), Price(0), ++ts));
  EXPECT_TRUE(core.is_flagged(0));
  core.apply(Event::price(0, Price(6'000'000), Price(0), Price(0), ++ts));
  EXPECT_FALSE(core.is_flagged(0));
  EXPECT_EQ(core.counters().flagged_total, 2u);
  EXPECT_EQ(core.counters().recovered_total, 2u);
  EXPECT_EQ(core.audit_step(4), 0u);
}

TEST(HealthCore, AuditCountsAndRepairsWhatTheIndexMissed) {
  OneMarket w;
  CoreConfig cfg{8, 32, 64, 12};
  HealthCore core(cfg, w.mk, w.marks, nullptr);
  Position p;
  p.size = Qty(20'000);
  p.entry = Price(5'000'000);
  std::vector<Position> v{p};
  for (AccountId a = 0; a < 8; ++a) ASSERT_TRUE(core.load_account(a, Quote(10'000'000'000), v));
  core.forget_keys_for_test(3);  // account 3 now has no live key
  core.apply(Event::price(0, Price(4'000'000), Price(0), Price(0), 1));  // −20 %: all under
  EXPECT_EQ(core.flagged().size(), 7u);
  EXPECT_FALSE(core.is_flagged(3));
  EXPECT_EQ(core.audit_step(2), 0u);  // accounts 0, 1
  EXPECT_EQ(core.audit_step(2), 1u);  // accounts 2, 3: the miss
  EXPECT_EQ(core.counters().index_missed, 1u);
  EXPECT_TRUE(core.is_flagged(3));
  // Repaired for good: it re-armed, so the way back up clears it like the others.
  core.apply(Event::price(0, Price(5'000'000), Price(0), Price(0), 2));
  EXPECT_TRUE(core.flagged().empty());
  EXPECT_EQ(core.audit_step(8), 0u);
}

TEST(HealthCore, FarTicksVisitNoEntries) {
  OneMarket w;
  CoreConfig cfg{1000, 4000, 4000, 14};
  HealthCore core(cfg, w.mk, w.marks, nullptr);
  // 1000 longs at 2x: triggers ~50 % below; 1 bp ticks never reach them.
  for (AccountId a = 0; a < 1000; ++a) {
    Position p;
    p.size = Qty(10'000 + a);
    p.entry = Price(5'000'000);
    std::vector<Position> v{p};
    ASSERT_TRUE(core.load_account(a, Quote(25'000'000'000), v));
  }
  const uint64_t evals0 = core.index_counters().evals;
  int64_t px = 5'000'000;
  for (int i = 0; i < 2000; ++i) {
    px += (i % 2 ? 500 : -500);
    core.apply(Event::price(0, Price(px), Price(0), Price(0), i));
  }
  EXPECT_EQ(core.index_counters().entries_visited, 0u);
  EXPECT_EQ(core.index_counters().evals, evals0);
  EXPECT_TRUE(core.flagged().empty());
}

TEST(HealthCore, FullOutRingDelaysButNeverLosesAnAccount) {
  OneMarket w;
  CoreConfig cfg{100, 400, 1000, 12};
  SpscRing<Candidate> out(8);
  HealthCore core(cfg, w.mk, w.marks, &out);
  for (AccountId a = 0; a < 100; ++a) {
    Position p;
    p.size = Qty(20'000);
    p.entry = Price(5'000'000);
    std::vector<Position> v{p};
    ASSERT_TRUE(core.load_account(a, Quote(5'000'000'000 + 10'000'000 * a), v));  // 20x..
  }
  core.apply(Event::price(0, Price(4'000'000), Price(0), Price(0), 1));  // −20 %: all under
  EXPECT_EQ(core.flagged().size(), 100u);
  EXPECT_GT(core.counters().out_ring_full, 0u);
  EXPECT_EQ(core.pending_dispatch(), 100u - 8u);
  std::vector<int> seen(100, 0);
  Candidate c;
  for (int round = 0; round < 30 && core.pending_dispatch() + out.size_approx() > 0; ++round) {
    while (out.try_pop(c)) {
      ASSERT_EQ(c.kind, CandidateKind::Flagged);
      ASSERT_LT(c.equity, c.mm);
      ++seen[c.account];
    }
    core.flush_dispatch();
  }
  for (int s : seen) EXPECT_EQ(s, 1);
  EXPECT_EQ(core.counters().dispatched, 100u);
}

TEST(HealthCore, SequenceNumbersAndMalformedEvents) {
  OneMarket w;
  CoreConfig cfg{4, 16, 64, 12};
  HealthCore core(cfg, w.mk, w.marks, nullptr);
  EXPECT_EQ(core.apply(Event::deposit(0, Quote(5), 1, 1)), ApplyStatus::Ok);
  EXPECT_EQ(core.apply(Event::deposit(0, Quote(5), 1, 2)), ApplyStatus::DuplicateSeq);
  EXPECT_EQ(core.apply(Event::deposit(0, Quote(5), 5, 3)), ApplyStatus::Ok);
  EXPECT_EQ(core.counters().seq_gaps, 3u);
  EXPECT_EQ(core.counters().seq_duplicates, 1u);
  EXPECT_EQ(core.store().collateral(0).v, 10);
  EXPECT_EQ(core.apply(Event::price(3, Price(1), Price(1), Price(1), 4)), ApplyStatus::BadMarket);
  EXPECT_EQ(core.apply(Event::price(0, Price(0), Price(1), Price(1), 4)), ApplyStatus::BadPrice);
  EXPECT_EQ(core.apply(Event::deposit(9, Quote(5), 6, 5)), ApplyStatus::BadAccount);
  EXPECT_EQ(core.apply(Event::withdrawal(0, Quote(-5), 7, 5)), ApplyStatus::BadAmount);
  EXPECT_EQ(core.apply(Event::mode_change(0, 0, true, Quote(1), 8, 5)), ApplyStatus::NoSuchPosition);
  EXPECT_EQ(core.counters().rejected, 6u);  // the duplicate too
  EXPECT_EQ(core.now_ns(), 5);
}

}  // namespace
}  // namespace liqd
