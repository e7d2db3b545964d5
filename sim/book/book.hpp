#pragma once
// The simulated order book of one market: synthetic depth regenerated around the
// path's mid at every step, less what the venue's fills consumed in that step.
// Bids best (highest) first, asks best (lowest) first.
#include <cstdint>
#include <vector>

#include "core/money/fixed.hpp"
#include "sim/book/market.hpp"

namespace liqd::sim {

struct Level {
  Price px;
  Qty qty;
  bool operator==(const Level&) const = default;
};

struct BookSides {
  std::vector<Level> bids;  // descending price
  std::vector<Level> asks;  // ascending price
};

// Grid parameters resolved once per market from its profile at the reference price,
// so the price grid does not shift when the mid moves.
struct DepthGrid {
  int levels = 20;
  int64_t spread_ticks = 1;
  int64_t step_ticks = 1;
  int64_t top_qty_lots = 1;
  int growth_pct = 25;
  int jitter_pct = 20;
};

DepthGrid resolve_grid(const MarketSpec& m, Price ref);

// The synthetic book for `mid` at `step` (jitter is a pure function of seed, step,
// side and level). Best bid = mid − ⌊spread/2⌋ ticks, rounded to the tick grid.
void generate_book(const MarketSpec& m, const DepthGrid& g, Price mid, uint64_t seed, uint64_t step, BookSides& out);

// Levels that differ between `before` and `after` on one side, best first; a removed
// level appears with qty 0 (Binance's diff convention).
void diff_side(const std::vector<Level>& before, const std::vector<Level>& after, bool descending,
               std::vector<Level>& changes);

}  // namespace liqd::sim
