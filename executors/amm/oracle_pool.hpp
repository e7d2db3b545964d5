#pragma once
// Oracle-priced pool with a price-impact curve, as GMX v2 prices trades: the
// trade executes at the oracle price, adjusted by an impact that grows with the
// open-interest imbalance it causes, impact = factor * (next_diff^e - initial_diff^e)
// (gmx-synthetics PricingUtils / PositionPricingUtils; exponent e = 2 here).
// With d = the imbalance already on our side (base units, negative if our trade
// first restores balance) and F = impact_factor (10^-8 per whole base unit):
//   impact(q) = P * F * max(0, (d+q)^2 - d^2) / (10^8 * 10^qty_dp)   quote units
// Only worsening impact counts: a rebate for restoring balance is not relied
// on (GMX caps it by its impact pool), which keeps total(q) convex.
//   sell q: receive P*q - impact(q)     buy q: pay P*q + impact(q)
#include <cstdint>
#include <span>

#include "executors/amm/curve_depth.hpp"

namespace liqd::exec {

struct OraclePool {
  Price oracle{0};
  Qty imbalance{0};        // d above, for the side we trade
  Ratio impact_factor{0};  // F above
  int8_t qty_dp = 8;       // to express F per whole base unit

  i128 total(Side side, int64_t q) const;
  // Average price of base units (a, b], from the exact impact difference, rounded
  // against the trader; <= 0 once the impact eats the whole price.
  i128 avg_price(Side side, int64_t a, int64_t b) const;
  int depth(const DepthRequest& req, std::span<Level> out) const {
    return derive_levels([&](int64_t a, int64_t b) { return avg_price(req.side, a, b); }, req, out);
  }
};

}  // namespace liqd::exec
