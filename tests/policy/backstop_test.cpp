// Backstop vault (issue 5, item 3).
#include <gtest/gtest.h>

#include "core/policy/backstop/backstop_vault.hpp"
#include "tests/policy/test_markets.hpp"

namespace liqd::policy {
namespace {

TEST(Backstop, DueBelowTwoThirdsOfMaintenanceOrWithoutLiquidity) {
  BackstopConfig cfg{};
  const Quote mm(4'700'000);  // 4.70; 2/3 of it is 3.1333…
  EXPECT_EQ(backstop_due(Quote(3'133'333), mm, cfg, false), BackstopWhy::EquityBelowThreshold);
  EXPECT_EQ(backstop_due(Quote(3'133'334), mm, cfg, false), BackstopWhy::None);
  EXPECT_EQ(backstop_due(Quote(4'000'000), mm, cfg, true), BackstopWhy::NoLiquidity);
  EXPECT_EQ(backstop_due(Quote(-1), mm, cfg, false), BackstopWhy::EquityBelowThreshold);
}

struct VaultCase {
  MarketRisk m = test::one_tier_market(5'000'000, 10'000'000);
  Price mark{9400};
  BackstopConfig cfg{};
  BackstopVault v{};
  VaultCase(int64_t collateral, int64_t cap) {
    m.lot = Qty(100);  // 0.01
    cfg.max_notional = {Quote(cap)};
    cfg.margin_buffer = Ratio(10'000'000);
    v.collateral = Quote(collateral);
  }
  Qty cap(Qty size, Price price) {
    return backstop_capacity(v, cfg, std::span<const MarketRisk>(&m, 1), std::span<const Price>(&mark, 1), 0,
                             size, price);
  }
};

TEST(Backstop, PerMarketNotionalCapBinds) {
  VaultCase s(1'000'000'000, 5'000'000'000);  // 1,000 collateral; 5,000 cap
  // 5,000 / 94 = 53.19… → 53.19 (53.20 × 94 = 5,000.80 > cap).
  EXPECT_EQ(s.cap(Qty(1'000'000), Price(9000)).v, 531'900);
  // A short is taken the same way (mirror).
  EXPECT_EQ(s.cap(Qty(-1'000'000), Price(9800)).v, -531'900);
  // Smaller than the cap: all of it.
  EXPECT_EQ(s.cap(Qty(100'000), Price(9000)).v, 100'000);
}

TEST(Backstop, OwnMarginBinds) {
  VaultCase s(100'000'000, INT64_MAX);  // 100 collateral, no notional cap
  // equity 100 + 4q ≥ 1.1 × 5 % × 94 q = 5.17 q  ⇔  q ≤ 85.47…
  Qty q = s.cap(Qty(1'000'000), Price(9000));
  EXPECT_EQ(q.v, 854'700);
  // Brute force: every size up to q passes and the next lot does not.
  s.cfg.margin_buffer = Ratio(10'000'000);
  BackstopVault after = s.v;
  backstop_apply(after, s.m, 0, Qty(854'700), Price(9000));
  MarginSummary a = cross_margin(after.collateral, after.positions, std::span<const MarketRisk>(&s.m, 1),
                                 std::span<const Price>(&s.mark, 1));
  EXPECT_EQ(a.equity.v, 100'000'000 + 341'880'000);  // gains 85.47 × (94 − 90)
  EXPECT_GE(static_cast<i128>(a.equity.v) * 100, static_cast<i128>(a.mm.v) * 110);
  BackstopVault over = s.v;
  backstop_apply(over, s.m, 0, Qty(854'800), Price(9000));
  MarginSummary o = cross_margin(over.collateral, over.positions, std::span<const MarketRisk>(&s.m, 1),
                                 std::span<const Price>(&s.mark, 1));
  EXPECT_LT(static_cast<i128>(o.equity.v) * 100, static_cast<i128>(o.mm.v) * 110);
}

TEST(Backstop, CapacityProbesLeaveTheVaultAsItWas) {
  // backstop_capacity applies each bisection probe to the vault and undoes it:
  // the same answer twice, and the vault (collateral, position) untouched.
  VaultCase s(100'000'000, INT64_MAX);
  backstop_apply(s.v, s.m, 0, Qty(-200'000), Price(9300));  // the vault already holds a short
  const BackstopVault before = s.v;
  const Qty first = s.cap(Qty(1'000'000), Price(9000));
  EXPECT_GT(first.v, 0);
  EXPECT_EQ(s.v.collateral.v, before.collateral.v);
  ASSERT_EQ(s.v.positions.size(), before.positions.size());
  EXPECT_EQ(s.v.positions[0].size.v, before.positions[0].size.v);
  EXPECT_EQ(s.v.positions[0].entry.v, before.positions[0].entry.v);
  EXPECT_EQ(s.cap(Qty(1'000'000), Price(9000)).v, first.v);
}

TEST(Backstop, TransferAtBankruptcyBooksMarkMinusBankruptcy) {
  VaultCase s(1'000'000'000, 5'000'000'000);
  backstop_apply(s.v, s.m, 0, Qty(-20'000), Price(11000));  // takes a short of 2 at 110 while mark 94
  MarginSummary a = cross_margin(s.v.collateral, s.v.positions, std::span<const MarketRisk>(&s.m, 1),
                                 std::span<const Price>(&s.mark, 1));
  EXPECT_EQ(a.equity.v, 1'000'000'000 + 32'000'000);  // 2 × (110 − 94)
  EXPECT_EQ(s.v.positions[0].size.v, -20'000);
  // A market without a configured cap is not backstopped at all.
  s.cfg.max_notional = {Quote(0)};
  EXPECT_EQ(s.cap(Qty(10'000), Price(9000)).v, 0);
}

}  // namespace
}  // namespace liqd::policy
