#include "sim/venue/matching.hpp"

#include <algorithm>
#include <cassert>

namespace liqd::sim {

Qty match_ioc(BookSides& book, OrderSide side, Qty qty, Price limit, std::vector<Fill>& fills) {
  fills.clear();
  assert(qty.v > 0);
  std::vector<Level>& levels = side == OrderSide::Buy ? book.asks : book.bids;
  Qty remaining = qty;
  size_t used = 0;
  for (Level& lv : levels) {
    const bool inside = side == OrderSide::Buy ? lv.px <= limit : lv.px >= limit;
    if (!inside || remaining.v == 0) break;
    Qty take(std::min(remaining.v, lv.qty.v));
    fills.push_back({lv.px, take});
    lv.qty -= take;
    remaining -= take;
    if (lv.qty.v == 0) ++used;
  }
  levels.erase(levels.begin(), levels.begin() + static_cast<std::ptrdiff_t>(used));
  return qty - remaining;
}

}  // namespace liqd::sim
