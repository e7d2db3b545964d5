#include "core/money/decimal.hpp"

#include <gtest/gtest.h>

#include <random>

namespace liqd {
namespace {

int64_t parse(std::string_view s, int dp) {
  int64_t v = 0;
  EXPECT_EQ(parse_decimal(s, dp, v), DecimalError::Ok) << s;
  return v;
}

TEST(Decimal, ParsesExactly) {
  EXPECT_EQ(parse("12.345", 4), 123450);
  EXPECT_EQ(parse("-0.1", 8), -10000000);
  EXPECT_EQ(parse("+5", 2), 500);
  EXPECT_EQ(parse(".5", 1), 5);
  EXPECT_EQ(parse("5.", 1), 50);
  EXPECT_EQ(parse("0.10000000000", 1), 1);  // trailing zeros beyond scale are exact
  EXPECT_EQ(parse("92233720368.54775807", 8), INT64_MAX);
}

TEST(Decimal, RefusesWhatIsNotExact) {
  int64_t v = 0;
  EXPECT_EQ(parse_decimal("0.123", 2, v), DecimalError::TooPrecise);
  EXPECT_EQ(parse_decimal("1e5", 2, v), DecimalError::Exponent);
  EXPECT_EQ(parse_decimal("1E5", 2, v), DecimalError::Exponent);
  EXPECT_EQ(parse_decimal("", 2, v), DecimalError::Empty);
  EXPECT_EQ(parse_decimal("-", 2, v), DecimalError::Empty);
  EXPECT_EQ(parse_decimal(".", 2, v), DecimalError::Empty);
  EXPECT_EQ(parse_decimal("1.2.3", 2, v), DecimalError::BadChar);
  EXPECT_EQ(parse_decimal("12a", 2, v), DecimalError::BadChar);
  EXPECT_EQ(parse_decimal(" 1", 2, v), DecimalError::BadChar);
  EXPECT_EQ(parse_decimal("92233720368.54775808", 8, v), DecimalError::Overflow);
  EXPECT_EQ(parse_decimal("99999999999999999999999", 0, v), DecimalError::Overflow);
}

TEST(Decimal, RoundsInTheAskedDirection) {
  int64_t v = 0;
  ASSERT_EQ(parse_decimal_rounded("1.231", 2, Round::Ceil, v), DecimalError::Ok);
  EXPECT_EQ(v, 124);
  ASSERT_EQ(parse_decimal_rounded("-1.231", 2, Round::Ceil, v), DecimalError::Ok);
  EXPECT_EQ(v, -123);
  ASSERT_EQ(parse_decimal_rounded("-1.231", 2, Round::Floor, v), DecimalError::Ok);
  EXPECT_EQ(v, -124);
  ASSERT_EQ(parse_decimal_rounded("1.235", 2, Round::HalfAwayFromZero, v), DecimalError::Ok);
  EXPECT_EQ(v, 124);
  ASSERT_EQ(parse_decimal_rounded("-1.2349", 2, Round::HalfAwayFromZero, v), DecimalError::Ok);
  EXPECT_EQ(v, -123);
}

TEST(Decimal, Formats) {
  EXPECT_EQ(format_decimal(123450, 4), "12.345");
  EXPECT_EQ(format_decimal(-10000000, 8), "-0.1");
  EXPECT_EQ(format_decimal(0, 8), "0");
  EXPECT_EQ(format_decimal(500, 2), "5");
  EXPECT_EQ(format_decimal(7, 3), "0.007");
  EXPECT_EQ(format_decimal(INT64_MIN, 0), "-9223372036854775808");
  EXPECT_EQ(format_decimal(static_cast<i128>(INT64_MAX) * 1000, 3), "9223372036854775807");
}

TEST(Decimal, RoundTripsRandomValues) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    int64_t v = static_cast<int64_t>(rng());
    int dp = static_cast<int>(rng() % 19);
    std::string s = format_decimal(v, dp);
    int64_t back = 0;
    ASSERT_EQ(parse_decimal(s, dp, back), DecimalError::Ok) << s;
    ASSERT_EQ(back, v) << s;
  }
}

TEST(Decimal, DecimalPlaces) {
  int dp = -1;
  ASSERT_EQ(decimal_places("0.010", dp), DecimalError::Ok);
  EXPECT_EQ(dp, 2);
  ASSERT_EQ(decimal_places("5", dp), DecimalError::Ok);
  EXPECT_EQ(dp, 0);
  EXPECT_EQ(decimal_places("1e-8", dp), DecimalError::Exponent);
}

}  // namespace
}  // namespace liqd
