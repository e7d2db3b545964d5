#pragma once
// Latency histogram with one writer and any number of readers (relaxed atomics).
// Two views of the same samples:
//  - Prometheus buckets with fixed decimal upper bounds in seconds (`le`), so the
//    exposition is exact and readable;
//  - a log-linear fine histogram (16 sub-buckets per power of two of nanoseconds,
//    ≤ 6.25% relative error) for quantiles in status lines and summaries.
// record() is two relaxed increments and a few shifts: safe on the hot path.
// There is no HdrHistogram in Debian, hence this small one.
#include <array>
#include <atomic>
#include <cstdint>

namespace liqd::metrics {

class LatencyHistogram {
 public:
  // Upper bounds in nanoseconds: 1µs … 10s in 1-2.5-5 steps; +Inf is implicit.
  static constexpr std::array<uint64_t, 22> kBoundsNs = {
      1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000,
      1'000'000, 2'500'000, 5'000'000, 10'000'000, 25'000'000, 50'000'000,
      100'000'000, 250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000,
      5'000'000'000, 10'000'000'000};
  static constexpr int kSubBits = 4;                 // 16 sub-buckets per octave
  static constexpr int kFine = 64 << kSubBits;       // covers all uint64 ns

  void record(uint64_t ns) {
    size_t b = 0;
    while (b < kBoundsNs.size() && ns > kBoundsNs[b]) ++b;
    coarse_[b].fetch_add(1, std::memory_order_relaxed);
    fine_[fine_index(ns)].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(ns, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
  }

  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t sum_ns() const { return sum_ns_.load(std::memory_order_relaxed); }
  // Non-cumulative count of coarse bucket i (i == kBoundsNs.size() is +Inf).
  uint64_t coarse(size_t i) const { return coarse_[i].load(std::memory_order_relaxed); }

  // Quantile q in [0,1] in nanoseconds: the upper edge of the fine bucket that
  // holds the q-th sample (0 when empty).
  uint64_t quantile_ns(double q) const;

  static int fine_index(uint64_t ns) {
    if (ns < (1u << kSubBits)) return static_cast<int>(ns);
    int msb = 63 - __builtin_clzll(ns);
    int shift = msb - kSubBits;
    return ((shift + 1) << kSubBits) + static_cast<int>((ns >> shift) & ((1u << kSubBits) - 1));
  }
  static uint64_t fine_upper(int idx) {
    if (idx < (1 << kSubBits)) return static_cast<uint64_t>(idx);
    int shift = (idx >> kSubBits) - 1;
    uint64_t mant = (1u << kSubBits) | static_cast<uint64_t>(idx & ((1 << kSubBits) - 1));
    return ((mant + 1) << shift) - 1;
  }

 private:
  std::array<std::atomic<uint64_t>, kBoundsNs.size() + 1> coarse_{};
  std::array<std::atomic<uint64_t>, kFine> fine_{};
  std::atomic<uint64_t> sum_ns_{0};
  std::atomic<uint64_t> count_{0};
};

}  // namespace liqd::metrics
