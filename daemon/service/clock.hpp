#pragma once
// The executor thread's clocks. steady: timers and the journal's fsync interval
// (never jumps); wall: what leaves the process or is read by people (Binance
// timestamps, journal record times, tick-to-decision latency).
#include <chrono>
#include <cstdint>

namespace liqd::service {

inline int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
inline int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
inline int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace liqd::service
