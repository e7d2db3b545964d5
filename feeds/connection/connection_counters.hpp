#pragma once
// What a venue connection did beyond its transport and its parser: snapshot
// fetches and resyncs. Relaxed atomics, readable from any thread.
#include <atomic>
#include <cstdint>

namespace liqd::feeds {

struct ConnectionCounters {
  std::atomic<uint64_t> resync_requests{0};       // handler asked for a resync (gap, crossed, checksum, ...)
  std::atomic<uint64_t> snapshot_requests{0};     // REST snapshots asked for (Binance)
  std::atomic<uint64_t> snapshots_fetched{0};     // REST snapshots received with status 2xx
  std::atomic<uint64_t> snapshot_fetch_errors{0}; // transport error or non-2xx status
  std::atomic<uint64_t> snapshot_apply_errors{0}; // the handler refused a fetched snapshot
  std::atomic<uint64_t> parse_errors{0};          // messages the handler refused (also in its FeedCounters)
  std::atomic<uint64_t> stale_events{0};          // staleness events from the handler
  std::atomic<uint64_t> resync_reconnects{0};     // reconnects made to resync (account stream)
};

}  // namespace liqd::feeds
