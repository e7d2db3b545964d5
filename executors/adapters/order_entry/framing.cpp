#include "executors/adapters/order_entry/framing.hpp"

namespace liqd::exec::order_entry {

void append_frame(std::string& out, std::string_view payload) {
  const auto n = static_cast<uint32_t>(payload.size());
  out += static_cast<char>((n >> 24) & 0xff);
  out += static_cast<char>((n >> 16) & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  out += static_cast<char>(n & 0xff);
  out.append(payload);
}

bool FrameDecoder::next(std::string& frame) {
  if (failed_) return false;
  if (buf_.size() - pos_ < 4) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
  const uint32_t n = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
  if (n == 0 || n > kMaxFrame) { failed_ = true; return false; }
  if (buf_.size() - pos_ - 4 < n) return false;
  frame.assign(buf_, pos_ + 4, n);
  pos_ += 4 + n;
  if (pos_ > 4096 && pos_ * 2 > buf_.size()) { buf_.erase(0, pos_); pos_ = 0; }   // compact
  return true;
}

}  // namespace liqd::exec::order_entry
