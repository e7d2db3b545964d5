// fast_decimal must agree with core/money parse_decimal on every input: the
// reference decides, the fast path only avoids 128-bit arithmetic.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "feeds/fast_decimal.hpp"

using namespace liqd;
using liqd::feeds::fast_decimal;

TEST(FastDecimal, AgreesWithParseDecimal) {
  std::mt19937_64 rng(42);
  const char alphabet[] = "0123456789.-+e ";
  std::vector<std::string> inputs = {"", "-", ".", "0", "-0", "0.0", "1.", ".5", "00012.3400", "9223372036854775807",
                                     "9223372036854775808", "-9223372036854775808", "999999999999999999", "1e5", "+1",
                                     "0.00000074527", "65114.20", "1..2", "1.2.3", "12a", "184136023127"};
  for (int i = 0; i < 300000; ++i) {
    std::string s;
    const int len = static_cast<int>(rng() % 24);
    for (int k = 0; k < len; ++k) {
      // Mostly digits, sometimes structure characters.
      const uint64_t r = rng() % 100;
      s += r < 80 ? static_cast<char>('0' + rng() % 10) : alphabet[rng() % (sizeof alphabet - 1)];
    }
    inputs.push_back(s);
  }
  for (const std::string& s : inputs) {
    for (int dp : {0, 2, 4, 8, 11, 12, 18}) {
      int64_t a = 12345, b = 12345;
      DecimalError ea = fast_decimal(s, dp, a);
      DecimalError eb = parse_decimal(s, dp, b);
      ASSERT_EQ(ea, eb) << "'" << s << "' dp " << dp;
      if (ea == DecimalError::Ok) {
        ASSERT_EQ(a, b) << "'" << s << "' dp " << dp;
      }
    }
  }
}

TEST(FastDecimal, KnownValues) {
  int64_t v = 0;
  ASSERT_EQ(fast_decimal("7.6110", 4, v), DecimalError::Ok);
  EXPECT_EQ(v, 76110);
  ASSERT_EQ(fast_decimal("-0.5", 3, v), DecimalError::Ok);
  EXPECT_EQ(v, -500);
  EXPECT_EQ(fast_decimal("7.61101", 4, v), DecimalError::TooPrecise);
  EXPECT_EQ(fast_decimal("1e5", 4, v), DecimalError::Exponent);
  EXPECT_EQ(fast_decimal("92233720368547758.08", 2, v), DecimalError::Overflow);
}
