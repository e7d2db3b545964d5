#pragma once
// Replay transport: plays a JSONL capture (one raw message per line, as received)
// into a handler, as fast as possible or at the recorded pace. The optional
// companion file holds the recorder's receive time per line (Unix seconds as a
// decimal, e.g. "1626992741.012345"); it becomes each message's local_ts, so
// exchange-vs-local skew and staleness behave as they did live. Not a hot path:
// it reads files with iostreams.
#include <cstdint>
#include <string>
#include <vector>

#include "feeds/json_feed.hpp"

namespace liqd::feeds {

struct ReplayStats {
  uint64_t lines = 0;
  uint64_t errors = 0;
  uint64_t bad_recv_ts = 0;  // receive-time lines that are not decimals (message sent with local_ts 0)
};

class JsonlReplay {
 public:
  enum class Pace : uint8_t { AsFastAsPossible, Recorded };

  // Loads the capture (and receive times if recv_ts_path is non-empty). False if a
  // file cannot be read or the two files have different line counts.
  bool load(const std::string& path, const std::string& recv_ts_path = "");
  // Plays every line into `feed`. With Pace::Recorded, waits until each line's
  // receive time (relative to the first, divided by `speed`) on the steady clock.
  ReplayStats play(JsonFeed& feed, Pace pace = Pace::AsFastAsPossible, double speed = 1.0) const;

  size_t size() const { return lines_.size(); }

 private:
  std::vector<std::string> lines_;
  std::vector<int64_t> recv_ns_;  // 0 when unknown
  uint64_t bad_recv_ts_ = 0;
};

}  // namespace liqd::feeds
