#pragma once
// Stream framing for Protobuf messages over TCP (order entry, account stream):
//   u32 little-endian payload length | payload (one serialized message)
// Frames above kMaxFrame are refused as damage. Header-only, no allocation
// beyond what the caller's buffers hold.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace liqd::proto_framing {

inline constexpr uint32_t kMaxFrame = 1u << 20;

inline void append_frame(std::string& out, std::string_view payload) {
  uint32_t n = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out.append(payload);
}

enum class FrameStatus { Complete, NeedMore, TooLarge };

// Looks for one whole frame at the start of `buf`. On Complete, `payload` views
// it and `consumed` is header + payload size.
inline FrameStatus next_frame(std::string_view buf, std::string_view& payload, size_t& consumed) {
  if (buf.size() < 4) return FrameStatus::NeedMore;
  const auto* p = reinterpret_cast<const unsigned char*>(buf.data());
  uint32_t n = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
               static_cast<uint32_t>(p[3]) << 24;
  if (n > kMaxFrame) return FrameStatus::TooLarge;
  if (buf.size() - 4 < n) return FrameStatus::NeedMore;
  payload = buf.substr(4, n);
  consumed = 4 + static_cast<size_t>(n);
  return FrameStatus::Complete;
}

}  // namespace liqd::proto_framing
