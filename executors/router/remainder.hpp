#pragma once
// What becomes of the quantity the router could not place now (plan.unfilled):
//   Immediate urgency           -> Backstop: transfer to the vault now.
//   below every venue's minimum -> Backstop: dust no venue accepts.
//   nothing visible in the limit-> Retry after cfg.retry_ms (venues down or book
//                                  outside the limit; the core may widen the limit).
//   otherwise                   -> Twap: slices of participation_bps[urgency] of the
//                                  visible depth inside the limit, one every
//                                  interval_ms[urgency]; the book is assumed to
//                                  replenish to its current depth between slices.
//                                  More than max_twap_slices -> Backstop instead.
#include <span>

#include "executors/router/router.hpp"

namespace liqd::exec {

void plan_remainder(const RouteOrder& order, std::span<const VenueInput> venues, const RouterConfig& cfg,
                    RoutePlan& plan);

}  // namespace liqd::exec
