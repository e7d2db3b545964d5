// Transports against small servers run by the test on loopback: WsClient
// (reassembly of fragmented and large messages, max size, subscribe on connect,
// pings, idle timeout, reconnect with backoff after the server closes),
// RestClient (closed port, timeout, status, body), FrameClient (frames split across
// reads, oversize frame drops the connection), plus Url and Backoff.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "feeds/transport/backoff.hpp"
#include "feeds/transport/frame_client.hpp"
#include "feeds/transport/rest_client.hpp"
#include "feeds/transport/url.hpp"
#include "feeds/transport/ws_client.hpp"
#include "proto/framing.hpp"
#include "tests/feeds/wait_until.hpp"

using namespace liqd::feeds;
using liqd::feeds::test::wait_until;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr int kWaitMs = 20000;

// Accepts TCP connections one at a time on its own thread and runs `session(n, socket)`
// for the n-th (0-based). Stopping connects once to itself to wake accept().
class TestServer {
 public:
  using Session = std::function<void(int n, tcp::socket& s)>;
  explicit TestServer(Session session) : session_(std::move(session)), acceptor_(io_) {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] {
      for (int n = 0;; ++n) {
        tcp::socket s(io_);
        boost::system::error_code ec;
        acceptor_.accept(s, ec);
        if (ec || stop_.load()) return;
        session_(n, s);
        s.close(ec);
        sessions_.fetch_add(1);
      }
    });
  }
  ~TestServer() {
    stop_.store(true);
    try {
      asio::io_context io;
      tcp::socket poke(io);
      poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    } catch (...) {
    }
    thread_.join();
  }
  uint16_t port() const { return port_; }
  int sessions() const { return sessions_.load(); }

 private:
  Session session_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> sessions_{0};
  std::thread thread_;
};

// Reads (and discards) until the peer goes away: keeps a session open for the client.
void drain(websocket::stream<tcp::socket&>& ws) {
  beast::flat_buffer b;
  boost::system::error_code ec;
  while (!ec) {
    ws.read(b, ec);
    b.consume(b.size());
  }
}

struct Received {
  std::mutex mu;
  std::vector<std::string> msgs;
  std::vector<std::string> disconnects;
  std::atomic<int> connected{0};
  WsCallbacks callbacks() {
    WsCallbacks cb;
    cb.on_message = [this](std::string_view m, int64_t ts) {
      EXPECT_GT(ts, 0);
      std::lock_guard<std::mutex> lk(mu);
      msgs.emplace_back(m);
    };
    cb.on_connected = [this] { connected.fetch_add(1); };
    cb.on_disconnected = [this](std::string_view r) {
      std::lock_guard<std::mutex> lk(mu);
      disconnects.emplace_back(r);
    };
    return cb;
  }
  size_t count() {
    std::lock_guard<std::mutex> lk(mu);
    return msgs.size();
  }
  std::vector<std::string> copy() {
    std::lock_guard<std::mutex> lk(mu);
    return msgs;
  }
};

WsOptions ws_options(uint16_t port) {
  WsOptions o;
  o.url = "ws://127.0.0.1:" + std::to_string(port) + "/stream?x=1";
  o.backoff_initial_ms = 50;
  o.backoff_max_ms = 400;
  o.seed = 3;
  o.ping_interval_ms = 0;
  o.idle_timeout_ms = 0;
  o.tick_ms = 20;
  return o;
}

std::string pattern(size_t n, char seed) {
  std::string s(n, ' ');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (seed + i * 7) % 26);
  return s;
}

uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t p = a.local_endpoint().port();
  a.close();
  return p;
}

}  // namespace

TEST(Url, SplitsSchemesHostsPortsAndTargets) {
  Url u;
  ASSERT_EQ(parse_url("wss://fstream.binance.com/stream?streams=btcusdt@depth", u), "");
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.host, "fstream.binance.com");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.target, "/stream?streams=btcusdt@depth");
  EXPECT_EQ(u.host_header(), "fstream.binance.com");
  ASSERT_EQ(parse_url("http://127.0.0.1:8080", u), "");
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(u.target, "/");
  EXPECT_EQ(u.host_header(), "127.0.0.1:8080");
  ASSERT_EQ(parse_url("ws://[::1]:9/ws", u), "");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.host_header(), "[::1]:9");
  ASSERT_EQ(parse_url("HTTPS://h?q", u), "");
  EXPECT_EQ(u.target, "/?q");
  EXPECT_NE(parse_url("ftp://h/", u), "");
  EXPECT_NE(parse_url("ws://h:0/", u), "");
  EXPECT_NE(parse_url("ws://h:70000/", u), "");
  EXPECT_NE(parse_url("ws://:80/", u), "");
  EXPECT_NE(parse_url("h:80", u), "");
  EXPECT_NE(parse_url("ws://u@h/", u), "");
}

TEST(Backoff, DoublesWithEqualJitterAndIsCapped) {
  Backoff b(100, 1000, 42);
  int64_t base = 100;
  for (int i = 0; i < 12; ++i) {
    const int64_t d = b.next_ms();
    EXPECT_GE(d, base / 2) << i;
    EXPECT_LE(d, base) << i;
    base = std::min<int64_t>(1000, base * 2);
  }
  b.reset();
  const int64_t d = b.next_ms();
  EXPECT_GE(d, 50);
  EXPECT_LE(d, 100);
  // Jitter: two seeds give different sequences.
  Backoff x(1000, 1000, 1), y(1000, 1000, 2);
  bool differ = false;
  for (int i = 0; i < 8; ++i) differ |= x.next_ms() != y.next_ms();
  EXPECT_TRUE(differ);
}

TEST(WsClient, SubscribesAndReassemblesFragmentedAndLargeMessages) {
  const std::string big = pattern(300'000, 1);  // several lws reads (64 KiB rx buffer)
  const std::string frag[3] = {pattern(1000, 2), pattern(70'000, 3), pattern(5, 4)};
  std::mutex mu;
  std::vector<std::string> subs;
  std::string target;
  TestServer server([&](int, tcp::socket& s) {
    websocket::stream<tcp::socket&> ws(s);
    ws.accept();
    beast::flat_buffer b;
    for (int i = 0; i < 2; ++i) {
      ws.read(b);
      std::lock_guard<std::mutex> lk(mu);
      subs.push_back(beast::buffers_to_string(b.data()));
      b.consume(b.size());
    }
    ws.text(true);
    ws.write_some(false, asio::buffer(frag[0]));
    ws.write_some(false, asio::buffer(frag[1]));
    ws.write_some(true, asio::buffer(frag[2]));
    ws.write(asio::buffer(big));
    ws.binary(true);
    ws.write(asio::buffer(std::string("\x01\x02\x00\x03", 4)));
    ws.text(true);
    ws.write(asio::buffer(std::string("{}")));
    drain(ws);
  });
  Received rec;
  WsOptions o = ws_options(server.port());
  o.subscribe = {R"({"method":"SUBSCRIBE","params":["a"],"id":1})", R"({"op":"b"})"};
  WsClient c(o, rec.callbacks());
  ASSERT_EQ(c.start(), "");
  ASSERT_TRUE(wait_until([&] { return rec.count() >= 4; }, kWaitMs));
  auto msgs = rec.copy();
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_EQ(msgs[0], frag[0] + frag[1] + frag[2]);
  EXPECT_EQ(msgs[1], big);
  EXPECT_EQ(msgs[2], std::string("\x01\x02\x00\x03", 4));
  EXPECT_EQ(msgs[3], "{}");
  {
    std::lock_guard<std::mutex> lk(mu);
    EXPECT_EQ(subs, o.subscribe);
  }
  EXPECT_TRUE(c.connected());
  c.stop();
  EXPECT_FALSE(c.connected());
  const TransportCounters& k = c.counters();
  EXPECT_EQ(k.messages.load(), 4u);
  EXPECT_EQ(k.bytes.load(), frag[0].size() + frag[1].size() + frag[2].size() + big.size() + 4 + 2);
  EXPECT_EQ(k.connects.load(), 1u);
  EXPECT_EQ(k.disconnects.load(), 0u);  // stop() is not a disconnect
  EXPECT_EQ(k.sent.load(), 2u);
  EXPECT_EQ(k.errors.load(), 0u);
}

TEST(WsClient, OversizeMessageIsCountedAndDropsTheConnection) {
  TestServer server([&](int n, tcp::socket& s) {
    websocket::stream<tcp::socket&> ws(s);
    ws.accept();
    if (n == 0) ws.write(asio::buffer(pattern(2000, 5)));  // one frame above the limit
    if (n == 1) {                                          // fragments that add up above the limit
      ws.write_some(false, asio::buffer(pattern(600, 6)));
      ws.write_some(true, asio::buffer(pattern(600, 7)));
    }
    if (n >= 2) ws.write(asio::buffer(std::string("small")));
    drain(ws);
  });
  Received rec;
  WsOptions o = ws_options(server.port());
  o.max_message_bytes = 1000;
  WsClient c(o, rec.callbacks());
  ASSERT_EQ(c.start(), "");
  ASSERT_TRUE(wait_until([&] { return rec.count() >= 1; }, kWaitMs));
  c.stop();
  EXPECT_EQ(rec.copy(), std::vector<std::string>{"small"});
  const TransportCounters& k = c.counters();
  EXPECT_EQ(k.oversize.load(), 2u);
  EXPECT_GE(k.errors.load(), 2u);
  EXPECT_EQ(k.connects.load(), 3u);
  EXPECT_EQ(k.disconnects.load(), 2u);
  EXPECT_EQ(k.reconnects.load(), 2u);
  std::lock_guard<std::mutex> lk(rec.mu);
  ASSERT_EQ(rec.disconnects.size(), 2u);
  EXPECT_NE(rec.disconnects[0].find("max_message_bytes"), std::string::npos) << rec.disconnects[0];
}

TEST(WsClient, ReconnectsWithBackoffAfterTheServerCloses) {
  TestServer server([&](int n, tcp::socket& s) {
    websocket::stream<tcp::socket&> ws(s);
    ws.accept();
    ws.write(asio::buffer("m" + std::to_string(n)));
    if (n < 2) {
      boost::system::error_code ec;
      ws.close(websocket::close_reason(websocket::close_code::going_away, "maintenance"), ec);
      drain(ws);
      return;
    }
    drain(ws);
  });
  Received rec;
  WsClient c(ws_options(server.port()), rec.callbacks());
  ASSERT_EQ(c.start(), "");
  ASSERT_TRUE(wait_until([&] { return rec.count() >= 3; }, kWaitMs));
  c.stop();
  EXPECT_EQ(rec.copy(), (std::vector<std::string>{"m0", "m1", "m2"}));
  const TransportCounters& k = c.counters();
  EXPECT_EQ(k.connects.load(), 3u);
  EXPECT_EQ(k.disconnects.load(), 2u);
  EXPECT_EQ(k.reconnects.load(), 2u);
  EXPECT_EQ(rec.connected.load(), 3);
  // Each connection got a message, so the backoff restarted from the initial 50 ms.
  EXPECT_GE(k.last_backoff_ms.load(), 25);
  EXPECT_LE(k.last_backoff_ms.load(), 50);
  std::lock_guard<std::mutex> lk(rec.mu);
  ASSERT_EQ(rec.disconnects.size(), 2u);
  EXPECT_NE(rec.disconnects[0].find("1001"), std::string::npos) << rec.disconnects[0];
  EXPECT_NE(rec.disconnects[0].find("maintenance"), std::string::npos) << rec.disconnects[0];
}

TEST(WsClient, IdleConnectionIsDroppedAndRemade) {
  TestServer server([&](int n, tcp::socket& s) {
    websocket::stream<tcp::socket&> ws(s);
    ws.accept();
    if (n >= 1) ws.write(asio::buffer(std::string("alive")));
    drain(ws);  // the first session never sends anything
  });
  Received rec;
  WsOptions o = ws_options(server.port());
  o.idle_timeout_ms = 200;
  WsClient c(o, rec.callbacks());
  ASSERT_EQ(c.start(), "");
  ASSERT_TRUE(wait_until([&] { return rec.count() >= 1; }, kWaitMs));
  c.stop();
  EXPECT_GE(c.counters().idle_timeouts.load(), 1u);
  EXPECT_GE(c.counters().disconnects.load(), 1u);
  std::lock_guard<std::mutex> lk(rec.mu);
  ASSERT_FALSE(rec.disconnects.empty());
  EXPECT_NE(rec.disconnects[0].find("idle"), std::string::npos) << rec.disconnects[0];
}

TEST(WsClient, SendsPingsAndMessagesFromOtherThreads) {
  std::atomic<int> pings{0};
  std::mutex mu;
  std::vector<std::string> got;
  TestServer server([&](int, tcp::socket& s) {
    websocket::stream<tcp::socket&> ws(s);
    ws.control_callback([&](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::ping) pings.fetch_add(1);
    });
    ws.accept();
    beast::flat_buffer b;
    boost::system::error_code ec;
    for (;;) {
      ws.read(b, ec);
      if (ec) return;
      std::lock_guard<std::mutex> lk(mu);
      got.push_back(beast::buffers_to_string(b.data()));
      b.consume(b.size());
    }
  });
  Received rec;
  WsOptions o = ws_options(server.port());
  o.ping_interval_ms = 50;
  WsClient c(o, rec.callbacks());
  ASSERT_EQ(c.start(), "");
  ASSERT_TRUE(wait_until([&] { return c.connected(); }, kWaitMs));
  c.send("hello");
  std::thread other([&] { c.send("from another thread"); });
  other.join();
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard<std::mutex> lk(mu);
    return got.size() >= 2 && pings.load() >= 3;
  }, kWaitMs));
  c.stop();
  std::lock_guard<std::mutex> lk(mu);
  EXPECT_EQ(got, (std::vector<std::string>{"hello", "from another thread"}));
}

TEST(WsClient, ConnectFailuresAreCountedAndBackedOff) {
  const uint16_t port = closed_port();
  Received rec;
  WsOptions o = ws_options(port);
  o.backoff_initial_ms = 20;
  o.backoff_max_ms = 40;
  WsClient c(o, rec.callbacks());
  ASSERT_EQ(c.start(), "");
  ASSERT_TRUE(wait_until([&] { return c.counters().connect_failures.load() >= 3; }, kWaitMs));
  c.stop();
  EXPECT_EQ(c.counters().connects.load(), 0u);
  EXPECT_GE(c.counters().reconnects.load(), 2u);
  EXPECT_LE(c.counters().last_backoff_ms.load(), 40);
  EXPECT_EQ(rec.connected.load(), 0);
  WsClient bad(WsOptions{}, WsCallbacks{});
  EXPECT_NE(bad.start(), "");  // no URL
}

TEST(RestClient, ErrorsOnAClosedPortAndOnATimeout) {
  RestOptions ro;
  ro.timeout_ms = 300;
  RestClient rest(ro);
  RestResult r = rest.get("http://127.0.0.1:" + std::to_string(closed_port()) + "/fapi/v1/depth?symbol=X");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("connect"), std::string::npos) << r.error;
  // A server that accepts and never answers.
  std::atomic<bool> release{false};
  TestServer mute([&](int, tcp::socket&) { wait_until([&] { return release.load(); }, kWaitMs); });
  r = rest.get("http://127.0.0.1:" + std::to_string(mute.port()) + "/");
  release.store(true);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("timeout"), std::string::npos) << r.error;
  EXPECT_NE(rest.get("ftp://x/").error, "");
  EXPECT_NE(rest.get("ws://127.0.0.1:1/").error, "");
}

TEST(RestClient, ReturnsStatusAndBody) {
  std::mutex mu;
  std::string seen_target, seen_host;
  TestServer server([&](int n, tcp::socket& s) {
    beast::flat_buffer b;
    http::request<http::string_body> req;
    http::read(s, b, req);
    {
      std::lock_guard<std::mutex> lk(mu);
      seen_target = std::string(req.target());
      seen_host = std::string(req[http::field::host]);
    }
    http::response<http::string_body> res{n == 0 ? http::status::ok : http::status::too_many_requests, 11};
    res.body() = n == 0 ? R"({"lastUpdateId":1,"bids":[],"asks":[]})" : R"({"code":-1003})";
    res.prepare_payload();
    http::write(s, res);
  });
  RestClient rest;
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  RestResult r = rest.get(base + "/fapi/v1/depth?symbol=BTCUSDT&limit=1000");
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"lastUpdateId":1,"bids":[],"asks":[]})");
  {
    std::lock_guard<std::mutex> lk(mu);
    EXPECT_EQ(seen_target, "/fapi/v1/depth?symbol=BTCUSDT&limit=1000");
    EXPECT_EQ(seen_host, "127.0.0.1:" + std::to_string(server.port()));
  }
  r = rest.get(base + "/x");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, R"({"code":-1003})");
}

TEST(FrameClient, DeliversFramesSplitAcrossReadsAndDropsOnOversize) {
  std::vector<std::string> payloads = {"", "a", pattern(5000, 8), pattern(100, 9)};
  TestServer server([&](int n, tcp::socket& s) {
    boost::system::error_code ec;
    if (n == 0) {
      std::string all;
      for (auto& p : payloads) liqd::proto_framing::append_frame(all, p);
      // Byte by byte for the first 30 bytes, then the rest at once.
      for (size_t i = 0; i < 30; ++i) {
        asio::write(s, asio::buffer(all.data() + i, 1), ec);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      asio::write(s, asio::buffer(all.data() + 30, all.size() - 30), ec);
      // Then a frame header above the client's limit: the client must drop us.
      const unsigned char big[4] = {0x00, 0x00, 0x10, 0x00};  // 1 MiB
      asio::write(s, asio::buffer(big, 4), ec);
    } else {
      std::string one;
      liqd::proto_framing::append_frame(one, "again");
      asio::write(s, asio::buffer(one), ec);
    }
    char sink[256];
    while (!ec) s.read_some(asio::buffer(sink), ec);  // until the client closes
  });
  std::mutex mu;
  std::vector<std::string> got;
  std::vector<std::string> reasons;
  FrameOptions fo;
  fo.port = server.port();
  fo.max_frame_bytes = 64 * 1024;
  fo.read_bytes = 4096;
  fo.backoff_initial_ms = 50;
  fo.seed = 5;
  FrameCallbacks cb;
  cb.on_frame = [&](std::string_view p, int64_t) {
    std::lock_guard<std::mutex> lk(mu);
    got.emplace_back(p);
  };
  cb.on_disconnected = [&](std::string_view r) {
    std::lock_guard<std::mutex> lk(mu);
    reasons.emplace_back(r);
  };
  FrameClient c(fo, cb);
  ASSERT_EQ(c.start(), "");
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard<std::mutex> lk(mu);
    return got.size() >= 5;
  }, kWaitMs));
  c.stop();
  std::vector<std::string> want = payloads;
  want.push_back("again");
  std::lock_guard<std::mutex> lk(mu);
  EXPECT_EQ(got, want);
  EXPECT_EQ(c.counters().oversize.load(), 1u);
  EXPECT_EQ(c.counters().connects.load(), 2u);
  EXPECT_EQ(c.counters().disconnects.load(), 1u);
  EXPECT_EQ(c.counters().messages.load(), 5u);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("max_frame_bytes"), std::string::npos) << reasons[0];
}

TEST(FrameClient, ConnectFailuresBackOffAndStopIsPrompt) {
  FrameOptions fo;
  fo.port = closed_port();
  fo.backoff_initial_ms = 20;
  fo.backoff_max_ms = 60;
  FrameClient c(fo, FrameCallbacks{});
  ASSERT_EQ(c.start(), "");
  ASSERT_TRUE(wait_until([&] { return c.counters().connect_failures.load() >= 3; }, kWaitMs));
  c.stop();
  EXPECT_EQ(c.counters().connects.load(), 0u);
  EXPECT_LE(c.counters().last_backoff_ms.load(), 60);
  FrameClient bad(FrameOptions{}, FrameCallbacks{});
  EXPECT_NE(bad.start(), "");  // port 0
}
