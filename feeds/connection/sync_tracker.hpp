#pragma once
// Which subscribed markets of one connection have what the daemon needs before
// it may act on them (a synced book, a price), kept on the connection thread and
// published as one atomic flag that any thread may read (readiness, start-up gate).
// Each market needs a set of bits; a bit is set by a fresh event, cleared by a
// resync, a staleness event, a disconnect, or by age (stale_after, local
// monotonic time of the last event that set it).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "feeds/events.hpp"

namespace liqd::feeds {

class SyncTracker {
 public:
  static constexpr uint8_t kBook = 1;   // book synced and updated since the last (re)connect
  static constexpr uint8_t kPrice = 2;  // the market's price (mark / mid / oracle) received
  static constexpr int kBits = 2;

  // `markets` are the subscribed market ids; every one needs `need` bits.
  void init(const std::vector<MarketId>& markets, uint8_t need);

  // Connection thread only.
  void set(MarketId m, uint8_t bit, int64_t mono_now_ns) {
    if (m >= have_.size() || !(need_[m] & bit)) return;
    last_ns_[m * kBits + index(bit)] = mono_now_ns;
    if (have_[m] & bit) return;
    const bool before = have_[m] == need_[m];
    have_[m] = static_cast<uint8_t>(have_[m] | bit);
    if (!before && have_[m] == need_[m]) ++complete_;
    publish();
  }
  void clear(MarketId m, uint8_t bit) {
    if (m >= have_.size() || !(have_[m] & bit)) return;
    if (have_[m] == need_[m]) --complete_;
    have_[m] = static_cast<uint8_t>(have_[m] & ~bit);
    publish();
  }
  void clear_all();
  void set_connected(bool c) {
    connected_ = c;
    if (!c) clear_all();
    publish();
  }
  // Clears every bit not refreshed within stale_ns (<= 0: off).
  void expire(int64_t mono_now_ns, int64_t stale_ns);

  // Any thread.
  bool in_sync() const { return in_sync_.load(std::memory_order_acquire); }
  uint32_t markets_complete() const { return complete_pub_.load(std::memory_order_relaxed); }
  uint32_t markets_total() const { return static_cast<uint32_t>(markets_.size()); }

 private:
  static int index(uint8_t bit) { return bit == kBook ? 0 : 1; }
  void publish() {
    in_sync_.store(connected_ && !markets_.empty() && complete_ == markets_.size(), std::memory_order_release);
    complete_pub_.store(complete_, std::memory_order_relaxed);
  }
  std::vector<MarketId> markets_;
  std::vector<uint8_t> need_, have_;  // by market id
  std::vector<int64_t> last_ns_;      // by market id * kBits + bit index
  uint32_t complete_ = 0;
  bool connected_ = false;
  std::atomic<bool> in_sync_{false};
  std::atomic<uint32_t> complete_pub_{0};
};

inline void SyncTracker::init(const std::vector<MarketId>& markets, uint8_t need) {
  markets_ = markets;
  MarketId max_id = 0;
  for (MarketId m : markets) max_id = std::max(max_id, m);
  need_.assign(markets.empty() ? 0 : max_id + 1u, 0);
  have_.assign(need_.size(), 0);
  last_ns_.assign(need_.size() * kBits, 0);
  for (MarketId m : markets) need_[m] = need;
  complete_ = 0;
  publish();
}

inline void SyncTracker::clear_all() {
  for (MarketId m : markets_) have_[m] = 0;
  complete_ = 0;
  publish();
}

inline void SyncTracker::expire(int64_t mono_now_ns, int64_t stale_ns) {
  if (stale_ns <= 0) return;
  for (MarketId m : markets_)
    for (uint8_t bit : {kBook, kPrice})
      if ((have_[m] & bit) && mono_now_ns - last_ns_[m * kBits + index(bit)] > stale_ns) clear(m, bit);
}

}  // namespace liqd::feeds
