#pragma once
// Account store for millions of accounts: one packed 16-byte record per account
// (collateral, block start, count, size class) and one pre-allocated pool of
// Position records (core/margin's own 32-byte struct, so the margin engine reads
// an account's positions as a contiguous span with no copy).
//
// Every account owns a *home block* of kHomePositions slots at a fixed place,
// pool[a·4 .. a·4+4) — two cache lines, computable from the id alone — so the
// index can fetch an account's record and positions in parallel (one memory
// round trip, not two dependent ones). An account that outgrows it moves to a
// block of 8, 16, ... 64 slots in the overflow part of the pool (free list per
// size class) and back home when it shrinks to four again. Nothing allocates
// after construction; a full overflow pool is an error code.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/margin/margin.hpp"
#include "core/store/huge_alloc.hpp"

namespace liqd {

using AccountId = uint32_t;
inline constexpr int kMaxPositionsPerAccount = 64;
inline constexpr uint32_t kHomePositions = 4;  // 4 × 32 bytes: two cache lines
inline constexpr uint32_t kNoBlock = UINT32_MAX;

enum class StoreError : uint8_t { Ok, UnknownAccount, PoolFull, TooManyPositions, BadMarket };

class AccountStore {
 public:
  // Ids [0, max_accounts), each with its home block; `overflow_slots` more
  // Position slots for accounts with more than kHomePositions positions.
  AccountStore(uint32_t max_accounts, uint32_t overflow_slots);

  uint32_t capacity() const { return static_cast<uint32_t>(acc_.size()); }

  Quote collateral(AccountId a) const { return Quote(acc_[a].collateral); }
  void add_collateral(AccountId a, Quote q) { acc_[a].collateral += q.v; }

  std::span<const Position> positions(AccountId a) const {
    const Rec& r = acc_[a];
    return {pool_.data() + r.first, r.count};
  }
  std::span<Position> positions_mut(AccountId a) {
    const Rec& r = acc_[a];
    return {pool_.data() + r.first, r.count};
  }

  // Cache hint for an account about to be evaluated: its record and its home
  // block, both from the id (no dependent load).
  void prefetch(AccountId a) const {
    __builtin_prefetch(&acc_[a]);
    const char* home = reinterpret_cast<const char*>(pool_.data() + static_cast<std::size_t>(a) * kHomePositions);
    __builtin_prefetch(home);
    __builtin_prefetch(home + 64);
  }

  // Find the position of `market` with the given margin mode; nullptr if none.
  Position* find(AccountId a, uint32_t market, bool isolated);

  // Set (insert, replace or, with size 0, remove) the position of (market, mode).
  StoreError set_position(AccountId a, const Position& p);

  // Bytes held by the store (capacity of every array), for bytes-per-account.
  std::size_t bytes() const;
  uint64_t open_positions() const { return open_positions_; }

 private:
  static constexpr uint8_t kHomeClass = 2;  // 1 << 2 == kHomePositions
  uint32_t home(AccountId a) const { return a * kHomePositions; }
  StoreError grow(AccountId a);
  void move_home(AccountId a);
  uint32_t alloc_block(int cls);
  void free_block(uint32_t first, int cls);

  struct Rec {
    int64_t collateral = 0;
    uint32_t first = 0;         // block start in pool_ (home(a) unless it outgrew it)
    uint8_t count = 0;          // open positions
    uint8_t cls = kHomeClass;   // block capacity = 1 << cls
  };
  static_assert(sizeof(Rec) == 16);
  HugeVector<Rec> acc_;
  HugeVector<Position> pool_;     // home blocks, then the overflow blocks
  uint32_t bump_ = 0;             // first never-used overflow slot
  std::vector<uint32_t> free_head_;  // per size class; link stored in Position::market
  uint64_t open_positions_ = 0;
};

}  // namespace liqd
