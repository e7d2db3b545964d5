// Bankruptcy price of a close of δ (issue 3; dYdX v4's
// GetBankruptcyPriceInQuoteQuantums: −DNNV − TNC·|DMMR|/TMMR, in quote per δ).
// Trading δ at price X changes equity by δ·(mark − X); the position's MM falls by
// ΔMM = MM_pos(s) − MM_pos(s + δ). The bankruptcy price is the X at which the
// equity lost equals equity × ΔMM / MM:
//   X = mark + equity·ΔMM / (MM·δ)
// One exact rational, rounded once (half away from zero at the price scale).
#include <cassert>

#include "core/margin/big_int.hpp"
#include "core/margin/liquidation.hpp"
#include "core/margin/pow10.hpp"
#include "core/margin/liquidation_detail.hpp"

namespace liqd {

MaybePrice bankruptcy_price(const AccountView& a, size_t i, Qty delta) {
  const Position& p = a.positions[i];
  const MarketRisk& m = a.markets[p.market];
  const Price mark = a.marks[p.market];
  assert(detail::valid_close(p.size, delta));
  const Judge j = judge_of(a, i);
  if (j.mm <= 0) return {};
  const i128 dmm = detail::mm_decrease(m, p.size, delta, mark, j.dp);
  // X·(MM·δ·f) = mark·(MM·δ·f) + equity·ΔMM, f = 10^(dp − product_dp) turns
  // quote at dp decimals per qty unit into price units.
  const BigInt den = BigInt(j.mm) * BigInt(delta.v) * BigInt(p10(j.dp - m.scale.product_dp()));
  const BigInt num = BigInt(mark.v) * den + BigInt(j.equity) * BigInt(dmm);
  bool fits = false;
  const i128 units = div_round(num, den, Round::HalfAwayFromZero, fits);
  if (!fits) return {};
  return {true, units};
}

}  // namespace liqd
