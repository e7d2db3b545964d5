#pragma once
// Bounded single-producer/single-consumer ring (rigtorp/SPSCQueue style).
//
// Capacity is a power of two; head and tail are free-running 64-bit counters
// (they never wrap in practice), each on its own cache line together with the
// other side's cached copy, so in steady state a push or pop touches only its
// own line plus the slot.
//
// Memory ordering, in one argument: the producer writes the slot, then publishes
// it with a release store of `head_`; the consumer's acquire load of `head_`
// therefore sees the slot's contents. Symmetrically the consumer finishes reading
// a slot before its release store of `tail_`, and the producer's acquire load of
// `tail_` guarantees the slot is free before it is overwritten. Each index has a
// single writer, so no read-modify-write is ever needed.
//
// A full ring is not an error of the ring: try_push returns false and the caller
// counts it (the core never blocks and never drops an account; see engine/).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

namespace liqd {

inline constexpr std::size_t kCacheLine = 64;

template <class T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>, "ring slots are copied bytewise");

 public:
  // `capacity` is rounded up to a power of two (at least 2).
  explicit SpscRing(std::size_t capacity) {
    std::size_t c = 2;
    while (c < capacity) c <<= 1;
    mask_ = c - 1;
    slots_ = std::make_unique<T[]>(c);
  }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  std::size_t capacity() const { return mask_ + 1; }

  // Producer side.
  bool try_push(const T& v) {
    const uint64_t h = prod_.head.load(std::memory_order_relaxed);
    if (h - prod_.cached_tail > mask_) {
      prod_.cached_tail = cons_.tail.load(std::memory_order_acquire);
      if (h - prod_.cached_tail > mask_) return false;
    }
    slots_[h & mask_] = v;
    prod_.head.store(h + 1, std::memory_order_release);
    return true;
  }

  // Consumer side.
  bool try_pop(T& out) {
    const uint64_t t = cons_.tail.load(std::memory_order_relaxed);
    if (t == cons_.cached_head) {
      cons_.cached_head = prod_.head.load(std::memory_order_acquire);
      if (t == cons_.cached_head) return false;
    }
    out = slots_[t & mask_];
    cons_.tail.store(t + 1, std::memory_order_release);
    return true;
  }

  // Approximate (either side may be moving); for metrics only.
  std::size_t size_approx() const {
    const uint64_t h = prod_.head.load(std::memory_order_acquire);
    const uint64_t t = cons_.tail.load(std::memory_order_acquire);
    return h >= t ? static_cast<std::size_t>(h - t) : 0;
  }

 private:
  struct alignas(kCacheLine) Producer {
    std::atomic<uint64_t> head{0};
    uint64_t cached_tail = 0;
  };
  struct alignas(kCacheLine) Consumer {
    std::atomic<uint64_t> tail{0};
    uint64_t cached_head = 0;
  };
  Producer prod_;
  Consumer cons_;
  std::size_t mask_ = 0;
  std::unique_ptr<T[]> slots_;
};

}  // namespace liqd
