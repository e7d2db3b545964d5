#include "feeds/transport/rest_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <chrono>
#include <optional>

#include "feeds/transport/url.hpp"

namespace liqd::feeds {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// One request as a chain of async steps on a private io_context; the deadline
// timer closes the socket (or cancels the resolve) when time is up, which makes
// the pending step fail with operation_aborted.
template <class Stream>
struct Request {
  Request(asio::io_context& i, Stream& st, tcp::socket& so, const Url& u, const RestOptions& o, RestResult& r,
          http::request<http::string_body> rq)
      : io(i), stream(st), socket(so), url(u), opts(o), result(r), req(std::move(rq)) {}
  asio::io_context& io;
  Stream& stream;
  tcp::socket& socket;      // the lowest layer, closed on deadline
  const Url& url;
  const RestOptions& opts;
  RestResult& result;
  tcp::resolver resolver{io};
  asio::steady_timer deadline{io};
  http::request<http::string_body> req;  // method, body and credentials set by the caller
  beast::flat_buffer buf;
  std::optional<http::response_parser<http::string_body>> parser;
  bool timed_out = false;
  bool done = false;

  void fail(const char* step, const beast::error_code& ec) {
    if (done) return;
    done = true;
    result.status = 0;
    result.body.clear();
    result.error = timed_out ? std::string("timeout after ") + std::to_string(opts.timeout_ms) + " ms during " + step
                             : std::string(step) + ": " + ec.message();
    deadline.cancel();
  }

  void start() {
    deadline.expires_after(std::chrono::milliseconds(opts.timeout_ms));
    deadline.async_wait([this](const beast::error_code& ec) {
      if (ec || done) return;
      timed_out = true;
      resolver.cancel();
      beast::error_code ignored;
      socket.close(ignored);
    });
    req.target(url.target);
    req.version(11);
    req.set(http::field::host, url.host_header());
    req.set(http::field::user_agent, opts.user_agent);
    req.set(http::field::accept, "application/json");
    req.set(http::field::connection, "close");
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [this](const beast::error_code& ec, const tcp::resolver::results_type& eps) {
                             if (ec || timed_out) return fail("resolve", ec);
                             asio::async_connect(socket, eps, [this](const beast::error_code& ec2, const tcp::endpoint&) {
                               if (ec2 || timed_out) return fail("connect", ec2);
                               on_connected();
                             });
                           });
  }

  void on_connected();

  void write() {
    http::async_write(stream, req, [this](const beast::error_code& ec, size_t) {
      if (ec) return fail("write", ec);
      parser.emplace();
      parser->body_limit(opts.max_body_bytes);
      http::async_read(stream, buf, *parser, [this](const beast::error_code& ec2, size_t) {
        if (ec2) return fail("read", ec2);
        done = true;
        auto res = parser->release();
        result.status = static_cast<int>(res.result_int());
        result.body = std::move(res.body());
        result.error.clear();
        deadline.cancel();
        beast::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
      });
    });
  }
};

template <>
void Request<tcp::socket>::on_connected() {
  write();
}

template <>
void Request<asio::ssl::stream<tcp::socket>>::on_connected() {
  // SNI: many servers (CDNs) pick the certificate by it.
  // (SSL_set_tlsext_host_name is a macro with a C cast.)
  if (!SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                const_cast<char*>(url.host.c_str()))) {
    return fail("tls sni", beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
  }
  stream.async_handshake(asio::ssl::stream_base::client, [this](const beast::error_code& ec) {
    if (ec) return fail("tls handshake", ec);
    write();
  });
}

}  // namespace

RestResult RestClient::get(std::string_view text) const { return request("GET", text); }

RestResult RestClient::request(std::string_view method, std::string_view text, std::string_view body,
                               std::string_view bearer) const {
  RestResult result;
  http::request<http::string_body> req;
  const http::verb verb = http::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == http::verb::unknown) {
    result.error = "method: '" + std::string(method) + "' is not an HTTP method";
    return result;
  }
  req.method(verb);
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + std::string(bearer));
  if (!body.empty() || verb == http::verb::post) {
    req.body() = std::string(body);
    req.prepare_payload();
  }
  Url url;
  if (std::string err = parse_url(text, url); !err.empty()) {
    result.error = err;
    return result;
  }
  if (url.scheme != "http" && url.scheme != "https") {
    result.error = "url: REST needs http:// or https://";
    return result;
  }
  try {
    asio::io_context io;
    if (!url.tls) {
      tcp::socket sock(io);
      Request<tcp::socket> r(io, sock, sock, url, opts_, result, std::move(req));
      r.start();
      io.run();
      return result;
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    if (opts_.verify_peer) {
      ctx.set_default_verify_paths();
      if (!opts_.ca_file.empty()) ctx.load_verify_file(opts_.ca_file);
      ctx.set_verify_mode(asio::ssl::verify_peer);
      ctx.set_verify_callback(asio::ssl::host_name_verification(url.host));
    } else {
      ctx.set_verify_mode(asio::ssl::verify_none);
    }
    asio::ssl::stream<tcp::socket> stream(io, ctx);
    Request<asio::ssl::stream<tcp::socket>> r(io, stream, stream.next_layer(), url, opts_, result, std::move(req));
    r.start();
    io.run();
  } catch (const std::exception& e) {  // e.g. an unreadable CA file
    result.status = 0;
    result.body.clear();
    result.error = std::string("request setup: ") + e.what();
  }
  return result;
}

}  // namespace liqd::feeds
