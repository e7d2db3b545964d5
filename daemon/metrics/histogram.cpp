#include "daemon/metrics/histogram.hpp"

#include <cmath>

namespace liqd::metrics {

uint64_t LatencyHistogram::quantile_ns(double q) const {
  uint64_t total = 0;
  for (const auto& c : fine_) total += c.load(std::memory_order_relaxed);
  if (total == 0) return 0;
  if (q < 0) q = 0;
  if (q > 1) q = 1;
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (int i = 0; i < kFine; ++i) {
    seen += fine_[static_cast<size_t>(i)].load(std::memory_order_relaxed);
    if (seen >= rank) return fine_upper(i);
  }
  return fine_upper(kFine - 1);
}

}  // namespace liqd::metrics
