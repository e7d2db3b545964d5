#pragma once
// 128-bit helpers for fixed-point arithmetic. Products of two int64 fixed-point
// values always fit in __int128; every division states its rounding direction,
// because "requirements round up, equity rounds down" is a money rule, not a detail.
#include <cstdint>

namespace liqd {

using i128 = __int128;
using u128 = unsigned __int128;

enum class Round : uint8_t {
  Floor,           // toward -infinity: equity, what an account owns
  Ceil,            // toward +infinity: requirements, what an account owes
  HalfAwayFromZero,// display of prices and neutral figures
  TowardZero,
};

// 10^n for n in [0, 38].
constexpr i128 pow10_i128(int n) {
  i128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

// num / den rounded as asked. den != 0.
constexpr i128 div_round(i128 num, i128 den, Round mode) {
  if (den < 0) { num = -num; den = -den; }
  i128 q = num / den;          // truncates toward zero
  i128 r = num % den;          // same sign as num
  if (r == 0) return q;
  switch (mode) {
    case Round::TowardZero: return q;
    case Round::Floor: return num < 0 ? q - 1 : q;
    case Round::Ceil: return num > 0 ? q + 1 : q;
    case Round::HalfAwayFromZero: {
      i128 twice = (r < 0 ? -r : r) * 2;
      if (twice >= den) return num < 0 ? q - 1 : q + 1;
      return q;
    }
  }
  return q;
}

// Rescale a value with `from_dp` decimals to `to_dp` decimals.
constexpr i128 rescale(i128 v, int from_dp, int to_dp, Round mode) {
  if (to_dp >= from_dp) return v * pow10_i128(to_dp - from_dp);
  return div_round(v, pow10_i128(from_dp - to_dp), mode);
}

constexpr bool fits_i64(i128 v) {
  return v >= static_cast<i128>(INT64_MIN) && v <= static_cast<i128>(INT64_MAX);
}

}  // namespace liqd
