#pragma once
// Loopback sessions of the simulator, all driven by one io_context thread (so no
// locks): an HTTP front that serves plain requests or upgrades to WebSocket
// (Boost.Beast), WebSocket sessions with a bounded write queue, and TCP sessions
// carrying u32-length-prefixed Protobuf frames (proto/framing.hpp).
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

namespace liqd::sim::net {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Msg = std::shared_ptr<const std::string>;

// A session's write queue beyond this many messages marks a consumer too slow to
// keep: the session is closed (and counted) instead of growing without bound.
inline constexpr size_t kMaxQueuedMessages = 200'000;

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  using OnText = std::function<void(WsSession&, std::string_view)>;
  using OnClose = std::function<void(WsSession&)>;
  WsSession(beast::tcp_stream stream, int kind);
  void start(Request req, OnText on_text, OnClose on_close);
  void send(const Msg& m);
  void close();
  size_t queued() const { return queue_.size(); }
  bool open() const { return open_; }
  int kind() const { return kind_; }
  // Subscriptions: topic keys the session wants; `all` sends everything of its kind.
  std::unordered_set<std::string> topics;
  bool all = false;
  bool wants(const std::string& topic) const { return all || topics.count(topic) != 0; }

 private:
  void do_read();
  void do_write();
  void fail();
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::deque<Msg> queue_;
  bool writing_ = false, open_ = false, closed_ = false;
  int kind_;
  OnText on_text_;
  OnClose on_close_;
};

// Reads HTTP requests from one connection; a WebSocket upgrade is handed to `on_upgrade`
// (which takes over the stream), anything else is answered by `handler`.
class HttpFront : public std::enable_shared_from_this<HttpFront> {
 public:
  using Handler = std::function<Response(const Request&)>;
  using OnUpgrade = std::function<void(beast::tcp_stream, Request)>;
  HttpFront(tcp::socket s, Handler h, OnUpgrade u);
  void start();

 private:
  void do_read();
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  Request req_;
  Handler handler_;
  OnUpgrade on_upgrade_;
};

Response make_response(const Request& req, http::status st, std::string body,
                       const char* content_type = "application/json");

// Length-prefixed Protobuf frames over TCP.
class FrameSession : public std::enable_shared_from_this<FrameSession> {
 public:
  using OnFrame = std::function<void(FrameSession&, std::string_view payload)>;
  using OnClose = std::function<void(FrameSession&)>;
  FrameSession(tcp::socket s, int kind);
  void start(OnFrame on_frame, OnClose on_close);
  void send(const Msg& framed);  // already framed (header + payload)
  void close();
  bool open() const { return !closed_; }
  int kind() const { return kind_; }
  uint64_t bad_frames = 0;
  bool needs_snapshot = false;  // account stream: connected while stale, snapshot owed

 private:
  void do_read();
  void do_write();
  void fail();
  tcp::socket socket_;
  std::string inbuf_;
  char chunk_[16384];
  std::deque<Msg> queue_;
  bool writing_ = false, closed_ = false;
  int kind_;
  OnFrame on_frame_;
  OnClose on_close_;
};

// Parses "a=1&b=x" (no percent-decoding beyond '+'; the simulator's keys and values are plain).
std::string query_param(std::string_view target, std::string_view key);
std::string_view target_path(std::string_view target);

}  // namespace liqd::sim::net
