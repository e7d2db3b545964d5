#include "daemon/replay/price_path.hpp"

#include <fstream>
#include <sstream>

#include "core/money/decimal.hpp"

namespace liqd::replay {

namespace {

bool fail(std::string& err, const std::string& name, int line, const std::string& what) {
  err = name + ":" + std::to_string(line) + ": " + what;
  return false;
}

}  // namespace

bool parse_price_path(const std::string& text, const std::string& name, std::vector<Bar>& out, std::string& err) {
  out.clear();
  std::istringstream in(text);
  std::string line;
  int no = 0;
  static const char* kFields[6] = {"ts_ms", "open", "high", "low", "close", "volume"};
  while (std::getline(in, line)) {
    ++no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (no == 1) {
      if (line.rfind("ts_ms,open,high,low,close", 0) != 0)
        return fail(err, name, no, "header: expected ts_ms,open,high,low,close,volume");
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string x;
    while (std::getline(ls, x, ',')) f.push_back(x);
    if (f.size() != 6) return fail(err, name, no, "expected 6 fields, got " + std::to_string(f.size()));
    Bar b;
    int64_t ts = 0;
    if (parse_decimal(f[0], 0, ts) != DecimalError::Ok || ts < 0) return fail(err, name, no, "ts_ms: not a timestamp");
    b.ts_ms = ts;
    int64_t* dst[5] = {&b.open, &b.high, &b.low, &b.close, &b.volume};
    for (int k = 0; k < 5; ++k) {
      const DecimalError e = parse_decimal_rounded(f[1 + k], kPathDp, Round::HalfAwayFromZero, *dst[k]);
      if (e != DecimalError::Ok) return fail(err, name, no, std::string(kFields[1 + k]) + ": " + to_string(e));
      if (k < 4 && *dst[k] <= 0) return fail(err, name, no, std::string(kFields[1 + k]) + ": must be > 0");
      if (k == 4 && *dst[k] < 0) return fail(err, name, no, "volume: must be >= 0");
    }
    if (b.low > b.open || b.low > b.close) return fail(err, name, no, "low: above open or close");
    if (b.high < b.open || b.high < b.close) return fail(err, name, no, "high: below open or close");
    if (!out.empty() && b.ts_ms <= out.back().ts_ms) return fail(err, name, no, "ts_ms: not after the previous bar");
    out.push_back(b);
  }
  if (no == 0) return fail(err, name, 1, "empty file");
  if (out.empty()) return fail(err, name, no, "no bars");
  return true;
}

bool load_price_path(const std::string& path, std::vector<Bar>& out, std::string& err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    err = path + ": cannot open";
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_price_path(ss.str(), path, out, err);
}

void walk_bar(const Bar& b, int substeps, std::vector<WalkPoint>& out) {
  out.clear();
  const bool down = b.close < b.open;
  const int64_t corners[4] = {b.open, down ? b.low : b.high, down ? b.high : b.low, b.close};
  const int n = 1 + 3 * substeps;
  out.push_back(WalkPoint{b.ts_ms, b.open});
  for (int leg = 0; leg < 3; ++leg) {
    for (int s = 1; s <= substeps; ++s) {
      const i128 d = static_cast<i128>(corners[leg + 1] - corners[leg]) * s;
      const int64_t p = corners[leg] + static_cast<int64_t>(div_round(d, substeps, Round::HalfAwayFromZero));
      const int j = 1 + leg * substeps + (s - 1);
      out.push_back(WalkPoint{b.ts_ms + static_cast<int64_t>(j) * 60'000 / n, p});
    }
  }
}

Price scale_to_market(int64_t p, int64_t p0, Price ref, Price tick) {
  const i128 raw = div_round(static_cast<i128>(ref.v) * p, p0, Round::HalfAwayFromZero);
  const int64_t t = tick.v > 0 ? tick.v : 1;
  int64_t v = static_cast<int64_t>(div_round(raw, t, Round::HalfAwayFromZero)) * t;
  if (v < t) v = t;
  return Price(v);
}

}  // namespace liqd::replay
