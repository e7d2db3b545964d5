// Liquidation planner (issue 5, item 1).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/policy/planner/planner.hpp"
#include "core/policy/prices/liquidation_prices.hpp"
#include "tests/policy/test_markets.hpp"

namespace liqd::policy {
namespace {

// 5 % MM, 10 % IM, 1 % liquidation fee, lot 0.01, SMMR 0 so the fillable price is
// the mark (the arithmetic below is then exact by hand).
MarketRisk clean_market(int64_t fee = 1'000'000) {
  MarketRisk m = test::one_tier_market(5'000'000, 10'000'000, fee);
  m.lot = Qty(100);
  m.has_fillable = true;
  m.bankruptcy_adjustment = Ratio(kRatioOne);
  m.spread_to_mmr = Ratio(0);
  return m;
}

struct World {
  std::vector<MarketRisk> risk;
  std::vector<Price> marks;
  std::vector<BreakerEffects> effects;
  std::vector<MarketLiqConfig> liq;
  PlannerConfig cfg{};
  World(int n_markets = 1) {
    for (int i = 0; i < n_markets; ++i) {
      risk.push_back(clean_market());
      marks.push_back(Price(9400));
      effects.push_back(BreakerEffects{});
      liq.push_back(MarketLiqConfig{});
    }
  }
  MarketsView view() const { return MarketsView{risk, marks, effects}; }
};

// Long 10.0 @ 100 with 70 collateral; at 94: equity 10, MM 47.
struct Acct {
  Quote collateral{70'000'000};
  std::vector<Position> pos;
  uint32_t resting = 0;
  Acct() {
    Position p{};
    p.market = 0;
    p.size = Qty(100'000);
    p.entry = Price(10000);
    pos.push_back(p);
  }
  AccountView view() const { return AccountView{1, collateral, pos, resting}; }
  // Apply a fill of the liquidation order at `px` with the fee (caller side).
  void fill(const LiqOrder& o, Price px, const MarketRisk& m) {
    Position& p = pos[0];
    const int sign = p.size.v > 0 ? 1 : -1;
    const i128 pnl = static_cast<i128>(o.qty.v) * sign * (static_cast<i128>(px.v) - p.entry.v);
    collateral += Quote(static_cast<int64_t>(div_round(pnl, 1, Round::Floor)));  // shift 0 in these markets
    collateral -= mul_quote_ratio(mul_qty_price(o.qty, px, m.scale, Round::Ceil), m.liquidation_fee, Round::Ceil);
    p.size = Qty(p.size.v - sign * o.qty.v);
  }
};

bool meets_target(const Acct& a, const World& w, int64_t buffer) {
  MarginSummary s = cross_margin(a.collateral, a.pos, w.risk, w.marks);
  return static_cast<i128>(s.equity.v) * kRatioOne >= static_cast<i128>(s.mm.v) * (kRatioOne + buffer);
}

TEST(Planner, HealthyAccountIsLeftAlone) {
  World w;
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  w.marks[0] = Price(9600);
  a.collateral = Quote(100'000'000);  // equity 60, MM 48
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 0);
  EXPECT_EQ(p.action, PlanAction::None);
  EXPECT_FALSE(st.in_mode);
}

TEST(Planner, CancelsRestingOrdersFirst) {
  World w;
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  a.resting = 3;
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 0);
  EXPECT_TRUE(p.entered_mode);
  EXPECT_EQ(p.action, PlanAction::CancelOrders);
  EXPECT_EQ(p.why, PlanWhy::RestingOrders);
  a.resting = 0;
  EXPECT_EQ(pl.plan(a.view(), st, w.view(), 1).action, PlanAction::Orders);
}

// q ≥ (1.1 × 5 % × 94 × 10 − 10) / (94 × (1.1 × 5 % − 1 %)) = 41.7 / 4.23 = 9.858… → 9.86.
TEST(Planner, PartialCloseIsTheSmallestThatRestoresTheTarget) {
  World w;
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 0);
  ASSERT_EQ(p.action, PlanAction::Orders);
  ASSERT_EQ(p.n_orders, 1);
  const LiqOrder& o = p.orders[0];
  EXPECT_EQ(o.why, PlanWhy::Partial);
  EXPECT_EQ(o.qty.v, 98'600);
  EXPECT_TRUE(o.close_long);
  EXPECT_TRUE(o.reduce_only);
  EXPECT_TRUE(o.ioc);
  EXPECT_FALSE(o.full_close);
  EXPECT_EQ(o.limit.v, 9400);       // SMMR 0: fillable = mark
  EXPECT_EQ(o.bankruptcy.v, 9300);  // 94 − 10 / 10
  // Independently: fill it and the account meets the target; one lot less would not.
  Acct after = a, less = a;
  after.fill(o, o.limit, w.risk[0]);
  EXPECT_TRUE(meets_target(after, w, w.cfg.target_buffer.v));
  LiqOrder o2 = o;
  o2.qty = Qty(o.qty.v - 100);
  less.fill(o2, o.limit, w.risk[0]);
  EXPECT_FALSE(meets_target(less, w, w.cfg.target_buffer.v));
  // After the fill the account leaves liquidation mode (hysteresis satisfied).
  Plan p2 = pl.plan(after.view(), st, w.view(), 1);
  EXPECT_EQ(p2.action, PlanAction::ExitMode);
  EXPECT_FALSE(st.in_mode);
}

TEST(Planner, HysteresisKeepsLiquidatingBetweenMmAndTarget) {
  World w;
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  AccountLiqState st{};
  ASSERT_EQ(pl.plan(a.view(), st, w.view(), 0).action, PlanAction::Orders);
  ASSERT_TRUE(st.in_mode);
  // Price recovers to 95.10 and 28 is deposited: equity 49, MM 47.55: above MM,
  // below MM × 1.1 = 52.3.
  w.marks[0] = Price(9510);
  a.collateral = Quote(98'000'000);
  Plan p = pl.plan(a.view(), st, w.view(), 1);
  EXPECT_EQ(p.action, PlanAction::Orders);  // a fresh account there would be left alone
  AccountLiqState fresh{};
  EXPECT_EQ(pl.plan(a.view(), fresh, w.view(), 1).action, PlanAction::None);
  // At 96.00 with extra collateral: equity 70 − 40 + 30 = 60 ≥ 1.1 × 48 = 52.8 → leaves.
  w.marks[0] = Price(9600);
  a.collateral = Quote(100'000'000);
  EXPECT_EQ(pl.plan(a.view(), st, w.view(), 2).action, PlanAction::ExitMode);
}

TEST(Planner, FeeThatEatsTheSurplusMeansFullClose) {
  World w;
  w.risk[0] = clean_market(6'000'000);  // 6 % fee > 1.1 × 5 %: a partial close only hurts
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 0);
  ASSERT_EQ(p.n_orders, 1);
  EXPECT_EQ(p.orders[0].why, PlanWhy::FullTargetUnreachable);
  EXPECT_TRUE(p.orders[0].full_close);
  EXPECT_EQ(p.orders[0].qty.v, 100'000);
}

TEST(Planner, SmallOrDeepUnderwaterAccountsAreClosedFully) {
  World w;
  w.cfg.small_account_notional = Quote(1'000'000'000);  // ≤ 1,000 notional
  {
    Planner pl(w.cfg, w.liq, nullptr);
    Acct a;
    AccountLiqState st{};
    Plan p = pl.plan(a.view(), st, w.view(), 0);
    ASSERT_EQ(p.n_orders, 1);
    EXPECT_EQ(p.orders[0].why, PlanWhy::FullSmallAccount);
    EXPECT_EQ(p.orders[0].qty.v, 100'000);
  }
  w.cfg.small_account_notional = Quote(0);
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  a.collateral = Quote(50'000'000);  // equity 50 − 60 = −10
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 0);
  ASSERT_EQ(p.n_orders, 1);
  EXPECT_EQ(p.orders[0].why, PlanWhy::FullDeepUnderwater);
  EXPECT_TRUE(p.orders[0].full_close);
}

TEST(Planner, OrderNotionalCapAndThrottle) {
  World w;
  w.liq[0].max_order_notional = Quote(200'000'000);  // 200 / 94 = 2.127… → 2.12
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 0);
  ASSERT_EQ(p.n_orders, 1);
  EXPECT_EQ(p.orders[0].qty.v, 21'200);
  EXPECT_EQ(p.orders[0].why, PlanWhy::Partial);
  w.effects[0].chunk_scale = Ratio(50'000'000);  // THROTTLE: 100 / 94 → 1.06
  p = pl.plan(a.view(), st, w.view(), 0);
  EXPECT_EQ(p.orders[0].qty.v, 10'600);
  w.effects[0].may_liquidate = false;  // PAUSED
  p = pl.plan(a.view(), st, w.view(), 0);
  EXPECT_EQ(p.action, PlanAction::Wait);
  EXPECT_EQ(p.why, PlanWhy::WaitMarketPaused);
}

TEST(Planner, OneOrderInFlightPerMarketUntilEndOrTimeout) {
  World w;
  w.liq[0].max_order_notional = Quote(200'000'000);
  w.cfg.order_timeout_ms = 5000;
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 0);
  pl.on_dispatched(st, p.orders[0], 0);
  Plan q = pl.plan(a.view(), st, w.view(), 100);
  EXPECT_EQ(q.action, PlanAction::Wait);
  EXPECT_EQ(q.why, PlanWhy::WaitInFlight);
  EXPECT_EQ(pl.plan(a.view(), st, w.view(), 5001).action, PlanAction::Orders);  // timed out
  pl.on_order_end(st, 0, p.orders[0].qty, 200);
  EXPECT_EQ(pl.plan(a.view(), st, w.view(), 300).action, PlanAction::Orders);
}

TEST(Planner, MarketCapacityPerWindowAndCreditForUnfilled) {
  World w;
  w.liq[0].max_order_notional = Quote(200'000'000);
  w.liq[0].window_capacity = Qty(30'000);  // 3.0 per 60 s
  w.liq[0].window_ms = 60'000;
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 0);
  ASSERT_EQ(p.orders[0].qty.v, 21'200);
  pl.on_dispatched(st, p.orders[0], 0);
  pl.on_order_end(st, 0, Qty(0), 10);  // nothing filled: capacity comes back
  EXPECT_EQ(pl.market_window_used(0, 10), 0);
  EXPECT_EQ(st.no_liquidity_mask, 1u);
  EXPECT_EQ(pl.plan(a.view(), st, w.view(), 20).why, PlanWhy::WaitNoFillBackoff);  // 500 ms after the empty IOC
  p = pl.plan(a.view(), st, w.view(), 510);
  ASSERT_EQ(p.orders[0].qty.v, 21'200);
  pl.on_dispatched(st, p.orders[0], 510);
  pl.on_order_end(st, 0, p.orders[0].qty, 520);
  a.fill(p.orders[0], p.orders[0].limit, w.risk[0]);
  EXPECT_EQ(st.no_liquidity_mask, 0u);
  p = pl.plan(a.view(), st, w.view(), 530);
  ASSERT_EQ(p.n_orders, 1);
  EXPECT_EQ(p.orders[0].qty.v, 8'800);  // 3.0 − 2.12 left in the window
  pl.on_dispatched(st, p.orders[0], 530);
  pl.on_order_end(st, 0, p.orders[0].qty, 540);
  a.fill(p.orders[0], p.orders[0].limit, w.risk[0]);
  p = pl.plan(a.view(), st, w.view(), 550);
  EXPECT_EQ(p.action, PlanAction::Wait);
  EXPECT_EQ(p.why, PlanWhy::WaitMarketCapacity);
  // One window (+ one bucket) later the capacity is back.
  p = pl.plan(a.view(), st, w.view(), 60'000 + 1000 + 60);
  EXPECT_EQ(p.action, PlanAction::Orders);
}

// An empty book is not hit once per tick: each IOC that fills nothing doubles the
// wait in that market (500, 1000, 2000 ms ... capped at 3000 here); any fill clears
// it, and another market of the same account is not held back.
TEST(Planner, NoFillBackoffDoublesUpToTheCapAndAFillClearsIt) {
  World w(2);
  w.cfg.no_fill_backoff_ms = 500;
  w.cfg.no_fill_backoff_max_ms = 3'000;
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  Position second = a.pos[0];
  second.market = 1;
  a.pos.push_back(second);
  a.collateral = Quote(140'000'000);  // both markets: equity 20, MM 94
  AccountLiqState st{};
  TimeMs t = 0;
  const TimeMs want_wait[] = {500, 1'000, 2'000, 3'000, 3'000};
  for (TimeMs wait : want_wait) {
    Plan p = pl.plan(a.view(), st, w.view(), t);
    ASSERT_EQ(p.action, PlanAction::Orders) << "at " << t;
    const LiqOrder* in0 = nullptr;
    for (int i = 0; i < p.n_orders; ++i)
      if (p.orders[i].market == 0) in0 = &p.orders[i];
    ASSERT_NE(in0, nullptr) << "at " << t;
    pl.on_dispatched(st, *in0, t);
    pl.on_order_end(st, 0, Qty(0), t);  // the book had nothing within the limit
    Plan q = pl.plan(a.view(), st, w.view(), t + wait - 1);
    for (int i = 0; i < q.n_orders; ++i) EXPECT_NE(q.orders[i].market, 0u) << "market 0 retried early at " << t;
    ASSERT_EQ(q.action, PlanAction::Orders);  // market 1 is not held back
    EXPECT_EQ(q.orders[0].market, 1u);
    t += wait;
  }
  // A fill ends the back-off: the next empty IOC waits the base again.
  Plan p = pl.plan(a.view(), st, w.view(), t);
  ASSERT_EQ(p.orders[0].market, 0u);
  pl.on_dispatched(st, p.orders[0], t);
  pl.on_order_end(st, 0, Qty(100), t);
  p = pl.plan(a.view(), st, w.view(), t);
  ASSERT_EQ(p.orders[0].market, 0u);
  pl.on_dispatched(st, p.orders[0], t);
  pl.on_order_end(st, 0, Qty(0), t);
  EXPECT_EQ(pl.plan(a.view(), st, w.view(), t + 499).orders[0].market, 1u);
  p = pl.plan(a.view(), st, w.view(), t + 500);
  EXPECT_EQ(p.orders[0].market, 0u);
}

TEST(Planner, SynthetixCapacityFormula) {
  // (0.0002 + 0.0006) × 1,000,000 × 1.0 = 800 (units of the size).
  EXPECT_EQ(synthetix_window_capacity(Ratio(20'000), Ratio(60'000), Qty(1'000'000), Ratio(kRatioOne)).v, 800);
}

TEST(Planner, GlobalCapPerMinuteAcrossAccounts) {
  World w;
  w.cfg.global_cap_per_minute = Quote(300'000'000);  // 300 notional per minute
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a, b;
  AccountLiqState sa{}, sb{};
  Plan p = pl.plan(a.view(), sa, w.view(), 0);
  ASSERT_EQ(p.orders[0].qty.v, 31'900);  // 300 / 94 = 3.19
  pl.on_dispatched(sa, p.orders[0], 0);
  Plan q = pl.plan(b.view(), sb, w.view(), 1);
  EXPECT_EQ(q.action, PlanAction::Wait);
  EXPECT_EQ(q.why, PlanWhy::WaitGlobalCap);
  EXPECT_EQ(pl.plan(b.view(), sb, w.view(), 62'000).action, PlanAction::Orders);
}

TEST(Planner, LargeAccountsChunkAndCoolDown) {
  World w;
  w.cfg.large_account_notional = Quote(500'000'000);  // 940 > 500
  w.cfg.large_chunk_fraction = Ratio(20'000'000);
  w.cfg.cooldown_ms = 30'000;
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 100'000);
  ASSERT_EQ(p.orders[0].qty.v, 20'000);  // 20 % of 10.0
  pl.on_dispatched(st, p.orders[0], 100'000);
  pl.on_order_end(st, 0, p.orders[0].qty, 100'500);
  a.fill(p.orders[0], p.orders[0].limit, w.risk[0]);
  Plan q = pl.plan(a.view(), st, w.view(), 110'000);
  EXPECT_EQ(q.action, PlanAction::Wait);
  EXPECT_EQ(q.why, PlanWhy::WaitCooldown);
  w.effects[0].cooldown_mult = 2;  // THROTTLE doubles it
  EXPECT_EQ(pl.plan(a.view(), st, w.view(), 130'600).why, PlanWhy::WaitCooldown);
  w.effects[0].cooldown_mult = 1;
  q = pl.plan(a.view(), st, w.view(), 130'600);
  ASSERT_EQ(q.action, PlanAction::Orders);
  EXPECT_EQ(q.orders[0].qty.v, 16'000);  // 20 % of the remaining 8.0
}

TEST(Planner, RiskiestPositionFirstAndStopsWhenTargetReached) {
  World w(2);
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  a.pos[0].size = Qty(20'000);  // market 0: long 2.0 (MM 9.4)
  Position big{};
  big.market = 1;
  big.size = Qty(-100'000);     // market 1: short 10.0 @ 88 (MM 47)
  big.entry = Price(8800);
  a.pos.push_back(big);
  a.collateral = Quote(0);
  // equity: 2 × (94 − 100) + (−10) × (94 − 88) = −12 − 60 → set collateral for equity 40.
  a.collateral = Quote(112'000'000);
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 0);
  ASSERT_EQ(p.action, PlanAction::Orders);
  EXPECT_EQ(p.orders[0].market, 1u);  // larger MM first
  EXPECT_FALSE(p.orders[0].close_long);
  EXPECT_EQ(p.n_orders, 1);           // closing part of it reaches the target
  // q ≥ (1.1 × 56.4 − 40) / (94 × 0.045) = 22.04 / 4.23 = 5.21…
  EXPECT_EQ(p.orders[0].qty.v, 52'200);
}

TEST(Planner, BackstopBelowTwoThirdsAndAfterNoLiquidity) {
  World w;
  BackstopConfig bc{};
  bc.max_notional = {Quote(1'000'000'000'000)};
  Planner pl(w.cfg, w.liq, &bc);
  Acct a;
  a.collateral = Quote(95'000'000);  // equity 35 ≥ 2/3 × 47: no backstop, but liquidatable (35 < 47)
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 0);
  ASSERT_EQ(p.orders[0].kind, OrderKind::Ioc);
  pl.on_dispatched(st, p.orders[0], 0);
  pl.on_order_end(st, 0, Qty(0), 5);  // no liquidity within the fillable price
  p = pl.plan(a.view(), st, w.view(), 10);
  ASSERT_EQ(p.n_orders, 1);
  EXPECT_EQ(p.orders[0].kind, OrderKind::BackstopTransfer);
  EXPECT_EQ(p.orders[0].why, PlanWhy::BackstopNoLiquidity);
  EXPECT_EQ(p.orders[0].limit.v, 9050);  // bankruptcy 94 − 35 / 10
  EXPECT_EQ(p.orders[0].qty.v, 100'000);
  // The vault refuses part of it: back to the market for this position.
  pl.on_dispatched(st, p.orders[0], 10);
  pl.on_order_end(st, 0, Qty(40'000), 11);
  EXPECT_EQ(pl.plan(a.view(), st, w.view(), 12).orders[0].kind, OrderKind::Ioc);

  Acct b;
  b.collateral = Quote(80'000'000);  // equity 20 < 2/3 × 47 = 31.3
  AccountLiqState sb{};
  p = pl.plan(b.view(), sb, w.view(), 0);
  ASSERT_EQ(p.n_orders, 1);
  EXPECT_EQ(p.orders[0].why, PlanWhy::BackstopEquity);
  EXPECT_EQ(p.orders[0].limit.v, 9200);
}

TEST(Planner, RevalidateAfterDepositShrinksOrDropsTheOrder) {
  World w;
  Planner pl(w.cfg, w.liq, nullptr);
  Acct a;
  AccountLiqState st{};
  Plan p = pl.plan(a.view(), st, w.view(), 0);
  LiqOrder o = p.orders[0];
  a.collateral += Quote(20'000'000);  // deposit while in flight: equity 30
  ASSERT_TRUE(pl.revalidate(o, a.view(), st, w.view(), 1));
  EXPECT_LT(o.qty.v, p.orders[0].qty.v);
  a.collateral += Quote(100'000'000);  // now far above target
  EXPECT_FALSE(pl.revalidate(o, a.view(), st, w.view(), 2));
  EXPECT_FALSE(st.in_mode);
}

// Brute force: for random single-position accounts (with a real fillable spread),
// the planned partial, filled at its limit with the fee, meets the target and
// one lot less does not; full closes happen only when even all of it does not.
TEST(Planner, PartialSizeIsMinimalAgainstSimulatedFills) {
  std::mt19937_64 rng(11);
  int partials = 0, fulls = 0;
  for (int it = 0; it < 400; ++it) {
    World w;
    w.risk[0].spread_to_mmr = Ratio(static_cast<int64_t>(rng() % 150'000'000));
    w.risk[0].liquidation_fee = Ratio(static_cast<int64_t>(rng() % 3'000'000));
    w.cfg.target_buffer = Ratio(static_cast<int64_t>(rng() % 30'000'000));
    Planner pl(w.cfg, w.liq, nullptr);
    Acct a;
    const bool lng = rng() % 2 == 0;
    a.pos[0].size = Qty((lng ? 1 : -1) * static_cast<int64_t>(100 * (1 + rng() % 2000)));
    a.pos[0].entry = Price(9000 + static_cast<int64_t>(rng() % 1000));
    const i128 notional = static_cast<i128>(a.pos[0].size.v < 0 ? -a.pos[0].size.v : a.pos[0].size.v) * 9400;
    const i128 pnl = static_cast<i128>(a.pos[0].size.v) * (9400 - a.pos[0].entry.v);
    // equity between 1 % and 5 % of notional: liquidatable, not deep.
    const i128 eq = notional / 100 + static_cast<i128>(rng() % static_cast<uint64_t>(notional * 4 / 100));
    a.collateral = Quote(static_cast<int64_t>(eq - pnl));
    AccountLiqState st{};
    Plan p = pl.plan(a.view(), st, w.view(), 0);
    ASSERT_EQ(p.action, PlanAction::Orders);
    const LiqOrder o = p.orders[0];
    Acct at = a;
    at.fill(o, o.limit, w.risk[0]);
    if (o.why == PlanWhy::Partial) {
      ++partials;
      EXPECT_TRUE(meets_target(at, w, w.cfg.target_buffer.v)) << it;
      if (o.qty.v > 100) {
        Acct less = a;
        LiqOrder o2 = o;
        o2.qty = Qty(o.qty.v - 100);
        less.fill(o2, o.limit, w.risk[0]);
        EXPECT_FALSE(meets_target(less, w, w.cfg.target_buffer.v)) << it;
      }
    } else {
      ++fulls;
      EXPECT_EQ(o.why, PlanWhy::FullTargetUnreachable);
      EXPECT_TRUE(o.full_close);
      // Closing all but one lot would not have reached the target either.
      Acct less = a;
      LiqOrder o2 = o;
      o2.qty = Qty(o.qty.v - 100);
      if (o2.qty.v > 0) {
        less.fill(o2, o.limit, w.risk[0]);
        EXPECT_FALSE(meets_target(less, w, w.cfg.target_buffer.v)) << it;
      }
    }
  }
  EXPECT_GT(partials, 50);
  EXPECT_GT(fulls, 5);
}

}  // namespace
}  // namespace liqd::policy
