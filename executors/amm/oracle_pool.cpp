#include "executors/amm/oracle_pool.hpp"

namespace liqd::exec {

i128 OraclePool::total(Side side, int64_t q) const {
  if (oracle.v <= 0 || q < 0) return -1;
  const i128 d = imbalance.v;
  i128 grow = (d + q) * (d + q) - d * d;       // qty units^2
  if (grow < 0) grow = 0;
  // P * F * grow / D with D = 1e8 * 10^qty_dp, rounded up once. P*F*grow can pass
  // 128 bits, so split t = F*grow = a*D + b: P*t/D = P*a + P*b/D, exact.
  const i128 D = pow10_i128(qty_dp) * kRatioOne;
  const i128 t = grow * impact_factor.v;
  const i128 impact = static_cast<i128>(oracle.v) * (t / D) + div_round(static_cast<i128>(oracle.v) * (t % D), D, Round::Ceil);
  const i128 notional = static_cast<i128>(oracle.v) * q;
  if (side == Side::Sell) return notional - impact;
  return notional + impact;
}

}  // namespace liqd::exec
