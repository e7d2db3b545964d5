#pragma once
// The price driver's input: a 1-minute OHLCV path (ts_ms,open,high,low,close,volume),
// walked through each bar's extremes in a fixed order, in a configurable number of
// steps per bar. Prices stay fixed-point throughout (path units are 10^-8 quote).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/money/fixed.hpp"

namespace liqd::sim {

inline constexpr int kPathDp = 8;  // decimals of path prices and volumes

struct Bar {
  int64_t ts_ms = 0;   // bar open time
  int64_t open = 0, high = 0, low = 0, close = 0;  // 10^-8 quote
  int64_t volume = 0;  // 10^-8 base
};

// Parses the CSV text (header line required). Returns "" or an error naming the line.
std::string parse_bars_csv(std::string_view text, std::vector<Bar>& out);
std::string load_bars_csv(const std::string& file, std::vector<Bar>& out);

enum class WalkOrder : uint8_t {
  LowFirstOnDown,   // the brief's rule: down bar O→L→H→C, otherwise O→H→L→C
  HighFirstOnDown,  // the shortest-travel rule: down bar O→H→L→C, otherwise O→L→H→C
};

struct PathPoint {
  int64_t ts_ms = 0;   // simulated exchange time of this step
  int64_t px = 0;      // 10^-8 quote
  int64_t volume = 0;  // traded in this step, 10^-8 base (bar volume spread evenly)
};

// Walks every bar in `steps_per_bar` points: step j of a bar is at ts + j·60000/steps.
// With steps >= 4 the S-1 intervals are shared among the three legs (open→A, A→B, B→close)
// so that open, both extremes and close are each hit exactly; with steps == 1 a bar is
// its close. 2 and 3 are refused (they cannot visit both extremes). Returns "" or an error.
std::string walk_path(const std::vector<Bar>& bars, int steps_per_bar, WalkOrder order,
                      std::vector<PathPoint>& out);

// Scales a path price to a market: px × ref / first_open, rounded half away from zero
// to a multiple of `tick` (market price units), and at least one tick.
Price scale_to_market(int64_t path_px, int64_t first_open, Price ref, int64_t tick_units);

}  // namespace liqd::sim
