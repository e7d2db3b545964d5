#pragma once
// Stream framing for Protobuf messages over TCP (order entry, account stream):
//   u32 little-endian payload length | payload (one serialized message)
// Frames above kMaxFrame are refused as damage. Header-only, no allocation
// beyond what the caller's buffers hold. Used by both ends: the simulator
// (sim/) and the executors' order-entry adapter (executors/adapters/order_entry).
// A zero-length frame is legal: it is an empty message (every field default).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace liqd::proto_framing {

inline constexpr uint32_t kMaxFrame = 1u << 20;
inline constexpr size_t kHeaderBytes = 4;

inline void append_frame(std::string& out, std::string_view payload) {
  uint32_t n = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out.append(payload);
}

enum class FrameStatus { Complete, NeedMore, TooLarge };

// The payload length announced by a 4-byte header.
inline uint32_t read_length(const char* header) {
  const auto* p = reinterpret_cast<const unsigned char*>(header);
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

// Looks for one whole frame at the start of `buf`. On Complete, `payload` views
// it and `consumed` is header + payload size.
inline FrameStatus next_frame(std::string_view buf, std::string_view& payload, size_t& consumed,
                              uint32_t max_frame = kMaxFrame) {
  if (buf.size() < kHeaderBytes) return FrameStatus::NeedMore;
  const uint32_t n = read_length(buf.data());
  if (n > max_frame) return FrameStatus::TooLarge;
  if (buf.size() - kHeaderBytes < n) return FrameStatus::NeedMore;
  payload = buf.substr(kHeaderBytes, n);
  consumed = kHeaderBytes + static_cast<size_t>(n);
  return FrameStatus::Complete;
}

// Incremental decoder over a byte stream that arrives in arbitrary pieces:
// feed() what a read returned, then call next() until it stops answering
// Complete. A TooLarge length cannot be resynchronised (we no longer know where
// the next frame starts), so it is sticky: failed() stays true until reset().
// The payload view stays valid until the next feed() or reset().
class FrameDecoder {
 public:
  explicit FrameDecoder(uint32_t max_frame = kMaxFrame) : max_(max_frame) {}

  void feed(const char* data, size_t n) {
    if (pos_ > 0) {   // drop what next() already handed out (views into it are now stale)
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    buf_.append(data, n);
  }

  FrameStatus next(std::string_view& payload) {
    if (failed_) return FrameStatus::TooLarge;
    size_t used = 0;
    const FrameStatus st = next_frame(std::string_view(buf_).substr(pos_), payload, used, max_);
    if (st == FrameStatus::Complete) pos_ += used;
    if (st == FrameStatus::TooLarge) failed_ = true;
    return st;
  }

  bool failed() const { return failed_; }
  size_t buffered() const { return buf_.size() - pos_; }   // bytes of frames not yet complete
  void reset() {
    buf_.clear();
    pos_ = 0;
    failed_ = false;
  }

 private:
  std::string buf_;
  size_t pos_ = 0;
  uint32_t max_;
  bool failed_ = false;
};

}  // namespace liqd::proto_framing
