#pragma once
// The venue's accounts: a generated, seeded population with a realistic leverage
// distribution, and the bookkeeping a fill does to an account (position, entry,
// realised PnL into collateral or isolated margin). All fixed-point; quote_dp 6.
#include <cstdint>
#include <string>
#include <vector>

#include "core/money/fixed.hpp"
#include "sim/book/market.hpp"

namespace liqd::sim {

struct SimPosition {
  uint32_t market = 0;   // index into the simulator's markets
  Qty size;              // signed lots × lot units
  Price entry;
  bool isolated = false;
  Quote isolated_margin;
};

struct SimAccount {
  uint64_t id = 0;
  Quote collateral;
  std::vector<SimPosition> positions;  // at most one per market
  uint16_t leverage_x = 0;             // the leverage it was generated with (display, tests)
};

struct PopulationParams {
  uint64_t accounts = 200'000;
  uint64_t seed = 1;
  int max_leverage = 100;      // tail cap
  int long_pct = 65;           // share of positions that are long
  int isolated_pct = 15;       // share of single-position accounts that are isolated
  int two_market_pct = 30;     // share of accounts with a second market (when there is one)
};

// Leverage buckets (draw per account): 70 % 2–10x, 20 % 10–25x, 8 % 25–50x,
// 2 % 50x–max. Collateral is log-uniform over 100 .. 1,000,000 quote. Position notional =
// collateral × leverage at the market's reference price, split across its markets.
std::vector<SimAccount> generate_population(const PopulationParams& p, const std::vector<MarketSpec>& markets,
                                            const std::vector<Price>& ref_prices);

struct FillEffect {
  SimPosition position;        // the new state (size may be 0: closed)
  Quote collateral_delta;      // realised PnL for cross; isolated margin returned when closed
  Quote isolated_loss;         // an isolated position closed below zero margin: the loss
                               // beyond it, which never touches the cross collateral
};

// Applies a fill of `signed_qty` (+ buy, − sell) at `px` to `acc` in `market`.
// Realised PnL = closed size × (px − entry), rounded down (the venue never pays out a
// rounding unit). Cross: into collateral. Isolated: into isolated_margin; when the
// position closes, what is left of the isolated margin goes back to collateral, and a
// negative rest is the venue's loss (isolated_loss), not the account's.
FillEffect apply_fill(SimAccount& acc, uint32_t market, const MarketSpec& m, Qty signed_qty, Price px);

}  // namespace liqd::sim
