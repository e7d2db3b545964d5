#include "sim/net/sessions.hpp"

#include <boost/asio/write.hpp>
#include <chrono>

#include "proto/framing.hpp"

namespace liqd::sim::net {

// ---- WebSocket ------------------------------------------------------------

WsSession::WsSession(beast::tcp_stream stream, int kind) : ws_(std::move(stream)), kind_(kind) {}

void WsSession::start(Request req, OnText on_text, OnClose on_close) {
  on_text_ = std::move(on_text);
  on_close_ = std::move(on_close);
  beast::get_lowest_layer(ws_).expires_never();
  // Handshake bounded; no idle timeout: a paused simulator sends nothing for as long as
  // a test likes, and market-data clients rarely send anything themselves.
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(30);
  t.idle_timeout = websocket::stream_base::none();
  t.keep_alive_pings = false;
  ws_.set_option(t);
  ws_.text(true);
  auto self = shared_from_this();
  auto r = std::make_shared<Request>(std::move(req));
  ws_.async_accept(*r, [self, r](beast::error_code ec) {
    if (ec) return self->fail();
    self->open_ = true;
    self->do_read();
    if (!self->queue_.empty()) self->do_write();
  });
}

void WsSession::do_read() {
  auto self = shared_from_this();
  ws_.async_read(buf_, [self](beast::error_code ec, size_t) {
    if (ec) return self->fail();
    auto data = self->buf_.data();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    if (self->on_text_) self->on_text_(*self, text);
    self->buf_.consume(self->buf_.size());
    if (!self->closed_) self->do_read();
  });
}

void WsSession::send(const Msg& m) {
  if (closed_) return;
  if (queue_.size() >= kMaxQueuedMessages) return fail();
  queue_.push_back(m);
  if (open_ && !writing_) do_write();
}

void WsSession::do_write() {
  writing_ = true;
  auto self = shared_from_this();
  ws_.async_write(boost::asio::buffer(*queue_.front()), [self](beast::error_code ec, size_t) {
    self->writing_ = false;
    if (ec) return self->fail();
    self->queue_.pop_front();
    if (!self->queue_.empty() && !self->closed_) self->do_write();
  });
}

void WsSession::close() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(ws_).socket().close(ec);
}

void WsSession::fail() {
  if (closed_ && !on_close_) return;
  close();
  if (auto cb = std::move(on_close_)) {
    on_close_ = nullptr;
    cb(*this);
  }
}

// ---- HTTP front ---------------------------------------------------------------

HttpFront::HttpFront(tcp::socket s, Handler h, OnUpgrade u)
    : stream_(std::move(s)), handler_(std::move(h)), on_upgrade_(std::move(u)) {}

void HttpFront::start() { do_read(); }

void HttpFront::do_read() {
  req_ = {};
  stream_.expires_after(std::chrono::seconds(30));
  auto self = shared_from_this();
  http::async_read(stream_, buf_, req_, [self](beast::error_code ec, size_t) {
    if (ec) {
      beast::error_code ig;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ig);
      return;
    }
    if (websocket::is_upgrade(self->req_)) {
      if (self->on_upgrade_) return self->on_upgrade_(std::move(self->stream_), std::move(self->req_));
      auto res = std::make_shared<Response>(make_response(self->req_, http::status::bad_request, "{\"error\":\"no websocket here\"}"));
      return http::async_write(self->stream_, *res, [self, res](beast::error_code, size_t) {});
    }
    auto res = std::make_shared<Response>(self->handler_(self->req_));
    const bool keep = res->keep_alive();
    http::async_write(self->stream_, *res, [self, res, keep](beast::error_code wec, size_t) {
      if (wec || !keep) {
        beast::error_code ig;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ig);
        return;
      }
      self->do_read();
    });
  });
}

Response make_response(const Request& req, http::status st, std::string body, const char* content_type) {
  Response res{st, req.version()};
  res.set(http::field::server, "liqd-sim");
  res.set(http::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// ---- Protobuf frames ------------------------------------------------------------

FrameSession::FrameSession(tcp::socket s, int kind) : socket_(std::move(s)), kind_(kind) {
  boost::system::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
}

void FrameSession::start(OnFrame on_frame, OnClose on_close) {
  on_frame_ = std::move(on_frame);
  on_close_ = std::move(on_close);
  do_read();
  if (!queue_.empty() && !writing_) do_write();
}

void FrameSession::do_read() {
  auto self = shared_from_this();
  socket_.async_read_some(boost::asio::buffer(chunk_), [self](boost::system::error_code ec, size_t n) {
    if (ec) return self->fail();
    self->inbuf_.append(self->chunk_, n);
    size_t off = 0;
    for (;;) {
      std::string_view payload;
      size_t used = 0;
      auto st = liqd::proto_framing::next_frame(std::string_view(self->inbuf_).substr(off), payload, used);
      if (st == liqd::proto_framing::FrameStatus::NeedMore) break;
      if (st == liqd::proto_framing::FrameStatus::TooLarge) {
        ++self->bad_frames;
        return self->fail();  // a length we cannot trust: the stream is out of step
      }
      if (self->on_frame_) self->on_frame_(*self, payload);
      off += used;
      if (self->closed_) return;
    }
    self->inbuf_.erase(0, off);
    self->do_read();
  });
}

void FrameSession::send(const Msg& framed) {
  if (closed_) return;
  if (queue_.size() >= kMaxQueuedMessages) return fail();
  queue_.push_back(framed);
  if (!writing_ && on_close_) do_write();
}

void FrameSession::do_write() {
  writing_ = true;
  auto self = shared_from_this();
  boost::asio::async_write(socket_, boost::asio::buffer(*queue_.front()), [self](boost::system::error_code ec, size_t) {
    self->writing_ = false;
    if (ec) return self->fail();
    self->queue_.pop_front();
    if (!self->queue_.empty() && !self->closed_) self->do_write();
  });
}

void FrameSession::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

void FrameSession::fail() {
  close();
  if (auto cb = std::move(on_close_)) {
    on_close_ = nullptr;
    cb(*this);
  }
}

// ---- query strings ---------------------------------------------------------------

std::string_view target_path(std::string_view target) { return target.substr(0, target.find('?')); }

std::string query_param(std::string_view target, std::string_view key) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view qs = target.substr(q + 1);
  while (!qs.empty()) {
    size_t amp = qs.find('&');
    std::string_view kv = qs.substr(0, amp);
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == key) {
      std::string v(eq == std::string_view::npos ? std::string_view{} : kv.substr(eq + 1));
      for (char& c : v)
        if (c == '+') c = ' ';
      return v;
    }
    if (amp == std::string_view::npos) break;
    qs = qs.substr(amp + 1);
  }
  return {};
}

}  // namespace liqd::sim::net
