#include "core/policy/prices/liquidation_prices.hpp"

#include <cassert>

namespace liqd::policy {

namespace {
inline int shift_of(const MarketRisk& m) { return m.scale.product_dp() - m.scale.quote_dp; }
inline i128 abs128(i128 v) { return v < 0 ? -v : v; }
}  // namespace

Price bankruptcy_price(const MarketRisk& m, Qty size, Price mark, Quote pos_mm, const AccountRisk& acct) {
  assert(size.v != 0);
  // The position's share of the equity at product scale, floored exactly:
  //   alloc_w = floor(TNC × PMMR × 10^shift / TMMR)
  // computed as q × 10^shift + floor(r × 10^shift / TMMR) so TNC × PMMR × 10^shift
  // (up to ~1e39 with 8/8/6 decimals and a billion of equity) is never formed.
  const i128 shift = pow10_i128(shift_of(m));
  i128 alloc_w;
  if (acct.mm.v > 0) {
    const i128 num = static_cast<i128>(acct.equity.v) * pos_mm.v;
    const i128 q = div_round(num, acct.mm.v, Round::Floor);
    const i128 r = num - q * acct.mm.v;  // 0 ≤ r < TMMR
    alloc_w = q * shift + r * shift / acct.mm.v;
  } else {  // no requirement: the whole equity backs this position
    alloc_w = static_cast<i128>(acct.equity.v) * shift;
  }
  // B = P − alloc / size. Toward the mark: a long's B rounds up, a short's down, i.e.
  // the offset alloc_w / |size| is floored either way (floor of a floor is exact).
  const i128 off = div_round(alloc_w, abs128(size.v), Round::Floor);
  i128 b = size.v > 0 ? static_cast<i128>(mark.v) - off : static_cast<i128>(mark.v) + off;
  if (b < 0) b = 0;
  if (b > INT64_MAX) b = INT64_MAX;
  return Price(static_cast<int64_t>(b));
}

Price fillable_price(const MarketRisk& m, Qty size, Price mark, Quote pos_mm, const AccountRisk& acct) {
  assert(size.v != 0);
  const bool long_side = size.v > 0;
  if (!m.has_fillable) {
    Price b = bankruptcy_price(m, size, mark, pos_mm, acct);
    return round_to_tick(b, m.tick, long_side ? Round::Ceil : Round::Floor);
  }
  // ABR = clamp(BA × (TMMR − TNC) / TMMR, 0, 1) as a Ratio, floored.
  int64_t abr = 0;
  if (acct.mm.v > 0) {
    i128 num = static_cast<i128>(m.bankruptcy_adjustment.v) * (static_cast<i128>(acct.mm.v) - acct.equity.v);
    i128 q = div_round(num, acct.mm.v, Round::Floor);
    abr = q <= 0 ? 0 : (q >= kRatioOne ? kRatioOne : static_cast<int64_t>(q));
  } else {
    abr = acct.equity.v < 0 ? kRatioOne : 0;
  }
  // spread = SMMR × ABR (Ratio, floored); offset = spread × PMMR / |size| in price units.
  const i128 spread = div_round(static_cast<i128>(m.spread_to_mmr.v) * abr, kRatioOne, Round::Floor);
  const i128 off = div_round(spread * pos_mm.v * pow10_i128(shift_of(m)),
                             static_cast<i128>(kRatioOne) * abs128(size.v), Round::Floor);
  i128 f = long_side ? static_cast<i128>(mark.v) - off : static_cast<i128>(mark.v) + off;
  if (f < 0) f = 0;
  if (f > INT64_MAX) f = INT64_MAX;
  Price fp = round_to_tick(Price(static_cast<int64_t>(f)), m.tick, long_side ? Round::Ceil : Round::Floor);
  if (long_side && fp.v <= 0) fp = m.tick;
  return fp;
}

Settlement settle_close(const MarketRisk& m, bool long_side, Qty qty, Price fill, Price bankruptcy,
                        Ratio fee_ratio) {
  assert(qty.v > 0);
  Settlement s{};
  const i128 diff = long_side ? static_cast<i128>(fill.v) - bankruptcy.v
                              : static_cast<i128>(bankruptcy.v) - fill.v;
  const i128 surplus_p = static_cast<i128>(qty.v) * diff;  // product scale
  const i128 div = pow10_i128(shift_of(m));
  if (surplus_p >= 0) {
    s.surplus = Quote(static_cast<int64_t>(div_round(surplus_p, div, Round::Floor)));
    Quote fee = mul_quote_ratio(mul_qty_price(qty, fill, m.scale, Round::Floor), fee_ratio, Round::Floor);
    s.fee = fee < s.surplus ? fee : s.surplus;
  } else {
    s.shortfall = Quote(static_cast<int64_t>(div_round(-surplus_p, div, Round::Ceil)));
    s.surplus = -s.shortfall;
  }
  return s;
}

}  // namespace liqd::policy
