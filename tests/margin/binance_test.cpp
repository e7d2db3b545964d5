// Binance USDⓈ-M futures: maintenance tiers with a cumulative maintenance amount,
// and the cross / isolated liquidation price.
//
// Sources:
//  [FAQ] Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
//        https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93
//        - "Maintenance Margin = Position Notional × Maintenance Margin Rate on the level
//          of position notional − Maintenance Amount on the level of position notional"
//        - Maintenance Amount on level n = floor of bracket n × (MMR_n − MMR_(n−1)) +
//          Maintenance Amount on level n−1; "the Maintenance Amount on Level 3 =
//          250,000 × (1% − 0.5%) + 50 USDT = 1,300 USDT"
//        - "if the position size of a USDT-margined BTCUSDT contract is 264,000 USDT,
//          then the maintenance margin rate would be 1%"; "... is 500,000 USDT, then the
//          maintenance amount would be 1,300 USDT"
//        - the FAQ's worked example: "Maintenance Margin of BTCUSDT = 71200.81144
//          (3500032.458 * 2.50% - 16300)" (quoted on midiamania.com/.../binance-futures-
//          liquidation-formula; Binance prints the float-truncated value, 71,200.81 to the cent)
//        - cross liquidation price (one-way mode):
//          LP = (WB − TMM1 + UPNL1 + cumB − Side1·Position1·EP1) / (Position1·MMR_B − Side1·Position1)
//          isolated: WB = isolated wallet balance, TMM1 = UPNL1 = 0; "if your position
//          (calculated at the liquidation price) and the current position are of
//          different levels, ... substitute the maintenance margin rate and amount of
//          the position level [at the liquidation price] to recalculate".
//  [GIST] highfestiva, "CLI Binance liquidation calculation formula" (2021),
//        https://gist.github.com/highfestiva/b71e76f51eed84d56c1be8ebbcc286b5 : the BTCUSDT
//        bracket table (notional cap, MMR %, maintenance amount) and the formula in text:
//        liq = (wallet + maint_amount − qty·entry) / (|qty|·(mmr − side)).
#include "margin_fixtures.hpp"

namespace liqd::test {
namespace {

// BTCUSDT brackets [GIST]: (cap, MMR). Initial ratios are 2×MMR (not under test).
MarketRisk btcusdt() {
  return market({{"50000", "0.008", "0.004"},
                 {"250000", "0.01", "0.005"},
                 {"1000000", "0.02", "0.01"},
                 {"10000000", "0.05", "0.025"},
                 {"20000000", "0.1", "0.05"},
                 {"50000000", "0.2", "0.1"},
                 {"100000000", "0.25", "0.125"},
                 {"200000000", "0.3", "0.15"},
                 {"300000000", "0.5", "0.25"},
                 {"500000000", "1", "0.5"}});
}

TEST(Binance, DerivedDeductionsAreTheCumulativeMaintenanceAmounts) {
  // [GIST] maintenance amounts; [FAQ] level 3: 250,000 × (1% − 0.5%) + 50 = 1,300.
  const char* cum[] = {"0", "50", "1300", "16300", "266300", "1266300", "2516300", "5016300", "25016300", "100016300"};
  MarketRisk m = btcusdt();
  ASSERT_EQ(m.n_tiers, 10);
  for (int i = 0; i < 10; ++i) {
    const i128 want = static_cast<i128>(units(cum[i], 6)) * kRatioOne;  // wide scale: quote_dp + 8
    EXPECT_EQ(m.tiers[static_cast<size_t>(i)].mm_deduction_w, want) << "tier " << i;
    if (i + 1 < 10) {
      EXPECT_EQ(mm_jump_at_boundary(m, i), 0) << "tier " << i;
    }
  }
}

TEST(Binance, TierLookupAndMaintenanceMargin) {
  MarketRisk m = btcusdt();
  // [FAQ] 264,000 USDT of BTCUSDT -> MMR 1% (level 3): MM = 264,000 × 1% − 1,300 = 1,340.
  PositionMargin pm = position_margin(m, Qty(units("2.64", 8)), Price(units("100000", 8)));
  EXPECT_EQ(pm.tier, 2);
  EXPECT_EQ(money(pm.mm, m), "1340");
  // [FAQ] 500,000 USDT -> maintenance amount 1,300: MM = 500,000 × 1% − 1,300 = 3,700.
  pm = position_margin(m, Qty(units("5", 8)), Price(units("100000", 8)));
  EXPECT_EQ(pm.tier, 2);
  EXPECT_EQ(money(pm.mm, m), "3700");
  // [FAQ] worked example: 3,500,032.458 × 2.50% − 16,300 = 71,200.81 (to the cent).
  pm = position_margin(m, Qty(units("100", 8)), Price(units("35000.32458", 8)));
  EXPECT_EQ(pm.tier, 3);
  EXPECT_EQ(money(pm.notional, m), "3500032.458");
  EXPECT_EQ(money(pm.mm, m), "71200.81145");  // exact; Binance truncates to ...81144
  EXPECT_EQ(format_decimal(div_round(pm.mm.v, 10'000, Round::HalfAwayFromZero), 2), "71200.81");
}

TEST(Binance, IsolatedLiquidationPrice) {
  // Isolated long 100 BTC at 40,000 with 400,000 USDT isolated margin (10x).
  // [FAQ] formula with WB = 400,000, TMM1 = UPNL1 = 0. Guess the level of the
  // notional at the liquidation price: level 4 (MMR 2.5%, cum 16,300):
  //   LP = (400,000 + 16,300 − 100·40,000) / (100·0.025 − 100) = −3,583,700 / −97.5
  //      = 36,755.897435...; notional 3,675,589.74 lies in level 4 (1M–10M): consistent.
  Account a{{btcusdt()}, {}, Quote(0), {}};
  a.marks = {a.price(0, "40000")};
  size_t i = a.isolated(0, "100", "40000", "400000");
  MaybePrice lp = liquidation_price(a.view(), i);
  EXPECT_EQ(price_str(lp, a.markets[0]), "36755.8974359");  // 36,755.89743590
  EXPECT_EQ(cents(lp, a.markets[0]), "36755.9");
}

TEST(Binance, IsolatedLiquidationPriceInAnotherLevel) {
  // Isolated long 300 BTC at 40,000 (notional 12M: level 5, MMR 5%, cum 266,300)
  // with 2,400,000 USDT (5x). [FAQ] formula at level 5:
  //   (2,400,000 + 266,300 − 12,000,000) / (300·0.05 − 300) = 32,749.82, notional
  //   9,824,947 — level 4, not 5: "recalculate" at level 4 (2.5%, cum 16,300):
  //   (2,400,000 + 16,300 − 12,000,000) / (300·0.025 − 300) = −9,583,700 / −292.5
  //   = 32,764.786324...; notional 9,829,435.90 lies in level 4: the answer.
  Account a{{btcusdt()}, {}, Quote(0), {}};
  a.marks = {a.price(0, "40000")};
  size_t i = a.isolated(0, "300", "40000", "2400000");
  EXPECT_EQ(position_margin(a.markets[0], a.positions[i].size, a.marks[0]).tier, 4);
  MaybePrice lp = liquidation_price(a.view(), i);
  EXPECT_EQ(price_str(lp, a.markets[0]), "32764.78632479");
  EXPECT_EQ(cents(lp, a.markets[0]), "32764.79");
}

TEST(Binance, CrossLiquidationPriceWithAnotherContract) {
  // Cross: wallet balance 100,000 USDT; BTCUSDT long 10 at 30,000 (mark 30,000);
  // ETHUSDT short 100 at 2,000, mark 2,100, one level at MMR 1%.
  //   TMM1 = 100 · 2,100 · 1% = 2,100; UPNL1 = −100 · (2,100 − 2,000) = −10,000.
  // [FAQ] formula, level 3 first (1%, cum 1,300):
  //   (100,000 − 2,100 − 10,000 + 1,300 − 300,000) / (10·0.01 − 10) = 21,292.93,
  //   notional 212,929 — level 2. Recalculate at level 2 (0.5%, cum 50):
  //   (100,000 − 2,100 − 10,000 + 50 − 300,000) / (10·0.005 − 10) = −212,050 / −9.95
  //   = 21,311.557788...; notional 213,115.58 lies in level 2 (50k–250k).
  Account a{{btcusdt(), market({{nullptr, "0.02", "0.01"}})}, {}, Quote(0), {}};
  a.marks = {a.price(0, "30000"), a.price(1, "2100")};
  a.collateral = a.quote("100000");
  size_t btc = a.cross(0, "10", "30000");
  a.cross(1, "-100", "2000");
  MarginSummary s = a.cross_summary();
  EXPECT_EQ(money(s.equity, a.markets[0]), "90000");
  EXPECT_EQ(money(s.mm, a.markets[0]), "3800");  // 300,000 × 1% − 1,300 + 2,100
  MaybePrice lp = liquidation_price(a.view(), btc);
  EXPECT_EQ(price_str(lp, a.markets[0]), "21311.55778894");
  EXPECT_EQ(cents(lp, a.markets[0]), "21311.56");
}

TEST(Binance, NegativeLiquidationPriceIsNull) {
  // [FAQ] "If the liquidation price is less than 0, the UI would display '--'":
  // a fully funded 1x long can never be liquidated by price.
  Account a{{btcusdt()}, {}, Quote(0), {}};
  a.marks = {a.price(0, "40000")};
  size_t i = a.isolated(0, "1", "40000", "40000");
  EXPECT_FALSE(liquidation_price(a.view(), i).exists);
  EXPECT_FALSE(a.summary_of(i).liquidatable());
}

}  // namespace
}  // namespace liqd::test
