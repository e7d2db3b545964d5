#include "executors/amm/oracle_pool.hpp"

namespace liqd::exec {
namespace {

// max(0, (d+q)^2 - d^2), qty units^2.
i128 growth(i128 d, int64_t q) {
  i128 g = (d + q) * (d + q) - d * d;
  return g < 0 ? 0 : g;
}

// P * F * g / D rounded as asked, D = 1e8 * 10^qty_dp. P*F*g can pass 128 bits,
// so split t = F*g = a*D + b: P*t/D = P*a + P*b/D, one rounding.
i128 impact(i128 price, i128 factor, i128 g, int qty_dp, Round mode) {
  const i128 D = pow10_i128(qty_dp) * kRatioOne;
  const i128 t = g * factor;
  return price * (t / D) + div_round(price * (t % D), D, mode);
}

}  // namespace

i128 OraclePool::total(Side side, int64_t q) const {
  if (oracle.v <= 0 || q < 0) return -1;
  const i128 imp = impact(oracle.v, impact_factor.v, growth(imbalance.v, q), qty_dp, Round::Ceil);
  const i128 notional = static_cast<i128>(oracle.v) * q;
  return side == Side::Sell ? notional - imp : notional + imp;
}

i128 OraclePool::avg_price(Side side, int64_t a, int64_t b) const {
  if (oracle.v <= 0 || a < 0 || b <= a) return -1;
  // Impact of the units (a, b] over (b - a), one rounding against the trader:
  // P*F*dg / (D*(b-a)), dg = growth(b) - growth(a) >= 0 (growth is convex, nondecreasing).
  const i128 dg = growth(imbalance.v, b) - growth(imbalance.v, a);
  const i128 D = pow10_i128(qty_dp) * kRatioOne * (b - a);
  const i128 t = dg * impact_factor.v;
  const i128 P = oracle.v;
  const i128 imp = P * (t / D) + div_round(P * (t % D), D, Round::Ceil);  // impact rounds up either way
  return side == Side::Sell ? P - imp : P + imp;
}

}  // namespace liqd::exec
