#pragma once
// Own book or transfer-and-hedge, decided up front (issue 7, intro).
//
// A liquidated position lives on this venue, so it is closed either
//   (a) on the venue's own book and/or its AMM pool ("own" venues), or
//   (b) by transfer to the backstop vault at a price inside the fillable bound,
//       after which the vault hedges its new inventory on external venues
//       (same side as the liquidation: a liquidated long is sold by the vault).
// For the venue as a whole, (b) realises the external hedge's proceeds net of
// the external fees and of the vault's own charge (risk premium, funding); the
// transfer price only shares that between the account and the vault. So the
// split compares, unit by unit, the own venues' marginal price after fees with
// the external venues' marginal price after fees and vault charge, and
// chooses own_qty + transfer_qty = qty minimising the total expected cost
// (fill as much as possible first, as the router does).
//
// Method: total cost T(a) = C_own(a) + C_hedge(qty - a), each side's cost from
// the Router (exact on its side). When each side's venues share one lot and no
// minimum exceeds it, each C is convex on multiples of its lot (the router's
// README). The search moves the split point on multiples of the coarser side's
// lot (on hedge quantities when the hedge's lot is the coarser, as Binance's
// 0.001 against an own book's 0.00001): if the finer lot divides it (and the
// order's qty), the other side's quantity stays on its own lots, T is convex on
// that grid and a binary search on its discrete slope finds the exact optimum
// (SplitPlan::exact). Otherwise the search runs on the own side's lot gcd (or the
// hedge side's when that is a multiple of it), ranking splits by (fill, cost); it
// can then miss the optimum by a lot's worth (documented approximation; both
// exact cases are tested against a full scan). Ties go to the own book (no
// transfer, no hedge risk).
//
// Work: 3 + 4*ceil(log2(range/lot)) + 2 router calls; no allocation (one Router,
// sized at construction), no double, deterministic.
#include <span>

#include "executors/router/router.hpp"

namespace liqd::exec {

// What the backstop vault can take now, for this market and side.
struct VaultLimits {
  bool available = true;    // false: vault halted / not connected -> own venues only
  // Most it may take now: its capacity left in this direction, the inventory
  // limit minus current inventory, the per-transfer limit (caller takes the min).
  Qty max_qty{0};
  // Charge on the hedge notional, 10^-8 (risk premium, funding, transfer cost);
  // it competes like a fee. The vault's collateral per external venue bounds the
  // hedge there: pass it as that venue's max_qty.
  Ratio charge{0};
};

struct SplitInput {
  RouteOrder order;                      // side, qty, fillable bound (limit), urgency
  std::span<const VenueInput> own;       // own book and/or AMM pool (levels derived from the curve)
  std::span<const VenueInput> external;  // venues the vault hedges on
  VaultLimits vault;
};

struct SplitPlan {
  Qty own_qty{0};           // closed on own venues = own.filled
  Qty transfer_qty{0};      // transferred to the vault = hedge.filled
  Qty unfilled{0};          // qty - own_qty - transfer_qty: nothing can take it inside the bound now
  // Transfer price: the hedge's expected average net of fees and vault charge,
  // rounded against the vault, clamped inside the fillable bound (0 if no transfer).
  Price transfer_price{0};
  RoutePlan own;            // children on own venues
  RoutePlan hedge;          // the vault's hedge children on external venues (fees = venue fees only)
  i128 vault_charge = 0;    // hedge notional x charge, units 10^-(price_dp+qty_dp+8)
  // Signed cost minimised, units 10^-(price_dp+qty_dp+8) (see RoutePlan::objective):
  // own.objective + hedge.objective + vault_charge.
  i128 objective = 0;
  // The same order closed on own venues only (the alternative the split beats or equals).
  Qty own_only_filled{0};
  i128 own_only_objective = 0;
  bool exact = false;       // provably optimal split (see header comment)
  uint32_t evaluations = 0; // router calls made
};

class SplitPlanner {
 public:
  explicit SplitPlanner(RouterConfig cfg = {}) : router_(cfg) {}
  // Venue indices in own.children refer to in.own, in hedge.children to in.external.
  RouteError plan(const SplitInput& in, SplitPlan& out);

 private:
  struct Side2 {     // one evaluation of a split point
    Qty filled{0};
    i128 objective = 0;
  };
  RouteError eval_own(const SplitInput& in, int64_t q, RoutePlan& p);
  RouteError eval_hedge(const SplitInput& in, int64_t q, RoutePlan& p, i128& charge);
  RouteError eval(const SplitInput& in, int64_t a, Side2& r);

  Router router_;
  VenueInput ext_[kMaxVenues];   // external venues with the vault charge added to the fee
  int n_ext_ = 0;
  uint32_t calls_ = 0;
};

}  // namespace liqd::exec
