#include <cassert>

#include "core/margin/liquidation.hpp"

namespace liqd {

Judge judge_of(const AccountView& a, size_t i) {
  assert(i < a.positions.size());
  const Position& p = a.positions[i];
  const MarketRisk& m = a.markets[p.market];
  const Price mark = a.marks[p.market];
  Judge j{};
  MarginSummary s = p.isolated ? isolated_margin(p, m, mark)
                               : cross_margin(a.collateral, a.positions, a.markets, a.marks);
  j.dp = s.exact_dp;
  j.equity = s.equity_x;
  j.mm = s.mm_x;
  j.mm_position = mm_exact(m, p.size, mark, j.dp);
  return j;
}

}  // namespace liqd
