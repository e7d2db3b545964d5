#pragma once
// Exact comparison of per-unit costs a/b and c/d (b, d > 0) without forming
// a*d, which can exceed 128 bits for a multi-level chunk (price x qty x fee
// factor x qty). Continued-fraction expansion: compare integer parts, then the
// reciprocals of the remainders. Terminates in O(log) steps like Euclid.
#include <cstdint>

#include "core/money/int128.hpp"

namespace liqd::exec {

constexpr i128 floor_div(i128 a, i128 b) {
  i128 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// <0 if a/b < c/d, 0 if equal, >0 if greater.
constexpr int frac_cmp(i128 a, i128 b, i128 c, i128 d) {
  if (b == d) return a < c ? -1 : (a > c ? 1 : 0);
  int sign = 1;
  for (;;) {
    i128 qa = floor_div(a, b), qc = floor_div(c, d);
    if (qa != qc) return qa < qc ? -sign : sign;
    i128 ra = a - qa * b, rc = c - qc * d;  // 0 <= ra < b, 0 <= rc < d
    if (ra == 0 || rc == 0) {
      if (ra == rc) return 0;
      return ra == 0 ? -sign : sign;
    }
    // ra/b < rc/d  <=>  d/rc < b/ra
    i128 na = d, nb = rc, nc = b, nd = ra;
    a = na; b = nb; c = nc; d = nd;
    sign = -sign;
  }
}

// n / d for n >= 0, d > 0 whose quotient fits in 64 bits (an average price:
// notional / qty), rounded down or up. x86-64 divides 128 by 64 bits in one
// instruction; the generic __int128 division is a library call ~10x slower.
inline int64_t div_u128_u64(i128 n, int64_t d, bool round_up) {
#if defined(__x86_64__)
  const auto un = static_cast<u128>(n);
  uint64_t hi = static_cast<uint64_t>(un >> 64), lo = static_cast<uint64_t>(un);
  const auto ud = static_cast<uint64_t>(d);
  if (hi < ud) {  // quotient fits: use divq
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(ud));
    return static_cast<int64_t>(q + ((round_up && r != 0) ? 1 : 0));
  }
#endif
  return static_cast<int64_t>(div_round(n, d, round_up ? Round::Ceil : Round::Floor));
}

}  // namespace liqd::exec
