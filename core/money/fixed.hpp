#pragma once
// Fixed-point money types. Each is an int64 count of the market's smallest unit:
//   Price: 10^-price_dp quote per base   (price_dp from the tick size)
//   Qty:   10^-qty_dp base               (qty_dp from the lot size)
//   Quote: 10^-quote_dp quote asset      (quote_dp from the quote asset, 6 = USDC)
//   Ratio: 10^-8                         (margin ratios, fees; fixed scale)
// The scale lives in the market (Scale), not in each value, so values stay 8 bytes.
// Products go through 128 bits and every narrowing names its rounding direction.
// Overflow is checked where values enter (config, feeds, risk input), not here.
#include <compare>
#include <cstdint>

#include "core/money/int128.hpp"

namespace liqd {

template <class Tag>
struct Fixed {
  int64_t v = 0;
  constexpr Fixed() = default;
  constexpr explicit Fixed(int64_t units) : v(units) {}
  constexpr auto operator<=>(const Fixed&) const = default;
  constexpr Fixed operator+(Fixed o) const { return Fixed(v + o.v); }
  constexpr Fixed operator-(Fixed o) const { return Fixed(v - o.v); }
  constexpr Fixed operator-() const { return Fixed(-v); }
  constexpr Fixed& operator+=(Fixed o) { v += o.v; return *this; }
  constexpr Fixed& operator-=(Fixed o) { v -= o.v; return *this; }
};

struct PriceTag {};
struct QtyTag {};
struct QuoteTag {};
struct RatioTag {};
using Price = Fixed<PriceTag>;
using Qty = Fixed<QtyTag>;
using Quote = Fixed<QuoteTag>;
using Ratio = Fixed<RatioTag>;

inline constexpr int kRatioDp = 8;
inline constexpr int64_t kRatioOne = 100'000'000;

// Decimal places of one market's three unit kinds.
struct Scale {
  int8_t price_dp = 8;
  int8_t qty_dp = 8;
  int8_t quote_dp = 6;
  // qty * price has (qty_dp + price_dp) decimals; quote has quote_dp.
  constexpr int product_dp() const { return qty_dp + price_dp; }
};

// size × price in quote units, rounded as asked. Exact in 128 bits.
constexpr Quote mul_qty_price(Qty q, Price p, const Scale& s, Round mode) {
  i128 prod = static_cast<i128>(q.v) * p.v;
  return Quote(static_cast<int64_t>(rescale(prod, s.product_dp(), s.quote_dp, mode)));
}

// quote × ratio, rounded as asked.
constexpr Quote mul_quote_ratio(Quote q, Ratio r, Round mode) {
  return Quote(static_cast<int64_t>(div_round(static_cast<i128>(q.v) * r.v, kRatioOne, mode)));
}

}  // namespace liqd
