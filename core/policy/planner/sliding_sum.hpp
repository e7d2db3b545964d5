#pragma once
// Sum of amounts over a sliding time window, in fixed buckets (no allocation).
// The window is covered by kSlidingBuckets buckets of ceil(window / kSlidingBuckets)
// ms; the sum counts every bucket that overlaps the window, so an amount is
// counted for up to one bucket longer than the window (the safe side for a cap).
#include <array>
#include <cstdint>

#include "core/policy/common.hpp"

namespace liqd::policy {

inline constexpr int kSlidingBuckets = 60;

class SlidingSum {
 public:
  SlidingSum() = default;
  explicit SlidingSum(TimeMs window_ms);
  // Adds v (may be negative: a credit back) at time ts. A credit to a bucket that
  // has already left the window is dropped.
  void add(TimeMs ts, int64_t v);
  int64_t total(TimeMs now) const;
  TimeMs window_ms() const { return window_; }

 private:
  struct Bucket {
    int64_t id = INT64_MIN;
    int64_t sum = 0;
  };
  TimeMs window_ = 60'000;
  TimeMs width_ = 1000;
  std::array<Bucket, kSlidingBuckets + 1> b_{};
};

}  // namespace liqd::policy
