// Volatility-adjusted margin (issue 5, item 7).
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/margin/margin.hpp"
#include "core/money/decimal.hpp"
#include "core/policy/volmargin/vol_margin.hpp"
#include "tests/policy/test_markets.hpp"

namespace liqd::policy {
namespace {

void expect_continuous_and_ordered(const MarketRisk& m) {
  for (int i = 0; i + 1 < m.n_tiers; ++i) {
    EXPECT_EQ(mm_jump_at_boundary(m, i), 0) << "tier " << i;
    EXPECT_EQ(im_jump_at_boundary(m, i), 0) << "tier " << i;
  }
  for (int i = 0; i < m.n_tiers; ++i) EXPECT_GE(m.tiers[i].imr, m.tiers[i].mmr) << "tier " << i;
}

// Marks alternate 100.00 / 101.00 every second: every |r| = ln 1.01, so the EWMA
// of r² / Δt converges to ln(1.01)² / 1000 per ms and σ over 60 s to ln(1.01) × √60.
TEST(VolMargin, EwmaConvergesToTheAnalyticVariance) {
  VolMarginConfig c{};
  c.half_life_ms = 10'000;
  c.horizon_ms = 60'000;
  VolatilityMargin v(0, test::btc_tiered_market(), c);
  for (int i = 0; i <= 1000; ++i) v.on_mark(Price(i % 2 == 0 ? 10000 : 10100), i * 1000);
  const double r = std::log(1.01);
  EXPECT_NEAR(v.variance_per_ms(), r * r / 1000.0, 1e-12);
  EXPECT_NEAR(v.sigma_horizon(), r * std::sqrt(60.0), 1e-9);
  // k = 3: dyn = ceil(3 × 0.0770747… × 1e8)
  EXPECT_EQ(v.dynamic_mmr().v, static_cast<int64_t>(std::ceil(3 * r * std::sqrt(60.0) * 1e8)));
}

TEST(VolMargin, StepLimitedOncePerIntervalContinuousAndImrAboveMmr) {
  VolMarginConfig c{};
  c.half_life_ms = 10'000;
  c.horizon_ms = 60'000;
  c.interval_ms = 60'000;
  c.max_step = Ratio(500'000);  // 0.5 % per update
  VolatilityMargin v(3, test::btc_tiered_market(), c);
  const MarketRisk base = v.base();
  TimeMs t = 0;
  for (int i = 0; i <= 600; ++i, t += 1000) v.on_mark(Price(i % 2 == 0 ? 10000 : 10100), t);
  const int64_t target = v.dynamic_mmr().v;  // ≈ 23.1 %
  ASSERT_GT(target, 20'000'000);
  int updates = 0;
  TimeMs last = -1;
  int flip = 0;
  for (TimeMs now = t; now < t + 60 * 60'000; now += 1000) {
    v.on_mark(Price(++flip % 2 == 0 ? 10000 : 10100), now);
    auto ch = v.maybe_update(now);
    if (!ch) continue;
    ++updates;
    EXPECT_EQ(ch->market, 3u);
    if (last >= 0) {
      EXPECT_GE(now - last, c.interval_ms);
    }
    last = now;
    for (int i = 0; i < ch->n_tiers; ++i) {
      EXPECT_LE(ch->new_mmr[i].v - ch->old_mmr[i].v, c.max_step.v);
      EXPECT_GE(ch->new_mmr[i], base.tiers[i].mmr);
      EXPECT_EQ(ch->new_imr[i].v - ch->new_mmr[i].v, base.tiers[i].imr.v - base.tiers[i].mmr.v);
    }
    expect_continuous_and_ordered(ch->risk);
  }
  // From 0.4 % to ~23.1 % in 0.5 % steps: ceil(22.7 / 0.5) = 46 updates, then steady.
  EXPECT_EQ(updates, static_cast<int>((target - base.tiers[0].mmr.v + 499'999) / 500'000));
  for (int i = 0; i < v.current().n_tiers; ++i)
    EXPECT_EQ(v.current().tiers[i].mmr.v, std::max<int64_t>(target, base.tiers[i].mmr.v));
}

TEST(VolMargin, QuietMarketKeepsTierRatios) {
  VolMarginConfig c{};
  c.half_life_ms = 10'000;
  VolatilityMargin v(0, test::btc_tiered_market(), c);
  for (int i = 0; i <= 600; ++i) v.on_mark(Price(1'000'000 + (i % 2)), i * 1000);  // 0.0001 % wiggle
  EXPECT_LT(v.dynamic_mmr().v, v.base().tiers[0].mmr.v);
  EXPECT_FALSE(v.maybe_update(600'000).has_value());
  EXPECT_EQ(v.current().tiers[0].mmr, v.base().tiers[0].mmr);
}

TEST(VolMargin, MarginFallsBackStepwiseWhenVolatilityFades) {
  VolMarginConfig c{};
  c.half_life_ms = 10'000;
  c.horizon_ms = 60'000;
  c.max_step = Ratio(10'000'000);
  c.interval_ms = 1000;
  VolatilityMargin v(0, test::btc_tiered_market(), c);
  TimeMs t = 0;
  for (; t <= 300'000; t += 1000) v.on_mark(Price((t / 1000) % 2 == 0 ? 10000 : 10100), t);
  for (int k = 0; k < 10; ++k) v.maybe_update(t + k * 1000);
  const Ratio high = v.current().tiers[0].mmr;
  ASSERT_GT(high.v, 20'000'000);
  t += 10'000;
  for (int k = 0; k < 600; ++k, t += 1000) {
    v.on_mark(Price(10000), t);  // flat: variance decays with the half-life
    auto ch = v.maybe_update(t);
    if (ch) {
      for (int i = 0; i < ch->n_tiers; ++i) EXPECT_LE(ch->old_mmr[i].v - ch->new_mmr[i].v, c.max_step.v);
      expect_continuous_and_ordered(ch->risk);
    }
  }
  EXPECT_EQ(v.current().tiers[0].mmr, v.base().tiers[0].mmr);
}

// Real crash paths: each 1-minute bar walked open → low → high → close (down bar) or
// open → high → low → close, 15 s apart. Black Thursday must raise the margin far
// more than the FTX day, every change stays continuous and step-bounded.
double max_mmr_on(const std::string& file, int64_t dead_band, int* n_changes) {
  std::string csv = test::read_test_file("policy/crash_days/" + file);
  EXPECT_FALSE(csv.empty()) << file;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  VolMarginConfig c{};
  c.half_life_ms = 30 * 60'000;
  c.horizon_ms = 10 * 60'000;
  c.interval_ms = 60'000;
  c.max_step = Ratio(250'000);
  c.min_change = Ratio(dead_band);
  VolatilityMargin v(0, test::btc_tiered_market(), c);
  int64_t max_mmr = 0;
  *n_changes = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string x;
    while (std::getline(ls, x, ',')) f.push_back(x);
    EXPECT_EQ(f.size(), 6u);
    const TimeMs ts = std::stoll(f[0]);
    auto px = [](const std::string& s) {
      int64_t u = 0;
      EXPECT_EQ(parse_decimal(s, 2, u), DecimalError::Ok) << s;
      return Price(u);
    };
    const Price o = px(f[1]), h = px(f[2]), l = px(f[3]), cl = px(f[4]);
    const Price walk[4] = {o, cl < o ? l : h, cl < o ? h : l, cl};
    for (int k = 0; k < 4; ++k) v.on_mark(walk[k], ts + k * 15'000);
    if (auto ch = v.maybe_update(ts + 45'000)) {
      ++*n_changes;
      for (int i = 0; i < ch->n_tiers; ++i) {
        const int64_t d = ch->new_mmr[i].v - ch->old_mmr[i].v;
        EXPECT_LE(d < 0 ? -d : d, c.max_step.v);
      }
      expect_continuous_and_ordered(ch->risk);
      max_mmr = std::max(max_mmr, ch->new_mmr[0].v);
    }
  }
  return static_cast<double>(max_mmr) / kRatioOne;
}

TEST(VolMargin, RealCrashPaths) {
  int n2020 = 0, n2022 = 0, n2020_band = 0;
  const double m2020 = max_mmr_on("binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv", 0, &n2020);
  const double m2022 = max_mmr_on("binance_usdm_BTCUSDT_1m_2022-11-08T1816Z_2028Z.csv", 0, &n2022);
  const double m2020b = max_mmr_on("binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv", 1'000'000, &n2020_band);
  std::printf("max tier-0 mmr: 2020-03-12 %.4f (%d changes; %d with a 1 %% dead band, max %.4f), "
              "2022-11-08 %.4f (%d changes)\n", m2020, n2020, n2020_band, m2020b, m2022, n2022);
  EXPECT_GT(m2020, 0.004);  // above the 0.4 % base tier
  EXPECT_GT(n2020, 0);
  EXPECT_GT(m2020, m2022);
  EXPECT_LT(n2020_band, n2020);  // the dead band re-arms the index less often
}

}  // namespace
}  // namespace liqd::policy
