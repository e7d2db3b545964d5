#pragma once
// 10^n as a table lookup: the margin paths scale between decimals on every call,
// and pow10_i128's loop of 128-bit multiplications showed up in their cost.
#include <array>
#include <cassert>

#include "core/money/int128.hpp"

namespace liqd {

inline constexpr std::array<i128, 39> kPow10 = [] {
  std::array<i128, 39> t{};
  t[0] = 1;
  for (size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] * 10;
  return t;
}();

constexpr i128 p10(int n) {
  assert(n >= 0 && n <= 38);
  return kPow10[static_cast<size_t>(n)];
}

}  // namespace liqd
