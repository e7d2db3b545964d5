#pragma once
// Allocator for the core's big per-account and per-entry arrays: allocations of
// 2 MiB or more are 2 MiB-aligned and advised as transparent huge pages
// (madvise(MADV_HUGEPAGE), before the vector touches them). At 1M accounts the
// index reads a few hundred MB at random; with 4 KiB pages nearly every access
// also misses the TLB and walks the page table. Only construction and the rare
// counted pool growth allocate, so the system call is never on the hot path;
// decisions do not depend on it (if the kernel refuses, the pages stay small).
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace liqd {

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHuge = std::size_t{2} << 20;

  HugePageAllocator() noexcept = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT: rebind

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHuge) {
      void* p = std::malloc(bytes == 0 ? 1 : bytes);
      if (!p) throw std::bad_alloc();
      return static_cast<T*>(p);
    }
    const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, rounded);
    if (!p) throw std::bad_alloc();
    (void)madvise(p, rounded, MADV_HUGEPAGE);  // advice only
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }

  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
};

}  // namespace liqd

#include <vector>
namespace liqd {
template <class T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;
}  // namespace liqd
