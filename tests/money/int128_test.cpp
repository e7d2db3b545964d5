// The 128/64 division helpers against plain 128-bit division: exact quotients
// and remainders at the edges of their domain, and quotient_at_most never above
// the exact quotient and exact whenever the divisor fits 63 bits.
#include <cstdint>
#include <random>

#include <gtest/gtest.h>

#include "core/money/int128.hpp"

namespace liqd {
namespace {

TEST(Int128, Udiv128By64IsExactOverItsWholeDomain) {
  std::mt19937_64 rng(11);
  const uint64_t edges[] = {1, 2, 3, 7, 10, 1'000'000'007, 100'000'000'000'000ull, uint64_t{1} << 63,
                            (uint64_t{1} << 63) + 1, UINT64_MAX - 1, UINT64_MAX};
  auto check = [](u128 n, uint64_t d) {
    uint64_t r = 0;
    const uint64_t q = udiv_128_64(n, d, &r);
    ASSERT_EQ(static_cast<u128>(q), n / d) << static_cast<uint64_t>(n >> 64) << ":" << static_cast<uint64_t>(n) << " / " << d;
    ASSERT_EQ(static_cast<u128>(r), n % d);
  };
  for (uint64_t d : edges) {
    const u128 top = (static_cast<u128>(d) << 64) - 1;  // the largest n whose quotient fits 64 bits
    check(top, d);
    check(0, d);
    check(d - 1, d);
    check(d, d);
    for (int i = 0; i < 2000; ++i) check((static_cast<u128>(rng()) << 64 | rng()) % (top + 1), d);
  }
  for (int i = 0; i < 100000; ++i) {
    const uint64_t d = 1 + (rng() >> (rng() % 64));
    const u128 hi = rng() % d;  // quotient < 2^64
    check(hi << 64 | rng(), d);
  }
}

TEST(Int128, QuotientAtMostIsALowerBoundExactForNarrowDivisors) {
  std::mt19937_64 rng(12);
  const uint64_t cap = uint64_t{1} << 62;
  for (int i = 0; i < 200000; ++i) {
    const u128 num = (static_cast<u128>(rng()) << 64 | rng()) >> (rng() % 128);
    u128 den = (static_cast<u128>(rng()) << 64 | rng()) >> (rng() % 128);
    if (den == 0) den = 1;
    const u128 exact = num / den;
    const uint64_t q = quotient_at_most(num, den, cap);
    const u128 capped = exact > cap ? cap : exact;
    ASSERT_LE(static_cast<u128>(q), capped) << i;
    if (den < (static_cast<u128>(1) << 63)) {
      ASSERT_EQ(static_cast<u128>(q), capped) << i;  // exact
    } else if (exact < cap && exact > (u128{1} << 20)) {
      // Wider divisors: a relative error of at most 2^-(63 − bits of the quotient) or so.
      ASSERT_GE(static_cast<u128>(q) + (exact >> 30) + 2, exact) << i;
    }
  }
  EXPECT_EQ(quotient_at_most(100, 7, 1000), 14u);
  EXPECT_EQ(quotient_at_most(100, 7, 10), 10u);
  EXPECT_EQ(quotient_at_most(~u128{0}, 1, cap), cap);
}

}  // namespace
}  // namespace liqd
