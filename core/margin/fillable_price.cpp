// Fillable price (dYdX v4, x/clob/keeper/liquidations.go GetFillablePrice):
//   ABR = clamp(BA × (1 − equity / MM), 0, 1)
//   fillable = mark − ABR × SMMR × MM_position / size
// It is the worst price a liquidation order may fill at. Exact rational, rounded
// once, half away from zero at the price scale.
#include "core/margin/big_int.hpp"
#include "core/margin/liquidation.hpp"
#include "core/margin/pow10.hpp"

namespace liqd {

MaybePrice fillable_price(const AccountView& a, size_t i) {
  const Position& p = a.positions[i];
  const MarketRisk& m = a.markets[p.market];
  if (!m.has_fillable) return {};
  const Price mark = a.marks[p.market];
  const Judge j = judge_of(a, i);
  if (j.mm <= 0) return {};
  // ABR = an / ad before clamping.
  BigInt an = BigInt(m.bankruptcy_adjustment.v) * BigInt(j.mm - j.equity);
  BigInt ad = BigInt(kRatioOne) * BigInt(j.mm);
  if (an.sign() <= 0) return {true, mark.v};  // ABR = 0: the mark itself
  if (ad <= an) { an = BigInt(1); ad = BigInt(1); }
  // fillable = mark − an·SMMR·MM_pos / (ad · 10^8 · size · f),
  // f = 10^(dp − product_dp): quote at dp decimals per qty unit -> price units.
  const BigInt den = ad * BigInt(kRatioOne) * BigInt(p.size.v) * BigInt(p10(j.dp - m.scale.product_dp()));
  const BigInt num = BigInt(mark.v) * den - an * BigInt(m.spread_to_mmr.v) * BigInt(j.mm_position);
  bool fits = false;
  const i128 units = div_round(num, den, Round::HalfAwayFromZero, fits);
  if (!fits) return {};
  return {true, units};
}

}  // namespace liqd
