#pragma once
// Length-prefixed framing for the venue's order-entry stream: each message is a
// 4-byte big-endian length followed by that many bytes of a serialized
// proto OrderEntryMessage. A length of 0 or above kMaxFrame is a protocol error
// (the stream cannot be resynchronised, so the connection is dropped).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace liqd::exec::order_entry {

inline constexpr uint32_t kMaxFrame = 64 * 1024;

// Appends one frame (header + payload) to `out`.
void append_frame(std::string& out, std::string_view payload);

// Incremental decoder: feed bytes as they arrive, take complete frames out.
class FrameDecoder {
 public:
  void feed(const char* data, size_t n) { buf_.append(data, n); }
  // true and fills `frame` when a complete frame is buffered.
  bool next(std::string& frame);
  bool failed() const { return failed_; }

 private:
  std::string buf_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace liqd::exec::order_entry
