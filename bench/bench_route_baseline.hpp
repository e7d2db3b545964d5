#pragma once
// The router as it was before the threshold bulk walk (a frozen copy of
// executors/router/router.cpp at ee891dc: per-step best/runner-up scan, runs
// level by level), so `liqd-bench route` can report the new router's time as a
// ratio against the old one in the same run.
#include <memory>
#include <span>

#include "executors/router/router.hpp"

namespace liqd::bench::route_baseline {

using exec::RouteError;
using exec::RouteOrder;
using exec::RoutePlan;
using exec::RouterConfig;
using exec::VenueInput;

class Router {
 public:
  explicit Router(RouterConfig cfg = {});
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;
  RouteError route(const RouteOrder& order, std::span<const VenueInput> venues, RoutePlan& out);

 private:
  struct Scratch;
  RouterConfig cfg_;
  std::unique_ptr<Scratch> s_;
};

}  // namespace liqd::bench::route_baseline
