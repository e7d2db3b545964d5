#include "sim/path/price_path.hpp"

#include <fstream>
#include <sstream>

#include "core/money/decimal.hpp"

namespace liqd::sim {

namespace {

std::string field_error(size_t line, const char* field, DecimalError e) {
  return "path line " + std::to_string(line) + ": field " + field + ": " + to_string(e);
}

}  // namespace

std::string parse_bars_csv(std::string_view text, std::vector<Bar>& out) {
  out.clear();
  size_t line_no = 0;
  size_t pos = 0;
  bool header_seen = false;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!header_seen) {
      header_seen = true;
      if (line.substr(0, 6) != "ts_ms,") return "path line 1: expected header ts_ms,open,high,low,close,volume";
      continue;
    }
    std::string_view cols[6];
    size_t c = 0, start = 0;
    for (size_t i = 0; i <= line.size() && c < 6; ++i) {
      if (i == line.size() || line[i] == ',') {
        cols[c++] = line.substr(start, i - start);
        start = i + 1;
      }
    }
    if (c != 6 || start <= line.size()) {
      if (c != 6) return "path line " + std::to_string(line_no) + ": expected 6 columns";
    }
    Bar b;
    if (auto e = parse_decimal(cols[0], 0, b.ts_ms); e != DecimalError::Ok) return field_error(line_no, "ts_ms", e);
    static constexpr const char* kNames[] = {"open", "high", "low", "close", "volume"};
    int64_t* dst[] = {&b.open, &b.high, &b.low, &b.close, &b.volume};
    for (int k = 0; k < 5; ++k) {
      if (auto e = parse_decimal(cols[k + 1], kPathDp, *dst[k]); e != DecimalError::Ok)
        return field_error(line_no, kNames[k], e);
    }
    if (b.low > b.open || b.low > b.close || b.high < b.open || b.high < b.close || b.low <= 0)
      return "path line " + std::to_string(line_no) + ": inconsistent bar (need 0 < low <= open,close <= high)";
    if (!out.empty() && b.ts_ms <= out.back().ts_ms)
      return "path line " + std::to_string(line_no) + ": ts_ms not increasing";
    out.push_back(b);
  }
  if (out.empty()) return "path: no bars";
  return {};
}

std::string load_bars_csv(const std::string& file, std::vector<Bar>& out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "path: cannot open " + file;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string err = parse_bars_csv(ss.str(), out);
  return err.empty() ? err : file + ": " + err;
}

std::string walk_path(const std::vector<Bar>& bars, int steps_per_bar, WalkOrder order,
                      std::vector<PathPoint>& out) {
  out.clear();
  if (steps_per_bar == 2 || steps_per_bar == 3 || steps_per_bar < 1 || steps_per_bar > 60000)
    return "steps per bar must be 1 or 4..60000";
  out.reserve(bars.size() * static_cast<size_t>(steps_per_bar));
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const int64_t dur = i + 1 < bars.size() ? bars[i + 1].ts_ms - b.ts_ms : 60'000;
    const int64_t vol_step = b.volume / steps_per_bar;
    if (steps_per_bar == 1) {
      out.push_back({b.ts_ms, b.close, b.volume});
      continue;
    }
    const bool down = b.close < b.open;
    const bool low_first = (order == WalkOrder::LowFirstOnDown) == down;
    const int64_t anchors[4] = {b.open, low_first ? b.low : b.high, low_first ? b.high : b.low, b.close};
    const int intervals = steps_per_bar - 1;
    int leg_len[3];
    for (int l = 0; l < 3; ++l) leg_len[l] = intervals / 3 + (l < intervals % 3 ? 1 : 0);
    int j = 0;
    for (int l = 0; l < 3; ++l) {
      const int64_t a = anchors[l], z = anchors[l + 1];
      // Leg l covers steps [j, j + leg_len[l]); the last leg also emits its end point.
      const int n = leg_len[l];
      const int emit = l == 2 ? n + 1 : n;
      for (int k = 0; k < emit; ++k, ++j) {
        const int64_t px = static_cast<int64_t>(a + div_round(static_cast<i128>(z - a) * k, n, Round::HalfAwayFromZero));
        out.push_back({b.ts_ms + dur * j / steps_per_bar, px, vol_step});
      }
    }
  }
  return {};
}

Price scale_to_market(int64_t path_px, int64_t first_open, Price ref, int64_t tick_units) {
  i128 units = div_round(static_cast<i128>(path_px) * ref.v, first_open, Round::HalfAwayFromZero);
  i128 ticks = div_round(units, tick_units, Round::HalfAwayFromZero);
  if (ticks < 1) ticks = 1;
  return Price(static_cast<int64_t>(ticks * tick_units));
}

}  // namespace liqd::sim
