#pragma once
// Constant-product pool (x * y = k, Uniswap v2 without its fee; the venue's
// taker_fee carries the fee so pools and books are compared the same way).
//   sell dx base: receive dy = y*dx / (x + dx)      (rounded down)
//   buy  dx base: pay     dy = y*dx / (x - dx)      (rounded up), dx < x
// Average price of the units (a, b]: the difference of the totals over b - a,
//   sell: y*x / ((x+a)(x+b))      buy: y*x / ((x-a)(x-b))
// Reserves: x in qty units, y in quote units of 10^-(price_dp+qty_dp), so that
// y/x is the mid price in price units.
#include <cstdint>
#include <span>

#include "executors/amm/curve_depth.hpp"

namespace liqd::exec {

struct ConstantProductPool {
  Qty base_reserve{0};
  i128 quote_reserve = 0;   // units 10^-(price_dp+qty_dp)

  // Quote amount for trading q base on `side` (the trader's side); -1 if impossible.
  i128 total(Side side, int64_t q) const;
  // Average price of base units (a, b], rounded against the trader; -1 if impossible.
  i128 avg_price(Side side, int64_t a, int64_t b) const;
  Price mid() const;
  int depth(const DepthRequest& req, std::span<Level> out) const {
    return derive_levels([&](int64_t a, int64_t b) { return avg_price(req.side, a, b); }, req, out);
  }
};

}  // namespace liqd::exec
