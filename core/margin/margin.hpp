#pragma once
// Margin engine: notional, maintenance and initial margin of positions and
// accounts, exactly, in fixed point. Definitions (issue "Foundation"):
//   notional = |size| × mark; tier = first with max_notional ≥ notional;
//   MM = notional × mmr − mm_deduction (IM likewise), rounded UP to quote units;
//   cross equity = collateral + Σ size × (mark − entry), rounded DOWN;
//   isolated equity = isolated_margin + size × (mark − entry), judged alone;
//   liquidatable: equity < MM strictly, with at least one open position.
// The printed figures are rounded (MM, IM up; equity down), but `liquidatable` is
// decided on the EXACT equity and MM (kept at `exact_dp` decimals), so it is a
// monotone function of each mark and flips exactly at the liquidation price; see
// core/margin/README.md ("Rounding") for why a rounded comparison cannot.
// No allocation, no exceptions: the index calls position_margin on the hot path.
#include <cstdint>
#include <span>

#include "core/margin/market_risk.hpp"

namespace liqd {

// Cross equity accumulates exactly at this many decimals (price_dp + qty_dp and
// quote_dp must not exceed it; config refuses markets that would).
inline constexpr int kEquityDp = 20;

// Exact notional |size| × mark at product scale (qty_dp + price_dp decimals).
constexpr i128 notional_exact(Qty size, Price mark) {
  i128 s = size.v < 0 ? -static_cast<i128>(size.v) : static_cast<i128>(size.v);
  return s * mark.v;
}

// Index of the tier that applies to this notional (exact, product scale).
// Returns n_tiers when the notional exceeds a bounded last tier.
int tier_index(const MarketRisk& m, i128 notional_product);

struct PositionMargin {
  Quote notional;  // rounded half away from zero (display)
  Quote mm;        // rounded up
  Quote im;        // rounded up
  int tier;        // n_tiers when beyond a bounded last tier
};

PositionMargin position_margin(const MarketRisk& m, Qty size, Price mark);

// size × (mark − entry) exactly, at product scale.
constexpr i128 pnl_exact(Qty size, Price mark, Price entry) {
  return static_cast<i128>(size.v) * (static_cast<i128>(mark.v) - entry.v);
}

// 32 bytes (the 8-byte fields first, no padding between them): the health
// index's store keeps four in each account's two-cache-line home block.
struct Position {
  Qty size;                  // signed: + long, − short; never 0 for an open position
  Price entry;               // 0: collateral already nets the cost (dYdX style)
  Quote isolated_margin;     // only when isolated
  uint32_t market = 0;       // index into the markets span
  bool isolated = false;
};
static_assert(sizeof(Position) == 32);

struct MarginSummary {
  Quote equity;              // rounded down
  Quote mm;                  // Σ per-position MM, each rounded up
  Quote im;
  int open_positions = 0;
  // Exact figures at `exact_dp` decimals (see exact_dp_for). equity_x < mm_x is
  // the liquidation test; slack() is their difference rounded DOWN to quote
  // units, so slack() < 0 exactly when the account is liquidatable.
  int exact_dp = 0;
  i128 equity_x = 0;
  i128 mm_x = 0;
  i128 im_x = 0;
  bool liquidatable() const { return open_positions > 0 && equity_x < mm_x; }
  Quote slack(int quote_dp) const;
};

// The cross part of an account: collateral plus every non-isolated position.
// All markets share one quote scale (quote_dp); `marks[i]` is market i's mark.
MarginSummary cross_margin(Quote collateral, std::span<const Position> positions,
                           std::span<const MarketRisk> markets, std::span<const Price> marks);

// One isolated position, judged alone.
MarginSummary isolated_margin(const Position& p, const MarketRisk& m, Price mark);

// Exact maintenance / initial margin of |size| at `mark`, at `dp` decimals
// (dp >= product_dp + 8). Beyond a bounded last tier the last tier extends.
i128 mm_exact(const MarketRisk& m, Qty size, Price mark, int dp);
i128 im_exact(const MarketRisk& m, Qty size, Price mark, int dp);

// Exact decimals for sums over these markets: 8 + the largest product_dp, and at
// least quote_dp + 8, so every term (pnl, notional × ratio, deduction) is exact.
int exact_dp_for(std::span<const MarketRisk> markets);
int exact_dp_for(const MarketRisk& m);

}  // namespace liqd
