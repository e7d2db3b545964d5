// Bankruptcy and fillable prices, fill settlement.
#include <gtest/gtest.h>

#include <cmath>

#include "core/policy/prices/liquidation_prices.hpp"
#include "tests/policy/test_markets.hpp"

namespace liqd::policy {
namespace {

MarketRisk dydx_like() {
  MarketRisk m = test::one_tier_market(5'000'000, 10'000'000);  // MMF 5 %, IMF 10 %
  m.has_fillable = true;
  m.bankruptcy_adjustment = Ratio(100'000'000);  // BA = 1
  m.spread_to_mmr = Ratio(150'000'000);          // SMMR = 1.5
  return m;
}

AccountRisk risk_of(const MarketRisk& m, Quote collateral, const Position& p, Price mark) {
  MarginSummary s = cross_margin(collateral, std::span<const Position>(&p, 1),
                                 std::span<const MarketRisk>(&m, 1), std::span<const Price>(&mark, 1));
  return AccountRisk{s.equity, s.mm};
}

double fillable_reference(double P, double smmr, double mmf, double ba, double tnc, double tmmr, bool lng) {
  double abr = std::fmin(1.0, std::fmax(0.0, ba * (1.0 - tnc / tmmr)));
  return lng ? P * (1.0 - smmr * mmf * abr) : P * (1.0 + smmr * mmf * abr);
}

TEST(LiquidationPrices, LongBankruptcyIsEntryMinusCollateralPerUnit) {
  MarketRisk m = dydx_like();
  Position p{};
  p.size = Qty(10000);  // 1.0
  p.entry = Price(10000);
  const Quote coll(10'000'000);
  const Price mark(9400);
  AccountRisk a = risk_of(m, coll, p, mark);
  ASSERT_EQ(a.equity.v, 4'000'000);
  ASSERT_EQ(a.mm.v, 4'700'000);
  Quote pmm = position_margin(m, p.size, mark).mm;
  EXPECT_EQ(bankruptcy_price(m, p.size, mark, pmm, a).v, 9000);  // 100 − 10 / 1
  Price f = fillable_price(m, p.size, mark, pmm, a);
  double ref = fillable_reference(94.0, 1.5, 0.05, 1.0, 4.0, 4.7, true) * 100;  // 9295.0
  EXPECT_EQ(f.v, 9296);
  EXPECT_GE(static_cast<double>(f.v), ref - 1e-6);       // toward the mark
  EXPECT_LE(static_cast<double>(f.v) - ref, 1.0 + 1e-6);  // within one tick
}

TEST(LiquidationPrices, ShortMirrors) {
  MarketRisk m = dydx_like();
  Position p{};
  p.size = Qty(-10000);
  p.entry = Price(10000);
  const Quote coll(10'000'000);
  const Price mark(10600);
  AccountRisk a = risk_of(m, coll, p, mark);
  ASSERT_EQ(a.equity.v, 4'000'000);
  ASSERT_EQ(a.mm.v, 5'300'000);
  Quote pmm = position_margin(m, p.size, mark).mm;
  EXPECT_EQ(bankruptcy_price(m, p.size, mark, pmm, a).v, 11000);  // 100 + 10 / 1
  Price f = fillable_price(m, p.size, mark, pmm, a);
  double ref = fillable_reference(106.0, 1.5, 0.05, 1.0, 4.0, 5.3, false) * 100;  // 10795.0
  EXPECT_EQ(f.v, 10794);
  EXPECT_LE(static_cast<double>(f.v), ref + 1e-6);
  EXPECT_LE(ref - static_cast<double>(f.v), 1.0 + 1e-6);
}

TEST(LiquidationPrices, UnderwaterAccountsFillableBeyondBankruptcy) {
  MarketRisk m = dydx_like();
  Position p{};
  p.size = Qty(10000);
  p.entry = Price(10000);
  const Price mark(8900);  // equity −1
  AccountRisk a = risk_of(m, Quote(10'000'000), p, mark);
  ASSERT_EQ(a.equity.v, -1'000'000);
  Quote pmm = position_margin(m, p.size, mark).mm;  // 4.45
  Price b = bankruptcy_price(m, p.size, mark, pmm, a);
  Price f = fillable_price(m, p.size, mark, pmm, a);
  EXPECT_EQ(b.v, 9000);
  EXPECT_EQ(f.v, 8233);  // 89 − 1.5 × 4.45 (ABR = 1), offset floored
  EXPECT_LT(f, b);       // the fund pays the difference
}

TEST(LiquidationPrices, CrossAccountSharesEquityByMaintenanceMargin) {
  MarketRisk ms[2] = {dydx_like(), dydx_like()};
  Position ps[2]{};
  ps[0].market = 0;
  ps[0].size = Qty(10000);   // long 1 @ 100
  ps[0].entry = Price(10000);
  ps[1].market = 1;
  ps[1].size = Qty(-30000);  // short 3 @ 100
  ps[1].entry = Price(10000);
  Price marks[2] = {Price(10000), Price(10000)};
  MarginSummary s = cross_margin(Quote(16'000'000), ps, ms, marks);
  ASSERT_EQ(s.mm.v, 20'000'000);  // 5 + 15
  AccountRisk a{s.equity, s.mm};
  // TNC 16 split 1 : 3 by MM → 4 behind the long, 12 behind the short.
  EXPECT_EQ(bankruptcy_price(ms[0], ps[0].size, marks[0], Quote(5'000'000), a).v, 9600);
  EXPECT_EQ(bankruptcy_price(ms[1], ps[1].size, marks[1], Quote(15'000'000), a).v, 10400);
}

TEST(LiquidationPrices, NoFillableConfigMeansBankruptcyBound) {
  MarketRisk m = test::one_tier_market(5'000'000, 10'000'000);
  Position p{};
  p.size = Qty(10000);
  p.entry = Price(10000);
  AccountRisk a = risk_of(m, Quote(10'000'000), p, Price(9400));
  EXPECT_EQ(fillable_price(m, p.size, Price(9400), Quote(4'700'000), a).v, 9000);
}

TEST(Settlement, FeeCappedAtSurplusShortfallBelowBankruptcy) {
  MarketRisk m = test::one_tier_market(5'000'000, 10'000'000);
  const Ratio fee(1'000'000);  // 1 %
  Settlement s = settle_close(m, true, Qty(10000), Price(9296), Price(9000), fee);
  EXPECT_EQ(s.surplus.v, 2'960'000);
  EXPECT_EQ(s.fee.v, 929'600);
  EXPECT_EQ(s.shortfall.v, 0);
  s = settle_close(m, true, Qty(10000), Price(9050), Price(9000), fee);
  EXPECT_EQ(s.fee.v, 500'000);  // 0.905 nominal, capped at the 0.50 surplus
  s = settle_close(m, true, Qty(10000), Price(8800), Price(9000), fee);
  EXPECT_EQ(s.fee.v, 0);
  EXPECT_EQ(s.shortfall.v, 2'000'000);
  s = settle_close(m, false, Qty(5000), Price(11100), Price(11000), fee);  // short bought above B
  EXPECT_EQ(s.shortfall.v, 500'000);
  s = settle_close(m, false, Qty(5000), Price(10794), Price(11000), fee);
  EXPECT_EQ(s.surplus.v, 1'030'000);
  EXPECT_EQ(s.fee.v, 539'700);
}

}  // namespace
}  // namespace liqd::policy

namespace liqd::policy {
namespace {

// 8 / 8 / 6 decimals (the `liqd risk` defaults) and a 2B collateral whale: the naive
// TNC × PMMR × 10^10 product would be ~3.4e38, beyond 128 bits.
TEST(LiquidationPrices, HugeAccountsDoNotOverflow) {
  MarketRisk m{};
  m.scale = Scale{8, 8, 6};
  m.n_tiers = 1;
  m.tiers[0].mmr = Ratio(500'000);
  m.tiers[0].imr = Ratio(1'000'000);
  Position p{};
  p.size = Qty(100'000LL * 100'000'000LL);       // 100,000 BTC
  p.entry = Price(50'000LL * 100'000'000LL);      // 50,000
  const Quote coll(2'000'000'000LL * 1'000'000LL);  // 2B USDC
  const Price mark(45'000LL * 100'000'000LL);
  MarginSummary s = cross_margin(coll, std::span<const Position>(&p, 1), std::span<const MarketRisk>(&m, 1),
                                 std::span<const Price>(&mark, 1));
  ASSERT_EQ(s.equity.v, 1'500'000'000LL * 1'000'000LL);
  const Quote pmm = position_margin(m, p.size, mark).mm;
  // Single position: B = entry − collateral / size = 50,000 − 20,000.
  EXPECT_EQ(bankruptcy_price(m, p.size, mark, pmm, AccountRisk{s.equity, s.mm}).v, 30'000LL * 100'000'000LL);
  Position sh = p;
  sh.size = -p.size;
  const Price up(55'000LL * 100'000'000LL);
  s = cross_margin(coll, std::span<const Position>(&sh, 1), std::span<const MarketRisk>(&m, 1),
                   std::span<const Price>(&up, 1));
  EXPECT_EQ(bankruptcy_price(m, sh.size, up, position_margin(m, sh.size, up).mm, AccountRisk{s.equity, s.mm}).v,
            70'000LL * 100'000'000LL);
}

}  // namespace
}  // namespace liqd::policy
