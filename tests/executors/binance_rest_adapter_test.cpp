// Binance-compatible REST adapter against a loopback Boost.Beast HTTP server:
// signed requests, idempotent client ids, 429/418 back-off, timeouts, answers
// turned into tracker updates.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "executors/adapters/binance/rest_adapter.hpp"
#include "executors/adapters/binance/signer.hpp"
#include "executors/orders/order_tracker.hpp"

namespace liqd::exec {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

constexpr const char* kKey = "test-api-key-123";
constexpr const char* kSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

struct Seen {
  std::string method, path, query, api_key;
  std::map<std::string, std::string> params;
  bool signature_ok = false;
};

using Reply = std::optional<std::pair<unsigned, std::pair<std::string, std::string>>>;  // status, (retry-after, body)

class LoopbackHttp {
 public:
  explicit LoopbackHttp(asio::io_context& io) : io_(io), acc_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) { accept(); }
  uint16_t port() const { return acc_.local_endpoint().port(); }
  std::function<Reply(const Seen&)> handler;
  std::vector<Seen> seen;

 private:
  struct Conn {
    explicit Conn(asio::io_context& io) : sock(io) {}
    tcp::socket sock;
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
  };
  void accept() {
    auto c = std::make_shared<Conn>(io_);
    acc_.async_accept(c->sock, [this, c](const boost::system::error_code& e) {
      if (e) return;
      http::async_read(c->sock, c->buf, c->req, [this, c](const boost::system::error_code& e2, size_t) {
        if (e2) return;
        Seen s;
        s.method = std::string(c->req.method_string());
        std::string target(c->req.target());
        size_t qm = target.find('?');
        s.path = target.substr(0, qm);
        s.query = qm == std::string::npos ? "" : target.substr(qm + 1);
        s.api_key = std::string(c->req["X-MBX-APIKEY"]);
        size_t sig = s.query.rfind("&signature=");
        if (sig != std::string::npos)
          s.signature_ok = binance::hmac_sha256_hex(kSecret, s.query.substr(0, sig)) == s.query.substr(sig + 11);
        size_t pos = 0;
        while (pos < s.query.size()) {
          size_t amp = s.query.find('&', pos);
          std::string kv = s.query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
          size_t eq = kv.find('=');
          s.params[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
          if (amp == std::string::npos) break;
          pos = amp + 1;
        }
        seen.push_back(s);
        Reply r = handler(s);
        if (!r) { held_.push_back(c); return; }   // never answer: the client must time out
        c->res.result(r->first);
        c->res.version(11);
        if (!r->second.first.empty()) c->res.set("Retry-After", r->second.first);
        c->res.body() = r->second.second;
        c->res.prepare_payload();
        c->res.keep_alive(false);
        http::async_write(c->sock, c->res, [c](const boost::system::error_code&, size_t) {
          boost::system::error_code ignore;
          c->sock.shutdown(tcp::socket::shutdown_both, ignore);
        });
      });
      accept();
    });
  }
  asio::io_context& io_;
  tcp::acceptor acc_;
  std::vector<std::shared_ptr<Conn>> held_;
};

struct Fixture : TrackerOutput, UpdateSink {
  asio::io_context server_io;
  LoopbackHttp server{server_io};
  int64_t now = 1'499'827'319'559;
  std::unique_ptr<BinanceRestAdapter> rest;
  std::unique_ptr<OrderTracker> tracker;
  std::vector<FillReport> fills;
  std::vector<VenueUpdate> updates;

  explicit Fixture(int64_t timeout_ms = 2'000) {
    BinanceRestConfig cfg;
    cfg.host = "127.0.0.1";
    cfg.port = server.port();
    cfg.symbol = "BTCUSDT";
    cfg.scale = Scale{2, 3, 6};
    cfg.request_timeout_ms = timeout_ms;
    cfg.clock = [this] { return now; };
    rest = std::make_unique<BinanceRestAdapter>(cfg, Secret(kKey), Secret(kSecret));
    tracker = std::make_unique<OrderTracker>(TrackerConfig{}, *this);
  }
  void send_new(const OrderRequest& r) override { rest->send_new(r); }
  void send_cancel(const ClientOrderId& id) override { rest->send_cancel(id); }
  void send_query(const ClientOrderId& id) override { rest->send_query(id); }
  void fill(const FillReport& f) override { fills.push_back(f); }
  void reroute(const OrderRequest&, Qty) override {}
  void on_update(const VenueUpdate& u) override { updates.push_back(u); tracker->on_update(u, now); }

  // Pump both sides until done() or a generous safety bound (not a timing assertion).
  void pump(const std::function<bool()>& done, int seconds = 10) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!done() && std::chrono::steady_clock::now() < until) {
      server_io.poll();
      server_io.restart();
      rest->poll(*this);
    }
  }
};

OrderRequest order(uint16_t chunk) {
  OrderRequest r;
  r.key = OrderKey{77, 1, 4242, chunk};
  r.id = make_client_order_id(r.key);
  r.side = Side::Sell;
  r.qty = Qty(150);       // 0.150 BTC (qty_dp 3)
  r.limit = Price(3000000);  // 30000.00
  return r;
}

std::string answer(const std::string& id, const char* status, const char* executed, const char* avg) {
  return std::string("{\"orderId\":22542179,\"symbol\":\"BTCUSDT\",\"status\":\"") + status + "\",\"clientOrderId\":\"" + id +
         "\",\"price\":\"30000.00\",\"avgPrice\":\"" + avg + "\",\"origQty\":\"0.150\",\"executedQty\":\"" + executed +
         "\",\"cumQuote\":\"0\",\"timeInForce\":\"IOC\",\"type\":\"LIMIT\",\"reduceOnly\":true,\"side\":\"SELL\",\"updateTime\":1499827319559}";
}

TEST(BinanceRest, SignedOrderFilledOnce) {
  Fixture f;
  auto r = order(0);
  f.server.handler = [&](const Seen& s) -> Reply {
    if (s.method == "POST") return Reply{{200, {"", answer(std::string(r.id.view()), "FILLED", "0.150", "30010.00")}}};
    return Reply{{200, {"", answer(std::string(r.id.view()), "FILLED", "0.150", "30010.00")}}};
  };
  ASSERT_EQ(f.tracker->submit(r, f.now), SubmitResult::Sent);
  f.pump([&] { return f.tracker->find(r.id)->state == OrderState::Filled; });
  ASSERT_EQ(f.tracker->find(r.id)->state, OrderState::Filled);
  ASSERT_EQ(f.server.seen.size(), 1u);
  const Seen& s = f.server.seen[0];
  EXPECT_EQ(s.method, "POST");
  EXPECT_EQ(s.path, "/fapi/v1/order");
  EXPECT_EQ(s.api_key, kKey);
  EXPECT_TRUE(s.signature_ok) << s.query;
  EXPECT_EQ(s.params.at("symbol"), "BTCUSDT");
  EXPECT_EQ(s.params.at("side"), "SELL");
  EXPECT_EQ(s.params.at("type"), "LIMIT");
  EXPECT_EQ(s.params.at("timeInForce"), "IOC");
  EXPECT_EQ(s.params.at("quantity"), "0.15");
  EXPECT_EQ(s.params.at("price"), "30000");
  EXPECT_EQ(s.params.at("reduceOnly"), "true");
  EXPECT_EQ(s.params.at("newClientOrderId"), std::string(r.id.view()));
  EXPECT_EQ(s.params.at("recvWindow"), "5000");
  EXPECT_EQ(s.params.at("timestamp"), "1499827319559");
  EXPECT_EQ(s.query.find(kSecret), std::string::npos);   // the secret never travels
  ASSERT_EQ(f.fills.size(), 1u);
  EXPECT_EQ(f.fills[0].qty, Qty(150));
  EXPECT_EQ(f.fills[0].price, Price(3001000));
  // Asking again returns the same cumulative answer: no second fill.
  f.rest->send_query(r.id);
  f.pump([&] { return f.server.seen.size() == 2 && f.rest->queued() == 0 && f.updates.size() >= 3; });
  EXPECT_EQ(f.updates.size(), 3u);   // fill + filled, then filled again without a fill
  EXPECT_EQ(f.fills.size(), 1u);
  EXPECT_EQ(f.server.seen[1].method, "GET");
  EXPECT_EQ(f.server.seen[1].params.at("origClientOrderId"), std::string(r.id.view()));
}

TEST(BinanceRest, BacksOffOn429And418ThenRetriesSameId) {
  Fixture f;
  auto r = order(1);
  int calls = 0;
  f.server.handler = [&](const Seen&) -> Reply {
    ++calls;
    if (calls == 1) return Reply{{429, {"2", "{\"code\":-1003,\"msg\":\"Too many requests\"}"}}};
    if (calls == 2) return Reply{{418, {"", "{\"code\":-1003,\"msg\":\"banned\"}"}}};
    return Reply{{200, {"", answer(std::string(r.id.view()), "NEW", "0", "0.00")}}};
  };
  f.tracker->submit(r, f.now);
  f.pump([&] { return f.rest->counters().rate_limited == 1; });
  EXPECT_EQ(f.rest->blocked_until_ms(), f.now + 2'000);   // Retry-After: 2
  // Nothing is sent while blocked.
  for (int i = 0; i < 200; ++i) { f.server_io.poll(); f.server_io.restart(); f.rest->poll(f); }
  EXPECT_EQ(f.server.seen.size(), 1u);
  f.now += 2'000;
  f.pump([&] { return f.rest->counters().banned == 1; });
  EXPECT_EQ(f.server.seen.size(), 2u);
  EXPECT_EQ(f.rest->blocked_until_ms(), f.now + 120'000);  // 418 without Retry-After: default
  f.now += 120'000;
  f.pump([&] { return f.tracker->find(r.id)->state == OrderState::Acknowledged; });
  EXPECT_EQ(f.tracker->find(r.id)->state, OrderState::Acknowledged);
  ASSERT_EQ(f.server.seen.size(), 3u);
  for (const Seen& s : f.server.seen) {
    EXPECT_EQ(s.params.at("newClientOrderId"), std::string(r.id.view()));
    EXPECT_TRUE(s.signature_ok);
  }
  EXPECT_EQ(f.server.seen[2].params.at("timestamp"), std::to_string(f.now));   // re-signed with a fresh timestamp
}

TEST(BinanceRest, TimeoutLeavesStateUnknownForTheTracker) {
  Fixture f(100);
  auto r = order(2);
  f.server.handler = [&](const Seen&) -> Reply { return std::nullopt; };
  f.tracker->submit(r, f.now);
  f.pump([&] { return f.rest->counters().timeouts == 1; });
  EXPECT_EQ(f.rest->counters().timeouts, 1u);
  EXPECT_TRUE(f.updates.empty());
  EXPECT_EQ(f.tracker->find(r.id)->state, OrderState::New);
}

TEST(BinanceRest, ErrorsMapToRejectNotFoundAndDuplicateQuery) {
  Fixture f;
  auto a = order(3), b = order(4), c = order(5);
  f.server.handler = [&](const Seen& s) -> Reply {
    const std::string& id = s.params.count("newClientOrderId") ? s.params.at("newClientOrderId") : s.params.at("origClientOrderId");
    if (id == std::string(a.id.view())) return Reply{{400, {"", "{\"code\":-2019,\"msg\":\"Margin is insufficient.\"}"}}};
    if (id == std::string(b.id.view())) return Reply{{400, {"", "{\"code\":-2013,\"msg\":\"Order does not exist.\"}"}}};
    if (s.method == "POST") return Reply{{400, {"", "{\"code\":-4116,\"msg\":\"ClientOrderId is duplicated.\"}"}}};
    return Reply{{200, {"", answer(id, "FILLED", "0.150", "30000.00")}}};
  };
  f.tracker->submit(a, f.now);
  f.pump([&] { return f.tracker->find(a.id)->state == OrderState::Rejected; });
  EXPECT_EQ(f.tracker->find(a.id)->state, OrderState::Rejected);
  f.rest->send_query(b.id);
  f.pump([&] { return !f.updates.empty() && f.updates.back().kind == UpdateKind::NotFound; });
  EXPECT_EQ(f.updates.back().kind, UpdateKind::NotFound);
  // c was already placed (e.g. before a restart): the duplicate answer becomes a query, which finds it filled.
  f.tracker->submit(c, f.now);
  f.pump([&] { return f.tracker->find(c.id)->state == OrderState::Filled; });
  EXPECT_EQ(f.tracker->find(c.id)->state, OrderState::Filled);
  EXPECT_EQ(f.server.seen.back().method, "GET");
}

}  // namespace
}  // namespace liqd::exec
