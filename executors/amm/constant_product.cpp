#include "executors/amm/constant_product.hpp"

namespace liqd::exec {

i128 ConstantProductPool::total(Side side, int64_t q) const {
  const i128 x = base_reserve.v, y = quote_reserve;
  if (x <= 0 || y <= 0 || q < 0) return -1;
  if (side == Side::Sell) return div_round(y * q, x + q, Round::Floor);
  if (q >= x) return -1;
  return div_round(y * q, x - q, Round::Ceil);
}

i128 ConstantProductPool::avg_price(Side side, int64_t a, int64_t b) const {
  const i128 x = base_reserve.v, y = quote_reserve;
  if (x <= 0 || y <= 0 || a < 0 || b <= a) return -1;
  if (side == Side::Buy && b >= x) return -1;
  i128 num = 0, den = 0;
  const i128 xa = side == Side::Sell ? x + a : x - a;
  const i128 xb = side == Side::Sell ? x + b : x - b;
  if (__builtin_mul_overflow(y, x, &num) || __builtin_mul_overflow(xa, xb, &den)) return -1;
  return div_round(num, den, side == Side::Sell ? Round::Floor : Round::Ceil);
}

Price ConstantProductPool::mid() const {
  if (base_reserve.v <= 0) return Price(0);
  return Price(static_cast<int64_t>(div_round(quote_reserve, base_reserve.v, Round::HalfAwayFromZero)));
}

}  // namespace liqd::exec
