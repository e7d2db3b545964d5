// liqd-sim's external hedge venue: Binance USD-M REST order entry on the binance
// port (sim/server/hedge_rest.cpp), driven by liqd's own BinanceRestAdapter and
// by raw requests. Expected fills are derived from the REST depth snapshot taken
// before the order (walk the bids from the best while the price is within the
// limit), not from the sim's internals.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>

#include "core/money/decimal.hpp"
#include "executors/adapters/binance/rest_adapter.hpp"
#include "executors/adapters/binance/signer.hpp"
#include "executors/orders/order_tracker.hpp"
#include "tests/sim/sim_fixture.hpp"

namespace liqd::sim::test {
namespace {

constexpr const char* kKey = "hedge-key-0123";
constexpr const char* kSecret = "hedge-secret-abcdefghijklmnopqrstuvwxyz0123456789";

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int64_t units(const std::string& s, int dp) {
  int64_t v = 0;
  EXPECT_EQ(parse_decimal(s, dp, v), DecimalError::Ok) << s;
  return v;
}

struct Answer {
  int status = 0;
  std::string body;
};

// A request with the API-key header, `params` signed with `secret`.
Answer signed_request(uint16_t port, http::verb verb, std::string params, const std::string& key = kKey,
                      const std::string& secret = kSecret) {
  const auto [status, body] = http_request(port, verb, "/fapi/v1/order?" + exec::binance::sign_query(params, secret),
                                           {{"X-MBX-APIKEY", key}});
  return {status, body};
}

std::string field(const std::string& json, const char* name) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  if (p.parse(json).get(e)) return "<not json>";
  std::string_view s;
  if (!e[name].get(s)) return std::string(s);
  int64_t i = 0;
  if (!e[name].get(i)) return std::to_string(i);
  return "<absent>";
}

std::string order_params(const std::string& id, const char* side, const std::string& qty, const std::string& px,
                         const char* tif = "IOC", const char* resp = "RESULT") {
  std::string p = "symbol=BTCUSDT&side=" + std::string(side) + "&type=LIMIT&timeInForce=" + tif + "&quantity=" + qty +
                  "&price=" + px + "&newClientOrderId=" + id;
  if (resp) p += "&newOrderRespType=" + std::string(resp);
  return p + "&recvWindow=5000&timestamp=" + std::to_string(wall_ms());
}

SimConfig hedge_config() {
  SimConfig c = paused_config(200);
  c.hedge_api_key = kKey;
  c.hedge_secret = kSecret;
  return c;
}

class HedgeRest : public SimTest {};

struct Sink : exec::TrackerOutput, exec::UpdateSink {
  exec::BinanceRestAdapter* rest = nullptr;
  exec::OrderTracker* tracker = nullptr;
  std::vector<exec::FillReport> fills;
  int64_t now = 0;
  void send_new(const exec::OrderRequest& r) override { rest->send_new(r); }
  void send_cancel(const exec::ClientOrderId& id) override { rest->send_cancel(id); }
  void send_query(const exec::ClientOrderId& id) override { rest->send_query(id); }
  void fill(const exec::FillReport& f) override { fills.push_back(f); }
  void reroute(const exec::OrderRequest&, Qty) override {}
  void on_update(const exec::VenueUpdate& u) override { tracker->on_update(u, now); }
};

TEST_F(HedgeRest, AdapterSellFillsAgainstThePublishedBookOnce) {
  start(hedge_config());
  auto [c0, b0] = http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=100");
  ASSERT_EQ(c0, 200);
  Snapshot before;
  ASSERT_TRUE(parse_snapshot(b0, before));
  ASSERT_GE(before.bid_list.size(), 3u);
  // Sell through the top two bid levels and a part of the third: limit = third bid.
  const Scale sc{1, 3, 6};
  const int64_t l0 = units(before.bid_list[0].second, 3), l1 = units(before.bid_list[1].second, 3);
  const int64_t l2 = units(before.bid_list[2].second, 3);
  const int64_t want = l0 + l1 + l2 / 2;
  const int64_t limit = units(before.bid_list[2].first, 1);
  const i128 quote = static_cast<i128>(l0) * units(before.bid_list[0].first, 1) +
                     static_cast<i128>(l1) * units(before.bid_list[1].first, 1) + static_cast<i128>(l2 / 2) * limit;

  exec::BinanceRestConfig rc;
  rc.host = "127.0.0.1";
  rc.port = ports.binance;
  rc.symbol = "BTCUSDT";
  rc.scale = sc;
  rc.clock = wall_ms;
  exec::BinanceRestAdapter rest(rc, exec::Secret(kKey), exec::Secret(kSecret));
  Sink sink;
  exec::OrderTracker tracker(exec::TrackerConfig{}, sink);
  sink.rest = &rest;
  sink.tracker = &tracker;
  exec::OrderRequest r;
  r.key = exec::OrderKey{900000001, 0, 7, 0x8000};
  r.id = exec::make_client_order_id(r.key);
  r.side = exec::Side::Sell;
  r.qty = Qty(want);
  r.limit = Price(limit);
  r.ioc = true;
  r.reduce_only = false;   // a hedge opens the vault's position on that venue
  sink.now = wall_ms();
  ASSERT_EQ(tracker.submit(r, sink.now), exec::SubmitResult::Sent);
  const auto until = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < until && !exec::is_terminal(tracker.find(r.id)->state)) {
    rest.poll(sink);
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(tracker.find(r.id)->state, exec::OrderState::Filled) << sim->status_json();
  ASSERT_EQ(sink.fills.size(), 1u);   // one answer, one cumulative fill
  EXPECT_EQ(sink.fills[0].qty.v, want);
  // avgPrice = quote / qty; the adapter rounds it to the tick's decimals.
  EXPECT_EQ(sink.fills[0].price.v, static_cast<int64_t>(div_round(quote, want, Round::HalfAwayFromZero)));

  // Asked again, the venue answers the same cumulative state: no second fill.
  rest.send_query(r.id);
  for (int i = 0; i < 2000 && (rest.queued() > 0 || rest.counters().requests < 2); ++i) {
    rest.poll(sink);
    std::this_thread::sleep_for(1ms);
  }
  for (int i = 0; i < 50; ++i) rest.poll(sink);
  EXPECT_EQ(rest.counters().requests, 2u);
  EXPECT_EQ(sink.fills.size(), 1u);

  // The venue booked the vault's short there, exactly.
  const std::string st = sim->status_json();
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_FALSE(p.parse(st).get(e));
  auto h = e["hedge"];
  EXPECT_EQ(uint64_t(h["orders"]), 1u);
  EXPECT_EQ(uint64_t(h["filled"]), 1u);
  EXPECT_EQ(uint64_t(h["fills"]), 3u);
  EXPECT_EQ(uint64_t(h["queries"]), 1u);
  EXPECT_EQ(uint64_t(h["rejected"]), 0u);
  auto pos = h["positions"].at(0);
  EXPECT_EQ(std::string_view(pos["market"]), "BTCUSDT");
  EXPECT_EQ(int64_t(pos["size_units"]), -want);
  EXPECT_EQ(int64_t(pos["volume_units"]), want);
  EXPECT_EQ(std::string(std::string_view(pos["cost"])), format_decimal(-quote, 4));

  // The book it took from is the published one: the two levels are gone, the third is smaller.
  auto [c1, b1] = http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=100");
  ASSERT_EQ(c1, 200);
  Snapshot after;
  ASSERT_TRUE(parse_snapshot(b1, after));
  EXPECT_EQ(after.bids.count(before.bid_list[0].first), 0u);
  EXPECT_EQ(after.bids.count(before.bid_list[1].first), 0u);
  ASSERT_EQ(after.bids.count(before.bid_list[2].first), 1u);
  EXPECT_EQ(units(after.bids[before.bid_list[2].first], 3), l2 - l2 / 2);
  EXPECT_EQ(after.asks, before.asks);
}

TEST_F(HedgeRest, RefusalsCarryBinanceCodes) {
  start(hedge_config());
  auto [c0, b0] = http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=5");
  Snapshot s;
  ASSERT_TRUE(parse_snapshot(b0, s));
  const std::string ask = s.ask_list[0].first;
  const uint16_t port = ports.binance;

  Answer a = signed_request(port, http::verb::post, order_params("h1", "BUY", "0.001", ask), "wrong-key");
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(field(a.body, "code"), "-2015");
  a = signed_request(port, http::verb::post, order_params("h1", "BUY", "0.001", ask), kKey, "wrong-secret");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(field(a.body, "code"), "-1022");
  // 10 s old with a 5 s window.
  std::string old = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.001&price=" + ask +
                    "&newClientOrderId=h1&recvWindow=5000&timestamp=" + std::to_string(wall_ms() - 10'000);
  EXPECT_EQ(field(signed_request(port, http::verb::post, old).body, "code"), "-1021");
  EXPECT_EQ(field(signed_request(port, http::verb::post, order_params("h1", "BUY", "0.001", ask, "GTC")).body, "code"), "-1115");
  EXPECT_EQ(field(signed_request(port, http::verb::post, order_params("h1", "BUY", "0.0015", ask)).body, "code"), "-1111");
  EXPECT_EQ(field(signed_request(port, http::verb::post, order_params("h1", "BUY", "0.001", ask + "5")).body, "code"), "-4014");

  // Default response type (ACK): NEW, nothing executed in the answer; the query has the result.
  a = signed_request(port, http::verb::post, order_params("h1", "BUY", "0.001", ask, "IOC", nullptr));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(field(a.body, "status"), "NEW");
  EXPECT_EQ(field(a.body, "executedQty"), "0.000");
  EXPECT_EQ(field(a.body, "clientOrderId"), "h1");
  a = signed_request(port, http::verb::get, "symbol=BTCUSDT&origClientOrderId=h1&timestamp=" + std::to_string(wall_ms()));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(field(a.body, "status"), "FILLED");
  EXPECT_EQ(field(a.body, "executedQty"), "0.001");
  EXPECT_EQ(field(a.body, "origQty"), "0.001");
  EXPECT_EQ(field(a.body, "timeInForce"), "IOC");
  // The same id again is refused, whatever became of the first.
  EXPECT_EQ(field(signed_request(port, http::verb::post, order_params("h1", "BUY", "0.001", ask)).body, "code"), "-4116");
  // Nothing inside the limit: EXPIRED with nothing executed (a buy one tick under the best ask).
  const std::string under = format_decimal(units(ask, 1) - 1, 1);
  a = signed_request(port, http::verb::post, order_params("h2", "BUY", "0.001", under));
  EXPECT_EQ(field(a.body, "status"), "EXPIRED");
  EXPECT_EQ(field(a.body, "executedQty"), "0.000");
  EXPECT_EQ(field(signed_request(port, http::verb::get, "symbol=BTCUSDT&origClientOrderId=nope&timestamp=" +
                                                       std::to_string(wall_ms())).body, "code"), "-2013");
  EXPECT_EQ(field(signed_request(port, http::verb::delete_, "symbol=BTCUSDT&origClientOrderId=h1&timestamp=" +
                                                           std::to_string(wall_ms())).body, "code"), "-2011");

  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_FALSE(p.parse(sim->status_json()).get(e));
  auto h = e["hedge"];
  EXPECT_EQ(uint64_t(h["bad_key"]), 1u);
  EXPECT_EQ(uint64_t(h["bad_signature"]), 1u);
  EXPECT_EQ(uint64_t(h["bad_timestamp"]), 1u);
  EXPECT_EQ(uint64_t(h["duplicates"]), 1u);
  EXPECT_EQ(uint64_t(h["rejected"]), 7u);   // key, signature, timestamp, GTC, lot, tick, duplicate
  EXPECT_EQ(uint64_t(h["orders"]), 2u);
  EXPECT_EQ(uint64_t(h["filled"]), 1u);
  EXPECT_EQ(uint64_t(h["expired"]), 1u);
  EXPECT_EQ(int64_t(h["positions"].at(0)["size_units"]), 1);
}

TEST_F(HedgeRest, WithoutKeysEveryRequestIsRefused) {
  start(paused_config(200));
  Answer a = signed_request(ports.binance, http::verb::post, order_params("h1", "BUY", "0.001", "1000.0"), "", kSecret);
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(field(a.body, "code"), "-2015");
}

}  // namespace
}  // namespace liqd::sim::test
