// Every rejection rule of a market file, with its exact `file:line: key: reason`.
// Each test edits one line of a valid market, so the expected line is known.
#include <gtest/gtest.h>

#include "config/market_config.hpp"
#include "core/margin/margin.hpp"
#include "test_util.hpp"

namespace liqd::config {
namespace {

using test::insert_after;
using test::with_line;

// Lines: 1 symbol, 2 tick, 3 lot, 4 tiers:, 5-7 tiers, 8 oracles:, 9 oracle, 10 venues:, 11 venue.
const std::string kGood = R"(symbol: T-USD
tick_size: "0.01"
lot_size: "0.0001"
tiers:
  - {max_notional: "1000", imr: "0.02", mmr: "0.01"}
  - {max_notional: "5000", imr: "0.04", mmr: "0.02"}
  - {imr: "0.1", mmr: "0.05"}
oracles:
  - {name: p, kind: pyth, id: x, max_staleness_ms: 2000, max_deviation: "0.01"}
venues:
  - {name: a, kind: own-clob, taker_fee: "0.0005", lot_size: "0.0001"}
)";

MarketDefaults usdc() { return MarketDefaults{6}; }

std::vector<std::string> errors(const std::string& text, MarketDefaults d = usdc()) {
  Diagnostics diag;
  std::optional<MarketConfig> m = load_market_string(text, "m.yaml", d, diag);
  EXPECT_EQ(m.has_value(), diag.ok());
  return test::strings(diag);
}

using V = std::vector<std::string>;

MarketConfig load_ok(const std::string& text, MarketDefaults d = usdc()) {
  Diagnostics diag;
  std::optional<MarketConfig> m = load_market_string(text, "m.yaml", d, diag);
  EXPECT_TRUE(m.has_value()) << (diag.ok() ? "" : diag.errors()[0].str());
  return m.value_or(MarketConfig{});
}

// Quote units at the wide deduction scale (quote_dp 6 + 8).
constexpr i128 wide(int64_t quote) { return static_cast<i128>(quote) * 100'000'000'000'000; }

TEST(MarketConfig, ValidFileBuildsTheWholeMarketRisk) {
  MarketConfig m = load_ok(kGood);
  EXPECT_EQ(m.symbol, "T-USD");
  EXPECT_EQ(m.risk.scale.price_dp, 2);
  EXPECT_EQ(m.risk.scale.qty_dp, 4);
  EXPECT_EQ(m.risk.scale.quote_dp, 6);
  EXPECT_EQ(m.risk.tick.v, 1);
  EXPECT_EQ(m.risk.lot.v, 1);
  ASSERT_EQ(m.risk.n_tiers, 3);
  EXPECT_EQ(m.risk.tiers[0].max_notional.v, 1'000'000'000);
  EXPECT_EQ(m.risk.tiers[1].max_notional.v, 5'000'000'000);
  EXPECT_TRUE(m.risk.tiers[2].unbounded());
  EXPECT_EQ(m.risk.tiers[0].mmr.v, 1'000'000);
  EXPECT_EQ(m.risk.tiers[2].imr.v, 10'000'000);
  // Derived by hand: d1 = 1000 × (0.02 − 0.01) = 10; d2 = 5000 × (0.05 − 0.02) + 10 = 160.
  EXPECT_EQ(m.risk.tiers[0].mm_deduction_w, 0);
  EXPECT_EQ(m.risk.tiers[1].mm_deduction_w, wide(10));
  EXPECT_EQ(m.risk.tiers[2].mm_deduction_w, wide(160));
  // Initial: 1000 × 0.02 = 20; 5000 × 0.06 + 20 = 320.
  EXPECT_EQ(m.risk.tiers[1].im_deduction_w, wide(20));
  EXPECT_EQ(m.risk.tiers[2].im_deduction_w, wide(320));
  EXPECT_FALSE(m.explicit_mm[1]);
  EXPECT_FALSE(m.risk.has_fillable);
  EXPECT_EQ(m.risk.liquidation_fee.v, 0);
  ASSERT_EQ(m.oracles.size(), 1u);
  EXPECT_EQ(m.oracles[0].max_staleness_ms, 2000);
  EXPECT_EQ(m.oracles[0].max_deviation.v, 1'000'000);
  ASSERT_EQ(m.venues.size(), 1u);
  EXPECT_EQ(m.venues[0].symbol, "T-USD");  // defaults to the market's
  EXPECT_EQ(m.venues[0].taker_fee.v, 50'000);
  EXPECT_EQ(m.venues[0].min_qty.v, 1);     // defaults to one venue lot
  EXPECT_FALSE(m.venues[0].max_qty.has_value());
  // 2 units at 3000: notional 6000 in the third tier, MM = 6000 × 0.05 − 160 = 140.
  PositionMargin pm = position_margin(m.risk, Qty(20'000), Price(300'000));
  EXPECT_EQ(pm.tier, 2);
  EXPECT_EQ(pm.mm.v, 140'000'000);
  EXPECT_EQ(pm.im.v, 280'000'000);  // 6000 × 0.1 − 320
}

TEST(MarketConfig, PlainScalarsAndStringsAreTheSameNumbers) {
  MarketConfig a = load_ok(kGood);
  MarketConfig b = load_ok(with_line(kGood, 5, "  - {max_notional: 1000, imr: 0.02, mmr: 0.010}"));
  EXPECT_EQ(a.risk.tiers[0].max_notional, b.risk.tiers[0].max_notional);
  EXPECT_EQ(a.risk.tiers[0].mmr, b.risk.tiers[0].mmr);
  EXPECT_EQ(a.risk.tiers[1].mm_deduction_w, b.risk.tiers[1].mm_deduction_w);
}

TEST(MarketConfig, UnknownKey) {
  EXPECT_EQ(errors(insert_after(kGood, 11, "colour: red")), V{"m.yaml:12: colour: unknown key"});
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: "0.02", mmr: "0.01", mrr: "0.01"})")),
            V{"m.yaml:5: tiers[0].mrr: unknown key"});
  EXPECT_EQ(errors(with_line(kGood, 9,
                             R"(  - {name: p, kind: pyth, id: x, max_staleness_ms: 2000, max_deviation: "0.01", w: 1})")),
            V{"m.yaml:9: oracles[0].w: unknown key"});
}

TEST(MarketConfig, DuplicateKey) {
  EXPECT_EQ(errors(insert_after(kGood, 1, "symbol: U-USD")),
            V{"m.yaml:2: symbol: duplicate key (first given on line 1)"});
}

TEST(MarketConfig, MissingField) {
  EXPECT_EQ(errors(with_line(kGood, 2, "# no tick")), V{"m.yaml:1: tick_size: missing field"});
  EXPECT_EQ(errors(with_line(kGood, 7, R"(  - {imr: "0.1"})")), V{"m.yaml:7: tiers[2].mmr: missing field"});
  EXPECT_EQ(errors(with_line(kGood, 9, R"(  - {name: p, kind: pyth, max_staleness_ms: 2000, max_deviation: "0.01"})")),
            V{"m.yaml:9: oracles[0].id: missing field"});
}

TEST(MarketConfig, WrongType) {
  EXPECT_EQ(errors(with_line(kGood, 2, "tick_size: [0.01]")),
            V{"m.yaml:2: tick_size: expected a decimal number, got a sequence"});
  EXPECT_EQ(errors(with_line(kGood, 1, "symbol: {a: 1}")), V{"m.yaml:1: symbol: expected a string, got a mapping"});
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: abc, mmr: "0.01"})")),
            V{"m.yaml:5: tiers[0].imr: expected a decimal number, got 'abc'"});
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: true, mmr: "0.01"})")),
            V{"m.yaml:5: tiers[0].imr: expected a decimal number, got 'true'"});
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: , mmr: "0.01"})")),
            V{"m.yaml:5: tiers[0].imr: expected a decimal number, got nothing (null)"});
  EXPECT_EQ(errors(with_line(kGood, 5, "  - 5")), V{"m.yaml:5: tiers[0]: expected a mapping, got a scalar"});
  EXPECT_EQ(errors(with_line(with_line(with_line(with_line(kGood, 4, "tiers: flat"), 5, ""), 6, ""), 7, "")),
            V{"m.yaml:4: tiers: expected a sequence, got a scalar"});
}

TEST(MarketConfig, MarginRatioOutsideZeroToOne) {
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: "0.02", mmr: "0"})")),
            V{"m.yaml:5: tiers[0].mmr: 0 is outside (0, 1]"});
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: "1.5", mmr: "0.01"})")),
            V{"m.yaml:5: tiers[0].imr: 1.5 is outside (0, 1]"});
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: "0.02", mmr: "-0.01"})")),
            V{"m.yaml:5: tiers[0].mmr: -0.01 is outside (0, 1]"});
  // 1 itself is allowed (1x leverage).
  EXPECT_EQ(errors(with_line(kGood, 7, R"(  - {imr: "1", mmr: "1"})")), V{});
}

TEST(MarketConfig, InitialBelowMaintenance) {
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: "0.005", mmr: "0.01"})")),
            V{"m.yaml:5: tiers[0].imr: 0.005 is below mmr 0.01"});
}

TEST(MarketConfig, RatiosMustNotFallAsNotionalGrows) {
  EXPECT_EQ(errors(with_line(kGood, 6, R"(  - {max_notional: "5000", imr: "0.04", mmr: "0.005"})")),
            V{"m.yaml:6: tiers[1].mmr: 0.005 is below the previous tier's mmr 0.01 (ratios must not fall as "
              "notional grows)"});
}

TEST(MarketConfig, NonPositiveTickOrLot) {
  EXPECT_EQ(errors(with_line(kGood, 2, R"(tick_size: "0")")), V{"m.yaml:2: tick_size: must be positive, got '0'"});
  EXPECT_EQ(errors(with_line(kGood, 3, R"(lot_size: "-0.0001")")),
            V{"m.yaml:3: lot_size: must be positive, got '-0.0001'"});
}

TEST(MarketConfig, TooManyDecimalsForTheScale) {
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000.0000001", imr: "0.02", mmr: "0.01"})")),
            V{"m.yaml:5: tiers[0].max_notional: '1000.0000001' has more than 6 decimal places"});
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: "0.020000001", mmr: "0.01"})")),
            V{"m.yaml:5: tiers[0].imr: '0.020000001' has more than 8 decimal places"});
  EXPECT_EQ(errors(with_line(kGood, 11, R"(  - {name: a, kind: own-clob, taker_fee: "0.0005", lot_size: "0.00015"})")),
            V{"m.yaml:11: venues[0].lot_size: '0.00015' has more than 4 decimal places"});
  // Trailing zeros are not extra precision.
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000.000000000", imr: "0.0200000000", mmr: "0.01"})")),
            V{});
}

TEST(MarketConfig, ExponentsAreRefused) {
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: 2e-2, mmr: "0.01"})")),
            V{"m.yaml:5: tiers[0].imr: '2e-2': exponent notation is not accepted (write the digits)"});
  EXPECT_EQ(errors(with_line(kGood, 2, "tick_size: 1E-2")),
            V{"m.yaml:2: tick_size: '1E-2': exponent notation is not accepted (write the digits)"});
}

TEST(MarketConfig, OutOfRangeNumbers) {
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "99999999999999", imr: "0.02", mmr: "0.01"})")),
            V{"m.yaml:5: tiers[0].max_notional: '99999999999999' is out of range"});
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "0", imr: "0.02", mmr: "0.01"})")),
            V{"m.yaml:5: tiers[0].max_notional: must be positive, got 0"});
}

TEST(MarketConfig, TierBoundsMustIncrease) {
  EXPECT_EQ(errors(with_line(kGood, 6, R"(  - {max_notional: "1000", imr: "0.04", mmr: "0.02"})")),
            V{"m.yaml:6: tiers[1].max_notional: 1000 is not above the previous tier's 1000 (bounds must increase)"});
  EXPECT_EQ(errors(with_line(kGood, 6, R"(  - {max_notional: "999.5", imr: "0.04", mmr: "0.02"})")),
            V{"m.yaml:6: tiers[1].max_notional: 999.5 is not above the previous tier's 1000 (bounds must increase)"});
}

TEST(MarketConfig, OnlyTheLastTierMayOmitItsBound) {
  EXPECT_EQ(errors(with_line(kGood, 6, R"(  - {imr: "0.04", mmr: "0.02"})")),
            V{"m.yaml:6: tiers[1].max_notional: missing field (only the last tier may omit it)"});
}

TEST(MarketConfig, ABoundedLastTierIsAllowed) {
  MarketConfig m = load_ok(with_line(kGood, 7, R"(  - {max_notional: "20000", imr: "0.1", mmr: "0.05"})"));
  ASSERT_EQ(m.risk.n_tiers, 3);
  EXPECT_FALSE(m.risk.tiers[2].unbounded());
  EXPECT_EQ(m.risk.tiers[2].max_notional.v, 20'000'000'000);
  // Beyond it a position has no tier (the margin engine refuses it).
  EXPECT_EQ(tier_index(m.risk, static_cast<i128>(20'000'000'001) * 1), 3);
}

TEST(MarketConfig, ExplicitDeductionsThatKeepMarginContinuousAreKept) {
  MarketConfig m = load_ok(with_line(
      kGood, 6, R"(  - {max_notional: "5000", imr: "0.04", mmr: "0.02", maintenance_deduction: "10", initial_deduction: "20"})"));
  EXPECT_TRUE(m.explicit_mm[1]);
  EXPECT_TRUE(m.explicit_im[1]);
  EXPECT_EQ(m.risk.tiers[1].mm_deduction_w, wide(10));
  EXPECT_EQ(m.risk.tiers[2].mm_deduction_w, wide(160));  // derived on top of the explicit one
}

TEST(MarketConfig, DiscontinuousDeductionsAreRefused) {
  // At notional 1000 tier 0 needs 1000 × 0.01 = 10; tier 1 with deduction 12 gives 20 − 12 = 8.
  EXPECT_EQ(errors(with_line(kGood, 6,
                             R"(  - {max_notional: "5000", imr: "0.04", mmr: "0.02", maintenance_deduction: "12"})")),
            V{"m.yaml:6: tiers[1].maintenance_deduction: maintenance margin drops by 2 at notional 1000 (margin must "
              "be continuous); a continuous deduction here is 10"});
  EXPECT_EQ(errors(with_line(kGood, 6,
                             R"(  - {max_notional: "5000", imr: "0.04", mmr: "0.02", maintenance_deduction: "4"})")),
            V{"m.yaml:6: tiers[1].maintenance_deduction: maintenance margin jumps up by 6 at notional 1000 (margin "
              "must be continuous); a continuous deduction here is 10"});
  // Initial margin: 1000 × 0.02 = 20 in tier 0, 40 − 25 = 15 in tier 1.
  EXPECT_EQ(errors(with_line(kGood, 6,
                             R"(  - {max_notional: "5000", imr: "0.04", mmr: "0.02", initial_deduction: "25"})")),
            V{"m.yaml:6: tiers[1].initial_deduction: initial margin drops by 5 at notional 1000 (margin must be "
              "continuous); a continuous deduction here is 20"});
  // Last tier: at 5000, tier 1 gives 100 − 10 = 90, tier 2 with 100 gives 250 − 100 = 150.
  EXPECT_EQ(errors(with_line(kGood, 7, R"(  - {imr: "0.1", mmr: "0.05", maintenance_deduction: "100"})")),
            V{"m.yaml:7: tiers[2].maintenance_deduction: maintenance margin jumps up by 60 at notional 5000 (margin "
              "must be continuous); a continuous deduction here is 160"});
}

TEST(MarketConfig, FirstTierDeductionMustBeZeroAndNoneNegative) {
  EXPECT_EQ(errors(with_line(kGood, 5,
                             R"(  - {max_notional: "1000", imr: "0.02", mmr: "0.01", maintenance_deduction: "1"})")),
            V{"m.yaml:5: tiers[0].maintenance_deduction: must be 0 in the first tier (margin is 0 at zero notional), "
              "got 1"});
  EXPECT_EQ(errors(with_line(kGood, 6,
                             R"(  - {max_notional: "5000", imr: "0.04", mmr: "0.02", initial_deduction: "-5"})")),
            V{"m.yaml:6: tiers[1].initial_deduction: must not be negative, got -5"});
}

std::string tiers_text(int n) {
  std::string s = "symbol: T-USD\ntick_size: \"0.01\"\nlot_size: \"0.0001\"\ntiers:\n";
  for (int i = 0; i < n; ++i)
    s += "  - {max_notional: \"" + std::to_string((i + 1) * 1000) + "\", imr: \"0.5\", mmr: \"0.25\"}\n";
  s += "oracles:\n  - {name: p, kind: pyth, id: x, max_staleness_ms: 2000, max_deviation: \"0.01\"}\n";
  s += "venues:\n  - {name: a, kind: own-clob, taker_fee: \"0\", lot_size: \"0.0001\"}\n";
  return s;
}

TEST(MarketConfig, TooManyTiers) {
  EXPECT_EQ(errors(tiers_text(kMaxTiers)), V{});
  EXPECT_EQ(errors(tiers_text(kMaxTiers + 1)), V{"m.yaml:5: tiers: 17 tiers, at most 16 are supported"});
  EXPECT_EQ(errors(with_line(with_line(with_line(with_line(kGood, 4, "tiers: []"), 5, ""), 6, ""), 7, "")),
            V{"m.yaml:4: tiers: must not be empty"});
}

TEST(MarketConfig, ScaleLimits) {
  // price_dp + qty_dp must fit kEquityDp (20).
  EXPECT_EQ(errors(with_line(with_line(kGood, 2, R"(tick_size: "0.0000000001")"), 3, R"(lot_size: "0.00000000001")")),
            V{"m.yaml:3: lot_size: tick decimals (10) + lot decimals (11) = 21 exceed 20"});
  // The quote scale must not be finer than price × qty.
  EXPECT_EQ(errors(with_line(with_line(with_line(kGood, 2, R"(tick_size: "1")"), 3, R"(lot_size: "1")"), 11,
                             R"(  - {name: a, kind: own-clob, taker_fee: "0", lot_size: "1"})")),
            V{"m.yaml:3: lot_size: tick decimals (0) + lot decimals (0) = 0 are fewer than the quote scale's 6: use "
              "a finer tick or lot"});
  // A tick like 0.5 or 5 is fine: its decimals set the scale, its digits the step.
  MarketConfig m = load_ok(with_line(with_line(kGood, 2, R"(tick_size: "0.05")"), 3, R"(lot_size: "0.0001")"));
  EXPECT_EQ(m.risk.scale.price_dp, 2);
  EXPECT_EQ(m.risk.tick.v, 5);
}

TEST(MarketConfig, QuoteScale) {
  EXPECT_EQ(errors(insert_after(kGood, 3, R"(quote_scale: "0.01")")),
            V{"m.yaml:4: quote_scale: '0.01' differs from the daemon's quote scale (6 decimals): all markets share "
              "one quote asset"});
  EXPECT_EQ(errors(insert_after(kGood, 3, R"(quote_scale: "0.000001")")), V{});
  EXPECT_EQ(errors(kGood, MarketDefaults{}), V{"m.yaml:1: quote_scale: missing field (the daemon file sets no quote.scale)"});
  EXPECT_EQ(errors(insert_after(kGood, 3, R"(quote_scale: "0.05")"), MarketDefaults{}),
            V{"m.yaml:4: quote_scale: '0.05' must be a power of ten such as 0.000001"});
  MarketConfig m = load_ok(insert_after(kGood, 3, R"(quote_scale: "0.01")"), MarketDefaults{});
  EXPECT_EQ(m.risk.scale.quote_dp, 2);
  EXPECT_EQ(m.risk.tiers[0].max_notional.v, 100'000);
}

TEST(MarketConfig, FeesAndFillablePrice) {
  EXPECT_EQ(errors(insert_after(kGood, 3, R"(liquidation_fee: "1")")),
            V{"m.yaml:4: liquidation_fee: 1 is outside [0, 1)"});
  EXPECT_EQ(errors(insert_after(kGood, 3, R"(fillable_price: {bankruptcy_adjustment: "1"})")),
            V{"m.yaml:4: fillable_price.spread_to_mmr: missing field"});
  EXPECT_EQ(errors(insert_after(kGood, 3, R"(fillable_price: {bankruptcy_adjustment: "0", spread_to_mmr: "0.1"})")),
            V{"m.yaml:4: fillable_price.bankruptcy_adjustment: 0 is outside (0, 100]"});
  MarketConfig m = load_ok(insert_after(
      kGood, 3, "liquidation_fee: \"0.005\"\nfillable_price: {bankruptcy_adjustment: \"1\", spread_to_mmr: \"0.1\"}"));
  EXPECT_EQ(m.risk.liquidation_fee.v, 500'000);
  EXPECT_TRUE(m.risk.has_fillable);
  EXPECT_EQ(m.risk.bankruptcy_adjustment.v, kRatioOne);
  EXPECT_EQ(m.risk.spread_to_mmr.v, 10'000'000);
}

TEST(MarketConfig, Oracles) {
  EXPECT_EQ(errors(with_line(kGood, 9, R"(  - {name: p, kind: nasdaq, id: x, max_staleness_ms: 2000, max_deviation: "0.01"})")),
            V{"m.yaml:9: oracles[0].kind: 'nasdaq' is not one of pyth, chainlink, binance-mark, binance-index, "
              "bybit-index, okx-index, hyperliquid-oracle or dydx-oracle"});
  EXPECT_EQ(errors(insert_after(kGood, 9, R"(  - {name: p, kind: chainlink, id: y, max_staleness_ms: 9, max_deviation: "0.5"})")),
            V{"m.yaml:10: oracles[1].name: duplicate name 'p' (first on line 9)"});
  EXPECT_EQ(errors(with_line(kGood, 9, R"(  - {name: p, kind: pyth, id: x, max_staleness_ms: 0, max_deviation: "0"})")),
            (V{"m.yaml:9: oracles[0].max_staleness_ms: 0 is out of range [1, 3600000]",
               "m.yaml:9: oracles[0].max_deviation: 0 is outside (0, 1]"}));
  EXPECT_EQ(errors(with_line(kGood, 9, R"(  - {name: p, kind: pyth, id: x, max_staleness_ms: 1.5, max_deviation: "1"})")),
            V{"m.yaml:9: oracles[0].max_staleness_ms: expected an integer, got '1.5'"});
  EXPECT_EQ(errors(with_line(with_line(kGood, 8, "oracles: []"), 9, "")), V{"m.yaml:8: oracles: must not be empty"});
}

TEST(MarketConfig, Venues) {
  const std::string lot2 = with_line(kGood, 3, R"(lot_size: "0.0002")");
  EXPECT_EQ(errors(with_line(lot2, 11, R"(  - {name: a, kind: own-clob, taker_fee: "0", lot_size: "0.0003"})")),
            V{"m.yaml:11: venues[0].lot_size: 0.0003 is not a multiple of the market's lot_size 0.0002"});
  EXPECT_EQ(errors(with_line(kGood, 11,
                             R"(  - {name: a, kind: own-clob, taker_fee: "0", lot_size: "0.001", min_qty: "0.0015"})")),
            V{"m.yaml:11: venues[0].min_qty: 0.0015 is not a multiple of the venue's lot_size 0.001"});
  EXPECT_EQ(errors(with_line(kGood, 11,
                             R"(  - {name: a, kind: own-clob, taker_fee: "0", lot_size: "0.001", min_qty: "0.01", max_qty: "0.001"})")),
            V{"m.yaml:11: venues[0].max_qty: 0.001 is below min_qty 0.01"});
  EXPECT_EQ(errors(with_line(kGood, 11, R"(  - {name: a, kind: own-clob, taker_fee: "1", lot_size: "0.0001"})")),
            V{"m.yaml:11: venues[0].taker_fee: 1 is outside [0, 1)"});
  EXPECT_EQ(errors(insert_after(kGood, 11, R"(  - {name: a, kind: hyperliquid, taker_fee: "0", lot_size: "0.0001"})")),
            V{"m.yaml:12: venues[1].name: duplicate name 'a' (first on line 11)"});
  MarketConfig m = load_ok(with_line(
      kGood, 11,
      R"(  - {name: b, kind: binance-usdm, symbol: TUSDT, taker_fee: "0.0005", lot_size: "0.001", min_qty: "0.002", max_qty: "120"})"));
  EXPECT_EQ(m.venues[0].symbol, "TUSDT");
  EXPECT_EQ(m.venues[0].lot.v, 10);
  EXPECT_EQ(m.venues[0].min_qty.v, 20);
  EXPECT_EQ(m.venues[0].max_qty->v, 1'200'000);
}

TEST(MarketConfig, VenueContracts) {
  // Default: linear, one base unit per contract.
  MarketConfig m = load_ok(kGood);
  EXPECT_EQ(m.venues[0].contract, "linear");
  EXPECT_EQ(m.venues[0].multiplier, 1);
  EXPECT_EQ(m.venues[0].multiplier_dp, 0);
  // COIN-M style: inverse, 100 USD per contract; OKX style: 0.01 base per contract
  // (kept at the fewest decimals: 1 x 10^-2).
  m = load_ok(insert_after(with_line(kGood, 11, R"(  - {name: c, kind: binance-usdm, taker_fee: "0", lot_size: "0.0001", contract: inverse, multiplier: "100"})"),
                           11, R"(  - {name: o, kind: okx-swap, taker_fee: "0", lot_size: "0.01", contract: linear, multiplier: "0.010"})"));
  ASSERT_EQ(m.venues.size(), 2u);
  EXPECT_EQ(m.venues[0].contract, "inverse");
  EXPECT_EQ(m.venues[0].multiplier, 100);
  EXPECT_EQ(m.venues[0].multiplier_dp, 0);
  EXPECT_EQ(m.venues[1].contract, "linear");
  EXPECT_EQ(m.venues[1].multiplier, 1);
  EXPECT_EQ(m.venues[1].multiplier_dp, 2);
  EXPECT_EQ(errors(with_line(kGood, 11, R"(  - {name: a, kind: own-clob, taker_fee: "0", lot_size: "0.0001", contract: quanto})")),
            V{"m.yaml:11: venues[0].contract: 'quanto' is not one of linear or inverse"});
  EXPECT_EQ(errors(with_line(kGood, 11, R"(  - {name: a, kind: own-clob, taker_fee: "0", lot_size: "0.0001", multiplier: "0"})")),
            V{"m.yaml:11: venues[0].multiplier: must be positive, got 0"});
}

// A hedge venue's order entry (the backstop vault's hedges, executors/README.md).
TEST(MarketConfig, VenueOrderEntry) {
  auto venue = [](const std::string& oe) {
    return with_line(kGood, 11, R"(  - {name: b, kind: binance-usdm, taker_fee: "0", lot_size: "0.001", order_entry: )" + oe + "}");
  };
  MarketConfig m = load_ok(venue(R"({type: binance-rest, base_url: "http://localhost:9100/", api_key_file: k/api.key, secret_file: /etc/liqd/b.secret, recv_window_ms: 7000})"));
  ASSERT_TRUE(m.venues[0].order_entry.has_value());
  const OrderEntryConfig& oe = *m.venues[0].order_entry;
  EXPECT_EQ(oe.type, "binance-rest");
  EXPECT_EQ(oe.host, "127.0.0.1");
  EXPECT_EQ(oe.port, 9100);
  EXPECT_EQ(oe.api_key_file, "k/api.key");          // relative to the market file's folder ("m.yaml": none)
  EXPECT_EQ(oe.secret_file, "/etc/liqd/b.secret");
  EXPECT_EQ(oe.recv_window_ms, 7000);
  EXPECT_EQ(oe.request_timeout_ms, 2000);             // default
  EXPECT_EQ(oe.line, 11);
  EXPECT_FALSE(load_ok(kGood).venues[0].order_entry.has_value());
  // Relative key paths are taken from the market file's folder.
  {
    Diagnostics diag;
    auto mm = load_market_string(venue(R"({type: binance-rest, base_url: "http://[::1]:80", api_key_file: ../keys/a, secret_file: s})"),
                                 "/etc/liqd/markets/m.yaml", usdc(), diag);
    ASSERT_TRUE(mm.has_value());
    EXPECT_EQ(mm->venues[0].order_entry->api_key_file, "/etc/liqd/keys/a");
    EXPECT_EQ(mm->venues[0].order_entry->secret_file, "/etc/liqd/markets/s");
    EXPECT_EQ(mm->venues[0].order_entry->host, "::1");
    EXPECT_EQ(mm->venues[0].order_entry->port, 80);
  }
  const std::string keys = ", api_key_file: a, secret_file: s}";
  EXPECT_EQ(errors(venue(R"({type: binance-ws, base_url: "http://127.0.0.1:1")" + keys)),
            V{"m.yaml:11: venues[0].order_entry.type: 'binance-ws' is not one of binance-rest"});
  // https: TLS to a name (port 443 unless given), an optional CA file beside the market file.
  {
    Diagnostics diag;
    auto mm = load_market_string(venue(R"({type: binance-rest, base_url: "https://fapi.binance.com", ca_file: ca/private.pem)" + keys),
                                 "/etc/liqd/markets/m.yaml", usdc(), diag);
    ASSERT_TRUE(mm.has_value());
    const OrderEntryConfig& t = *mm->venues[0].order_entry;
    EXPECT_TRUE(t.tls);
    EXPECT_EQ(t.host, "fapi.binance.com");
    EXPECT_EQ(t.port, 443);
    EXPECT_EQ(t.ca_file, "/etc/liqd/markets/ca/private.pem");
    EXPECT_FALSE(oe.tls);
    EXPECT_EQ(load_ok(venue(R"({type: binance-rest, base_url: "https://localhost:8443/")" + keys)).venues[0].order_entry->host,
              "localhost");   // over TLS the name stays: the certificate is checked against it
    EXPECT_EQ(load_ok(venue(R"({type: binance-rest, base_url: "https://[::1]")" + keys)).venues[0].order_entry->port, 443);
    EXPECT_EQ(load_ok(venue(R"({type: binance-rest, base_url: "http://venue.internal:8080")" + keys)).venues[0].order_entry->host,
              "venue.internal");
  }
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "ftp://127.0.0.1:21")" + keys)),
            V{"m.yaml:11: venues[0].order_entry.base_url: 'ftp://127.0.0.1:21' must start with https:// (or http:// on a trusted link)"});
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "https://fapi_binance.com")" + keys)),
            V{"m.yaml:11: venues[0].order_entry.base_url: 'https://fapi_binance.com': host 'fapi_binance.com' is neither an IP "
              "address nor a DNS name"});
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "https://-bad.example:443")" + keys)),
            V{"m.yaml:11: venues[0].order_entry.base_url: 'https://-bad.example:443': host '-bad.example' is neither an IP "
              "address nor a DNS name"});
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "https://fapi.binance.com:")" + keys)),
            V{"m.yaml:11: venues[0].order_entry.base_url: 'https://fapi.binance.com:' must be https://HOST[:PORT]"});
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "http://127.0.0.1:9", ca_file: ca.pem)" + keys)),
            V{"m.yaml:11: venues[0].order_entry.ca_file: is for https only; base_url is plain http"});
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "http://127.0.0.1")" + keys)),
            V{"m.yaml:11: venues[0].order_entry.base_url: 'http://127.0.0.1' must be http://HOST:PORT (the port is required)"});
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "http://127.0.0.1:70000")" + keys)),
            V{"m.yaml:11: venues[0].order_entry.base_url: 'http://127.0.0.1:70000': port '70000' is not in 1-65535"});
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "http://127.0.0.1:9/fapi")" + keys)),
            V{"m.yaml:11: venues[0].order_entry.base_url: 'http://127.0.0.1:9/fapi' must not have a path (the adapter "
              "sends to Binance's /fapi/v1/order)"});
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "http://127.0.0.1:9", api_key_file: a})")),
            V{"m.yaml:11: venues[0].order_entry.secret_file: missing field"});
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "http://127.0.0.1:9", recv_window_ms: 60001)" + keys)),
            V{"m.yaml:11: venues[0].order_entry.recv_window_ms: 60001 is out of range [1, 60000]"});
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "http://127.0.0.1:9", api_key: "abc")" + keys)),
            V{"m.yaml:11: venues[0].order_entry.api_key: unknown key"});
  EXPECT_EQ(errors(venue(R"({type: binance-rest, base_url: "http://127.0.0.1:9")" + keys + ", contract: inverse, multiplier: \"100\"")),
            V{"m.yaml:11: venues[0].order_entry: binance-rest trades USD-M contracts counted in base: contract must be linear, multiplier 1"});
  // Only a Binance USD-M venue speaks binance-rest.
  EXPECT_EQ(errors(with_line(kGood, 11, R"(  - {name: a, kind: own-clob, taker_fee: "0", lot_size: "0.0001", order_entry: {type: binance-rest, base_url: "http://127.0.0.1:9")" + keys + "}")),
            V{"m.yaml:11: venues[0].order_entry.type: binance-rest is order entry for a binance-usdm venue, not own-clob"});
}

TEST(MarketConfig, Symbol) {
  EXPECT_EQ(errors(with_line(kGood, 1, "symbol: T USD")),
            V{"m.yaml:1: symbol: 'T USD' must be 1-32 letters, digits, '-', '_' or '.'"});
}

TEST(MarketConfig, YamlSyntaxErrorHasItsLine) {
  V e = errors(with_line(kGood, 6, R"(  - {max_notional: "5000", imr: "0.04", mmr: "0.02")"));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "m.yaml:7: yaml: syntax error: illegal block entry");
  EXPECT_EQ(errors(""), V{"m.yaml:1: document: expected a mapping, got nothing (null)"});
  EXPECT_EQ(errors("- a\n- b\n"), V{"m.yaml:1: document: expected a mapping, got a sequence"});
}

TEST(MarketConfig, EveryErrorInAFileIsReportedInLineOrder) {
  std::string text = with_line(kGood, 2, R"(tick_size: "0")");
  text = with_line(text, 5, R"(  - {max_notional: "1000", imr: "1.5", mmr: "0.01"})");
  text = with_line(text, 9, R"(  - {name: p, kind: nasdaq, id: x, max_staleness_ms: 2000, max_deviation: "0.01"})");
  text = insert_after(text, 11, "colour: red");
  Diagnostics diag;
  EXPECT_FALSE(load_market_string(text, "m.yaml", usdc(), diag).has_value());
  diag.sort();
  EXPECT_EQ(test::strings(diag),
            (V{"m.yaml:2: tick_size: must be positive, got '0'",
               "m.yaml:5: tiers[0].imr: 1.5 is outside (0, 1]",
               "m.yaml:9: oracles[0].kind: 'nasdaq' is not one of pyth, chainlink, binance-mark, binance-index, "
               "bybit-index, okx-index, hyperliquid-oracle or dydx-oracle",
               "m.yaml:12: colour: unknown key"}));
}

// libFuzzer's config_market_fuzz-crash-6279d5ea (tests/data/known_fuzz_crashes), byte
// for byte: invalid UTF-8 on line 1 (0xBA), on line 2 (0xFE 0xFF), a run of ESC on
// line 8, and on line 9 a key that is an empty scalar (`! `, a tag with no text).
// It used to come back as `fuzz.yaml:9: : unknown key` (an error with no key).
const std::string kFuzzCrash6279d5ea =
    "symb\xba" "l: JUMP-USD\n"
    "t_size: \xfe\xff\xff\xff\"0.0001\"\n"
    "tiers:\n"
    "  - {max_notional: \"10000\", imr: \"0.02\", mmr: \"0.01\"}\n"
    "  - max_notional: \"50000\"\n"
    "    imr: \"0.84\"\n"
    "    mmr: \"0.02\"\n"
    "(   m0, max_deviaTio\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b" "venues:\n"
    "! ";

TEST(MarketConfig, FuzzCrash6279d5eaIsRefusedAtItsFirstInvalidByte) {
  ASSERT_EQ(kFuzzCrash6279d5ea.size(), 199u);
  Diagnostics diag;
  EXPECT_FALSE(load_market_string(kFuzzCrash6279d5ea, "fuzz.yaml", usdc(), diag).has_value());
  EXPECT_EQ(test::strings(diag),
            V{"fuzz.yaml:1: yaml: invalid UTF-8 (byte 0xBA) at column 5: a config file must be UTF-8 text"});
}

TEST(MarketConfig, FuzzCrash6279d5eaMadeValidTextNamesTheEmptyKey) {
  // The same document with every byte that is not printable ASCII replaced by '?':
  // yaml-cpp reads the broken flow as keys; the empty one on line 9 is named `""`.
  std::string text = kFuzzCrash6279d5ea;
  for (char& c : text)
    if (static_cast<unsigned char>(c) >= 0x80 || c == '\x1b') c = '?';
  Diagnostics diag;
  EXPECT_FALSE(load_market_string(text, "fuzz.yaml", usdc(), diag).has_value());
  diag.sort();
  EXPECT_EQ(test::strings(diag), (V{"fuzz.yaml:1: symbol: missing field", "fuzz.yaml:1: tick_size: missing field",
                                    "fuzz.yaml:1: lot_size: missing field", "fuzz.yaml:1: oracles: missing field",
                                    "fuzz.yaml:1: venues: missing field", "fuzz.yaml:1: \"symb?l\": unknown key",
                                    "fuzz.yaml:2: t_size: unknown key",
                                    "fuzz.yaml:8: \"(   m0, max_deviaTio????????????venues\": unknown key",
                                    "fuzz.yaml:9: \"\": unknown key"}));
}

TEST(MarketConfig, KeysThatAreNotPlainWordsAreQuoted) {
  EXPECT_EQ(errors(insert_after(kGood, 11, R"("": red)")), V{"m.yaml:12: \"\": unknown key"});
  EXPECT_EQ(errors(insert_after(kGood, 11, "! : red")), V{"m.yaml:12: \"\": unknown key"});
  EXPECT_EQ(errors(insert_after(kGood, 11, "\"\": red\n\"\": blue")),
            (V{"m.yaml:13: \"\": duplicate key (first given on line 12)", "m.yaml:12: \"\": unknown key"}));
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: "0.02", mmr: "0.01", "": 1})")),
            V{"m.yaml:5: tiers[0].\"\": unknown key"});
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: "0.02", mmr: "0.01", "a b": 1})")),
            V{"m.yaml:5: tiers[0].\"a b\": unknown key"});
  EXPECT_EQ(errors(with_line(kGood, 5, R"(  - {max_notional: "1000", imr: "0.02", mmr: "0.01", "mmr.x": 1})")),
            V{"m.yaml:5: tiers[0].\"mmr.x\": unknown key"});
  EXPECT_EQ(errors(insert_after(kGood, 11, R"("a\"b\\c\td": red)")), V{"m.yaml:12: \"a\\\"b\\\\c\\x09d\": unknown key"});
  // Words in other scripts are plain words.
  EXPECT_EQ(errors(insert_after(kGood, 11, "f\xc3\xa4rg: red")), V{"m.yaml:12: f\xc3\xa4rg: unknown key"});
}

TEST(MarketConfig, TextMustBeYamlCharacters) {
  // Line and column (in characters) of the first character YAML does not allow.
  EXPECT_EQ(errors(with_line(kGood, 9, "  - {name: \xc3\xa4\xff, kind: pyth}")),
            V{"m.yaml:9: yaml: invalid UTF-8 (byte 0xFF) at column 13: a config file must be UTF-8 text"});
  EXPECT_EQ(errors(with_line(kGood, 1, "symbol: T-USD \xc3")),
            V{"m.yaml:1: yaml: invalid UTF-8 (byte 0xC3) at column 15: a config file must be UTF-8 text"});
  EXPECT_EQ(errors(with_line(kGood, 1, "symbol: \xc0\xaf")),  // overlong '/'
            V{"m.yaml:1: yaml: invalid UTF-8 (byte 0xC0) at column 9: a config file must be UTF-8 text"});
  EXPECT_EQ(errors(with_line(kGood, 1, "symbol: \xed\xa0\x80")),  // a UTF-16 surrogate
            V{"m.yaml:1: yaml: invalid UTF-8 (byte 0xED) at column 9: a config file must be UTF-8 text"});
  EXPECT_EQ(errors(with_line(kGood, 1, "symbol: \x1b[31mT-USD")),
            V{"m.yaml:1: yaml: control character U+001B at column 9 is not allowed in YAML"});
  EXPECT_EQ(errors(insert_after(kGood, 2, std::string("# a NUL \0 in a comment", 22))),
            V{"m.yaml:3: yaml: control character U+0000 at column 9 is not allowed in YAML"});
  EXPECT_EQ(errors(with_line(kGood, 1, "symbol: \xef\xbf\xbe")),
            V{"m.yaml:1: yaml: character U+FFFE at column 9 is not allowed in YAML"});
  // A byte order mark, tabs in comments, CRLF and non-ASCII comments are fine.
  std::string ok = "\xef\xbb\xbf# \xe2\x86\x92\tmarket\r\n" + kGood;
  EXPECT_EQ(load_ok(ok).symbol, "T-USD");
}

TEST(MarketConfig, ScaleDecimals) {
  EXPECT_EQ(scale_decimals("0.000001"), 6);
  EXPECT_EQ(scale_decimals("1"), 0);
  EXPECT_EQ(scale_decimals("0.0100"), 2);
  EXPECT_EQ(scale_decimals("0.02"), std::nullopt);
  EXPECT_EQ(scale_decimals("10"), std::nullopt);
  EXPECT_EQ(scale_decimals("1e-6"), std::nullopt);
}

}  // namespace
}  // namespace liqd::config
