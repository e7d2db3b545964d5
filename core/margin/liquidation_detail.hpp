#pragma once
// Small shared pieces of the liquidation formulas (not a public API).
#include "core/margin/margin.hpp"

namespace liqd::detail {

// A close: δ has the opposite sign of size and |δ| <= |size|.
constexpr bool valid_close(Qty size, Qty delta) {
  if (size.v == 0 || delta.v == 0) return false;
  if ((size.v > 0) == (delta.v > 0)) return false;
  return size.v > 0 ? -delta.v <= size.v : delta.v <= -size.v;
}

// MM_pos(size) − MM_pos(size + δ), exact at dp decimals (>= 0 for a close).
inline i128 mm_decrease(const MarketRisk& m, Qty size, Qty delta, Price mark, int dp) {
  return mm_exact(m, size, mark, dp) - mm_exact(m, Qty(size.v + delta.v), mark, dp);
}

}  // namespace liqd::detail
