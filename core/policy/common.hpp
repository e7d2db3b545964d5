#pragma once
// Shared vocabulary of the liquidation policies (core/policy/*).
// Every policy is deterministic and I/O free: time enters only as event
// timestamps passed in by the caller (TimeMs), never from a clock, and every
// decision that moves money or sizes an order is made in fixed point.
#include <cstdint>

#include "core/money/fixed.hpp"

namespace liqd::policy {

// Event time in Unix milliseconds, as carried by the event that caused the call.
using TimeMs = int64_t;

// a × r (r a Ratio at 1e-8) for prices, rounded as asked.
constexpr Price mul_price_ratio(Price p, Ratio r, Round mode) {
  return Price(static_cast<int64_t>(div_round(static_cast<i128>(p.v) * r.v, kRatioOne, mode)));
}

// |a − b| / b > r, exactly (b > 0). The comparison every band check uses.
constexpr bool rel_diff_exceeds(int64_t a, int64_t b, Ratio r) {
  i128 d = static_cast<i128>(a) - b;
  if (d < 0) d = -d;
  return d * kRatioOne > static_cast<i128>(b) * r.v;
}

// |a − b| / b as a Ratio, rounded up (b > 0). For reports only.
constexpr Ratio rel_diff(int64_t a, int64_t b) {
  i128 d = static_cast<i128>(a) - b;
  if (d < 0) d = -d;
  i128 q = div_round(d * kRatioOne, b, Round::Ceil);
  return Ratio(q > INT64_MAX ? INT64_MAX : static_cast<int64_t>(q));
}

// Round a price to a multiple of the tick, in the direction asked.
constexpr Price round_to_tick(Price p, Price tick, Round mode) {
  if (tick.v <= 1) return p;
  return Price(static_cast<int64_t>(div_round(p.v, tick.v, mode) * tick.v));
}

// Round a size down to whole lots (toward zero): an order never exceeds what was asked.
constexpr Qty floor_to_lot(Qty q, Qty lot) {
  if (lot.v <= 1) return q;
  return Qty(q.v / lot.v * lot.v);
}

}  // namespace liqd::policy
