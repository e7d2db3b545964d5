#pragma once
// Depth derived from a pricing curve, so a pool competes with order books level
// by level. A curve gives avg(a, b): the average price of the base units (a, b]
// on the requested side, computed from the exact rational curve and rounded once,
// against the trader (floor when we sell, ceil when we buy). Rounding the exact
// average (not differences of rounded totals) keeps prices monotone, so after
// merging equal neighbours the levels are strictly ordered best first, as the
// router requires. Writing into a caller-owned span keeps derivation allocation-free.
#include <cstdint>
#include <span>

#include "core/money/int128.hpp"
#include "executors/router/types.hpp"

namespace liqd::exec {

struct DepthRequest {
  Side side = Side::Sell;
  Qty upto{0};       // derive depth for at most this much base (the order qty)
  Qty step{1};       // smallest slice: the venue lot size
  Price limit{0};    // stop after the first slice beyond this raw price (0 = none)
};

// Returns the number of levels written (<= out.size()). Slices are the smallest
// multiple of step that covers `upto` in out.size() levels. The curve must be
// convex in the trader's cost (marginal price worsens with size); avg returns
// <= 0 when (a, b] is not tradable (a pool cannot sell its whole reserve).
template <class Avg>
int derive_levels(const Avg& avg, const DepthRequest& req, std::span<Level> out) {
  if (out.empty() || req.upto.v <= 0 || req.step.v <= 0) return 0;
  const int64_t n = static_cast<int64_t>(out.size());
  int64_t slice = (req.upto.v + n - 1) / n;
  slice = ((slice + req.step.v - 1) / req.step.v) * req.step.v;
  int count = 0;
  int64_t q_prev = 0;
  while (q_prev < req.upto.v) {
    int64_t q = q_prev + slice;
    if (q > req.upto.v) q = ((req.upto.v + req.step.v - 1) / req.step.v) * req.step.v;
    if (q <= q_prev) break;
    int64_t dq = q - q_prev;
    i128 px = avg(q_prev, q);
    if (px <= 0 || !fits_i64(px)) break;
    bool beyond = req.limit.v > 0 && (req.side == Side::Sell ? px < req.limit.v : px > req.limit.v);
    if (count > 0 && out[static_cast<size_t>(count - 1)].px.v == static_cast<int64_t>(px)) {
      out[static_cast<size_t>(count - 1)].qty.v += dq;   // merge equal prices
    } else {
      if (count == n) break;
      out[static_cast<size_t>(count++)] = Level{Price(static_cast<int64_t>(px)), Qty(dq)};
    }
    q_prev = q;
    if (beyond) break;
  }
  return count;
}

}  // namespace liqd::exec
