#pragma once
// Bankruptcy and fillable prices of one position in a cross account, and the
// settlement of a liquidation fill (fee to the fund, shortfall from it).
//
// TODO(margin): core/margin is getting its own liquidation / bankruptcy /
// fillable price functions (margin helper, in flight). Switch the planner, ADL and
// backstop to those once merged; these are the minimal private versions.
//
// Definitions (dYdX v4, "Liquidations on dYdX Chain", help.dydx.exchange):
//   TNC = account equity, TMMR = account maintenance margin, PMMR = this position's MM.
//   Bankruptcy price: the price at which closing the position uses up exactly its
//   share TNC × PMMR / TMMR of the equity:
//       B = P − (TNC × PMMR / TMMR) / size          (size signed)
//   Fillable price (the liquidation order's limit):
//       ABR = clamp(BA × (1 − TNC / TMMR), 0, 1)    (adjusted bankruptcy rating)
//       F   = P × (1 ∓ SMMR × MMF × ABR)            (− long, + short), MMF = PMMR / notional
//     which simplifies exactly to F = P ∓ SMMR × ABR × PMMR / |size|.
//   When TNC is thin or negative F lies beyond B: the fund pays that difference.
// Rounding: B and F are rounded toward the mark (a long's up, a short's down), so
// the limit is never more aggressive than the formula and the shortfall measured
// against B is never understated.
#include <cstdint>

#include "core/margin/margin.hpp"
#include "core/policy/common.hpp"

namespace liqd::policy {

struct AccountRisk {
  Quote equity;  // TNC, rounded down (cross_margin)
  Quote mm;      // TMMR, Σ position MM (cross_margin)
};

// Bankruptcy price of an open position (size != 0). mm > 0 for the account.
Price bankruptcy_price(const MarketRisk& m, Qty size, Price mark, Quote pos_mm, const AccountRisk& acct);

// Fillable (limit) price from m.bankruptcy_adjustment (BA) and m.spread_to_mmr (SMMR).
// A market without them (has_fillable false) uses B itself: the order never sells
// below bankruptcy, so the fund never pays for it.
Price fillable_price(const MarketRisk& m, Qty size, Price mark, Quote pos_mm, const AccountRisk& acct);

struct Settlement {
  Quote fee;        // to the insurance fund: min(fee_ratio × notional, surplus), ≥ 0
  Quote shortfall;  // loss below bankruptcy: what the fund (then backstop, ADL) pays, ≥ 0
  Quote surplus;    // what the fill left above bankruptcy before the fee, may be < 0
};

// Closing `qty` (> 0) of a position of sign `long_side` at `fill`, against its bankruptcy
// price. Fee on the fill's notional, capped at the surplus (a fee that would take more
// than the surplus would push the account below zero, the fund's own money).
Settlement settle_close(const MarketRisk& m, bool long_side, Qty qty, Price fill, Price bankruptcy,
                        Ratio fee_ratio);

}  // namespace liqd::policy
