#pragma once
// A crash-day price path for `liqd replay`: one-minute bars read from a CSV
// `ts_ms,open,high,low,close,volume` (header line required), checked bar by bar.
// Prices are fixed point at kPathDp decimals; volume is kept only for display.
// Every refusal names the file and line ("day.csv:17: low: above open").
#include <cstdint>
#include <string>
#include <vector>

#include "core/money/fixed.hpp"

namespace liqd::replay {

inline constexpr int kPathDp = 8;  // path prices: 1e-8 units

struct Bar {
  int64_t ts_ms = 0;  // bar open time, Unix ms
  int64_t open = 0, high = 0, low = 0, close = 0;  // at kPathDp
  int64_t volume = 0;                              // at kPathDp (base units)
};

// Parses CSV text (`name` is used in messages). On error returns false and sets `err`.
bool parse_price_path(const std::string& text, const std::string& name, std::vector<Bar>& out, std::string& err);
bool load_price_path(const std::string& path, std::vector<Bar>& out, std::string& err);

// The points a bar is walked through: open → low → high → close when it closed
// down, else open → high → low → close; each of the three legs is cut into
// `substeps` equal steps (integer interpolation, half away from zero). Returns
// 1 + 3 × substeps points; point j is at ts_ms + j × 60000 / (1 + 3 × substeps).
struct WalkPoint {
  int64_t ts_ms = 0;
  int64_t price = 0;  // at kPathDp
};
void walk_bar(const Bar& b, int substeps, std::vector<WalkPoint>& out);

// A path price mapped onto a market: ref × p / p0, rounded half away from zero at
// the market's price decimals, then to its tick (half up), never below one tick.
Price scale_to_market(int64_t p, int64_t p0, Price ref, Price tick);

}  // namespace liqd::replay
