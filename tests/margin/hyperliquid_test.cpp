// Hyperliquid: maintenance margin is half the initial margin at max leverage,
// tiers with a maintenance deduction, and the liquidation price.
//
// Sources (Hyperliquid Docs, hyperliquid.gitbook.io/hyperliquid-docs):
//  [TIERS] trading/margin-tiers: "maintenance_margin = notional_position_value *
//          maintenance_margin_rate - maintenance_deduction"; "maintenance_margin_rate
//          (tier = n) = (Initial Margin Rate at Maximum leverage at tier n) / 2. For
//          example, at 20x max leverage, maintenance_margin_rate = 2.5%";
//          maintenance_deduction(0) = 0, maintenance_deduction(n) = maintenance_deduction
//          (n−1) + notional_position_lower_bound(n) × (mmr(n) − mmr(n−1)). Mainnet BTC:
//          0–150M at 40x, >150M at 20x; ETH: 0–100M at 25x, >100M at 15x.
//  [LIQ]   trading/liquidations: "liq_price = price - side * margin_available /
//          position_size / (1 - l * side)", l = 1 / MAINTENANCE_LEVERAGE, side = 1 for
//          long and -1 for short, margin_available = account_value -
//          maintenance_margin_required (cross) or isolated_margin -
//          maintenance_margin_required (isolated).
#include "margin_fixtures.hpp"

namespace liqd::test {
namespace {

// Initial ratio at max leverage L is 1/L; maintenance is half of it.
MarketRisk hl_btc() { return market({{"150000000", "0.025", "0.0125"}, {nullptr, "0.05", "0.025"}}); }
MarketRisk hl_eth() { return market({{"100000000", "0.04", "0.02"}, {nullptr, "0.0666666", "0.0333333"}}); }

TEST(Hyperliquid, MaintenanceIsHalfOfInitialAtMaxLeverage) {
  MarketRisk m = hl_btc();
  for (int t = 0; t < m.n_tiers; ++t)
    EXPECT_EQ(m.tiers[static_cast<size_t>(t)].mmr.v * 2, m.tiers[static_cast<size_t>(t)].imr.v);
  // [TIERS] "at 20x max leverage, maintenance_margin_rate = 2.5%".
  EXPECT_EQ(m.tiers[1].mmr.v, units("0.025", kRatioDp));
}

TEST(Hyperliquid, TierDeductionKeepsMarginContinuous) {
  MarketRisk m = hl_btc();
  // [TIERS] deduction(1) = 0 + 150,000,000 × (2.5% − 1.25%) = 1,875,000.
  EXPECT_EQ(m.tiers[1].mm_deduction_w, static_cast<i128>(units("1875000", 6)) * kRatioOne);
  EXPECT_EQ(mm_jump_at_boundary(m, 0), 0);
  // At the boundary both tiers give 150M × 1.25% = 1,875,000; above it 2.5% applies:
  // 200M × 2.5% − 1,875,000 = 3,125,000.
  EXPECT_EQ(money(position_margin(m, Qty(units("3000", 8)), Price(units("50000", 8))).mm, m), "1875000");
  PositionMargin pm = position_margin(m, Qty(units("4000", 8)), Price(units("50000", 8)));
  EXPECT_EQ(pm.tier, 1);
  EXPECT_EQ(money(pm.mm, m), "3125000");
}

TEST(Hyperliquid, IsolatedLongLiquidationPrice) {
  // Isolated long 1 BTC at 60,000, mark 60,000, isolated margin 6,000 (10x).
  // MM = 60,000 × 1.25% = 750; margin_available = 6,000 − 750 = 5,250; l = 1/80.
  // [LIQ] liq = 60,000 − 1 × 5,250 / 1 / (1 − 0.0125) = 54,683.544303797...
  Account a{{hl_btc()}, {}, Quote(0), {}};
  a.marks = {a.price(0, "60000")};
  size_t i = a.isolated(0, "1", "60000", "6000");
  MaybePrice lp = liquidation_price(a.view(), i);
  EXPECT_EQ(price_str(lp, a.markets[0]), "54683.5443038");  // 54,683.54430380
  EXPECT_EQ(cents(lp, a.markets[0]), "54683.54");
}

TEST(Hyperliquid, IsolatedShortLiquidationPrice) {
  // Isolated short 2 ETH at 3,000, mark 3,000, isolated margin 600 (10x).
  // MM = 6,000 × 2% = 120; margin_available = 480; l = 1/50.
  // [LIQ] liq = 3,000 + 480 / 2 / (1 + 0.02) = 3,235.294117647...
  Account a{{hl_eth()}, {}, Quote(0), {}};
  a.marks = {a.price(0, "3000")};
  size_t i = a.isolated(0, "-2", "3000", "600");
  MaybePrice lp = liquidation_price(a.view(), i);
  EXPECT_EQ(price_str(lp, a.markets[0]), "3235.29411765");
  EXPECT_EQ(cents(lp, a.markets[0]), "3235.29");
}

TEST(Hyperliquid, CrossLiquidationPriceAwayFromEntry) {
  // Cross long 1 BTC entered at 60,000, mark 62,000, 5,000 USDC of collateral:
  // account value 7,000; MM = 62,000 × 1.25% = 775; margin_available = 6,225.
  // [LIQ] liq = 62,000 − 6,225 / (1 − 0.0125) = 55,696.202531645...
  Account a{{hl_btc()}, {}, Quote(0), {}};
  a.marks = {a.price(0, "62000")};
  a.collateral = a.quote("5000");
  size_t i = a.cross(0, "1", "60000");
  MarginSummary s = a.cross_summary();
  EXPECT_EQ(money(s.equity, a.markets[0]), "7000");
  EXPECT_EQ(money(s.mm, a.markets[0]), "775");
  MaybePrice lp = liquidation_price(a.view(), i);
  EXPECT_EQ(price_str(lp, a.markets[0]), "55696.20253165");
  EXPECT_EQ(cents(lp, a.markets[0]), "55696.2");
}

TEST(Hyperliquid, ShortLiquidationCrossesIntoTheSecondTier) {
  // Isolated short 2,900 BTC at 50,000 (notional 145M, tier 0) with 14.5M isolated
  // margin (10x). In tier 0 the [LIQ] root would be 50,000 + (14.5M − 1.8125M) /
  // 2,900 / 1.0125 = 54,320.95, notional 157.5M > 150M: outside tier 0. In tier 1
  // (2.5%, deduction 1.875M): 14.5M − 2,900·(P − 50,000) = 2,900·P·2.5% − 1.875M
  //   P = (14.5M + 145M + 1.875M) / (2,900 · 1.025) = 161,375,000 / 2,972.5
  //     = 54,289.318755...; notional 157.4M > 150M: consistent.
  Account a{{hl_btc()}, {}, Quote(0), {}};
  a.marks = {a.price(0, "50000")};
  size_t i = a.isolated(0, "-2900", "50000", "14500000");
  MaybePrice lp = liquidation_price(a.view(), i);
  EXPECT_EQ(cents(lp, a.markets[0]), "54289.32");
}

}  // namespace
}  // namespace liqd::test
