#pragma once
// Index price of one market from several oracle sources (issue 5, item 5).
//
//   1. A source is usable when it has a quote, its price is positive, its age
//      (now − publish time) is within its own staleness limit, and its confidence
//      width conf / price is within max_conf_width (Pyth publishes conf).
//   2. Fewer than min_sources usable sources (≥ 3 by default) → STALE.
//   3. The median of the usable sources is the reference; a source farther than
//      max_deviation from it is dropped.
//   4. The survivors must be a strict majority of the usable sources, else the
//      sources disagree and the market is STALE; the index is their median.
// A dropped source is counted per reason. STALE means: no liquidations in this
// market, in-flight orders cancelled, an alert (status_changed tells the caller
// when to raise or clear it). While STALE the last good index is kept for display.
// Fixed capacity, no allocation: evaluate() runs on every oracle tick.
#include <array>
#include <cstdint>

#include "core/policy/common.hpp"

namespace liqd::policy {

inline constexpr int kMaxOracleSources = 8;

struct OracleConfig {
  uint8_t n_sources = 0;                              // 1..kMaxOracleSources
  std::array<TimeMs, kMaxOracleSources> max_age_ms{};  // per-source staleness limit
  Ratio max_deviation{2'000'000};                     // 2 % from the median
  Ratio max_conf_width{0};                            // conf / price; 0 = not checked
  uint8_t min_sources = 3;
  TimeMs max_future_ms = 1000;                        // publish time ahead of receipt: refused
};

enum class OracleStatus : uint8_t { Ok, Stale };

enum class SourceDrop : uint8_t { None, NoData, NonPositive, Stale, ConfWidth, Deviation };
inline constexpr int kSourceDropKinds = 6;
const char* to_string(SourceDrop d);
const char* to_string(OracleStatus s);

struct IndexResult {
  OracleStatus status = OracleStatus::Stale;
  Price index;                 // Ok: this tick's index; Stale: the last good one (0 if none)
  uint8_t fresh = 0;           // usable before the deviation filter
  uint8_t used = 0;            // survivors the index is the median of
  std::array<SourceDrop, kMaxOracleSources> drop{};
  bool status_changed = false; // Ok <-> Stale on this evaluation: raise / clear the alert
};

class IndexOracle {
 public:
  explicit IndexOracle(const OracleConfig& cfg);

  // A source's new quote, received at event time recv_ms. A quote not newer than
  // the one held is ignored and counted (feeds may replay); one published more than
  // max_future_ms after its receipt is refused and counted (a future timestamp would
  // otherwise keep a source "fresh" and block its real updates). Returns whether
  // it was taken.
  bool update(int source, Price price, Price conf, TimeMs publish_ms, TimeMs recv_ms);

  // The index as of `now` (an event timestamp).
  IndexResult evaluate(TimeMs now);

  OracleStatus status() const { return status_; }
  Price last_good_index() const { return last_good_; }
  uint64_t dropped(int source, SourceDrop why) const {
    return dropped_[source][static_cast<int>(why)];
  }
  uint64_t out_of_order() const { return out_of_order_; }
  uint64_t future_dated() const { return future_dated_; }
  const OracleConfig& config() const { return cfg_; }

  // What the oracle remembers of past quotes: each source's last one, the status
  // and the last good index. A restarted process given this (restore) evaluates
  // exactly as this one would (the daemon journals it: PriceMemory).
  struct SourceQuote {
    Price price;
    Price conf;
    TimeMs publish_ms = 0;
    bool has = false;
  };
  struct Memory {
    std::array<SourceQuote, kMaxOracleSources> sources{};
    OracleStatus status = OracleStatus::Stale;
    Price last_good;
  };
  Memory memory() const { return Memory{q_, status_, last_good_}; }
  void restore(const Memory& m) {
    q_ = m.sources;
    status_ = m.status;
    last_good_ = m.last_good;
  }

 private:
  using Quote_ = SourceQuote;
  OracleConfig cfg_;
  std::array<Quote_, kMaxOracleSources> q_{};
  std::array<std::array<uint64_t, kSourceDropKinds>, kMaxOracleSources> dropped_{};
  uint64_t out_of_order_ = 0;
  uint64_t future_dated_ = 0;
  OracleStatus status_ = OracleStatus::Stale;  // no index until the first good evaluation
  Price last_good_;
};

// Median of n ≤ kMaxOracleSources prices (sorted copy); even n: mean of the two
// middle values rounded half up. n > 0.
Price median_price(const Price* v, int n);

}  // namespace liqd::policy
