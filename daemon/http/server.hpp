#pragma once
// The HTTP thread: one Boost.Asio io_context serving /metrics and the admin API
// with Boost.Beast, on loopback. The handler runs on this thread and must never
// touch core state directly: it reads published snapshots (seqlocks, atomics) or
// sends a request to the core over a ring and waits for the answer.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace liqd::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Handler = std::function<Response(const Request&, const std::string& peer)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;                 // 0: pick a free port (tests)
  size_t max_body_bytes = 64 * 1024;
  int idle_timeout_s = 30;
};

class Server {
 public:
  Server(ServerOptions opts, Handler handler);
  ~Server();
  // Binds and starts the HTTP thread. Returns an error string, empty on success.
  std::string start();
  void stop();
  uint16_t port() const { return port_.load(); }
  uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  uint64_t bad_requests() const { return bad_requests_.load(std::memory_order_relaxed); }

 private:
  struct Session;
  void accept();

  ServerOptions opts_;
  Handler handler_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::thread thread_;
  std::atomic<uint16_t> port_{0};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> bad_requests_{0};
};

Response make_response(const Request& req, boost::beast::http::status status, std::string body,
                       const char* content_type = "application/json");

}  // namespace liqd::http
