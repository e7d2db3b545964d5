// Randomised properties of the exact liquidation-price solve (thousands of cross
// and isolated accounts over markets with several tiers and mixed scales):
//  - at the reported liquidation price, equity equals maintenance margin within one
//    price unit's worth (|size| × unit: the root is within half a unit, slope ≤ 2|size|);
//  - `liquidatable` flips exactly there: one price unit (and one tick) on the safe side it is
//    false, one unit on the other side it is true;
//  - a null liquidation price means the flag is the same at every sampled price;
//  - closing in full at the bankruptcy price leaves equity × (1 − MM_pos / MM).
// Deterministic: fixed seed.
#include <random>

#include "core/margin/big_int.hpp"
#include "margin_fixtures.hpp"

namespace liqd::test {
namespace {

struct Gen {
  std::mt19937_64 rng{20261125};
  int64_t uniform(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }
  // log-uniform in [lo, hi]
  int64_t log_uniform(int64_t lo, int64_t hi) {
    double x = std::uniform_real_distribution<double>(std::log(double(lo)), std::log(double(hi)))(rng);
    return static_cast<int64_t>(std::exp(x));
  }
  bool coin() { return uniform(0, 1) == 1; }

  MarketRisk market() {
    MarketRisk m{};
    const int price_dps[] = {2, 4, 8};
    const int qty_dps[] = {4, 6, 8};
    m.scale = Scale{static_cast<int8_t>(price_dps[uniform(0, 2)]), static_cast<int8_t>(qty_dps[uniform(0, 2)]), 6};
    m.n_tiers = static_cast<uint8_t>(uniform(1, 4));
    int64_t mmr = uniform(500'000, 10'000'000);  // 0.5% .. 10%
    int64_t bound = log_uniform(1'000, 1'000'000) * 1'000'000;
    for (int t = 0; t < m.n_tiers; ++t) {
      MarginTier& tier = m.tiers[static_cast<size_t>(t)];
      tier.mmr = Ratio(mmr);
      tier.imr = Ratio(mmr * 2 > kRatioOne ? kRatioOne : mmr * 2);
      tier.max_notional = t + 1 == m.n_tiers ? Quote(INT64_MAX) : Quote(bound);
      mmr += uniform(100'000, 5'000'000);
      if (mmr > 50'000'000) mmr = 50'000'000;
      bound *= uniform(2, 10);
    }
    derive_deductions(m, nullptr, nullptr);
    const int64_t ticks[] = {1, 5, 10, 100};  // in price units: tick 0.05 at price_dp 2, ...
    m.tick = Price(ticks[uniform(0, 3)]);
    return m;
  }
};

int64_t last_bound(const MarketRisk& m) {
  return m.n_tiers > 1 ? m.tiers[static_cast<size_t>(m.n_tiers - 2)].max_notional.v : 1'000'000'000;
}

i128 iabs(i128 v) { return v < 0 ? -v : v; }

TEST(MarginProperty, LiquidationPriceIsWhereLiquidatableFlips) {
  Gen g;
  int checked = 0, null_prices = 0, cross_checked = 0, iso_checked = 0;
  for (int c = 0; c < 3000; ++c) {
    Account a{};
    const int n_markets = static_cast<int>(g.uniform(1, 3));
    for (int k = 0; k < n_markets; ++k) {
      a.markets.push_back(g.market());
      const MarketRisk& m = a.markets.back();
      a.marks.push_back(Price(g.log_uniform(1, 100'000) * pow10_i128(m.scale.price_dp) / 1 +
                              g.uniform(0, static_cast<int64_t>(pow10_i128(m.scale.price_dp)) - 1)));
    }
    i128 total_notional = 0;
    for (uint32_t k = 0; k < a.markets.size(); ++k) {
      const MarketRisk& m = a.markets[k];
      for (bool iso : {false, true}) {
        if (!g.coin()) continue;
        // Notional log-uniform up to a few times the last tier boundary.
        const int64_t notional_quote = g.log_uniform(10, last_bound(m) / 1'000'000 * 4);
        const i128 size_units = static_cast<i128>(notional_quote) * pow10_i128(m.scale.product_dp()) / a.marks[k].v;
        if (size_units == 0) continue;
        Position p{};
        p.market = k;
        p.size = Qty(static_cast<int64_t>(g.coin() ? size_units : -size_units));
        p.entry = Price(a.marks[k].v / 100 * g.uniform(80, 120));
        if (iso) {
          p.isolated = true;
          p.isolated_margin = Quote(notional_quote * g.uniform(0, 300'000) / 1'000'000 * 1'000'000);
        }
        a.positions.push_back(p);
        total_notional += notional_quote;
      }
    }
    if (a.positions.empty()) continue;
    a.collateral = Quote(static_cast<int64_t>(total_notional * g.uniform(0, 300) / 1000 * 1'000'000));

    for (size_t i = 0; i < a.positions.size(); ++i) {
      const Position& p = a.positions[i];
      const MarketRisk& m = a.markets[p.market];
      const Price mark0 = a.marks[p.market];
      const MaybePrice lp = liquidation_price(a.view(), i);
      if (!lp.exists) {
        ++null_prices;
        const bool at_mark = a.summary_of(i).liquidatable();
        for (i128 price : {i128{1}, i128{mark0.v} / 10 + 1, i128{mark0.v} * 10}) {
          a.marks[p.market] = Price(static_cast<int64_t>(price));
          EXPECT_EQ(a.summary_of(i).liquidatable(), at_mark) << "case " << c << " position " << i;
        }
        a.marks[p.market] = mark0;
        continue;
      }
      ++checked;
      (p.isolated ? iso_checked : cross_checked)++;
      const int64_t P = static_cast<int64_t>(lp.units);
      a.marks[p.market] = Price(P);
      MarginSummary at = a.summary_of(i);
      // The root is within half a price unit of P and slack moves by |s|(1 + mmr)
      // per unit (mmr <= 1), so |equity − MM| <= |s| × one unit, at exact decimals.
      const i128 unit_worth = iabs(p.size.v) * pow10_i128(at.exact_dp - m.scale.product_dp());
      EXPECT_LE(iabs(at.equity_x - at.mm_x), unit_worth) << "case " << c << " position " << i;
      // One price unit (the finest step) and one tick on each side.
      for (int64_t step : {int64_t{1}, m.tick.v}) {
        const int64_t safe = p.size.v > 0 ? P + step : P - step;
        const int64_t unsafe = p.size.v > 0 ? P - step : P + step;
        if (safe > 0) {
          a.marks[p.market] = Price(safe);
          EXPECT_FALSE(a.summary_of(i).liquidatable()) << "case " << c << " position " << i << " safe side";
        }
        if (unsafe > 0) {
          a.marks[p.market] = Price(unsafe);
          EXPECT_TRUE(a.summary_of(i).liquidatable()) << "case " << c << " position " << i << " unsafe side";
        }
      }
      a.marks[p.market] = mark0;
    }

    // Bankruptcy price of a full close: the trade leaves equity × (1 − MM_pos / MM).
    for (size_t i = 0; i < a.positions.size(); ++i) {
      const Position& p = a.positions[i];
      const MarketRisk& m = a.markets[p.market];
      const Judge j = judge_of(a.view(), i);
      const MaybePrice bp = bankruptcy_price(a.view(), i, Qty(-p.size.v));
      ASSERT_TRUE(bp.exists);
      const i128 f = pow10_i128(j.dp - m.scale.product_dp());
      // after = equity + δ·(mark − BP) with δ = −size
      const BigInt after = BigInt(j.equity) + BigInt(-p.size.v) * BigInt(a.marks[p.market].v - bp.units) * BigInt(f);
      const BigInt want_times_mm = BigInt(j.equity) * BigInt(j.mm - j.mm_position);
      const BigInt err = after * BigInt(j.mm) - want_times_mm;  // (after − want) × MM
      const BigInt tol = BigInt(iabs(p.size.v)) * BigInt(f) * BigInt(j.mm);  // one price unit's worth
      EXPECT_TRUE(-tol <= err && err <= tol) << "case " << c << " position " << i;
    }
  }
  // The property must not be vacuous.
  EXPECT_GT(checked, 2000);
  EXPECT_GT(cross_checked, 500);
  EXPECT_GT(iso_checked, 500);
  EXPECT_GT(null_prices, 50);
  std::printf("liquidation prices checked: %d (cross %d, isolated %d), null: %d\n", checked, cross_checked,
              iso_checked, null_prices);
}

TEST(MarginProperty, RootsAcrossTierBoundaries) {
  // A short whose liquidation price lies several tiers above its current tier,
  // solved exactly and checked by the flip.
  Account a{{market({{"10000", "0.02", "0.01"}, {"100000", "0.04", "0.02"}, {"1000000", "0.1", "0.05"}, {nullptr, "0.2", "0.1"}})},
            {}, Quote(0), {}};
  a.marks = {a.price(0, "100")};
  size_t i = a.isolated(0, "-50", "100", "200000");  // notional 5,000 (tier 0)
  MaybePrice lp = liquidation_price(a.view(), i);
  ASSERT_TRUE(lp.exists);
  // Tier 2 (5%, deduction 10,000·1% + 100,000·3% = 3,100): 200,000 − 50(P − 100) =
  // 50P·5% − 3,100 -> P = 208,100 / 52.5 = 3,963.8095238...; notional 198,190 (tier 2).
  // (Tier 1's candidate, (205,000 + 100) / 51 = 4,021.6, has notional 201,078 > 100,000.)
  EXPECT_EQ(price_str(lp, a.markets[0]), "3963.80952381");
  a.marks[0] = Price(static_cast<int64_t>(lp.units) - 1);
  EXPECT_FALSE(a.summary_of(i).liquidatable());
  a.marks[0] = Price(static_cast<int64_t>(lp.units) + 1);
  EXPECT_TRUE(a.summary_of(i).liquidatable());
}

}  // namespace
}  // namespace liqd::test
