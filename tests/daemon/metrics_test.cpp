#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "daemon/metrics/registry.hpp"
#include "tests/daemon/promtool_check.hpp"

namespace liqd::metrics {
namespace {

using test::promtool_check;

TEST(Metrics, ExpositionPassesPromtool) {
  Registry r;
  r.counter("liqd_events_total", "Events consumed by the core.", {{"source", "binance"}, {"type", "book"}}).inc(3);
  r.counter("liqd_events_total", "Events consumed by the core.", {{"source", "pyth"}, {"type", "price"}}).inc();
  r.gauge("liqd_insurance_fund_balance", "Insurance fund balance in quote units.", {{"asset", "USDC"}}).set(1234.5);
  r.gauge("liqd_build_info", "Build information.", {{"version", "0.1.0"}}).set(1);
  auto& h = r.histogram("liqd_tick_to_decision_seconds", "Price event to liquidation decision.");
  for (uint64_t ns : {300u, 1500u, 40000u, 2000000u}) h.record(ns);
  r.counter("liqd_weird_total", "Label escaping.", {{"market", "a\"b\\c\nd"}}).inc();
  std::string text = r.render();
  std::string out;
  EXPECT_EQ(promtool_check(text, out), 0) << out << "\n" << text;
  EXPECT_EQ(out, "") << "promtool lint findings";
  EXPECT_NE(text.find("liqd_events_total{source=\"binance\",type=\"book\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("liqd_tick_to_decision_seconds_bucket{le=\"1e-06\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("liqd_tick_to_decision_seconds_bucket{le=\"2.5e-06\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("liqd_tick_to_decision_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("liqd_tick_to_decision_seconds_count 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("market=\"a\\\"b\\\\c\\nd\""), std::string::npos) << text;
}

TEST(Metrics, SameSeriesIsReturnedTwice) {
  Registry r;
  Counter& a = r.counter("liqd_x_total", "x", {{"k", "v"}});
  Counter& b = r.counter("liqd_x_total", "x", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
}

TEST(Histogram, BucketsMatchBruteForceAndQuantilesAreClose) {
  LatencyHistogram h;
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> d(9.0, 2.0);  // ns, median ~8 µs, long tail
  std::vector<uint64_t> xs;
  for (int i = 0; i < 200000; ++i) {
    uint64_t x = static_cast<uint64_t>(d(rng));
    xs.push_back(x);
    h.record(x);
  }
  for (size_t b = 0; b <= LatencyHistogram::kBoundsNs.size(); ++b) {
    uint64_t lo = b == 0 ? 0 : LatencyHistogram::kBoundsNs[b - 1] + 1;
    uint64_t hi = b < LatencyHistogram::kBoundsNs.size() ? LatencyHistogram::kBoundsNs[b] : UINT64_MAX;
    uint64_t n = static_cast<uint64_t>(std::count_if(xs.begin(), xs.end(), [&](uint64_t x) { return x >= lo && x <= hi; }));
    EXPECT_EQ(h.coarse(b), n) << "bucket " << b;
  }
  std::sort(xs.begin(), xs.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    double exact = static_cast<double>(xs[static_cast<size_t>(q * static_cast<double>(xs.size())) - 1]);
    double est = static_cast<double>(h.quantile_ns(q));
    EXPECT_GE(est, exact) << q;                 // upper edge of the bucket holding it
    EXPECT_LE(est, exact * 1.0625 + 1) << q;    // 16 sub-buckets per octave
  }
}

TEST(Histogram, FineIndexIsMonotonicAndCoversItsValues) {
  for (uint64_t v = 0; v < 100000; ++v) {
    int i = LatencyHistogram::fine_index(v);
    ASSERT_LE(v, LatencyHistogram::fine_upper(i));
    if (i > 0) {
      ASSERT_GT(v, LatencyHistogram::fine_upper(i - 1));
    }
  }
  EXPECT_LT(LatencyHistogram::fine_index(UINT64_MAX), LatencyHistogram::kFine);
}

}  // namespace
}  // namespace liqd::metrics
