#pragma once
// One side of one market's trigger ladder: price buckets of width 2^shift price
// units over a window [base, base + nb·2^shift), each bucket an intrusive singly
// linked list of entries in a shared pool. Keys below the window go to bucket 0,
// above it to bucket nb−1; every visit compares keys, so clamped buckets stay
// correct (only slower) and the window is re-centred when the mark nears an edge.
//
// Two directions:
//  - Down ladder: an entry fires when mark < key (long liquidation triggers and
//    short recovery triggers). Invariant: every live entry has key ≤ mark.
//  - Up ladder: an entry fires when mark > key (short liquidation, long recovery).
//    Invariant: every live entry has key ≥ mark.
// So a tick P0 → P1 only has to visit the buckets between bucket(P0) and
// bucket(P1) of the one ladder that moves against its entries.
//
// Deletion is lazy: an entry carries its account's generation; re-arming an
// account bumps the generation, and stale entries are dropped when a visit meets
// them or when the pool runs low (compaction). A stale entry seen as live would
// only cost an extra exact evaluation; a live one can never look stale.
#include <algorithm>
#include <cstdint>
#include <vector>
#include "core/store/huge_alloc.hpp"

namespace liqd {

inline constexpr uint32_t kNil = UINT32_MAX;
inline constexpr int64_t kNeverBelow = INT64_MIN;  // down key that never fires
inline constexpr int64_t kNeverAbove = INT64_MAX;  // up key that never fires

// 16 bytes: the account id (24 bits, so ≤ 16.7M accounts per core shard) and
// the low 8 bits of its generation share one word. An old entry whose 8 bits
// happen to match after 256 re-arms is taken for live: that costs one extra
// exact evaluation, never a missed one (a live entry always matches).
inline constexpr uint32_t kMaxIndexedAccounts = 1u << 24;
struct LadderEntry {
  int64_t key = 0;
  uint32_t tag = 0;  // account << 8 | (generation & 0xFF)
  uint32_t next = kNil;
  uint32_t account() const { return tag >> 8; }
  uint8_t gen() const { return static_cast<uint8_t>(tag); }
  void set(uint32_t account_id, uint32_t generation) { tag = account_id << 8 | (generation & 0xFFu); }
};
static_assert(sizeof(LadderEntry) == 16);

// All entries are allocated and touched up front (no page faults on the hot
// path); `used_` is the bump pointer. Released entries go on a stack of free
// indices (4 bytes per entry, reserved up front) rather than a list threaded
// through the entries: popping a free entry then reads the top of a small hot
// array instead of the cold entry itself, so the inserts of a re-arm do not
// form a chain of dependent cache misses. LIFO: the entries a sweep just freed
// (in cache) are reused first.
class EntryPool {
 public:
  explicit EntryPool(uint32_t capacity) : entries_(capacity) {
    free_.resize(capacity);  // touch the pages now
    free_.clear();
  }
  // kNil when every entry is in use (the caller compacts, then grows).
  uint32_t alloc() {
    if (!free_.empty()) {
      const uint32_t i = free_.back();
      free_.pop_back();
      return i;
    }
    if (used_ == entries_.size()) return kNil;
    return static_cast<uint32_t>(used_++);
  }
  // More room (allocation, rare: counted by the caller as pool_grows).
  void grow(std::size_t extra) {
    entries_.resize(entries_.size() + extra);
    free_.reserve(entries_.size());
  }
  std::size_t capacity() const { return entries_.size(); }
  uint64_t free_count() const { return free_.size() + (entries_.size() - used_); }
  void release(uint32_t i) { free_.push_back(i); }  // never reallocates: capacity ≥ entries
  // Prefetch, for writing, the entries the allocations after the next `skip`
  // will return (in a big batch of re-arms they are cold).
  void prefetch_free(std::size_t skip, std::size_t count) const {
    for (std::size_t j = skip; j < skip + count && j < free_.size(); ++j)
      __builtin_prefetch(&entries_[free_[free_.size() - 1 - j]], 1);
  }
  LadderEntry& operator[](uint32_t i) { return entries_[i]; }
  const LadderEntry& operator[](uint32_t i) const { return entries_[i]; }
  uint64_t in_use() const { return used_ - free_.size(); }
  std::size_t bytes() const { return entries_.capacity() * sizeof(LadderEntry) + free_.capacity() * sizeof(uint32_t); }

 private:
  HugeVector<LadderEntry> entries_;
  HugeVector<uint32_t> free_;
  std::size_t used_ = 0;
};

class Ladder {
 public:
  Ladder() = default;
  // Window centred on `mark`, bucket width 2^shift (≈ ≤ 1 bp of the price).
  void init(int bucket_bits, int64_t mark);

  uint32_t bucket(int64_t key) const {
    if (key <= base_) return 0;
    const uint64_t off = static_cast<uint64_t>(key) - static_cast<uint64_t>(base_);
    const uint64_t b = off >> shift_;
    return b >= nb_ ? nb_ - 1 : static_cast<uint32_t>(b);
  }

  void push(EntryPool& pool, uint32_t idx) {
    uint32_t& head = heads_[bucket(pool[idx].key)];
    pool[idx].next = head;
    head = idx;
  }

  // Fire (down ladder): every live entry with key > p1, visiting buckets
  // bucket(p1) .. bucket(p0). `on_fire(account)` returns nothing; the caller's
  // generation bump makes the account's other entries stale. `hint(account)`
  // sees every entry whose key fires before its generation is checked (a
  // prefetch there overlaps the generation lookup). Fired and stale entries
  // return to the pool. Returns entries visited.
  template <class Gen, class Hint, class OnFire>
  uint64_t fire_down(EntryPool& pool, int64_t p0, int64_t p1, Gen&& gen_of, Hint&& hint, OnFire&& on_fire) {
    return sweep(pool, bucket(p1), bucket(p0), gen_of, hint, on_fire, [p1](int64_t k) { return k > p1; });
  }
  // Fire (up ladder): every live entry with key < p1, buckets bucket(p0) .. bucket(p1).
  template <class Gen, class Hint, class OnFire>
  uint64_t fire_up(EntryPool& pool, int64_t p0, int64_t p1, Gen&& gen_of, Hint&& hint, OnFire&& on_fire) {
    return sweep(pool, bucket(p0), bucket(p1), gen_of, hint, on_fire, [p1](int64_t k) { return k < p1; });
  }
  // Every live entry (none fires; stale ones are dropped).
  template <class Gen, class OnLive>
  void for_each_live(EntryPool& pool, Gen&& gen_of, OnLive&& on_live) {
    sweep(pool, 0, nb_ - 1, gen_of, kNoHint, on_live, [](int64_t) { return true; }, /*keep=*/true);
  }
  // Drop stale entries everywhere; returns how many entries were seen.
  template <class Gen>
  uint64_t compact(EntryPool& pool, Gen&& gen_of) {
    return sweep(pool, 0, nb_ - 1, gen_of, kNoHint, [](uint32_t) {}, [](int64_t) { return false; });
  }
  // Re-centre the window on `mark` if it is within 1/16 of an edge. Returns true if moved.
  template <class Gen>
  bool maybe_recenter(EntryPool& pool, int64_t mark, Gen&& gen_of);

  std::size_t bytes() const { return heads_.capacity() * sizeof(uint32_t); }
  uint64_t recenters() const { return recenters_; }

 private:
  // Visit buckets lo..hi: stale entries are freed; live entries with
  // fires(key) are reported and freed unless keep; others are relinked.
  // Each bucket is a linked list, so walking one is a chain of dependent
  // loads: the lists of up to kLanes consecutive buckets are walked side by
  // side, one entry of each in turn, so their cache misses overlap (a crash
  // tick crosses hundreds of buckets; an ordinary tick two or three).
  // Deterministic: the order depends only on the lists. Returns entries seen.
  static constexpr auto kNoHint = [](uint32_t) {};
  static constexpr uint32_t kLanes = 8;
  static constexpr uint32_t kLanesFrom = 32;  // buckets; below, lanes cost more than they overlap
  template <class Gen, class Hint, class OnFire, class Fires>
  uint64_t sweep(EntryPool& pool, uint32_t lo, uint32_t hi, Gen&& gen_of, Hint&& hint, OnFire&& on_fire,
                 Fires fires, bool keep = false) {
    uint64_t seen = 0;
    if (hi - lo < kLanesFrom) {
      // An ordinary tick: one or a few buckets, one list after the other.
      for (uint32_t b = lo; b <= hi; ++b) seen += sweep_one(pool, b, gen_of, hint, on_fire, fires, keep);
      return seen;
    }
    for (uint32_t first = lo; first <= hi; first += kLanes) {
      const uint32_t lanes = std::min(kLanes, hi - first + 1);
      uint32_t cur[kLanes], kept[kLanes];
      uint32_t active = 0;
      for (uint32_t j = 0; j < lanes; ++j) {
        cur[j] = heads_[first + j];
        kept[j] = kNil;
        if (cur[j] != kNil) ++active;
      }
      while (active > 0) {
        for (uint32_t j = 0; j < lanes; ++j) {
          if (cur[j] == kNil) continue;
          cur[j] = visit(pool, cur[j], kept[j], gen_of, hint, on_fire, fires, keep);
          if (cur[j] == kNil) --active;
          ++seen;
        }
      }
      for (uint32_t j = 0; j < lanes; ++j) heads_[first + j] = kept[j];
      if (hi - first < kLanes) break;  // (also keeps `first` from wrapping)
    }
    return seen;
  }
  template <class Gen, class Hint, class OnFire, class Fires>
  uint64_t sweep_one(EntryPool& pool, uint32_t b, Gen&& gen_of, Hint&& hint, OnFire&& on_fire, Fires fires,
                     bool keep) {
    uint32_t kept = kNil;
    uint64_t seen = 0;
    for (uint32_t i = heads_[b]; i != kNil; ++seen) i = visit(pool, i, kept, gen_of, hint, on_fire, fires, keep);
    heads_[b] = kept;
    return seen;
  }
  // One entry of a walk: a stale one is freed; a live one whose key fires is
  // reported, and freed unless keep; the others are relinked onto `kept`.
  // Returns the next entry of the list (prefetched).
  template <class Gen, class Hint, class OnFire, class Fires>
  uint32_t visit(EntryPool& pool, uint32_t i, uint32_t& kept, Gen&& gen_of, Hint&& hint, OnFire&& on_fire,
                 Fires& fires, bool keep) {
    LadderEntry& e = pool[i];
    const uint32_t next = e.next;
    if (next != kNil) __builtin_prefetch(&pool[next]);
    const bool fire = fires(e.key);
    if (fire) hint(e.account());
    if (static_cast<uint8_t>(gen_of(e.account())) != e.gen()) {
      pool.release(i);
    } else if (fire) {
      on_fire(e.account());
      if (keep) { e.next = kept; kept = i; }
      else pool.release(i);
    } else {
      e.next = kept;
      kept = i;
    }
    return next;
  }

  int64_t base_ = 0;
  int shift_ = 0;
  uint32_t nb_ = 0;
  std::vector<uint32_t> heads_;
  uint64_t recenters_ = 0;
};

template <class Gen>
bool Ladder::maybe_recenter(EntryPool& pool, int64_t mark, Gen&& gen_of) {
  const int64_t width = int64_t{1} << shift_;
  const int64_t margin = static_cast<int64_t>(nb_ / 16) * width;
  const int64_t lo = base_ + margin;
  const int64_t hi = base_ + static_cast<int64_t>(nb_) * width - margin;
  if (mark >= lo && mark < hi) return false;
  // Chain every live entry, then rebucket around the new base.
  uint32_t chain = kNil;
  for (uint32_t b = 0; b < nb_; ++b) {
    uint32_t i = heads_[b];
    while (i != kNil) {
      const uint32_t next = pool[i].next;
      if (static_cast<uint8_t>(gen_of(pool[i].account())) != pool[i].gen()) {
        pool.release(i);
      } else {
        pool[i].next = chain;
        chain = i;
      }
      i = next;
    }
    heads_[b] = kNil;
  }
  base_ = mark - static_cast<int64_t>(nb_ / 2) * width;
  while (chain != kNil) {
    const uint32_t next = pool[chain].next;
    push(pool, chain);
    chain = next;
  }
  ++recenters_;
  return true;
}

}  // namespace liqd
