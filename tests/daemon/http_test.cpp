#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>

#include "daemon/admin/auth.hpp"
#include "daemon/http/server.hpp"

namespace liqd {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

const std::string kToken = "s3cret-token-0123456789";

http::Response handler(const http::Request& req, const std::string&) {
  if (req.target() == "/metrics") return http::make_response(req, bhttp::status::ok, "liqd_up 1\n", "text/plain");
  auto auth = req[bhttp::field::authorization];
  if (!admin::bearer_matches(std::string_view(auth.data(), auth.size()), kToken))
    return http::make_response(req, bhttp::status::unauthorized, "{\"error\":\"unauthorized\"}");
  if (req.target() == "/healthz") return http::make_response(req, bhttp::status::ok, "{\"status\":\"ok\"}");
  return http::make_response(req, bhttp::status::not_found, "{\"error\":\"not found\"}");
}

struct Client {
  boost::asio::io_context io;
  beast::tcp_stream stream{io};
  explicit Client(uint16_t port) { stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port)); }
  bhttp::response<bhttp::string_body> get(const std::string& target, const std::string& auth = {}) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    if (!auth.empty()) req.set(bhttp::field::authorization, auth);
    bhttp::write(stream, req);
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buf, res);
    return res;
  }
  std::string raw(const std::string& bytes) {
    beast::error_code ec;
    // The server may answer 400 and close before it has read everything: ignore
    // a broken pipe on write, the answer is what counts.
    boost::asio::write(stream.socket(), boost::asio::buffer(bytes), ec);
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buf, res, ec);
    return ec ? "error: " + ec.message() : std::to_string(res.result_int());
  }
};

TEST(Http, AuthAndRoutesOverLoopback) {
  http::Server srv({"127.0.0.1", 0}, handler);
  ASSERT_EQ(srv.start(), "");
  Client c(srv.port());
  EXPECT_EQ(c.get("/metrics").result_int(), 200);
  EXPECT_EQ(c.get("/healthz").result_int(), 401);
  EXPECT_EQ(c.get("/healthz", "Bearer wrong-token-0123456789").result_int(), 401);
  EXPECT_EQ(c.get("/healthz", "Bearer " + kToken + "x").result_int(), 401);
  EXPECT_EQ(c.get("/healthz", "Basic " + kToken).result_int(), 401);
  auto ok = c.get("/healthz", "Bearer " + kToken);  // same keep-alive connection
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_EQ(ok.body(), "{\"status\":\"ok\"}");
  EXPECT_EQ(c.get("/nope", "Bearer " + kToken).result_int(), 404);
  EXPECT_EQ(srv.requests(), 7u);
}

TEST(Http, MalformedRequestsGet400AndTheServerLives) {
  http::Server srv({"127.0.0.1", 0}, handler);
  ASSERT_EQ(srv.start(), "");
  for (const char* junk : {"GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET /x HTTP/1.1\r\nContent-Length: zz\r\n\r\n",
                           "\x01\x02\x03\r\n\r\n"}) {
    Client c(srv.port());
    EXPECT_EQ(c.raw(junk), "400") << junk;
  }
  {
    Client c(srv.port());  // oversized body
    std::string big = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 200000\r\n\r\n" + std::string(200000, 'a');
    // 400, or a reset when the server's close overtakes its answer (unread body).
    std::string r = c.raw(big);
    EXPECT_TRUE(r == "400" || r.find("reset") != std::string::npos) << r;
  }
  EXPECT_EQ(srv.bad_requests(), 5u);
  Client c(srv.port());
  EXPECT_EQ(c.get("/metrics").result_int(), 200);
}

TEST(Http, RefusesNonLoopback) {
  http::Server srv({"0.0.0.0", 0}, handler);
  EXPECT_NE(srv.start().find("non-loopback"), std::string::npos);
}

TEST(AdminAuth, TokenFileMustBeOwnerOnly) {
  std::string path = ::testing::TempDir() + "/liqd_token";
  std::ofstream(path) << kToken << "\n";
  std::string tok, err;
  ::chmod(path.c_str(), 0644);
  EXPECT_FALSE(admin::load_token_file(path, tok, err));
  EXPECT_NE(err.find("mode 0644"), std::string::npos) << err;
  ::chmod(path.c_str(), 0600);
  EXPECT_TRUE(admin::load_token_file(path, tok, err)) << err;
  EXPECT_EQ(tok, kToken);
  EXPECT_FALSE(admin::load_token_file(path + ".missing", tok, err));
  EXPECT_NE(err.find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace liqd
