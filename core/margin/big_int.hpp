#pragma once
// Exact rational arithmetic for the few margin figures whose exact numerator is a
// product of three or four 128-bit quantities (bankruptcy price, fillable price,
// insurance-fund delta). A fixed-width signed magnitude of 768 bits: no heap, no
// exceptions, plain loops; not for the per-tick hot path (the index uses the i128
// liquidation-price solve), but cheap enough (a few microseconds) for planning.
#include <array>
#include <cstdint>

#include "core/money/int128.hpp"

namespace liqd {

class BigInt {
 public:
  static constexpr int kLimbs = 24;  // 24 × 32 bits = 768 bits of magnitude

  constexpr BigInt() = default;
  BigInt(i128 v);  // NOLINT(google-explicit-constructor): a widening, never lossy

  bool is_zero() const;
  bool negative() const { return neg_ && !is_zero(); }
  int sign() const { return is_zero() ? 0 : (neg_ ? -1 : 1); }

  friend BigInt operator*(const BigInt& a, const BigInt& b);
  friend BigInt operator+(const BigInt& a, const BigInt& b);
  friend BigInt operator-(const BigInt& a, const BigInt& b);
  BigInt operator-() const;
  friend int compare(const BigInt& a, const BigInt& b);  // -1, 0, 1
  friend bool operator<(const BigInt& a, const BigInt& b) { return compare(a, b) < 0; }
  friend bool operator<=(const BigInt& a, const BigInt& b) { return compare(a, b) <= 0; }

  // num / den rounded as asked (den != 0). `fits` is false when the quotient does
  // not fit in i128 (the result is then unspecified).
  friend i128 div_round(const BigInt& num, const BigInt& den, Round mode, bool& fits);

 private:
  std::array<uint32_t, kLimbs> m_{};  // magnitude, little-endian limbs
  bool neg_ = false;

  static int cmp_mag(const BigInt& a, const BigInt& b);
  static BigInt add_mag(const BigInt& a, const BigInt& b);
  static BigInt sub_mag(const BigInt& a, const BigInt& b);  // |a| >= |b|
  int top_bit() const;  // index of the highest set bit, -1 for zero
};

}  // namespace liqd
