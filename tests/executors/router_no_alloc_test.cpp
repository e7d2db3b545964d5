// The decision path allocates nothing: global operator new is counted while
// the router decides on five real-sized books (greedy, exact DP and remainder paths).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "executors/router/router.hpp"

namespace {
std::atomic<long> g_allocs{0};
}

// Replacement allocation functions pair malloc with free by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace liqd::exec {
namespace {

TEST(RouterNoAlloc, DecisionPathDoesNotAllocate) {
  // Five synthetic 1000-level bid books (prices descending, varied sizes).
  std::vector<std::vector<Level>> books(5);
  for (int v = 0; v < 5; ++v)
    for (int k = 0; k < 1000; ++k)
      books[static_cast<size_t>(v)].push_back(Level{Price(1'000'000 - k * (3 + v) - v), Qty(100 + (k * 37 + v * 11) % 400)});
  std::vector<VenueInput> vs(5);
  for (int v = 0; v < 5; ++v) {
    vs[static_cast<size_t>(v)].levels = books[static_cast<size_t>(v)];
    vs[static_cast<size_t>(v)].taker_fee = Ratio(v * 10'000);
  }
  Router router;
  RoutePlan plan;
  RouteOrder o{Side::Sell, Qty(50'000), Price(990'000), Urgency::Normal};
  // Outcomes are collected first and asserted after counting: a failing
  // assertion allocates its message.
  bool exact[4] = {};
  RouteError err[4] = {};
  long before = g_allocs.load();
  err[0] = router.route(o, vs, plan);             // greedy (equal lots)
  exact[0] = plan.exact;
  vs[1].lot = Qty(7);
  vs[2].min_qty = Qty(50);
  o.qty = Qty(120);
  err[1] = router.route(o, vs, plan);             // exact DP (small)
  exact[1] = plan.exact;
  o.qty = Qty(500'000);
  err[3] = router.route(o, vs, plan);             // greedy fallback (too large for the DP)
  exact[3] = plan.exact;
  o.qty = Qty(2'000'000);
  err[2] = router.route(o, vs, plan);             // everything fits (exact) + remainder plan
  exact[2] = plan.exact;
  long after = g_allocs.load();
  EXPECT_EQ(after - before, 0);
  for (RouteError e : err) EXPECT_EQ(e, RouteError::Ok);
  EXPECT_TRUE(exact[0]);
  EXPECT_TRUE(exact[1]);
  EXPECT_TRUE(exact[2]);
  EXPECT_FALSE(exact[3]);
  EXPECT_GT(plan.unfilled.v, 0);
  EXPECT_NE(plan.remainder.action, RemainderAction::None);
}

}  // namespace
}  // namespace liqd::exec
