// BigInt against i128 arithmetic where both apply, and its rounding modes.
#include <gtest/gtest.h>

#include <random>

#include "core/margin/big_int.hpp"

namespace liqd {
namespace {

TEST(BigInt, MatchesI128Division) {
  std::mt19937_64 rng(7);
  for (int n = 0; n < 20000; ++n) {
    i128 a = static_cast<int64_t>(rng()) , b = static_cast<int64_t>(rng() >> (rng() % 60));
    i128 c = static_cast<int64_t>(rng() >> (rng() % 62));
    if (c == 0) c = 3;
    for (Round r : {Round::Floor, Round::Ceil, Round::HalfAwayFromZero, Round::TowardZero}) {
      bool fits = false;
      i128 got = div_round(BigInt(a) * BigInt(b), BigInt(c), r, fits);
      ASSERT_TRUE(fits);
      ASSERT_EQ(got, div_round(a * b, c, r)) << n;
    }
  }
}

TEST(BigInt, WideProductsDivideBackExactly) {
  // (2^100 + 12345) × (2^90 + 7) / (2^90 + 7) == 2^100 + 12345, beyond 128 bits inside.
  const i128 x = (i128{1} << 100) + 12345, y = (i128{1} << 90) + 7;
  bool fits = false;
  EXPECT_EQ(div_round(BigInt(x) * BigInt(y), BigInt(y), Round::Floor, fits), x);
  EXPECT_TRUE(fits);
  EXPECT_EQ(div_round(-(BigInt(x) * BigInt(y)) + BigInt(1), BigInt(y), Round::Floor, fits), -x);
  EXPECT_EQ(div_round(-(BigInt(x) * BigInt(y)) + BigInt(1), BigInt(y), Round::Ceil, fits), -x + 1);
  // Quotient too wide for i128 is reported.
  div_round(BigInt(x) * BigInt(x), BigInt(1), Round::Floor, fits);
  EXPECT_FALSE(fits);
  // Half away from zero on exact halves, both signs.
  EXPECT_EQ(div_round(BigInt(5), BigInt(2), Round::HalfAwayFromZero, fits), 3);
  EXPECT_EQ(div_round(BigInt(-5), BigInt(2), Round::HalfAwayFromZero, fits), -3);
  EXPECT_EQ(div_round(BigInt(5), BigInt(-2), Round::HalfAwayFromZero, fits), -3);
  EXPECT_TRUE(compare(BigInt(-3), BigInt(2)) < 0);
  EXPECT_TRUE(compare(BigInt(x) * BigInt(y), BigInt(x)) > 0);
}

}  // namespace
}  // namespace liqd
