// The admin routes without a socket or a core: requests go in as Beast
// messages, the core is a test thread on the request/reply rings. Checks what
// reaches the core (op, market, account, caller), what comes back (status and
// the exact figures, as exact decimals of the configured scales), that malformed requests are
// refused before anything is sent, and that a core that does not answer gives
// 503 and its late reply is not mistaken for the next request's.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/service/admin_routes.hpp"

namespace liqd::service {
namespace {

namespace bhttp = boost::beast::http;

struct Rig {
  config::Config cfg;
  std::unique_ptr<Snapshots> snaps = std::make_unique<Snapshots>();
  SpscRing<AdminRequest> requests{16};
  SpscRing<AdminReply> replies{16};
  std::string ready_reason;
  HttpFrontConfig front;
  std::unique_ptr<AdminRoutes> routes;

  // The fake core: answers every request with answer(request) unless `silent`.
  std::atomic<bool> silent{false}, stop{false};
  std::mutex mu;
  std::vector<AdminRequest> seen;       // every request the core received
  std::vector<AdminRequest> unanswered;  // received while silent
  std::function<AdminReply(const AdminRequest&)> answer = [](const AdminRequest& r) {
    AdminReply a;
    a.id = r.id;
    return a;
  };
  std::thread core;

  Rig() {
    cfg.daemon.quote.quote_dp = 6;
    for (const char* sym : {"BTCUSDT", "ETHUSDT"}) {
      config::MarketConfig mc;
      mc.symbol = sym;
      mc.risk.scale = Scale{2, 3, 6};
      cfg.markets.push_back(mc);
    }
    front.cfg = &cfg;
    front.snaps = snaps.get();
    front.requests = &requests;
    front.replies = &replies;
    front.ready_reason = [this] { return ready_reason; };
    routes = std::make_unique<AdminRoutes>(front);
    core = std::thread([this] {
      AdminRequest r;
      while (!stop.load()) {
        if (!silent.load() && late_pending()) answer_late();
        if (!requests.try_pop(r)) { std::this_thread::sleep_for(std::chrono::microseconds(100)); continue; }
        std::lock_guard<std::mutex> lock(mu);
        seen.push_back(r);
        if (silent.load()) { unanswered.push_back(r); continue; }
        while (!replies.try_push(answer(r))) std::this_thread::yield();
      }
    });
  }
  // Once no longer silent, the core answers what it sat on first, with NotFound:
  // replies to requests whose caller has given up.
  bool late_pending() {
    std::lock_guard<std::mutex> lock(mu);
    return !unanswered.empty();
  }
  void answer_late() {
    std::lock_guard<std::mutex> lock(mu);
    for (const AdminRequest& r : unanswered) {
      AdminReply late;
      late.id = r.id;
      late.status = AdminStatus::NotFound;
      while (!replies.try_push(late)) std::this_thread::yield();
    }
    unanswered.clear();
  }
  ~Rig() {
    stop = true;
    core.join();
  }
  http::Response call(bhttp::verb verb, const std::string& target, const std::string& caller = {}) {
    http::Request req{verb, target, 11};
    if (!caller.empty()) req.set("X-Liqd-Caller", caller);
    return routes->handle(req, "127.0.0.1:5555");
  }
  std::size_t requests_seen() {
    std::lock_guard<std::mutex> lock(mu);
    return seen.size();
  }
  AdminRequest last() {
    std::lock_guard<std::mutex> lock(mu);
    return seen.back();
  }
};

bool has(const http::Response& r, const std::string& s) { return r.body().find(s) != std::string::npos; }

TEST(AdminRoutes, MalformedRequestsAreRefusedBeforeReachingTheCore) {
  Rig rig;
  for (const char* bad : {"/v1/accounts/abc", "/v1/accounts/", "/v1/accounts/12x", "/v1/accounts/-5",
                          "/v1/accounts/99999999999999999999999"}) {
    const http::Response r = rig.call(bhttp::verb::get, bad);
    EXPECT_EQ(r.result(), bhttp::status::bad_request) << bad;
    EXPECT_TRUE(has(r, "account id")) << bad << ": " << r.body();
  }
  EXPECT_EQ(rig.call(bhttp::verb::post, "/v1/markets/BTC$USDT/pause").result(), bhttp::status::bad_request);
  EXPECT_EQ(rig.call(bhttp::verb::post, "/v1/markets/SOLUSDT/pause").result(), bhttp::status::not_found);
  EXPECT_EQ(rig.call(bhttp::verb::get, "/v1/markets/BTCUSDT/pause").result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(rig.call(bhttp::verb::post, "/v1/markets/BTCUSDT/halt").result(), bhttp::status::not_found);
  EXPECT_EQ(rig.call(bhttp::verb::post, "/healthz").result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(rig.call(bhttp::verb::get, "/v1/pause-all").result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(rig.call(bhttp::verb::get, "/v2/anything").result(), bhttp::status::not_found);
  EXPECT_EQ(rig.call(bhttp::verb::get, "/v1/liquidation-map/NOPE").result(), bhttp::status::not_found);
  EXPECT_EQ(rig.requests_seen(), 0u);
}

TEST(AdminRoutes, AccountLookupShowsTheCoresFiguresAsExactDecimals) {
  Rig rig;
  rig.answer = [](const AdminRequest& r) {
    AdminReply a;
    a.id = r.id;
    if (r.account != 42) { a.status = AdminStatus::NotFound; return a; }
    a.collateral = 1'234'500'000;  // 1234.5 USDT
    a.equity = 1'000'000'000;
    a.mm = 250'000'000;
    a.im = 500'000'000;
    a.n_positions = 2;
    a.positions[0] = ReplyPosition{0, false, 1'500, 6'000'000, 5'321'012, 120'000'000, 3};  // long 1.5 @ 60000.00
    a.positions[1] = ReplyPosition{1, true, -20'000, 300'000, 0, 130'000'000, 0};          // short 20 ETH, isolated
    return a;
  };
  const http::Response r = rig.call(bhttp::verb::get, "/v1/accounts/42");
  ASSERT_EQ(r.result(), bhttp::status::ok) << r.body();
  EXPECT_EQ(rig.last().op, AdminOp::Account);
  EXPECT_EQ(rig.last().account, 42u);
  EXPECT_TRUE(has(r, R"("collateral":"1234.5")")) << r.body();
  EXPECT_TRUE(has(r, R"("slack":"750")")) << r.body();  // equity − MM
  EXPECT_TRUE(has(r, R"("market":"BTCUSDT","margin":"cross","side":"long","size":"1.5","entry_price":"60000",)"
                     R"("liquidation_price":"53210.12","maintenance_margin":"120","adl_quantile":3)"))
      << r.body();
  EXPECT_TRUE(has(r, R"("market":"ETHUSDT","margin":"isolated","side":"short","size":"-20","entry_price":"3000")")) << r.body();
  EXPECT_TRUE(has(r, R"("liquidation_price":null)")) << r.body();
  const http::Response missing = rig.call(bhttp::verb::get, "/v1/accounts/7");
  EXPECT_EQ(missing.result(), bhttp::status::not_found);
  EXPECT_TRUE(has(missing, "account 7 is not monitored")) << missing.body();
}

TEST(AdminRoutes, ActionsCarryTheirMarketAndCallerToTheCore) {
  Rig rig;
  const http::Response r = rig.call(bhttp::verb::post, "/v1/markets/ETHUSDT/pause", "ops-alice");
  ASSERT_EQ(r.result(), bhttp::status::ok) << r.body();
  const AdminRequest sent = rig.last();
  EXPECT_EQ(sent.op, AdminOp::Pause);
  EXPECT_EQ(sent.market, 1u);
  EXPECT_STREQ(sent.caller.data(), "ops-alice@127.0.0.1:5555");
  EXPECT_GT(sent.wall_ms, 0);
  EXPECT_TRUE(has(r, R"("action":"paused","market":"ETHUSDT","caller":"ops-alice@127.0.0.1:5555","journaled":true)"))
      << r.body();
  ASSERT_EQ(rig.call(bhttp::verb::post, "/v1/markets/BTCUSDT/resume").result(), bhttp::status::ok);
  EXPECT_EQ(rig.last().op, AdminOp::Resume);
  EXPECT_EQ(rig.last().market, 0u);
  EXPECT_STREQ(rig.last().caller.data(), "127.0.0.1:5555");  // no header: the peer
  ASSERT_EQ(rig.call(bhttp::verb::post, "/v1/pause-all", "kill-switch").result(), bhttp::status::ok);
  EXPECT_EQ(rig.last().op, AdminOp::PauseAll);
  // A caller name longer than the journal's field is cut, never overflows it.
  const std::string long_name(200, 'x');
  ASSERT_EQ(rig.call(bhttp::verb::post, "/v1/resume-all", long_name).result(), bhttp::status::ok);
  EXPECT_EQ(std::strlen(rig.last().caller.data()), kCallerLen - 1);
}

TEST(AdminRoutes, ReadinessReportsWhyNot) {
  Rig rig;
  rig.ready_reason = "accounts not in sync";
  http::Response r = rig.call(bhttp::verb::get, "/readyz");
  EXPECT_EQ(r.result(), bhttp::status::service_unavailable);
  EXPECT_TRUE(has(r, R"("reason":"accounts not in sync")")) << r.body();
  rig.ready_reason.clear();
  EXPECT_EQ(rig.call(bhttp::verb::get, "/readyz").result(), bhttp::status::ok);
  EXPECT_EQ(rig.call(bhttp::verb::get, "/healthz").result(), bhttp::status::ok);
}

TEST(AdminRoutes, SilentCoreGives503AndItsLateReplyIsNotTakenForTheNextOne) {
  Rig rig;
  rig.answer = [](const AdminRequest& q) {
    AdminReply a;
    a.id = q.id;
    a.collateral = 5'000'000;
    return a;
  };
  rig.silent = true;
  const http::Response r = rig.call(bhttp::verb::get, "/v1/accounts/42");  // waits kCoreTimeout (3 s)
  EXPECT_EQ(r.result(), bhttp::status::service_unavailable);
  EXPECT_TRUE(rig.late_pending());
  // The core wakes up: it answers the old request late (NotFound), then the new one.
  rig.silent = false;
  for (int i = 0; i < 10000 && rig.late_pending(); ++i) std::this_thread::sleep_for(std::chrono::microseconds(100));
  ASSERT_FALSE(rig.late_pending());  // the late reply is in the ring, ahead of the next one
  const http::Response next = rig.call(bhttp::verb::get, "/v1/accounts/43");
  ASSERT_EQ(next.result(), bhttp::status::ok) << next.body();
  EXPECT_TRUE(has(next, R"("id":43,"collateral":"5")")) << next.body();
}

}  // namespace
}  // namespace liqd::service
