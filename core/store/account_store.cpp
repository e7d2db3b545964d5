#include "core/store/account_store.hpp"

#include <cassert>

namespace liqd {

namespace {
constexpr int kClasses = 7;  // 1 .. 64 positions
}

AccountStore::AccountStore(uint32_t max_accounts, uint32_t overflow_slots)
    : acc_(max_accounts),
      pool_(static_cast<std::size_t>(max_accounts) * kHomePositions + overflow_slots),
      bump_(max_accounts * kHomePositions),
      free_head_(kClasses, kNoBlock) {
  assert(static_cast<uint64_t>(max_accounts) * kHomePositions + overflow_slots <= UINT32_MAX);
  for (uint32_t a = 0; a < max_accounts; ++a) acc_[a].first = home(a);
}

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
  Rec& r = acc_[a];
  const int new_cls = r.cls + 1;
  if (new_cls >= kClasses) return StoreError::TooManyPositions;
  const uint32_t nb = alloc_block(new_cls);
  if (nb == kNoBlock) return StoreError::PoolFull;
  for (uint32_t i = 0; i < r.count; ++i) pool_[nb + i] = pool_[r.first + i];
  if (r.first != home(a)) free_block(r.first, r.cls);
  r.first = nb;
  r.cls = static_cast<uint8_t>(new_cls);
  return StoreError::Ok;
}

// Back to the home block (the account fits it again), so the index's
// prefetch from the id finds its positions.
void AccountStore::move_home(AccountId a) {
  Rec& r = acc_[a];
  const uint32_t h = home(a);
  for (uint32_t i = 0; i < r.count; ++i) pool_[h + i] = pool_[r.first + i];
  free_block(r.first, r.cls);
  r.first = h;
  r.cls = kHomeClass;
}

StoreError AccountStore::set_position(AccountId a, const Position& p) {
  if (a >= capacity()) return StoreError::UnknownAccount;
  Rec& r = acc_[a];
  Position* cur = find(a, p.market, p.isolated);
  if (p.size.v == 0) {
    if (!cur) return StoreError::Ok;
    // Swap-remove keeps the block dense.
    *cur = pool_[r.first + r.count - 1];
    --r.count;
    --open_positions_;
    if (r.count <= kHomePositions && r.first != home(a)) move_home(a);
    return StoreError::Ok;
  }
  if (cur) {
    *cur = p;
    return StoreError::Ok;
  }
  if (r.count >= (1u << r.cls)) {
    const StoreError e = grow(a);
    if (e != StoreError::Ok) return e;
  }
  pool_[r.first + r.count] = p;
  ++r.count;
  ++open_positions_;
  assert(r.count <= kMaxPositionsPerAccount);
  return StoreError::Ok;
}

std::size_t AccountStore::bytes() const {
  return acc_.capacity() * sizeof(Rec) + pool_.capacity() * sizeof(Position) +
         free_head_.capacity() * sizeof(uint32_t);
}

}  // namespace liqd
