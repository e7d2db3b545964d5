#include "core/store/account_store.hpp"

#include <cassert>

namespace liqd {

namespace {
constexpr int kClasses = 7;  // 1 .. 64 positions
}

AccountStore::AccountStore(uint32_t max_accounts, uint32_t position_pool)
    : acc_(max_accounts),
      pool_(position_pool),
      free_head_(kClasses, kNoBlock) {}

Position* AccountStore::find(AccountId a, uint32_t market, bool isolated) {
  for (Position& p : positions_mut(a))
    if (p.market == market && p.isolated == isolated) return &p;
  return nullptr;
}

uint32_t AccountStore::alloc_block(int cls) {
  uint32_t head = free_head_[cls];
  if (head != kNoBlock) {
    free_head_[cls] = pool_[head].market;
    return head;
  }
  const uint32_t n = 1u << cls;
  if (static_cast<std::size_t>(bump_) + n > pool_.size()) return kNoBlock;
  uint32_t first = bump_;
  bump_ += n;
  return first;
}

void AccountStore::free_block(uint32_t first, int cls) {
  pool_[first].market = free_head_[cls];
  free_head_[cls] = first;
}

StoreError AccountStore::grow(AccountId a) {
  const int old_cls = acc_[a].cls;
  const bool had = acc_[a].first != kNoBlock;
  const int new_cls = had ? old_cls + 1 : 0;
  if (new_cls >= kClasses) return StoreError::TooManyPositions;
  uint32_t nb = alloc_block(new_cls);
  if (nb == kNoBlock) return StoreError::PoolFull;
  if (had) {
    for (uint32_t i = 0; i < acc_[a].count; ++i) pool_[nb + i] = pool_[acc_[a].first + i];
    free_block(acc_[a].first, old_cls);
  }
  acc_[a].first = nb;
  acc_[a].cls = static_cast<uint8_t>(new_cls);
  return StoreError::Ok;
}

StoreError AccountStore::set_position(AccountId a, const Position& p) {
  if (a >= capacity()) return StoreError::UnknownAccount;
  Position* cur = acc_[a].first == kNoBlock ? nullptr : find(a, p.market, p.isolated);
  if (p.size.v == 0) {
    if (!cur) return StoreError::Ok;
    // Swap-remove keeps the block dense.
    Position* last = pool_.data() + acc_[a].first + acc_[a].count - 1;
    *cur = *last;
    --acc_[a].count;
    --open_positions_;
    return StoreError::Ok;
  }
  if (cur) {
    *cur = p;
    return StoreError::Ok;
  }
  const uint32_t cap = acc_[a].first == kNoBlock ? 0 : (1u << acc_[a].cls);
  if (acc_[a].count >= cap) {
    StoreError e = grow(a);
    if (e != StoreError::Ok) return e;
  }
  pool_[acc_[a].first + acc_[a].count] = p;
  ++acc_[a].count;
  ++open_positions_;
  assert(acc_[a].count <= kMaxPositionsPerAccount);
  return StoreError::Ok;
}

std::size_t AccountStore::bytes() const {
  return acc_.capacity() * sizeof(Rec) + pool_.capacity() * sizeof(Position) +
         free_head_.capacity() * sizeof(uint32_t);
}

}  // namespace liqd
