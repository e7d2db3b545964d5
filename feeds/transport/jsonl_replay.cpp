#include "feeds/transport/jsonl_replay.hpp"

#include <chrono>
#include <fstream>
#include <thread>

#include "core/money/decimal.hpp"

namespace liqd::feeds {

bool JsonlReplay::load(const std::string& path, const std::string& recv_ts_path) {
  lines_.clear();
  recv_ns_.clear();
  bad_recv_ts_ = 0;
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    lines_.push_back(line);
  }
  recv_ns_.assign(lines_.size(), 0);
  if (recv_ts_path.empty()) return true;
  std::ifstream r(recv_ts_path, std::ios::binary);
  if (!r) return false;
  size_t i = 0;
  while (std::getline(r, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (i >= lines_.size()) return false;
    int64_t ns = 0;
    // Seconds with up to 9 decimals -> ns exactly; finer digits rounded.
    if (parse_decimal_rounded(line, 9, Round::HalfAwayFromZero, ns) == DecimalError::Ok) recv_ns_[i] = ns;
    else ++bad_recv_ts_;
    ++i;
  }
  return i == lines_.size();
}

ReplayStats JsonlReplay::play(JsonFeed& feed, Pace pace, double speed) const {
  ReplayStats st;
  st.bad_recv_ts = bad_recv_ts_;
  const auto start = std::chrono::steady_clock::now();
  int64_t first_ns = 0;
  for (size_t i = 0; i < lines_.size(); ++i) {
    const int64_t ts = recv_ns_[i];
    if (pace == Pace::Recorded && ts > 0 && speed > 0) {
      if (first_ns == 0) first_ns = ts;
      const auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(ts - first_ns) / speed));
      std::this_thread::sleep_until(due);
    }
    ++st.lines;
    if (!feed.on_message(lines_[i], ts).ok()) ++st.errors;
  }
  return st;
}

}  // namespace liqd::feeds
