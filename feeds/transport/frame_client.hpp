#pragma once
// TCP client for length-prefixed frames (u32 little-endian payload length, then
// the payload: proto/framing.hpp), Boost.Asio on its own thread. Reconnects with
// exponential backoff and jitter (Backoff) until stop(). Frames are delivered as
// views into one receive buffer allocated at start (max_frame_bytes + read size),
// so steady state does not allocate. A frame above max_frame_bytes is counted
// (oversize, errors) and drops the connection: the stream cannot be trusted past
// a damaged length. Every callback runs on the connection thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "feeds/transport/transport_counters.hpp"

namespace liqd::feeds {

struct FrameOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string name = "frames";          // for log lines
  size_t max_frame_bytes = 1u << 20;    // payload bytes (proto_framing::kMaxFrame)
  size_t read_bytes = 1u << 16;         // bytes asked per read
  int64_t connect_timeout_ms = 5000;    // resolve + connect
  int64_t idle_timeout_ms = 0;          // no input this long -> reconnect; 0: off
  int64_t backoff_initial_ms = 250;
  int64_t backoff_max_ms = 30000;
  int64_t tick_ms = 0;                  // > 0: on_tick every tick_ms
  uint64_t seed = 0;                    // jitter seed; 0: from std::random_device
};

struct FrameCallbacks {
  std::function<void(std::string_view payload, int64_t local_ts_ns)> on_frame;
  std::function<void()> on_connected;
  std::function<void(std::string_view reason)> on_disconnected;  // an established connection ended
  std::function<void(int64_t mono_now_ns)> on_tick;
};

class FrameClient {
 public:
  FrameClient(FrameOptions opts, FrameCallbacks cbs);
  ~FrameClient();  // stop()
  FrameClient(const FrameClient&) = delete;
  FrameClient& operator=(const FrameClient&) = delete;

  std::string start();  // "" or what is wrong with the options
  void stop();          // closes the socket, joins the thread

  // Thread-safe; also callable from inside on_frame (no further frame of the
  // current connection is delivered after it returns). Drops the connection; the
  // usual backoff then reconnects.
  void reconnect(std::string reason);
  // Thread-safe: runs `fn` on the connection thread.
  void post(std::function<void()> fn);

  bool connected() const;
  const TransportCounters& counters() const;
  const FrameOptions& options() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace liqd::feeds
