#pragma once
// Counters of one transport connection. Written by the connection thread with
// relaxed atomics, readable from any thread (metrics, tests) without locks.
#include <atomic>
#include <cstdint>
#include <ctime>

namespace liqd::feeds {

struct TransportCounters {
  std::atomic<uint64_t> connect_attempts{0};  // every connect started (first one included)
  std::atomic<uint64_t> connects{0};          // connections established (WS handshake / TCP connect done)
  std::atomic<uint64_t> connect_failures{0};  // attempts that never got established
  std::atomic<uint64_t> disconnects{0};       // established connections that ended (any cause, stop() excluded)
  std::atomic<uint64_t> reconnects{0};        // attempts after the first (each one followed a backoff delay)
  std::atomic<uint64_t> messages{0};          // whole messages / frames delivered to on_message / on_frame
  std::atomic<uint64_t> bytes{0};             // payload bytes received
  std::atomic<uint64_t> errors{0};            // connect failures, protocol errors, oversize messages
  std::atomic<uint64_t> oversize{0};          // messages above the size limit (each drops the connection)
  std::atomic<uint64_t> idle_timeouts{0};     // connections dropped for silence
  std::atomic<uint64_t> sent{0};              // messages sent (subscriptions, pings, user sends)
  std::atomic<int64_t> last_backoff_ms{0};    // the last reconnect delay chosen

  static void inc(std::atomic<uint64_t>& c, uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }
  static uint64_t get(const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); }
};

// Wall-clock receive time (Unix ns): comparable with exchange timestamps (skew).
inline int64_t wall_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
// Monotonic time for timeouts and backoff.
inline int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace liqd::feeds
