// dYdX v4: maintenance margin as a fraction of initial, bankruptcy price, fillable
// price and the insurance-fund delta of a liquidation fill.
//
// Sources (github.com/dydxprotocol/v4-chain):
//  [LIQ]  protocol/x/clob/keeper/liquidations.go: GetBankruptcyPriceInQuoteQuantums
//         ("-DNNV - (TNC * (abs(DMMR) / TMMR))"), GetFillablePrice ("(PNNV - ABR * SMMR
//         * PMMR) / PS, where ABR = BA * (1 - (TNC / TMMR))", ABR clamped to [0, 1]),
//         GetLiquidationInsuranceFundDelta (fill quote − bankruptcy quote; a positive
//         delta is min(that, |fill quote| × MaxLiquidationFeePpm)).
//  [TEST] protocol/x/clob/keeper/liquidations_test.go: TestGetBankruptcyPriceInQuoteQuantums,
//         TestGetFillablePrice, TestGetLiquidationInsuranceFundDelta. Their perpetual is
//         BtcUsd_20PercentInitial_10PercentMaintenance (initial 20%, maintenance fraction
//         50% -> 10%), the test markets price BTC at $50,000 and ETH at $3,000, USDC
//         quantums are 1e-6 and BTC quantums 1e-8; the default liquidation config has
//         MaxLiquidationFeePpm 5,000, BankruptcyAdjustmentPpm 1,000,000 and
//         SpreadToMaintenanceMarginRatioPpm 100,000. dYdX subaccounts hold the cost of
//         a position in the quote balance, so entries are 0 here.
// Their figures are quote quantums for the whole delta; ours are the per-unit price
// (quote / |delta|), the same number divided by the size.
#include "margin_fixtures.hpp"

namespace liqd::test {
namespace {

// dYdX liquidity tier: maintenance = initial × maintenance_fraction.
Ratio maintenance_from_fraction(const char* initial, const char* fraction) {
  return Ratio(static_cast<int64_t>(
      div_round(static_cast<i128>(units(initial, kRatioDp)) * units(fraction, kRatioDp), kRatioOne, Round::Ceil)));
}

MarketRisk perp(const char* fee = "0.005", const char* ba = "1", const char* smmr = "0.1") {
  MarketSpec s;
  s.liquidation_fee = fee;
  s.bankruptcy_adjustment = ba;
  s.spread_to_mmr = smmr;
  return market({{nullptr, "0.2", "0.1"}}, s);
}

// One subaccount: USDC balance, BTC (market 0) and ETH (market 1) positions.
Account subaccount(const char* usdc, MarketRisk btc = perp(), MarketRisk eth = perp()) {
  Account a{{btc, eth}, {}, Quote(0), {}};
  a.marks = {a.price(0, "50000"), a.price(1, "3000")};
  a.collateral = a.quote(usdc);
  return a;
}

TEST(DydxV4, MaintenanceIsAFractionOfInitial) {
  // BtcUsd_20PercentInitial_10PercentMaintenance: 20% × 50% = 10%.
  EXPECT_EQ(maintenance_from_fraction("0.2", "0.5").v, units("0.1", kRatioDp));
  EXPECT_EQ(perp().tiers[0].mmr, maintenance_from_fraction("0.2", "0.5"));
  // [TEST] 0.1 BTC long with −$4,501: TNC = 499 < TMMR = 500 (slightly below).
  Account a = subaccount("-4501");
  a.cross(0, "0.1");
  MarginSummary s = a.cross_summary();
  EXPECT_EQ(money(s.equity, a.markets[0]), "499");
  EXPECT_EQ(money(s.mm, a.markets[0]), "500");
  EXPECT_EQ(money(s.im, a.markets[0]), "1000");
  EXPECT_TRUE(s.liquidatable());
}

struct BankruptcyCase {
  const char* name;
  const char* usdc;
  const char* btc;  // nullptr: no position
  const char* eth;
  int market;       // which position closes
  const char* delta;
  const char* want_price;  // [TEST] quote quantums / |delta|
};

TEST(DydxV4, BankruptcyPrice) {
  const BankruptcyCase cases[] = {
      // "4,501,000,000 quote quantums = $4,501" for selling 0.1 BTC.
      {"long slightly below MM", "-4501", "0.1", nullptr, 0, "-0.1", "45010"},
      // "-5,499,000,000 quote quantums" for buying 0.1 BTC.
      {"short slightly below MM", "5499", "-0.1", nullptr, 0, "0.1", "54990"},
      {"long at bankruptcy", "-5000", "0.1", nullptr, 0, "-0.1", "50000"},
      // "2,500,000,000" for half of it.
      {"long at bankruptcy, half", "-5000", "0.1", nullptr, 0, "-0.05", "50000"},
      {"short at bankruptcy, half", "5000", "-0.1", nullptr, 0, "0.05", "50000"},
      {"short at bankruptcy", "5000", "-0.1", nullptr, 0, "0.1", "50000"},
      {"long below bankruptcy", "-5100", "0.1", nullptr, 0, "-0.1", "51000"},
      {"short below bankruptcy", "4900", "-0.1", nullptr, 0, "0.1", "49000"},
      // "294,000,000 quote quantums = $294" for 0.1 ETH; TNC 10, TMMR 50, DMMR 30.
      {"two longs, close ETH", "-490", "0.004", "0.1", 1, "-0.1", "2940"},
      {"two shorts, close ETH", "510", "-0.004", "-0.1", 1, "0.1", "3060"},
      {"long BTC, close short ETH", "110", "0.004", "-0.1", 1, "0.1", "3060"},
      // "2,776 quote quantums ... rounded up from 2,775.11": 2,775.11 / 21,347 = $13.
      {"partial, rounding", "-13", "1", nullptr, 0, "-0.00021347", "13"},
      // "-1,000,000 quote quantums": a long that cannot be liquidated at a loss.
      {"negative bankruptcy price", "1", "1", nullptr, 0, "-1", "-1"},
  };
  for (const BankruptcyCase& c : cases) {
    Account a = subaccount(c.usdc);
    size_t btc = c.btc ? a.cross(0, c.btc) : SIZE_MAX;
    size_t eth = c.eth ? a.cross(1, c.eth) : SIZE_MAX;
    const size_t i = c.market == 0 ? btc : eth;
    const uint32_t k = static_cast<uint32_t>(c.market);
    MaybePrice bp = bankruptcy_price(a.view(), i, a.qty(k, c.delta));
    EXPECT_EQ(price_str(bp, a.markets[k]), c.want_price) << c.name;
  }
  // The rounding case's quote amount: 0.00021347 × 13 = 0.00277511 = 2,775.11 quantums.
  Account a = subaccount("-13");
  size_t i = a.cross(0, "1");
  MaybePrice bp = bankruptcy_price(a.view(), i, a.qty(0, "-0.00021347"));
  EXPECT_EQ(format_decimal(bp.units * 21347, 16), "0.00277511");
}

struct FillableCase {
  const char* name;
  const char* usdc;
  const char* btc;
  const char* eth;
  int market;
  const char* ba;
  const char* smmr;
  const char* want;  // [TEST] expectedFillablePrice in dollars
};

TEST(DydxV4, FillablePrice) {
  const FillableCase cases[] = {
      // ABR = 1 − 499/500 = 0.002; 50,000 − 0.002 × 0.1 × 500 / 0.1 = 49,999.
      {"long slightly below MM", "-4501", "0.1", nullptr, 0, "1", "0.1", "49999"},
      {"long, BA 2", "-4501", "0.1", nullptr, 0, "2", "0.1", "49998"},
      {"long, SMMR 0.2", "-4501", "0.1", nullptr, 0, "1", "0.2", "49998"},
      {"short slightly below MM", "5499", "-0.1", nullptr, 0, "1", "0.1", "50001"},
      {"short, BA 2", "5499", "-0.1", nullptr, 0, "2", "0.1", "50002"},
      {"short, SMMR 0.2", "5499", "-0.1", nullptr, 0, "1", "0.2", "50002"},
      {"long at bankruptcy", "-5000", "0.1", nullptr, 0, "1", "0.1", "49500"},
      {"short at bankruptcy", "5000", "-0.1", nullptr, 0, "1", "0.1", "50500"},
      {"long below bankruptcy (ABR clamps to 1)", "-5500", "0.1", nullptr, 0, "1", "0.1", "49500"},
      {"short below bankruptcy", "4500", "-0.1", nullptr, 0, "1", "0.1", "50500"},
      // TNC 10, TMMR 50, ABR 0.8; 3,000 − 0.8 × 0.1 × 30 / 0.1 = 2,976 ("372/125" × 800).
      {"two longs, ETH", "-490", "0.004", "0.1", 1, "1", "0.1", "2976"},
      // BankruptcyAdjustmentPpm = MaxUint32: ABR clamps to 1.
      {"BA max uint32 ppm", "-4501", "0.1", nullptr, 0, "4294.967295", "0.1", "49500"},
      // "4,999,999,999 / 10,000,000" subticks: $49,999.99999.
      {"SMMR 1 ppm", "-4501", "0.1", nullptr, 0, "1", "0.000001", "49999.99999"},
      {"SMMR one million ppm", "-4501", "0.1", nullptr, 0, "1", "1", "49990"},
  };
  for (const FillableCase& c : cases) {
    Account a = subaccount(c.usdc, perp("0.005", c.ba, c.smmr), perp("0.005", c.ba, c.smmr));
    size_t btc = c.btc ? a.cross(0, c.btc) : SIZE_MAX;
    size_t eth = c.eth ? a.cross(1, c.eth) : SIZE_MAX;
    const size_t i = c.market == 0 ? btc : eth;
    EXPECT_EQ(price_str(fillable_price(a.view(), i), a.markets[static_cast<size_t>(c.market)]), c.want) << c.name;
  }
  // No fillable-price parameters: null.
  Account a = subaccount("-4501", market({{nullptr, "0.2", "0.1"}}));
  size_t i = a.cross(0, "0.1");
  EXPECT_FALSE(fillable_price(a.view(), i).exists);
}

struct FundCase {
  const char* name;
  const char* usdc;
  const char* btc;
  const char* delta;
  const char* fill;
  const char* fee_rate;
  const char* want_delta;  // [TEST] expectedLiquidationInsuranceFundDeltaBig / 1e6
};

TEST(DydxV4, InsuranceFundDelta) {
  const FundCase cases[] = {
      // BP quote 5,100; fill 5,610; min(510, 5,610 × 0.5% = 28.05).
      {"long above BP, max fee", "-5100", "0.1", "-0.1", "56100", "0.005", "28.05"},
      {"long above BP, fee 2.5%", "-5100", "0.1", "-0.1", "56100", "0.025", "140.25"},
      {"long above BP, fee 100%", "-5100", "0.1", "-0.1", "56100", "1", "510"},
      {"short above BP, max fee", "4900", "-0.1", "0.1", "44100", "0.005", "22.05"},
      {"short above BP, fee 2.5%", "4900", "-0.1", "0.1", "44100", "0.025", "110.25"},
      {"short above BP, fee 100%", "4900", "-0.1", "0.1", "44100", "1", "490"},
      {"long just above BP", "-5100", "0.1", "-0.1", "51051", "0.005", "5.1"},
      {"short just above BP", "4900", "-0.1", "0.1", "48951", "0.005", "4.9"},
      {"long at BP", "-5100", "0.1", "-0.1", "51000", "0.005", "0"},
      {"short at BP", "4900", "-0.1", "0.1", "49000", "0.005", "0"},
      {"long below BP: the fund pays", "-5100", "0.1", "-0.1", "50490", "0.005", "-51"},
      {"short below BP: the fund pays", "4900", "-0.1", "0.1", "49490", "0.005", "-49"},
  };
  for (const FundCase& c : cases) {
    Account a = subaccount(c.usdc, perp(c.fee_rate));
    size_t i = a.cross(0, c.btc);
    FundDelta fd = insurance_fund_delta(a.view(), i, a.qty(0, c.delta), a.price(0, c.fill));
    EXPECT_EQ(money(fd.fund_delta, a.markets[0]), c.want_delta) << c.name;
    // The fee is the positive, capped part; when the fund pays there is no fee.
    EXPECT_EQ(money(fd.fee, a.markets[0]), fd.fund_delta.v > 0 ? c.want_delta : "0") << c.name;
  }
}

TEST(DydxV4, IssueExampleIsTheDydxAccountWithTieredMargin) {
  // The issue's `liqd risk` example: dYdX's −$4,501 / 0.1 BTC account with
  // Hyperliquid-style BTC tiers (1.25% maintenance), and an isolated short.
  MarketSpec s;
  s.liquidation_fee = "0.005";
  s.bankruptcy_adjustment = "1";
  s.spread_to_mmr = "0.1";
  Account a{{market({{"150000000", "0.025", "0.0125"}, {nullptr, "0.05", "0.025"}}, s)}, {}, Quote(0), {}};
  a.marks = {a.price(0, "50000")};
  a.collateral = a.quote("-4501");
  size_t cross = a.cross(0, "0.1");
  size_t iso = a.isolated(0, "-1", "51000", "5000");
  const MarketRisk& m = a.markets[0];
  MarginSummary s0 = a.cross_summary();
  EXPECT_EQ(money(s0.equity, m), "499");
  EXPECT_EQ(money(s0.mm, m), "62.5");
  EXPECT_EQ(money(s0.im, m), "125");
  MarginSummary s1 = a.summary_of(iso);
  EXPECT_EQ(money(s1.equity, m), "6000");
  EXPECT_EQ(money(s1.mm, m), "625");
  EXPECT_EQ(price_str(bankruptcy_price(a.view(), cross, a.qty(0, "-0.1")), m), "45010");
  EXPECT_EQ(price_str(bankruptcy_price(a.view(), iso, a.qty(0, "1")), m), "56000");
  FundDelta fd = insurance_fund_delta(a.view(), cross, a.qty(0, "-0.1"), a.price(0, "56100"));
  EXPECT_EQ(money(fd.fund_delta, m), "28.05");
  EXPECT_EQ(money(fd.fee, m), "28.05");
}

}  // namespace
}  // namespace liqd::test
