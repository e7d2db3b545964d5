// The router against the reference router (bench/bench_route_baseline.cpp: the router
// before the threshold bulk walk, a level-by-level merge) on randomized books
// of many levels: every field of the plan must be identical, unit for unit
// (children, quantities, limit and average prices, notionals, fees, objective,
// exactness, remainder) and so must the error code. The books are built to hit
// what the bulk walk must hand back to the merge: ties in effective price
// across venues (same fee, shared price grid), lot-misaligned levels
// (straddling lots), small maxima, minimums above a lot (knapsack / general
// walk), unhealthy venues, limits inside the book, unordered or empty levels
// (BadVenue), and orders from a few levels to more than the whole book.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "executors/router/router.hpp"
#include "bench/bench_route_baseline.hpp"
#include "tests/support/sanitized.hpp"

namespace liqd::exec {
namespace {

void expect_same(const RoutePlan& a, const RoutePlan& b, int it) {
  ASSERT_EQ(a.n_children, b.n_children) << "case " << it;
  for (int k = 0; k < a.n_children; ++k) {
    const Child& x = a.children[k];
    const Child& y = b.children[k];
    ASSERT_EQ(x.venue, y.venue) << "case " << it;
    ASSERT_EQ(x.qty, y.qty) << "case " << it << " venue " << x.venue;
    ASSERT_EQ(x.limit_price, y.limit_price) << "case " << it;
    ASSERT_EQ(x.avg_price, y.avg_price) << "case " << it;
    ASSERT_TRUE(x.notional == y.notional) << "case " << it;
    ASSERT_TRUE(x.fee == y.fee) << "case " << it;
  }
  ASSERT_EQ(a.filled, b.filled) << "case " << it;
  ASSERT_EQ(a.unfilled, b.unfilled) << "case " << it;
  ASSERT_TRUE(a.notional == b.notional) << "case " << it;
  ASSERT_TRUE(a.fees == b.fees) << "case " << it;
  ASSERT_TRUE(a.objective == b.objective) << "case " << it;
  ASSERT_EQ(a.best_px, b.best_px) << "case " << it;
  ASSERT_EQ(a.exact, b.exact) << "case " << it;
  ASSERT_EQ(a.remainder.action, b.remainder.action) << "case " << it;
  ASSERT_EQ(a.remainder.qty, b.remainder.qty) << "case " << it;
  ASSERT_EQ(a.remainder.slice_qty, b.remainder.slice_qty) << "case " << it;
  ASSERT_EQ(a.remainder.slices, b.remainder.slices) << "case " << it;
  ASSERT_EQ(a.remainder.interval_ms, b.remainder.interval_ms) << "case " << it;
}

struct Books {
  RouteOrder order;
  std::vector<std::vector<Level>> levels;
  std::vector<VenueInput> venues;
};

// mode 0: one lot, minimums <= lot (the uniform fast path and its bulk walk);
// mode 1: as 0 with rare defects (misaligned, empty or unordered levels);
// mode 2: mixed lots and minimums (knapsack or general walk).
Books random_books(std::mt19937_64& rng, int mode) {
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  Books b;
  const bool sell = uni(0, 1) == 1;
  b.order.side = sell ? Side::Sell : Side::Buy;
  const int nv = static_cast<int>(uni(2, 6));
  const int64_t lots[4] = {1, 100, 96, 64};   // 96: even, not a power of two; 64: a power of two
  const int64_t lot = lots[uni(0, 3)];
  const int64_t mid = 1'000'000;
  const int64_t grid = uni(1, 3) * 10;             // shared tick: equal prices across venues
  const bool shared_fee = uni(0, 1) == 1;          // equal fees: ties in effective price
  b.levels.resize(static_cast<size_t>(nv));
  int64_t depth = 0;
  for (int i = 0; i < nv; ++i) {
    auto& lv = b.levels[static_cast<size_t>(i)];
    const int n = static_cast<int>(uni(0, 3) == 0 ? uni(1, 20) : uni(100, 1500));
    int64_t px = sell ? mid - grid * uni(0, 5) : mid + grid * uni(0, 5);
    for (int k = 0; k < n; ++k) {
      int64_t q = lot * uni(1, 40);
      if (mode == 1 && uni(0, 400) == 0) q += uni(1, lot > 1 ? lot - 1 : 1);   // straddling lot
      if (mode == 2 && uni(0, 3) == 0) q = uni(1, 4000);
      lv.push_back(Level{Price(px), Qty(q)});
      depth += q;
      px += (sell ? -1 : 1) * grid * (uni(0, 4) == 0 ? uni(2, 6) : 1);
    }
    if (mode == 1 && n > 2 && uni(0, 20) == 0) {   // a defect somewhere in the book
      auto& l = lv[static_cast<size_t>(uni(1, n - 1))];
      if (uni(0, 1)) l.qty = Qty(0);
      else l.px = lv[0].px;
    }
  }
  const int64_t fee0 = uni(0, 10) * 10'000;
  for (int i = 0; i < nv; ++i) {
    VenueInput v;
    v.levels = b.levels[static_cast<size_t>(i)];
    v.taker_fee = Ratio(shared_fee ? fee0 : uni(0, 10) * 10'000);
    if (mode == 2) {
      v.lot = Qty(uni(1, 3) * 50);
      v.min_qty = Qty(uni(0, 2) == 0 ? uni(0, 1000) : 0);
    } else {
      v.lot = Qty(lot);
      v.min_qty = Qty(uni(0, 1) ? lot : 0);
    }
    if (uni(0, 5) == 0) v.max_qty = Qty(lot * uni(1, 2000));
    v.healthy = uni(0, 15) != 0;
    b.venues.push_back(v);
  }
  // From a few levels to more than the whole book (remainder plans).
  const int64_t pct = uni(0, 3) == 0 ? uni(1, 10) : uni(1, 1200);   // per mille of depth
  b.order.qty = Qty(depth * pct / 1000 + uni(0, 1) * uni(0, lot));
  if (b.order.qty.v <= 0) b.order.qty = Qty(lot);
  const int64_t reach = grid * uni(0, 3000);
  b.order.limit = Price(uni(0, 2) == 0 ? (sell ? 1 : INT64_MAX / 4) : (sell ? mid - reach : mid + reach));
  b.order.urgency = static_cast<Urgency>(uni(0, 3));
  return b;
}

// Sanitized builds check a quarter of the cases (tests/support/sanitized.hpp).
void run_cases(uint64_t seed, int mode, int all_cases, RouterConfig cfg = {}) {
  const int cases = test::kSanitized ? all_cases / 4 : all_cases;
  std::mt19937_64 rng(seed);
  Router router(cfg);
  bench::route_baseline::Router ref(cfg);
  for (int it = 0; it < cases; ++it) {
    Books b = random_books(rng, mode);
    RoutePlan p, q;
    const RouteError e1 = router.route(b.order, b.venues, p);
    const RouteError e2 = ref.route(b.order, b.venues, q);
    ASSERT_EQ(e1, e2) << "case " << it;
    if (e1 != RouteError::Ok) continue;
    expect_same(p, q, it);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(RouterEquivalence, UniformLotsManyLevels) { run_cases(20261207, 0, 3000); }
TEST(RouterEquivalence, UniformLotsWithDefects) { run_cases(7, 1, 3000); }
TEST(RouterEquivalence, MixedLotsAndMinimums) { run_cases(11, 2, 1500); }
TEST(RouterEquivalence, GreedyOnlyMixedLots) {   // the exact solver off: general walk on everything
  RouterConfig cfg;
  cfg.exact_max_ops = 0;
  run_cases(13, 2, 1500, cfg);
}

// Every venue on one price grid with one fee: every level ties with the other
// venues' levels at the same price, so the merge's tie rule (the running venue
// continues, else the lowest index) decides the split at every step.
TEST(RouterEquivalence, FullTiesOnOneGrid) {
  std::mt19937_64 rng(3);
  Router router;
  bench::route_baseline::Router ref;
  for (int it = 0; it < 600; ++it) {
    const int nv = static_cast<int>(rng() % 5) + 2;
    std::vector<std::vector<Level>> lv(static_cast<size_t>(nv));
    int64_t depth = 0;
    for (int i = 0; i < nv; ++i) {
      int64_t px = 1'000'000;
      for (int k = 0; k < 400; ++k) {
        const int64_t q = 10 * static_cast<int64_t>(rng() % 5 + 1);
        lv[static_cast<size_t>(i)].push_back(Level{Price(px), Qty(q)});
        depth += q;
        px -= rng() % 4 == 0 ? 20 : 10;   // mostly every tick: most levels tie with other venues
      }
    }
    std::vector<VenueInput> vs(static_cast<size_t>(nv));
    for (int i = 0; i < nv; ++i) {
      vs[static_cast<size_t>(i)].levels = lv[static_cast<size_t>(i)];
      vs[static_cast<size_t>(i)].lot = Qty(10);
      vs[static_cast<size_t>(i)].taker_fee = Ratio(40'000);
    }
    RouteOrder o{Side::Sell, Qty(10 * (1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(depth / 10)))), Price(1), Urgency::Normal};
    RoutePlan p, q;
    ASSERT_EQ(router.route(o, vs, p), ref.route(o, vs, q));
    expect_same(p, q, it);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace liqd::exec
