#pragma once
// Loopback clients for the simulator tests: a WebSocket reader on its own thread
// (collects every text message), a blocking HTTP request, and a framed-Protobuf TCP
// client. Every wait is bounded.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "proto/framing.hpp"

namespace liqd::sim::test {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using namespace std::chrono_literals;

inline constexpr auto kWait = 20s;  // generous: 2 shared cores

class WsClient {
 public:
  // `first` is sent right after the handshake, before the reader thread starts (a
  // synchronous Beast stream must not be read and written from two threads).
  WsClient(uint16_t port, const std::string& target, const std::vector<std::string>& first = {}) : ws_(io_) {
    ws_.next_layer().connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    ws_.handshake("127.0.0.1:" + std::to_string(port), target);
    for (auto& m : first) ws_.write(boost::asio::buffer(m));
    reader_ = std::thread([this] {
      beast::flat_buffer buf;
      for (;;) {
        beast::error_code ec;
        ws_.read(buf, ec);
        if (ec) break;
        std::string s = beast::buffers_to_string(buf.data());
        buf.consume(buf.size());
        std::lock_guard<std::mutex> lk(mu_);
        msgs_.push_back(std::move(s));
        cv_.notify_all();
      }
      std::lock_guard<std::mutex> lk(mu_);
      closed_ = true;
      cv_.notify_all();
    });
  }
  // shutdown() wakes the reader's blocking read without touching the socket object's
  // state; close() only after the reader has gone.
  ~WsClient() {
    beast::error_code ec;
    ws_.next_layer().shutdown(tcp::socket::shutdown_both, ec);
    if (reader_.joinable()) reader_.join();
    ws_.next_layer().close(ec);
  }
  // Waits (bounded) until `pred(messages)` holds; returns a copy of the messages.
  std::vector<std::string> wait(const std::function<bool(const std::vector<std::string>&)>& pred) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait_for(lk, kWait, [&] { return pred(msgs_) || closed_; });
    return msgs_;
  }
  std::vector<std::string> wait_count(size_t n, const std::string& containing = {}) {
    return wait([&](const std::vector<std::string>& v) { return count(v, containing) >= n; });
  }
  static size_t count(const std::vector<std::string>& v, const std::string& containing) {
    size_t c = 0;
    for (auto& s : v) c += containing.empty() || s.find(containing) != std::string::npos;
    return c;
  }
  std::vector<std::string> messages() {
    std::lock_guard<std::mutex> lk(mu_);
    return msgs_;
  }

 private:
  boost::asio::io_context io_;
  websocket::stream<tcp::socket> ws_;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> msgs_;
  bool closed_ = false;
};

inline std::pair<int, std::string> http_request(uint16_t port, http::verb verb, const std::string& target,
                                                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  boost::asio::io_context io;
  beast::tcp_stream s(io);
  s.expires_after(kWait);
  s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.prepare_payload();
  http::write(s, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  beast::error_code ec;
  s.socket().shutdown(tcp::socket::shutdown_both, ec);
  return {static_cast<int>(res.result_int()), res.body()};
}

// Framed Protobuf over TCP: reads on its own thread, parses every frame into T.
template <class T>
class FrameClient {
 public:
  explicit FrameClient(uint16_t port) : sock_(io_) {
    sock_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    reader_ = std::thread([this] {
      std::string in;
      char chunk[65536];
      for (;;) {
        boost::system::error_code ec;
        size_t n = sock_.read_some(boost::asio::buffer(chunk), ec);
        if (ec) break;
        in.append(chunk, n);
        size_t off = 0;
        std::vector<T> got;
        for (;;) {
          std::string_view payload;
          size_t used = 0;
          if (liqd::proto_framing::next_frame(std::string_view(in).substr(off), payload, used) !=
              liqd::proto_framing::FrameStatus::Complete)
            break;
          T m;
          if (!m.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) ++bad_;
          got.push_back(std::move(m));
          off += used;
        }
        in.erase(0, off);
        std::lock_guard<std::mutex> lk(mu_);
        for (auto& m : got) msgs_.push_back(std::move(m));
        cv_.notify_all();
      }
      std::lock_guard<std::mutex> lk(mu_);
      closed_ = true;
      cv_.notify_all();
    });
  }
  ~FrameClient() {
    boost::system::error_code ec;
    sock_.shutdown(tcp::socket::shutdown_both, ec);
    if (reader_.joinable()) reader_.join();
    sock_.close(ec);
  }
  template <class M>
  void send(const M& m) {
    std::string payload, out;
    m.SerializeToString(&payload);
    liqd::proto_framing::append_frame(out, payload);
    boost::asio::write(sock_, boost::asio::buffer(out));
  }
  void send_raw(const std::string& bytes) { boost::asio::write(sock_, boost::asio::buffer(bytes)); }
  std::vector<T> wait(const std::function<bool(const std::vector<T>&)>& pred) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait_for(lk, kWait, [&] { return pred(msgs_) || closed_; });
    return msgs_;
  }
  std::vector<T> wait_count(size_t n) {
    return wait([&](const std::vector<T>& v) { return v.size() >= n; });
  }
  int bad() const { return bad_.load(); }

 private:
  boost::asio::io_context io_;
  tcp::socket sock_;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<T> msgs_;
  bool closed_ = false;
  std::atomic<int> bad_{0};
};

}  // namespace liqd::sim::test
