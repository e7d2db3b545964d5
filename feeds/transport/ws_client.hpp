#pragma once
// WebSocket client on libwebsockets 4.1, one thread (and one lws_context) per
// connection. libwebsockets has no Asio integration in Debian's build and its
// client connect resolves DNS blocking, so each connection gets its own thread;
// other threads talk to it through wake() (lws_cancel_service) and a small
// mutex-guarded inbox that is never touched on the message path.
//
// The connection thread: connect (ws:// or wss:// with lws' OpenSSL, SNI and peer
// verification), send the subscribe messages, deliver every whole message
// (fragments and lws' partial reads reassembled, up to max_message_bytes; a larger
// message is counted and drops the connection with close code 1009), ping every
// ping_interval_ms, drop the connection after idle_timeout_ms without any input,
// and reconnect after an exponential backoff with jitter (Backoff) until stop().
// Every callback runs on the connection thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/transport/transport_counters.hpp"

namespace liqd::feeds {

struct WsOptions {
  std::string url;                      // ws://host:port/path?query or wss://...
  std::vector<std::string> subscribe;   // text messages sent after each connect, in order
  std::string name = "ws";              // for log lines
  int64_t ping_interval_ms = 15000;     // 0: no pings
  std::string ping_text;                // non-empty: ping with this text message (Hyperliquid
                                        // {"method":"ping"}); empty: a WebSocket ping frame
  int64_t idle_timeout_ms = 60000;      // no input (message or pong) this long -> reconnect; 0: off
  int64_t connect_timeout_ms = 10000;   // TCP + TLS + upgrade
  int64_t backoff_initial_ms = 250;
  int64_t backoff_max_ms = 30000;
  size_t max_message_bytes = 4u << 20;
  std::string ca_file;                  // wss: PEM CA file; empty: the system store
  bool verify_peer = true;              // wss: verify the certificate chain and host name
  int64_t tick_ms = 50;                 // housekeeping period (timers, on_tick)
  uint64_t seed = 0;                    // jitter seed; 0: from std::random_device
};

struct WsCallbacks {
  // One whole text or binary message; the view is valid during the call only.
  std::function<void(std::string_view msg, int64_t local_ts_ns)> on_message;
  std::function<void()> on_connected;                          // after the subscribe messages were queued
  std::function<void(std::string_view reason)> on_disconnected; // an established connection ended
  std::function<void()> on_wake;                               // after wake() from any thread
  std::function<void(int64_t mono_now_ns)> on_tick;            // every tick_ms
};

class WsClient {
 public:
  WsClient(WsOptions opts, WsCallbacks cbs);
  ~WsClient();  // stop()
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Starts the connection thread (returns at once; connecting happens there).
  // Returns "" or what is wrong with the options (bad URL).
  std::string start();
  // Stops and joins the thread: bounded by one service round (tick_ms) plus a
  // close handshake lws bounds itself; a DNS lookup in progress delays it.
  void stop();

  // Thread-safe. Queues a text message for the current connection (dropped if
  // none is established when it is sent).
  void send(std::string text);
  // Thread-safe. Runs on_wake on the connection thread soon.
  void wake();
  // Thread-safe. Drops the current connection (reason logged); the usual backoff
  // then reconnects.
  void reconnect(std::string reason);

  bool connected() const;
  const TransportCounters& counters() const;
  const WsOptions& options() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace liqd::feeds
