// Insurance-fund delta of a liquidation fill of δ at price F (dYdX v4,
// GetLiquidationInsuranceFundDelta): closing a long pays the fund |δ|(F − BP_δ),
// closing a short |δ|(BP_δ − F). With BP_δ = mark + equity·ΔMM/(MM·δ) both cases are
//   delta = δ·(mark − F) + equity·ΔMM / MM
// (the equity the trade leaves above the bankruptcy line). A positive delta is
// capped at liquidation_fee × |δ| × F and that is the fee; a negative one is paid
// in full by the fund and the fee is 0. Money rounds down at the quote scale.
#include <cassert>

#include "core/margin/big_int.hpp"
#include "core/margin/liquidation.hpp"
#include "core/margin/pow10.hpp"
#include "core/margin/liquidation_detail.hpp"

namespace liqd {

FundDelta insurance_fund_delta(const AccountView& a, size_t i, Qty delta, Price fill) {
  const Position& p = a.positions[i];
  const MarketRisk& m = a.markets[p.market];
  const Price mark = a.marks[p.market];
  assert(detail::valid_close(p.size, delta));
  FundDelta out{};
  out.bankruptcy = bankruptcy_price(a, i, delta);
  const Judge j = judge_of(a, i);
  if (j.mm <= 0) return out;
  const int pd = m.scale.product_dp();
  const int qd = m.scale.quote_dp;
  const i128 dmm = detail::mm_decrease(m, p.size, delta, mark, j.dp);
  const BigInt trade = BigInt(delta.v) * BigInt(static_cast<i128>(mark.v) - fill.v) * BigInt(p10(j.dp - pd));
  const BigInt num = trade * BigInt(j.mm) + BigInt(j.equity) * BigInt(dmm);
  const BigInt den = BigInt(j.mm) * BigInt(p10(j.dp - qd));
  bool fits = false;
  const i128 d = div_round(num, den, Round::Floor, fits);
  assert(fits);
  if (d <= 0) {
    out.fund_delta = Quote(static_cast<int64_t>(d));
    out.fee = Quote(0);
    return out;
  }
  const i128 abs_delta = delta.v < 0 ? -static_cast<i128>(delta.v) : static_cast<i128>(delta.v);
  const BigInt cap_num = BigInt(abs_delta) * BigInt(fill.v) * BigInt(m.liquidation_fee.v);
  const i128 cap = div_round(cap_num, BigInt(p10(pd + kRatioDp - qd)), Round::Floor, fits);
  const i128 fee = d < cap ? d : cap;
  out.fund_delta = Quote(static_cast<int64_t>(fee));
  out.fee = Quote(static_cast<int64_t>(fee));
  return out;
}

}  // namespace liqd
