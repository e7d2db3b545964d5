#include "daemon/http/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>

namespace liqd::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Response make_response(const Request& req, bhttp::status status, std::string body, const char* content_type) {
  Response res{status, req.version()};
  res.set(bhttp::field::server, "liqd");
  res.set(bhttp::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// One connection: read a request, answer it, repeat while keep-alive.
struct Server::Session : std::enable_shared_from_this<Server::Session> {
  Session(tcp::socket s, Server& srv) : stream(std::move(s)), server(srv) {}

  void read() {
    parser.emplace();
    parser->body_limit(server.opts_.max_body_bytes);
    parser->header_limit(16 * 1024);
    stream.expires_after(std::chrono::seconds(server.opts_.idle_timeout_s));
    bhttp::async_read(stream, buffer, *parser,
                      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    if (ec) {
      // Malformed request: 400 and close; never a crash.
      server.bad_requests_.fetch_add(1, std::memory_order_relaxed);
      Request dummy;
      dummy.version(11);
      dummy.keep_alive(false);
      send(make_response(dummy, bhttp::status::bad_request, "{\"error\":\"malformed request: " + ec.message() + "\"}"));
      return;
    }
    server.requests_.fetch_add(1, std::memory_order_relaxed);
    Request req = parser->release();
    std::string peer;
    beast::error_code pec;
    auto ep = stream.socket().remote_endpoint(pec);
    if (!pec) peer = ep.address().to_string() + ":" + std::to_string(ep.port());
    Response res;
    try {
      res = server.handler_(req, peer);
    } catch (const std::exception& e) {
      res = make_response(req, bhttp::status::internal_server_error, std::string("{\"error\":\"") + e.what() + "\"}");
    }
    send(std::move(res));
  }

  void send(Response res) {
    auto sp = std::make_shared<Response>(std::move(res));
    bool close = !sp->keep_alive();
    bhttp::async_write(stream, *sp, [self = shared_from_this(), sp, close](beast::error_code ec, size_t) {
      if (ec || close) {
        beast::error_code ignored;
        self->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      self->read();
    });
  }

  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
  Server& server;
};

Server::Server(ServerOptions opts, Handler handler) : opts_(std::move(opts)), handler_(std::move(handler)) {}

Server::~Server() { stop(); }

std::string Server::start() {
  beast::error_code ec;
  auto addr = asio::ip::make_address(opts_.address, ec);
  if (ec) return "http: bad listen address '" + opts_.address + "': " + ec.message();
  if (!addr.is_loopback()) return "http: refusing to listen on non-loopback address " + opts_.address;
  tcp::endpoint ep(addr, opts_.port);
  acceptor_ = std::make_unique<tcp::acceptor>(io_);
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return "http: cannot listen on " + opts_.address + ":" + std::to_string(opts_.port) + ": " + ec.message();
  port_ = acceptor_->local_endpoint().port();
  accept();
  thread_ = std::thread([this] { io_.run(); });
  return {};
}

void Server::accept() {
  acceptor_->async_accept([this](beast::error_code ec, tcp::socket s) {
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
    } else {
      std::make_shared<Session>(std::move(s), *this)->read();
    }
    accept();
  });
}

void Server::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    beast::error_code ec;
    if (acceptor_) acceptor_->close(ec);
  });
  io_.stop();
  thread_.join();
}

}  // namespace liqd::http
