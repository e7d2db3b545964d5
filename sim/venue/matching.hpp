#pragma once
// The venue's matching model for immediate-or-cancel orders: walk the opposite side
// of the simulated book from the best level while the level's price is within the
// limit, take min(remaining, level qty) at the level's price, and stop when the
// order is filled or the next level is outside the limit. The rest expires.
#include <cstdint>
#include <vector>

#include "core/money/fixed.hpp"
#include "sim/book/book.hpp"

namespace liqd::sim {

enum class OrderSide : uint8_t { Buy, Sell };

struct Fill {
  Price px;
  Qty qty;
};

// Matches and removes the filled quantity from `book` (emptied levels are erased).
// Returns the filled quantity; `fills` gets one entry per level touched.
Qty match_ioc(BookSides& book, OrderSide side, Qty qty, Price limit, std::vector<Fill>& fills);

}  // namespace liqd::sim
