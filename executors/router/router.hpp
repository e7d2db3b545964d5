#pragma once
// Smart order router: splits one order across venues, at most one child each.
//
// Goal, in this order: (1) fill as much as the raw limit price, lot sizes,
// minimum and maximum order sizes allow; (2) among those fills, minimise the
// expected cost = fees + distance from the best raw price, i.e. walk every
// venue's levels by effective price after fees. See executors/README.md for the
// optimality argument and where the fast path is an approximation.
//
// Decision path: no allocation (all scratch is sized in the constructor), no
// double, no exceptions, no system calls. One Router per executor thread.
#include <cstddef>
#include <memory>
#include <span>

#include "executors/router/types.hpp"

namespace liqd::exec {

struct RouterConfig {
  // The exact solver (dynamic programme over quantity in units of the lots'
  // gcd) runs when greedy is not provably optimal and its work fits this budget.
  size_t exact_max_states = 4096;     // quantity states (order qty / gcd of lots)
  size_t exact_max_ops = 1u << 17;    // sum over venues of states x choices
  // Remainder planning (see remainder.hpp).
  uint32_t participation_bps[4] = {500, 1000, 2500, 10000};  // by Urgency
  uint32_t interval_ms[4] = {30'000, 10'000, 2'000, 0};      // by Urgency
  uint32_t max_twap_slices = 120;
  uint32_t retry_ms = 1'000;
};

class Router {
 public:
  explicit Router(RouterConfig cfg = {});
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Fills `out`. Venue indices in children refer to `venues`.
  RouteError route(const RouteOrder& order, std::span<const VenueInput> venues, RoutePlan& out);

  const RouterConfig& config() const { return cfg_; }

 private:
  struct Scratch;
  RouterConfig cfg_;
  std::unique_ptr<Scratch> s_;
};

// Expected cost of a plan in units 10^-(price_dp+qty_dp+8): fees plus the
// distance of every fill from the best raw price of the consolidated book.
i128 expected_cost_units(const RoutePlan& plan, Side side);

}  // namespace liqd::exec
