// The router against an independent brute force: enumerate every per-venue
// quantity in lot steps (0 or min..max), keep the largest total fill <= the
// order, then the smallest cost. Costs are exact integers on both sides, so the
// comparison is equality, not a tolerance.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "executors/router/router.hpp"

namespace liqd::exec {
namespace {

struct Case {
  RouteOrder order;
  std::vector<std::vector<Level>> books;
  std::vector<VenueInput> venues;
};

// Cost of taking q from a book inside the limit, written independently of the
// router: expand the book into unit prices, then sum. -1 if not enough depth.
bool book_notional(const std::vector<Level>& book, const RouteOrder& o, int64_t q, i128& notional) {
  std::vector<int64_t> units;
  for (const Level& l : book) {
    bool inside = o.side == Side::Sell ? l.px >= o.limit : l.px <= o.limit;
    if (!inside) break;
    for (int64_t k = 0; k < l.qty.v; ++k) units.push_back(l.px.v);
  }
  if (static_cast<int64_t>(units.size()) < q) return false;
  notional = 0;
  for (int64_t k = 0; k < q; ++k) notional += units[static_cast<size_t>(k)];
  return true;
}

struct Best {
  int64_t fill = -1;
  i128 objective = 0;
};

void enumerate(const Case& c, size_t v, int64_t fill, i128 obj, Best& best) {
  if (fill > c.order.qty.v) return;
  if (v == c.venues.size()) {
    if (fill > best.fill || (fill == best.fill && obj < best.objective)) { best.fill = fill; best.objective = obj; }
    return;
  }
  enumerate(c, v + 1, fill, obj, best);  // q = 0
  const VenueInput& in = c.venues[v];
  if (!in.healthy) return;
  const int64_t f = in.taker_fee.v;
  const i128 factor = c.order.side == Side::Buy ? kRatioOne + f : -(kRatioOne - f);
  for (int64_t q = in.lot.v; q <= in.max_qty.v && fill + q <= c.order.qty.v; q += in.lot.v) {
    if (q < in.min_qty.v) continue;
    i128 n = 0;
    if (!book_notional(c.books[v], c.order, q, n)) break;
    enumerate(c, v + 1, fill + q, obj + n * factor, best);
  }
}

Case random_case(std::mt19937_64& rng, bool equal_lots) {
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  Case c;
  c.order.side = uni(0, 1) ? Side::Sell : Side::Buy;
  c.order.qty = Qty(uni(1, 24));
  const int64_t mid = 10'000;
  c.order.limit = Price(c.order.side == Side::Sell ? mid - uni(0, 40) : mid + uni(0, 40));
  const int nv = static_cast<int>(uni(1, 4));
  c.books.resize(static_cast<size_t>(nv));
  const int64_t common_lot = uni(1, 3);
  for (int i = 0; i < nv; ++i) {
    auto& b = c.books[static_cast<size_t>(i)];
    int nl = static_cast<int>(uni(0, 5));
    int64_t px = c.order.side == Side::Sell ? mid - uni(0, 10) : mid + uni(0, 10);
    for (int k = 0; k < nl; ++k) {
      b.push_back(Level{Price(px), Qty(uni(1, 7))});
      px += (c.order.side == Side::Sell ? -1 : 1) * uni(1, 12);
    }
  }
  for (int i = 0; i < nv; ++i) {
    VenueInput v;
    v.taker_fee = Ratio(uni(0, 30) * 10'000);  // 0 .. 0.3%
    v.lot = Qty(equal_lots ? common_lot : uni(1, 4));
    v.min_qty = Qty(equal_lots ? (uni(0, 1) ? common_lot : 0) : uni(0, 6));
    v.max_qty = Qty(uni(0, 3) == 0 ? uni(1, 10) : INT64_MAX);
    v.healthy = uni(0, 9) != 0;
    v.levels = c.books[static_cast<size_t>(i)];
    c.venues.push_back(v);
  }
  return c;
}

void check_plan_rules(const Case& c, const RoutePlan& p) {
  int64_t sum = 0;
  i128 obj = 0;
  bool seen[kMaxVenues] = {};
  for (int k = 0; k < p.n_children; ++k) {
    const Child& ch = p.children[k];
    ASSERT_LT(ch.venue, c.venues.size());
    ASSERT_FALSE(seen[ch.venue]) << "two children on one venue";
    seen[ch.venue] = true;
    const VenueInput& v = c.venues[ch.venue];
    EXPECT_TRUE(v.healthy);
    EXPECT_GT(ch.qty.v, 0);
    EXPECT_EQ(ch.qty.v % v.lot.v, 0) << "lot size";
    EXPECT_GE(ch.qty.v, v.min_qty.v) << "minimum";
    EXPECT_LE(ch.qty.v, v.max_qty.v) << "maximum";
    if (c.order.side == Side::Sell) EXPECT_GE(ch.limit_price, c.order.limit);
    else EXPECT_LE(ch.limit_price, c.order.limit);
    i128 n = 0;
    ASSERT_TRUE(book_notional(c.books[ch.venue], c.order, ch.qty.v, n));
    EXPECT_EQ(n, ch.notional);
    const i128 factor = c.order.side == Side::Buy ? kRatioOne + v.taker_fee.v : -(kRatioOne - v.taker_fee.v);
    obj += n * factor;
    sum += ch.qty.v;
  }
  EXPECT_EQ(sum, p.filled.v);
  EXPECT_EQ(p.filled.v + p.unfilled.v, c.order.qty.v);
  EXPECT_EQ(obj, p.objective);
}

TEST(RouterBruteForce, ExactOnSmallRandomBooks) {
  std::mt19937_64 rng(20261125);
  Router router;
  int exact_cases = 0;
  for (int it = 0; it < 4000; ++it) {
    Case c = random_case(rng, it % 2 == 0);
    RoutePlan p;
    ASSERT_EQ(router.route(c.order, c.venues, p), RouteError::Ok);
    check_plan_rules(c, p);
    Best b;
    enumerate(c, 0, 0, 0, b);
    ASSERT_TRUE(p.exact) << "small problems must be solved exactly, case " << it;
    ++exact_cases;
    ASSERT_EQ(p.filled.v, b.fill) << "case " << it;
    ASSERT_EQ(p.objective, b.objective) << "case " << it;
  }
  EXPECT_EQ(exact_cases, 4000);
}

// The fast path alone (exact solver disabled) on its provably exact domain:
// one lot size shared by every venue and minimums of at most one lot.
TEST(RouterBruteForce, GreedyExactWithEqualLots) {
  std::mt19937_64 rng(7);
  RouterConfig cfg;
  cfg.exact_max_ops = 0;
  Router router(cfg);
  for (int it = 0; it < 3000; ++it) {
    Case c = random_case(rng, true);
    for (auto& v : c.venues) v.min_qty = Qty(0);
    RoutePlan p;
    ASSERT_EQ(router.route(c.order, c.venues, p), RouteError::Ok);
    check_plan_rules(c, p);
    Best b;
    enumerate(c, 0, 0, 0, b);
    ASSERT_TRUE(p.exact);
    ASSERT_EQ(p.filled.v, b.fill) << "case " << it;
    ASSERT_EQ(p.objective, b.objective) << "case " << it;
  }
}

// Outside that domain the fast path is an approximation: it never does better
// than the optimum (that would be a cost bug) and says it is not exact.
TEST(RouterBruteForce, GreedyApproximationNeverBeatsOptimum) {
  std::mt19937_64 rng(11);
  RouterConfig cfg;
  cfg.exact_max_ops = 0;
  Router router(cfg);
  int worse = 0;
  for (int it = 0; it < 3000; ++it) {
    Case c = random_case(rng, false);
    RoutePlan p;
    ASSERT_EQ(router.route(c.order, c.venues, p), RouteError::Ok);
    check_plan_rules(c, p);
    Best b;
    enumerate(c, 0, 0, 0, b);
    ASSERT_LE(p.filled.v, b.fill);
    if (p.filled.v == b.fill) { ASSERT_GE(p.objective, b.objective); }
    if (p.filled.v < b.fill || p.objective > b.objective) {
      ++worse;
      EXPECT_FALSE(p.exact) << "claimed exact but is not, case " << it;
    }
  }
  RecordProperty("greedy_suboptimal_cases", worse);
  // Mixed lots and minimums really do defeat the greedy sometimes; if this ever
  // reads 0 the random cases stopped exercising the knapsack.
  EXPECT_GT(worse, 0);
}

}  // namespace
}  // namespace liqd::exec
