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

// floor(n / d) and n mod d for a 128-bit n whose quotient fits 64 bits
// ((n >> 64) < d, the caller's precondition). On x86-64 this is the one `div`
// instruction made for it (128 / 64 → 64); the generic 128-bit division
// (libgcc's __udivti3) costs several times as many instructions on a hot path.
inline uint64_t udiv_128_64(u128 n, uint64_t d, uint64_t* rem) {
#if defined(__x86_64__)
  uint64_t q, r;
  __asm__("divq %[d]"
          : "=a"(q), "=d"(r)
          : "a"(static_cast<uint64_t>(n)), "d"(static_cast<uint64_t>(n >> 64)), [d] "rm"(d)
          : "cc");
  *rem = r;
  return q;
#else
  const uint64_t q = static_cast<uint64_t>(n / d);
  *rem = static_cast<uint64_t>(n - static_cast<u128>(q) * d);
  return q;
#endif
}

// A value ≤ floor(num / den), capped at `cap` (den > 0). Exact when den < 2^63;
// otherwise both are shifted right until den fits 63 bits and the divisor is
// rounded up, so the result can only be smaller (by a relative 2^-(63 − bits of
// the quotient) at most). For bounds where smaller is always safe (the index's
// trigger moves), in one `div` instead of a 128-bit division.
inline uint64_t quotient_at_most(u128 num, u128 den, uint64_t cap) {
  const uint64_t hi = static_cast<uint64_t>(den >> 64);
  const int bits = hi ? 128 - __builtin_clzll(hi) : 64 - __builtin_clzll(static_cast<uint64_t>(den) | 1);
  const int s = bits > 63 ? bits - 63 : 0;
  const uint64_t d = static_cast<uint64_t>(den >> s) + (s > 0 ? 1 : 0);  // ≤ 2^63 and > den / 2^s
  const u128 n = num >> s;
  if (static_cast<uint64_t>(n >> 64) >= d) return cap;  // quotient ≥ 2^64 > cap
  uint64_t r;
  const uint64_t q = udiv_128_64(n, d, &r);
  return q < cap ? q : cap;
}

constexpr bool fits_i64(i128 v) {
  return v >= static_cast<i128>(INT64_MIN) && v <= static_cast<i128>(INT64_MAX);
}

}  // namespace liqd
