#include "core/policy/adl/adl.hpp"

#include <algorithm>
#include <cassert>

namespace liqd::policy {

namespace {
constexpr i128 kPnlScale = 1'000'000'000'000;  // 1e12
constexpr i128 kLevScale = 1'000'000;          // 1e6
constexpr i128 kPnlCap = static_cast<i128>(1'000'000'000'000) * kPnlScale;  // 10^12 (×100 %)
constexpr i128 kLevCap = static_cast<i128>(1'000'000) * kLevScale;          // 10^6 x

i128 clamp(i128 v, i128 lo, i128 hi) { return v < lo ? lo : (v > hi ? hi : v); }
}  // namespace

i128 adl_score(const AdlPosition& p, Price mark) {
  assert(p.size.v != 0 && p.entry.v > 0);
  const int sign = p.size.v > 0 ? 1 : -1;
  const i128 pnl = clamp(div_round(sign * (static_cast<i128>(mark.v) - p.entry.v) * kPnlScale, p.entry.v,
                                   Round::Floor),
                         -kPnlCap, kPnlCap);
  // Distance to bankruptcy on the losing side; at or beyond it the leverage is unbounded.
  const i128 dist = sign * (static_cast<i128>(mark.v) - p.bankruptcy.v);
  const i128 lev = dist <= 0 ? kLevCap : clamp(div_round(static_cast<i128>(mark.v) * kLevScale, dist, Round::Floor), 1, kLevCap);
  if (pnl > 0) return pnl * lev;
  return div_round(pnl * kLevScale * kLevScale, lev, Round::Floor);  // same 1e-18 scale
}

std::vector<AdlRanked> adl_rank(std::span<const AdlPosition> side, Price mark) {
  std::vector<AdlRanked> r;
  r.reserve(side.size());
  i128 total = 0;
  for (uint32_t i = 0; i < side.size(); ++i) {
    assert(i == 0 || (side[i].size.v > 0) == (side[0].size.v > 0));
    AdlRanked x{};
    x.index = i;
    x.score = adl_score(side[i], mark);
    const int sign = side[i].size.v > 0 ? 1 : -1;
    x.profitable = sign * (static_cast<i128>(mark.v) - side[i].entry.v) > 0;
    r.push_back(x);
    total += side[i].size.v < 0 ? -static_cast<i128>(side[i].size.v) : side[i].size.v;
  }
  std::sort(r.begin(), r.end(), [&side](const AdlRanked& a, const AdlRanked& b) {
    if (a.score != b.score) return a.score > b.score;
    if (side[a.index].account != side[b.index].account) return side[a.index].account < side[b.index].account;
    return a.index < b.index;
  });
  i128 cum = 0;
  for (AdlRanked& x : r) {
    const int64_t s = side[x.index].size.v;
    cum += s < 0 ? -static_cast<i128>(s) : s;
    x.quantile = static_cast<uint8_t>(6 - div_round(5 * cum, total, Round::Ceil));
  }
  return r;
}

AdlResult adl_allocate(std::span<const AdlPosition> opposite, Price mark, bool bankrupt_long, Qty qty,
                       Price bankruptcy, Qty lot) {
  assert(qty.v > 0);
  AdlResult out{};
  std::vector<AdlRanked> ranked = adl_rank(opposite, mark);
  int64_t left = qty.v;
  for (const AdlRanked& x : ranked) {
    if (left <= 0) break;
    if (!x.profitable) break;  // ranked after every profitable one
    const AdlPosition& p = opposite[x.index];
    assert((p.size.v > 0) != bankrupt_long);
    int64_t avail = floor_to_lot(Qty(p.size.v < 0 ? -p.size.v : p.size.v), lot).v;
    int64_t take = avail < left ? avail : left;
    if (take <= 0) continue;
    out.fills.push_back(AdlFill{p.account, x.index, Qty(take), bankruptcy});
    left -= take;
  }
  out.unfilled = Qty(left);
  return out;
}

FundSplit split_for_fund(Qty qty, Price fill, Price bankruptcy, bool long_side, Quote available,
                         const Scale& s, Qty lot) {
  FundSplit r{};
  const i128 per_unit = long_side ? static_cast<i128>(bankruptcy.v) - fill.v : static_cast<i128>(fill.v) - bankruptcy.v;
  if (per_unit <= 0) {  // no shortfall expected: all to the market
    r.market = qty;
    return r;
  }
  // shortfall(q) = ceil(q × per_unit / 10^shift) ≤ available  ⇔  q × per_unit ≤ available × 10^shift
  const i128 budget = static_cast<i128>(available.v < 0 ? 0 : available.v) * pow10_i128(s.product_dp() - s.quote_dp);
  i128 q = budget / per_unit;
  if (q > qty.v) q = qty.v;
  r.market = floor_to_lot(Qty(static_cast<int64_t>(q)), lot);
  r.adl = qty - r.market;
  return r;
}

}  // namespace liqd::policy
