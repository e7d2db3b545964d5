// Auto-deleveraging (issue 5, item 4).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "core/policy/adl/adl.hpp"

namespace liqd::policy {
namespace {

// BitMEX's worked example (bitmex.com/app/autoDeleveragingExamples): six longs
// with PNL rankings 3, 6, 1, 4, 5, 2 and quantities 10, 10, 20, 30, 20, 10. A short of
// 20 is liquidated at bankruptcy 650: account 2 is closed entirely (10), account 5
// gives 10 of its 20. Percentiles 20, 40, 60, 80, 80, 100 %.
// Here all entries are 100 and the mark 600 (PNL% = 500 % for all), and the
// bankruptcy prices give leverage = the published ranking: 600 / (600 − b) = rank.
TEST(Adl, BitmexWorkedExample) {
  const int rank[6] = {3, 6, 1, 4, 5, 2};
  const int qty[6] = {10, 10, 20, 30, 20, 10};
  std::vector<AdlPosition> longs;
  for (int i = 0; i < 6; ++i)
    longs.push_back(AdlPosition{static_cast<uint64_t>(i + 1), Qty(qty[i]), Price(100), Price(600 - 600 / rank[i])});
  std::vector<AdlRanked> r = adl_rank(longs, Price(600));
  const uint64_t order[6] = {2, 5, 4, 1, 6, 3};
  const int quantile[6] = {5, 4, 3, 2, 2, 1};  // 20 % → 5 lights … 100 % → 1
  ASSERT_EQ(r.size(), 6u);
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(longs[r[k].index].account, order[k]) << k;
    EXPECT_EQ(r[k].quantile, quantile[k]) << k;
  }
  AdlResult a = adl_allocate(longs, Price(600), /*bankrupt_long=*/false, Qty(20), Price(650), Qty(1));
  ASSERT_EQ(a.fills.size(), 2u);
  EXPECT_EQ(a.fills[0].account, 2u);
  EXPECT_EQ(a.fills[0].qty.v, 10);
  EXPECT_EQ(a.fills[1].account, 5u);
  EXPECT_EQ(a.fills[1].qty.v, 10);
  EXPECT_EQ(a.fills[0].price.v, 650);
  EXPECT_EQ(a.unfilled.v, 0);
}

// Exact BitMEX score as a fraction num/den (den > 0), for a brute-force order.
struct Frac {
  i128 num, den;
};
Frac exact_score(const AdlPosition& p, int64_t mark) {
  const int s = p.size.v > 0 ? 1 : -1;
  const i128 pnl_num = s * (static_cast<i128>(mark) - p.entry.v);  // / entry
  const i128 dist = s * (static_cast<i128>(mark) - p.bankruptcy.v);  // lev = mark / dist
  if (pnl_num > 0) return {pnl_num * mark, static_cast<i128>(p.entry.v) * dist};
  return {pnl_num * dist, static_cast<i128>(p.entry.v) * mark};
}
bool greater(const Frac& a, const Frac& b) { return a.num * b.den > b.num * a.den; }

TEST(Adl, RankingMatchesBruteForceExactOrder) {
  std::mt19937_64 rng(7);
  int checked = 0;
  for (int round = 0; round < 300; ++round) {
    const bool longs = round % 2 == 0;
    const int64_t mark = 50'000 + static_cast<int64_t>(rng() % 50'000);
    std::vector<AdlPosition> side;
    const int n = 2 + static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) {
      AdlPosition p{};
      p.account = 1000 + static_cast<uint64_t>(rng() % 100000);
      p.size = Qty((1 + static_cast<int64_t>(rng() % 500)) * (longs ? 1 : -1));
      p.entry = Price(mark / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(mark)));
      const int64_t dist = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(mark / 2));
      p.bankruptcy = Price(longs ? mark - dist : mark + dist);
      side.push_back(p);
    }
    // Skip data sets with near-ties (closer than the integer resolution).
    bool near_tie = false;
    for (int i = 0; i < n && !near_tie; ++i)
      for (int j = i + 1; j < n && !near_tie; ++j) {
        Frac a = exact_score(side[i], mark), b = exact_score(side[j], mark);
        long double x = static_cast<long double>(a.num) / static_cast<long double>(a.den);
        long double y = static_cast<long double>(b.num) / static_cast<long double>(b.den);
        long double d = x - y;
        if (d < 0) d = -d;
        if (d <= 1e-9L * (1 + (x < 0 ? -x : x))) near_tie = true;
      }
    if (near_tie) continue;
    std::vector<uint32_t> ref(n);
    for (int i = 0; i < n; ++i) ref[i] = static_cast<uint32_t>(i);
    std::sort(ref.begin(), ref.end(), [&](uint32_t a, uint32_t b) {
      return greater(exact_score(side[a], mark), exact_score(side[b], mark));
    });
    std::vector<AdlRanked> got = adl_rank(side, Price(mark));
    for (int k = 0; k < n; ++k) ASSERT_EQ(got[k].index, ref[k]) << "round " << round << " rank " << k;
    // Allocation: brute force walks the reference order over profitable positions.
    int64_t total = 0;
    for (auto& p : side) total += p.size.v < 0 ? -p.size.v : p.size.v;
    const int64_t want = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(total));
    const Price bp(longs ? mark + 10 : mark - 10);  // the bankrupt position is on the other side
    AdlResult a = adl_allocate(side, Price(mark), !longs, Qty(want), bp, Qty(1));
    int64_t left = want;
    size_t f = 0;
    for (uint32_t idx : ref) {
      const AdlPosition& p = side[idx];
      const bool profit = (p.size.v > 0 ? 1 : -1) * (mark - p.entry.v) > 0;
      if (!profit || left == 0) break;
      int64_t take = std::min<int64_t>(left, p.size.v < 0 ? -p.size.v : p.size.v);
      ASSERT_LT(f, a.fills.size());
      EXPECT_EQ(a.fills[f].index, idx);
      EXPECT_EQ(a.fills[f].qty.v, take);
      EXPECT_EQ(a.fills[f].price, bp);
      left -= take;
      ++f;
    }
    EXPECT_EQ(f, a.fills.size());
    EXPECT_EQ(a.unfilled.v, left);
    ++checked;
  }
  EXPECT_GT(checked, 200);
}

TEST(Adl, QuantilesCoverOneToFiveBySize) {
  std::vector<AdlPosition> s;
  for (int i = 0; i < 100; ++i)
    s.push_back(AdlPosition{static_cast<uint64_t>(i), Qty(-1), Price(200 + i), Price(150 + i)});
  std::vector<AdlRanked> r = adl_rank(s, Price(100));
  int count[6] = {0, 0, 0, 0, 0, 0};
  for (auto& x : r) ++count[x.quantile];
  for (int q = 1; q <= 5; ++q) EXPECT_EQ(count[q], 20) << q;
  for (size_t k = 1; k < r.size(); ++k) EXPECT_LE(r[k].quantile, r[k - 1].quantile);
}

TEST(Adl, FundSplitPaysWhatItCanAndAdlTakesTheRest) {
  const Scale s{2, 4, 6};
  // Long bankrupt at 90.00, expected fill 88.00: 2.00 per 1.0 (10000 units).
  FundSplit f = split_for_fund(Qty(50000), Price(8800), Price(9000), true, Quote(5'000'000), s, Qty(100));
  EXPECT_EQ(f.market.v, 25000);  // 2.5 × 2.00 = 5.00
  EXPECT_EQ(f.adl.v, 25000);
  f = split_for_fund(Qty(50000), Price(8800), Price(9000), true, Quote(5'000'001), s, Qty(100));
  EXPECT_EQ(f.market.v, 25000);  // lot-rounded down
  f = split_for_fund(Qty(50000), Price(9100), Price(9000), true, Quote(0), s, Qty(100));
  EXPECT_EQ(f.market.v, 50000);  // above bankruptcy: no shortfall
  EXPECT_EQ(f.adl.v, 0);
}

}  // namespace
}  // namespace liqd::policy
