#pragma once
// Single-writer seqlock for snapshots read by other threads (metrics, admin API).
//
// The payload is an array of atomic 64-bit words accessed with relaxed loads and
// stores, so concurrent reads are not data races (TSan-clean) even when a reader
// overlaps a write; the sequence number tells the reader to retry.
// Writer: seq becomes odd, release fence, words, seq becomes even (release).
// Reader: seq (acquire) even, words, acquire fence, seq again unchanged.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace liqd {

template <std::size_t Words>
class SeqLock {
 public:
  using Payload = std::array<uint64_t, Words>;

  void store(const Payload& p) {
    const uint64_t s = seq_.load(std::memory_order_relaxed);
    seq_.store(s + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    for (std::size_t i = 0; i < Words; ++i) words_[i].store(p[i], std::memory_order_relaxed);
    seq_.store(s + 2, std::memory_order_release);
  }

  // Returns false if the writer kept interfering for `max_tries` attempts.
  bool try_load(Payload& out, int max_tries = 1 << 20) const {
    for (int i = 0; i < max_tries; ++i) {
      const uint64_t s0 = seq_.load(std::memory_order_acquire);
      if (s0 & 1) continue;
      for (std::size_t w = 0; w < Words; ++w) out[w] = words_[w].load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (seq_.load(std::memory_order_relaxed) == s0) return true;
    }
    return false;
  }

  uint64_t version() const { return seq_.load(std::memory_order_acquire); }

 private:
  alignas(64) std::atomic<uint64_t> seq_{0};
  alignas(64) std::array<std::atomic<uint64_t>, Words> words_{};
};

}  // namespace liqd

namespace liqd {

// A seqlock over a trivially copyable struct: the struct is copied word by word
// through SeqLock's atomic words, so readers never see a torn value.
template <class T>
class SeqLockOf {
  static_assert(std::is_trivially_copyable_v<T>);
  static constexpr std::size_t kWords = (sizeof(T) + 7) / 8;

 public:
  void store(const T& v) {
    typename SeqLock<kWords>::Payload p{};
    std::memcpy(p.data(), &v, sizeof(T));
    lock_.store(p);
  }
  bool try_load(T& out) const {
    typename SeqLock<kWords>::Payload p;
    if (!lock_.try_load(p)) return false;
    std::memcpy(static_cast<void*>(&out), p.data(), sizeof(T));
    return true;
  }
  uint64_t version() const { return lock_.version(); }

 private:
  SeqLock<kWords> lock_;
};

}  // namespace liqd
