#pragma once
// Liquidation figures of one position, exactly (issue 3, "Definitions"):
//   liquidation price  the mark of its market at which its equity (cross or
//                      isolated) equals its MM, other marks fixed; solved per
//                      tier, keeping the root whose notional lies in that tier;
//   bankruptcy price   of a close of δ (sign opposite to size): the price at which
//                      the trade reduces equity by equity × ΔMM_position / MM,
//                      full close: mark − equity × (MM_pos / MM) / size;
//   fillable price     mark − ABR × SMMR × MM_pos / size,
//                      ABR = clamp(BA × (1 − equity / MM), 0, 1) (dYdX v4);
//   insurance fund     δ closed at F: |δ|(F − BP_δ) for a long, |δ|(BP_δ − F) for
//                      a short; a positive delta is capped at fee × |δ| × F.
// "equity" and "MM" are the cross part's for a cross position and the position's
// own for an isolated one. Every figure is computed from exact rationals and
// rounded once: prices half away from zero at the market's price scale, the fund
// delta and the fee down at the quote scale. No allocation, no exceptions.
#include <cstddef>
#include <span>

#include "core/margin/margin.hpp"

namespace liqd {

// One account as the formulas see it. marks[k] is market k's mark.
struct AccountView {
  Quote collateral;                    // the cross part's collateral
  std::span<const Position> positions;
  std::span<const MarketRisk> markets;
  std::span<const Price> marks;
};

// A price in units of the market's price scale (i128: a bankruptcy price of a
// tiny position can exceed int64). exists == false prints as null.
struct MaybePrice {
  bool exists = false;
  i128 units = 0;
};

// The exact equity and maintenance margin that judge position i, at `dp` decimals.
struct Judge {
  int dp = 0;
  i128 equity = 0;       // cross equity, or the isolated position's equity
  i128 mm = 0;           // MM of the cross part, or of the isolated position
  i128 mm_position = 0;  // this position's own MM
};
Judge judge_of(const AccountView& a, size_t i);

// Null when no positive price exists (never liquidatable by this market's price,
// or liquidatable at every price), or when the root does not fit a Price.
MaybePrice liquidation_price(const AccountView& a, size_t i);

// delta: the size traded, sign opposite to the position, |delta| <= |size|
// (callers validate; asserted). Full close: delta = −size. Null when MM is 0.
MaybePrice bankruptcy_price(const AccountView& a, size_t i, Qty delta);

// Null when the market sets no fillable-price parameters.
MaybePrice fillable_price(const AccountView& a, size_t i);

struct FundDelta {
  MaybePrice bankruptcy;  // BP of this delta
  Quote fund_delta;       // > 0: the fund receives it (== fee); < 0: the fund pays
  Quote fee;
};
FundDelta insurance_fund_delta(const AccountView& a, size_t i, Qty delta, Price fill);

}  // namespace liqd
