// L2Book: a whole message's levels at once (apply_all) and snapshot loading
// (assign). Both give exactly the book and counts of apply() level by level;
// they only do the moves and searches once per run instead of once per level.
//
// Why a run can be merged: within a run of one side with pairwise distinct
// prices, the level-by-level applies touch distinct keys of a sorted map, so
// they commute, and each one's result (Inserted, Updated, Deleted,
// DeleteMissing) depends only on whether its own price was in the book before
// the run. DroppedFull cannot happen when the side has room for every level of
// the run (checked first; otherwise the run goes level by level). So the run
// may be applied in key order, as one walk.
#include <algorithm>
#include <cassert>
#include <cstring>

#include "feeds/book/l2_book.hpp"
#include "feeds/book/l2_book_search.hpp"

namespace liqd::feeds {

namespace {

// Levels merged per walk (positions live on the stack); a longer run is merged
// chunk by chunk, each chunk again a strictly monotone run.
constexpr uint32_t kChunk = 64;

// Moves n levels from src to dst (ranges may overlap). Most moves in a merge
// are a few levels near the top of the book, where a call to memmove costs more
// than the copy.
inline void move_levels(Level* dst, const Level* src, uint32_t n) {
  if (n <= 4) {
    Level tmp[4];
    for (uint32_t i = 0; i < n; ++i) tmp[i] = src[i];
    for (uint32_t i = 0; i < n; ++i) dst[i] = tmp[i];
    return;
  }
  std::memmove(dst, src, n * sizeof(Level));
}

}  // namespace

// End of the strictly monotone run of `side` that starts at ups[i] (i + 1 < n,
// ups[i + 1] of the same side, prices in the direction Ascending).
template <bool Ascending>
inline uint32_t run_end(const LevelUpdate* ups, uint32_t i, uint32_t n, Side side) {
  uint32_t j = i + 1;
  int64_t prev = ups[i].price;
  while (j < n && ups[j].side == side && (Ascending ? ups[j].price > prev : ups[j].price < prev)) prev = ups[j++].price;
  return j;
}

ApplyCounts L2Book::apply_all(const LevelUpdate* ups, uint32_t n) {
  ApplyCounts c;
  uint32_t i = 0;
  while (i < n) {
    const Side side = ups[i].side;
    uint32_t j = i + 1;
    if (j < n && ups[j].side == side && ups[j].price != ups[i].price) {
      const bool ascending = ups[j].price > ups[i].price;
      j = ascending ? run_end<true>(ups, i, n, side) : run_end<false>(ups, i, n, side);
      if (depth(side) + (j - i) <= cap_) {
        // Storage keys ascend (best level last): the run is visited in key order,
        // as given when its price order matches the key's (bids ascending, asks
        // descending in price), else backwards.
        for (uint32_t k = i; k < j; k += kChunk) {
          const uint32_t len = std::min(kChunk, j - k);
          if (side == kBid) {
            if (ascending) merge_run<true, true>(ups + k, len, c);
            else merge_run<true, false>(ups + k, len, c);
          } else {
            if (ascending) merge_run<false, false>(ups + k, len, c);
            else merge_run<false, true>(ups + k, len, c);
          }
        }
        i = j;
        continue;
      }
    }
    for (; i < j; ++i) count(apply(ups[i].side, ups[i].price, ups[i].qty), c);
  }
  return c;
}

// One run: ups[0..n) of one side (IsBid), strictly ascending or descending in
// price, n <= kChunk, room for all of them, visited in key order (Forward: as
// given, else backwards). The side and the direction are template parameters,
// so the per-level work has no side or direction selects (apply_all picks one
// of the four).
//   1. positions: lower_bound of each key, highest key first, each search
//      starting at the previous answer (the run is sorted): the four levels
//      below it one by one, then galloping (lower_bound_near);
//   2. updates in place; deletes compacted away, walking up (levels only move
//      down); inserts noted with their position in the compacted side;
//   3. inserts, walking down from the top (levels only move up).
// Levels below the deepest insert or delete do not move; each other level
// moves at most twice, instead of once per insert or delete below it.
template <bool IsBid, bool Forward>
void L2Book::merge_run(const LevelUpdate* ups, uint32_t n, ApplyCounts& c) {
  constexpr Side side = IsBid ? kBid : kAsk;
  assert(n <= kChunk && depth(side) + n <= cap_);
  Level* const d = IsBid ? bids_.data() : asks_.data();
  uint32_t& size = IsBid ? nb_ : na_;
  auto at = [ups, n](uint32_t t) -> const LevelUpdate& { return Forward ? ups[t] : ups[n - 1 - t]; };

  uint32_t pos[kChunk];
  uint32_t hi = size;
  for (uint32_t t = n; t-- > 0;) hi = pos[t] = book_detail::lower_bound_near<IsBid>(d, hi, key(side, at(t).price));

  uint32_t ins_at[kChunk];
  const LevelUpdate* ins[kChunk];
  uint32_t m = 0;
  uint32_t dels = 0, w = 0, r = 0;  // compaction: d[r..) still to move down to d[w..)
  const uint32_t size0 = size;
  for (uint32_t t = 0; t < n; ++t) {
    const LevelUpdate& u = at(t);
    assert(u.qty >= 0);
    const uint32_t p = pos[t];
    const bool found = p < size0 && d[p].price == u.price;
    if (found && u.qty != 0) {
      d[p].qty = u.qty;  // not moved yet: the compaction has only written below p
    } else if (found) {
      if (dels == 0) {
        w = p;
      } else {
        move_levels(d + w, d + r, p - r);
        w += p - r;
      }
      r = p + 1;
      ++dels;
    } else if (u.qty == 0) {
      ++c.delete_missing;
    } else {
      // Every delete so far is below p, every later one at or above it.
      ins_at[m] = p - dels;
      ins[m++] = &u;
    }
  }
  if (dels > 0) {
    move_levels(d + w, d + r, size0 - r);
    size = size0 - dels;
  }
  uint32_t src_end = size;
  for (uint32_t s = m; s-- > 0;) {
    const uint32_t q = ins_at[s];
    move_levels(d + q + s + 1, d + q, src_end - q);
    d[q + s] = Level{ins[s]->price, ins[s]->qty};
    src_end = q;
  }
  size += m;
}

ApplyCounts L2Book::assign(const LevelUpdate* ups, uint32_t n) {
  clear();
  ApplyCounts c;
  uint32_t bids = 0;
  for (uint32_t i = 0; i < n; ++i) bids += ups[i].side == kBid;
  for (Side side : {kBid, kAsk}) {
    const uint32_t count_side = side == kBid ? bids : n - bids;
    if (count_side == 0 || assign_side(side, ups, n, count_side)) continue;
    side_size(side) = 0;
    for (uint32_t i = 0; i < n; ++i)
      if (ups[i].side == side) count(apply(side, ups[i].price, ups[i].qty), c);
  }
  return c;
}

// The `levels` levels of `side` in ups[0..n) as the whole side, if that is what
// applying them in turn to an empty side gives without any count: all
// quantities positive, prices distinct, no more than the capacity. Otherwise
// false (the side is left for the caller to clear).
bool L2Book::assign_side(Side side, const LevelUpdate* ups, uint32_t n, uint32_t levels) {
  if (levels > cap_) return false;
  Level* const d = side_data(side);
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (ups[i].side != side) continue;
    if (ups[i].qty <= 0) return false;
    d[k++] = Level{ups[i].price, ups[i].qty};
  }
  auto less = [side](const Level& a, const Level& b) { return key(side, a.price) < key(side, b.price); };
  auto strictly_sorted = [&] {
    for (uint32_t i = 1; i < k; ++i)
      if (!less(d[i - 1], d[i])) return false;
    return true;
  };
  if (!strictly_sorted()) {
    std::reverse(d, d + k);  // the venue's order is usually best first, i.e. descending keys
    if (!strictly_sorted()) {
      std::sort(d, d + k, less);
      if (!strictly_sorted()) return false;  // a repeated price
    }
  }
  side_size(side) = k;
  return true;
}

}  // namespace liqd::feeds
