#pragma once
// Account store for millions of accounts: one packed 16-byte record per account
// (collateral, block start, count, size class: one cache miss per evaluation),
// and one pre-allocated pool of Position records
// (core/margin's own struct, so the margin engine reads an account's positions
// as a contiguous span with no copy).
//
// Every account owns one block of the pool with a power-of-two capacity
// (1, 2, 4, ... kMaxPositionsPerAccount). A block that outgrows its capacity
// moves to a block of twice the size; freed blocks go to a free list per size
// class, so the pool never shrinks and never allocates after construction
// (the pool's size is fixed up front; a full pool is an error code).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/margin/margin.hpp"
#include "core/store/huge_alloc.hpp"

namespace liqd {

using AccountId = uint32_t;
inline constexpr int kMaxPositionsPerAccount = 64;
inline constexpr uint32_t kNoBlock = UINT32_MAX;

enum class StoreError : uint8_t { Ok, UnknownAccount, PoolFull, TooManyPositions, BadMarket };

class AccountStore {
 public:
  // `max_accounts` ids [0, max_accounts); `position_pool` Position slots in total.
  AccountStore(uint32_t max_accounts, uint32_t position_pool);

  uint32_t capacity() const { return static_cast<uint32_t>(acc_.size()); }

  Quote collateral(AccountId a) const { return Quote(acc_[a].collateral); }
  void add_collateral(AccountId a, Quote q) { acc_[a].collateral += q.v; }

  std::span<const Position> positions(AccountId a) const {
    const Rec& r = acc_[a];
    if (r.first == kNoBlock) return {};
    return {pool_.data() + r.first, r.count};
  }
  std::span<Position> positions_mut(AccountId a) {
    const Rec& r = acc_[a];
    if (r.first == kNoBlock) return {};
    return {pool_.data() + r.first, r.count};
  }

  // Cache hints for batches (a tick that fires many accounts).
  void prefetch_record(AccountId a) const { __builtin_prefetch(&acc_[a]); }
  void prefetch_positions(AccountId a) const {
    const Rec& r = acc_[a];
    if (r.first == kNoBlock) return;
    const Position* p = pool_.data() + r.first;
    __builtin_prefetch(p);
    if (r.count > 1) __builtin_prefetch(reinterpret_cast<const char*>(p) + 64);
    if (r.count > 3) __builtin_prefetch(reinterpret_cast<const char*>(p) + 128);
  }

  // Find the position of `market` with the given margin mode; nullptr if none.
  Position* find(AccountId a, uint32_t market, bool isolated);

  // Set (insert, replace or, with size 0, remove) the position of (market, mode).
  StoreError set_position(AccountId a, const Position& p);

  // Bytes held by the store (capacity of every array), for bytes-per-account.
  std::size_t bytes() const;
  uint64_t open_positions() const { return open_positions_; }

 private:
  StoreError grow(AccountId a);
  uint32_t alloc_block(int cls);
  void free_block(uint32_t first, int cls);

  struct Rec {
    int64_t collateral = 0;
    uint32_t first = kNoBlock;  // block start in pool_, kNoBlock when none
    uint8_t count = 0;          // open positions
    uint8_t cls = 0;            // block capacity = 1 << cls
  };
  static_assert(sizeof(Rec) == 16);
  HugeVector<Rec> acc_;
  HugeVector<Position> pool_;
  uint32_t bump_ = 0;             // first never-used pool slot
  std::vector<uint32_t> free_head_;  // per size class; link stored in Position::market
  uint64_t open_positions_ = 0;
};

}  // namespace liqd
