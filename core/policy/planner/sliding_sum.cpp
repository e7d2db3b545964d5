#include "core/policy/planner/sliding_sum.hpp"

#include <cstddef>

namespace liqd::policy {

namespace {
constexpr int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
constexpr std::size_t slot(int64_t id) {
  constexpr int64_t n = kSlidingBuckets + 1;
  return static_cast<std::size_t>(((id % n) + n) % n);
}
}  // namespace

SlidingSum::SlidingSum(TimeMs window_ms) : window_(window_ms > 0 ? window_ms : 1) {
  width_ = (window_ + kSlidingBuckets - 1) / kSlidingBuckets;
  if (width_ < 1) width_ = 1;
}

void SlidingSum::add(TimeMs ts, int64_t v) {
  const int64_t id = floor_div(ts, width_);
  Bucket& b = b_[slot(id)];
  if (b.id == id) {
    b.sum += v;
  } else if (v > 0 && id > b.id) {
    b.id = id;
    b.sum = v;
  }
}

int64_t SlidingSum::total(TimeMs now) const {
  const int64_t cur = floor_div(now, width_);
  const int64_t first = floor_div(now - window_, width_);
  int64_t s = 0;
  for (const Bucket& b : b_)
    if (b.id >= first && b.id <= cur) s += b.sum;
  return s;
}

}  // namespace liqd::policy
