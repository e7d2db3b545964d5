// The shipped examples (config/liqd.yaml, config/markets/*.yaml) load, and the
// MarketRisk they build reproduces the venues' published numbers:
// - BTC-USD: Binance USD-M BTCUSDT brackets; the derived maintenance deductions
//   are Binance's "cum" (cumulative maintenance amount) of GET /fapi/v1/leverageBracket
//   (recorded response in the public repository boolean404/heikin-ashi-trading-bot,
//   json/fapiPrivate_get_leverage_bracket.py).
// - DOGE-USD: Binance DOGEUSDC tiers; the derived deductions are its published
//   maintenance amounts (Binance Futures "Leverage & Margin", 2025-03-13).
// - ETH-USD: Hyperliquid's ETH tiers with its deduction formula written out.
#include <gtest/gtest.h>

#include "config/daemon_config.hpp"
#include "config/summary.hpp"
#include "core/margin/margin.hpp"
#include "test_util.hpp"

namespace liqd::config {
namespace {

// Whole quote units at the wide deduction scale (quote_dp 6 + 8 = 14).
constexpr i128 wide(int64_t quote) { return static_cast<i128>(quote) * 100'000'000'000'000; }

const Config& examples() {
  static const Config cfg = [] {
    Diagnostics diag;
    std::optional<Config> c = load_config(std::string(LIQD_CONFIG_DIR) + "/liqd.yaml", diag);
    for (const ConfigError& e : diag.errors()) ADD_FAILURE() << e.str();
    return c.value_or(Config{});
  }();
  return cfg;
}

const MarketConfig& market(const std::string& symbol) {
  for (const MarketConfig& m : examples().markets)
    if (m.symbol == symbol) return m;
  static MarketConfig none;
  ADD_FAILURE() << symbol << " not loaded";
  return none;
}

TEST(Examples, DaemonFileLoads) {
  const DaemonConfig& d = examples().daemon;
  EXPECT_EQ(d.quote.asset, "USDC");
  EXPECT_EQ(d.quote.quote_dp, 6);
  EXPECT_EQ(d.insurance_fund.start_balance.v, 2'500'000'000'000);
  EXPECT_EQ(d.journal.fsync, FsyncPolicy::Batch);
  EXPECT_EQ(d.admin.listen.str(), "127.0.0.1:9470");
  EXPECT_EQ(d.metrics.listen.str(), "0.0.0.0:9469");
  ASSERT_EQ(examples().markets.size(), 3u);
  EXPECT_EQ(examples().markets[0].symbol, "BTC-USD");  // file-name order
  EXPECT_EQ(examples().markets[1].symbol, "DOGE-USD");
  EXPECT_EQ(examples().markets[2].symbol, "ETH-USD");
}

TEST(Examples, BtcDerivedDeductionsAreBinanceCumulativeMaintenanceAmounts) {
  const MarketRisk& r = market("BTC-USD").risk;
  const int64_t cap[] = {50'000, 250'000, 3'000'000, 20'000'000, 40'000'000,
                         100'000'000, 120'000'000, 200'000'000, 300'000'000, 500'000'000};
  const int64_t cum[] = {0, 50, 1'300, 46'300, 546'300, 2'546'300, 5'046'300, 8'046'300, 28'046'300, 103'046'300};
  ASSERT_EQ(r.n_tiers, 10);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(r.tiers[i].max_notional.v, cap[i] * 1'000'000) << "bracket " << i + 1;
    EXPECT_EQ(r.tiers[i].mm_deduction_w, wide(cum[i])) << "bracket " << i + 1;
  }
  EXPECT_FALSE(r.tiers[9].unbounded());  // Binance's last bracket is capped at 500M
  EXPECT_EQ(r.scale.price_dp, 1);
  EXPECT_EQ(r.scale.qty_dp, 5);
  EXPECT_EQ(r.max_mmr().v, 50'000'000);
}

TEST(Examples, BtcMaintenanceMarginMatchesBinanceFormula) {
  const MarketRisk& r = market("BTC-USD").risk;
  // 20 BTC at 50,000 = 1,000,000 notional, bracket 3: 1,000,000 × 1% − 1,300 = 8,700.
  PositionMargin pm = position_margin(r, Qty(20 * 100'000), Price(50'000 * 10));
  EXPECT_EQ(pm.tier, 2);
  EXPECT_EQ(pm.mm.v, 8'700'000'000);
  // 60 BTC at 50,000 = 3,000,000, the top of bracket 3: 30,000 − 1,300 = 28,700,
  // which bracket 4's formula gives too (3,000,000 × 2.5% − 46,300): continuous.
  pm = position_margin(r, Qty(60 * 100'000), Price(50'000 * 10));
  EXPECT_EQ(pm.tier, 2);
  EXPECT_EQ(pm.mm.v, 28'700'000'000);
  PositionMargin above = position_margin(r, Qty(60 * 100'000 + 1), Price(50'000 * 10));
  EXPECT_EQ(above.tier, 3);
  // One lot more (0.00001 BTC = 0.5 notional) at 2.5%: 0.0125 more margin.
  EXPECT_EQ(above.mm.v, 28'700'012'500);
}

TEST(Examples, DogeDerivedDeductionsAreBinanceMaintenanceAmounts) {
  const MarketRisk& r = market("DOGE-USD").risk;
  const int64_t amount[] = {0, 20, 170, 7'670, 12'670, 62'670, 562'670, 1'062'670, 4'187'670, 16'687'670};
  ASSERT_EQ(r.n_tiers, 10);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(r.tiers[i].mm_deduction_w, wide(amount[i])) << "tier " << i + 1;
  EXPECT_EQ(r.tiers[0].imr.v, 1'333'334);  // 1/75 rounded up
  EXPECT_EQ(r.scale.price_dp, 6);
  EXPECT_EQ(r.scale.qty_dp, 0);
}

TEST(Examples, EthExplicitDeductionsFollowHyperliquidFormula) {
  const MarketConfig& m = market("ETH-USD");
  const MarketRisk& r = m.risk;
  ASSERT_EQ(r.n_tiers, 2);
  EXPECT_TRUE(m.explicit_mm[1]);
  EXPECT_TRUE(r.tiers[1].unbounded());
  // maintenance_deduction(1) = lower_bound(1) × (mmr(1) − mmr(0)) = 100,000,000 × 0.01333334.
  EXPECT_EQ(r.tiers[1].mm_deduction_w, wide(1'333'334));
  EXPECT_EQ(mm_jump_at_boundary(r, 0), 0);
  EXPECT_EQ(im_jump_at_boundary(r, 0), 0);
}

TEST(Examples, EveryMarketHasFillablePriceSourcesAndVenues) {
  for (const MarketConfig& m : examples().markets) {
    EXPECT_TRUE(m.risk.has_fillable) << m.symbol;
    EXPECT_EQ(m.risk.liquidation_fee.v, 500'000) << m.symbol;
    EXPECT_GE(m.oracles.size(), 2u) << m.symbol;
    EXPECT_GE(m.venues.size(), 3u) << m.symbol;
  }
}

TEST(Examples, SummaryListsDerivedDeductions) {
  std::string s = describe(examples());
  EXPECT_NE(s.find("3 markets"), std::string::npos);
  EXPECT_NE(s.find("103046300 (derived)"), std::string::npos);
  EXPECT_NE(s.find("16687670 (derived)"), std::string::npos);
  EXPECT_NE(s.find("binance: binance-usdm symbol BTCUSDT"), std::string::npos);
}

// The demo's market file hedges on liqd-sim's Binance REST order entry.
TEST(Examples, DemoHedgeVenueHasOrderEntry) {
  Diagnostics diag;
  std::optional<Config> c = load_config(std::string(LIQD_CONFIG_DIR) + "/demo/liqd.yaml", diag);
  ASSERT_TRUE(c.has_value()) << (diag.ok() ? "" : diag.errors()[0].str());
  int with = 0;
  for (const VenueConfig& v : c->markets[0].venues) {
    if (!v.order_entry) continue;
    ++with;
    EXPECT_EQ(v.name, "binance");
    EXPECT_EQ(v.order_entry->port, 19101);
  }
  EXPECT_EQ(with, 1);
  // The own book from liqd-sim's own port (scripts/demo.py: --own-port 19107), apart from the hedge venue's.
  EXPECT_EQ(c->daemon.feeds.own_book_ws, "ws://127.0.0.1:19107");
  EXPECT_EQ(c->daemon.feeds.own_book_rest, "http://127.0.0.1:19107");
  EXPECT_NE(describe(*c).find("      order entry: binance-rest to http://127.0.0.1:19101, key file /tmp/liqd-demo/hedge.key, "
                              "secret file /tmp/liqd-demo/hedge.secret, recv window 5000 ms"),
            std::string::npos);
}

}  // namespace
}  // namespace liqd::config
