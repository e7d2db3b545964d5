#include "core/money/fixed.hpp"

#include <gtest/gtest.h>

namespace liqd {
namespace {

TEST(Int128, DivRoundDirections) {
  EXPECT_EQ(div_round(7, 2, Round::Floor), 3);
  EXPECT_EQ(div_round(7, 2, Round::Ceil), 4);
  EXPECT_EQ(div_round(-7, 2, Round::Floor), -4);
  EXPECT_EQ(div_round(-7, 2, Round::Ceil), -3);
  EXPECT_EQ(div_round(-7, 2, Round::TowardZero), -3);
  EXPECT_EQ(div_round(5, 2, Round::HalfAwayFromZero), 3);
  EXPECT_EQ(div_round(-5, 2, Round::HalfAwayFromZero), -3);
  EXPECT_EQ(div_round(4, -3, Round::HalfAwayFromZero), -1);
  EXPECT_EQ(div_round(7, -2, Round::Floor), -4);
  EXPECT_EQ(div_round(6, 3, Round::Ceil), 2);
}

TEST(Fixed, NotionalUses128BitsAndRoundsAsAsked) {
  Scale s{8, 8, 6};
  // 3 BTC at 92,233.72036854 (price near int64/1e8 scale limits): the product
  // overflows int64 but not the 128-bit intermediate.
  Qty q(300000000);
  Price p(9223372036854);
  EXPECT_EQ(mul_qty_price(q, p, s, Round::Floor).v, 276701161105);     // 276701.161105562 -> down
  EXPECT_EQ(mul_qty_price(q, p, s, Round::Ceil).v, 276701161106);
  EXPECT_EQ(mul_qty_price(-q, p, s, Round::Floor).v, -276701161106);
  EXPECT_EQ(mul_quote_ratio(Quote(1000001), Ratio(50000000), Round::Ceil).v, 500001);  // 0.5 × 1.000001
  EXPECT_EQ(mul_quote_ratio(Quote(1000001), Ratio(50000000), Round::Floor).v, 500000);
}

}  // namespace
}  // namespace liqd
