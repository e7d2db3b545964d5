#include "executors/router/remainder.hpp"

namespace liqd::exec {

void plan_remainder(const RouteOrder& order, std::span<const VenueInput> venues, const RouterConfig& cfg,
                    RoutePlan& plan) {
  RemainderPlan& r = plan.remainder;
  r = RemainderPlan{};
  const int64_t left = plan.unfilled.v;
  if (left <= 0) return;
  r.qty = Qty(left);
  const auto u = static_cast<size_t>(order.urgency);
  if (order.urgency == Urgency::Immediate) { r.action = RemainderAction::Backstop; return; }

  const uint32_t bps = cfg.participation_bps[u];
  // Depth we need to see for one slice to cover the remainder; scanning stops there.
  const i128 enough = static_cast<i128>(left) * 10'000 / (bps == 0 ? 1 : bps) + 1;
  i128 depth = 0;
  int64_t smallest = INT64_MAX;  // smallest order any healthy venue accepts
  int64_t lot_min = INT64_MAX;
  for (const VenueInput& v : venues) {
    if (!v.healthy || v.lot.v <= 0 || v.levels.empty()) continue;
    int64_t minq = v.min_qty.v <= v.lot.v ? v.lot.v : ((v.min_qty.v + v.lot.v - 1) / v.lot.v) * v.lot.v;
    if (minq > v.max_qty.v) continue;
    if (minq < smallest) smallest = minq;
    if (v.lot.v < lot_min) lot_min = v.lot.v;
    for (const Level& l : v.levels) {
      bool inside = order.side == Side::Sell ? l.px >= order.limit : l.px <= order.limit;
      if (!inside || depth >= enough) break;
      depth += l.qty.v;
    }
  }
  if (smallest == INT64_MAX || depth == 0) {
    r.action = RemainderAction::Retry;
    r.interval_ms = cfg.retry_ms;
    return;
  }
  if (left < smallest) { r.action = RemainderAction::Backstop; return; }
  i128 slice = depth * bps / 10'000;
  slice = (slice / lot_min) * lot_min;
  if (slice < smallest) slice = smallest;
  if (slice > left) slice = left;
  i128 slices = (left + slice - 1) / slice;
  if (slices > cfg.max_twap_slices) { r.action = RemainderAction::Backstop; return; }
  r.action = RemainderAction::Twap;
  r.slice_qty = Qty(static_cast<int64_t>(slice));
  r.slices = static_cast<uint32_t>(slices);
  r.interval_ms = cfg.interval_ms[u];
}

}  // namespace liqd::exec
