#pragma once
// Per-handler counters: every error code, every sequencing outcome, and the
// skew between exchange time and local receive time. Written only by the
// handler's thread; a metrics reader copies them (monotone counters, a torn
// read only shows a slightly old value).
#include <array>
#include <cstdint>

#include "feeds/feed_error.hpp"

namespace liqd::feeds {

struct FeedCounters {
  uint64_t messages = 0;        // every on_message call
  uint64_t bytes = 0;
  uint64_t used = 0;            // messages that produced events or changed a book
  uint64_t ignored = 0;         // valid but not for us (acks, klines, other channels)
  uint64_t fast_path = 0;       // decided by the handler's fast path (JsonFeed::handle_fast)
  uint64_t filtered = 0;        // for a market this handler was told to skip
  uint64_t errors_total = 0;
  std::array<uint64_t, kFeedErrorCount> errors{};
  uint64_t snapshots = 0;
  uint64_t deltas = 0;          // applied deltas
  uint64_t deltas_buffered = 0; // held until a snapshot arrives (Binance)
  uint64_t deltas_skipped = 0;  // older than the snapshot, or before any snapshot
  uint64_t buffer_overflows = 0;
  uint64_t gaps = 0;
  uint64_t checksum_ok = 0;
  uint64_t checksum_mismatches = 0;
  uint64_t crossed = 0;
  uint64_t uncrossed_levels = 0; // dYdX: opposite levels removed by a crossing delta
  uint64_t resyncs = 0;         // resync requests issued
  uint64_t stale_events = 0;
  uint64_t levels_dropped = 0;  // book full: a level beyond capacity was dropped
  uint64_t delete_missing = 0;  // delete of a level the book did not have
  // exchange time minus local receive time, ns (only when both are known)
  int64_t skew_last_ns = 0;
  int64_t skew_min_ns = INT64_MAX;
  int64_t skew_max_ns = INT64_MIN;
  uint64_t skew_samples = 0;

  uint64_t errors_of(FeedError e) const { return errors[static_cast<size_t>(e)]; }
};

}  // namespace liqd::feeds
