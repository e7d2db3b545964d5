#pragma once
// L2 order book for one market on one venue: two flat arrays of (price, qty),
// allocated once at construction and never grown. Each side is kept sorted
// with its BEST level at the BACK, so the common case (updates near the top of
// book) moves only the few levels above the change. A level is found by
// binary search. Apply cost is O(log n + distance from the top).
//
// Invariants (checked by check_invariants() in tests): each side strictly
// sorted, no zero or negative quantities, size <= capacity.
#include <cstdint>
#include <span>
#include <vector>

#include "core/money/fixed.hpp"
#include "feeds/events.hpp"

namespace liqd::feeds {

struct Level {
  int64_t price = 0;
  int64_t qty = 0;
};

// What apply_all()/assign() counted, as apply() would have reported it level by level.
struct ApplyCounts {
  uint32_t dropped_full = 0;    // ApplyResult::DroppedFull
  uint32_t delete_missing = 0;  // ApplyResult::DeleteMissing
};

// Result of walking the book to fill a quantity.
struct FillCost {
  int64_t filled_qty = 0;  // <= the asked quantity; less if the book ran out
  i128 notional = 0;       // sum(qty * price), in units of 10^-(qty_dp + price_dp)
  int64_t worst_price = 0; // last level touched (0 if nothing filled)
  bool complete = false;
};

class L2Book {
 public:
  explicit L2Book(uint32_t capacity_per_side = 8192);

  enum class ApplyResult : uint8_t { Inserted, Updated, Deleted, DeleteMissing, DroppedFull };
  // qty == 0 removes the level. qty < 0 is the caller's error (asserted).
  ApplyResult apply(Side side, int64_t price, int64_t qty);
  void clear();
  // Same book and counts as apply() on ups[0..n) in turn (qty >= 0, asserted).
  // Runs of one side in strictly monotone price order are merged in one walk
  // (see l2_book_batch.cpp); anything else goes level by level.
  ApplyCounts apply_all(const LevelUpdate* ups, uint32_t n);
  // Same book and counts as clear() then apply_all(ups, n). A side with no zero
  // quantity, no repeated price and no more levels than the capacity (a venue
  // snapshot) is copied and sorted in place: O(n) when sorted either way, else
  // O(n log n); any other side is applied level by level.
  ApplyCounts assign(const LevelUpdate* ups, uint32_t n);

  uint32_t depth(Side side) const { return side == kBid ? nb_ : na_; }
  bool empty(Side side) const { return depth(side) == 0; }
  // i-th level from the top (0 = best). i < depth(side).
  Level level(Side side, uint32_t i) const;
  Level best(Side side) const { return level(side, 0); }
  bool crossed() const;
  uint32_t capacity() const { return cap_; }

  // Sum of quantities within `bp` basis points of the mid price on one side
  // (bids >= mid*(1-bp/1e4), asks <= mid*(1+bp/1e4)). 0 if either side is empty.
  int64_t depth_within_bp(Side side, int64_t bp) const;
  // Sell `qty` into the bids (side=Sell) or buy it from the asks (side=Buy).
  FillCost cost_to_fill(Side taker, int64_t qty) const;
  // Same, converted to quote units of the scale; proceeds of a sell round down,
  // cost of a buy rounds up.
  Quote quote_to_fill(Side taker, int64_t qty, const Scale& s, FillCost* detail = nullptr) const;

  bool check_invariants() const;

 private:
  // Sort key: ascending in storage order with the best level last.
  static int64_t key(Side side, int64_t price) { return side == kBid ? price : -price; }
  Level* side_data(Side side) { return side == kBid ? bids_.data() : asks_.data(); }
  const Level* side_data(Side side) const { return side == kBid ? bids_.data() : asks_.data(); }
  uint32_t& side_size(Side side) { return side == kBid ? nb_ : na_; }
  // l2_book_batch.cpp: one strictly monotone run of one side (apply_all), one side of assign().
  template <bool IsBid, bool Forward>
  void merge_run(const LevelUpdate* ups, uint32_t n, ApplyCounts& c);
  bool assign_side(Side side, const LevelUpdate* ups, uint32_t n, uint32_t levels);
  void count(ApplyResult r, ApplyCounts& c) const {
    c.dropped_full += r == ApplyResult::DroppedFull;
    c.delete_missing += r == ApplyResult::DeleteMissing;
  }

  uint32_t cap_;
  uint32_t nb_ = 0, na_ = 0;
  std::vector<Level> bids_;  // ascending price: best (highest) last
  std::vector<Level> asks_;  // descending price: best (lowest) last
};

}  // namespace liqd::feeds
