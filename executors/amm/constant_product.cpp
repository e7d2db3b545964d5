#include "executors/amm/constant_product.hpp"

namespace liqd::exec {

i128 ConstantProductPool::total(Side side, int64_t q) const {
  const i128 x = base_reserve.v, y = quote_reserve;
  if (x <= 0 || y <= 0 || q < 0) return -1;
  if (side == Side::Sell) return div_round(y * q, x + q, Round::Floor);
  if (q >= x) return -1;
  return div_round(y * q, x - q, Round::Ceil);
}

Price ConstantProductPool::mid() const {
  if (base_reserve.v <= 0) return Price(0);
  return Price(static_cast<int64_t>(div_round(quote_reserve, base_reserve.v, Round::HalfAwayFromZero)));
}

}  // namespace liqd::exec
