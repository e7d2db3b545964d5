#pragma once
// Reconnect delay: exponential (initial, doubling, capped at max) with "equal
// jitter": the delay is uniform in [d/2, d], so a fleet of clients that lost the
// same server does not come back in lock step, and the delay never exceeds max.
#include <algorithm>
#include <cstdint>
#include <random>

namespace liqd::feeds {

class Backoff {
 public:
  Backoff(int64_t initial_ms, int64_t max_ms, uint64_t seed)
      : initial_ms_(std::max<int64_t>(1, initial_ms)), max_ms_(std::max(initial_ms_, max_ms)), rng_(seed) {}
  // The delay before the next attempt; doubles the base for the one after.
  int64_t next_ms() {
    const int64_t d = current_ms_ == 0 ? initial_ms_ : current_ms_;
    current_ms_ = std::min(max_ms_, d * 2);
    std::uniform_int_distribution<int64_t> jitter(d / 2, d);
    return jitter(rng_);
  }
  // A connection proved healthy: start again from the initial delay.
  void reset() { current_ms_ = 0; }
  int64_t max_ms() const { return max_ms_; }

 private:
  int64_t initial_ms_, max_ms_;
  int64_t current_ms_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace liqd::feeds
