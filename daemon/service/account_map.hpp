#pragma once
// Venue account id (any uint64) -> dense core id (0..capacity-1), assigned in
// order of first sight. Open addressing with linear probing in a table sized
// once (a power of two ≥ 2 × capacity), so lookups and inserts never allocate.
// Ids are never removed: an account that closes everything keeps its slot.
#include <cstdint>
#include <optional>
#include <vector>

namespace liqd::service {

class AccountMap {
 public:
  explicit AccountMap(uint32_t capacity) : capacity_(capacity) {
    std::size_t n = 16;
    while (n < 2ull * capacity) n <<= 1;
    keys_.assign(n, kEmpty);
    vals_.assign(n, 0);
    mask_ = n - 1;
  }

  std::optional<uint32_t> find(uint64_t id) const {
    for (std::size_t i = slot(id);; i = (i + 1) & mask_) {
      if (keys_[i] == id) return vals_[i];
      if (keys_[i] == kEmpty) return std::nullopt;
    }
  }

  // The dense id, assigned on first sight; nullopt when the map is full or id is
  // the reserved empty key.
  std::optional<uint32_t> find_or_add(uint64_t id) {
    if (id == kEmpty) return std::nullopt;
    std::size_t i = slot(id);
    for (;; i = (i + 1) & mask_) {
      if (keys_[i] == id) return vals_[i];
      if (keys_[i] == kEmpty) break;
    }
    if (size_ >= capacity_) return std::nullopt;
    keys_[i] = id;
    vals_[i] = size_;
    return size_++;
  }

  uint32_t size() const { return size_; }
  uint32_t capacity() const { return capacity_; }

 private:
  static constexpr uint64_t kEmpty = ~0ull;
  std::size_t slot(uint64_t id) const { return (id * 0x9E3779B97F4A7C15ull >> 17) & mask_; }

  uint32_t capacity_;
  uint32_t size_ = 0;
  std::size_t mask_ = 0;
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> vals_;
};

}  // namespace liqd::service
