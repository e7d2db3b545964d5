// liqd-sim's two books (--hedge-depth-multiple): the own venue's book on the own
// port, where order-port IOCs fill, and the hedge venue's on the binance port,
// where POST /fapi/v1/order fills. Expected figures come from the REST snapshots
// the two ports serve and from the depth profile's published bounds (±20 %
// jitter per level), not from the simulator's internals.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>

#include "core/money/decimal.hpp"
#include "executors/adapters/binance/signer.hpp"
#include "proto/order.pb.h"
#include "tests/sim/sim_fixture.hpp"

namespace liqd::sim::test {
namespace {

constexpr const char* kKey = "hedge-key-0123";
constexpr const char* kSecret = "hedge-secret-abcdefghijklmnopqrstuvwxyz0123456789";
constexpr int kMultiple = 4;

int64_t units(const std::string& s, int dp) {
  int64_t v = 0;
  EXPECT_EQ(parse_decimal(s, dp, v), DecimalError::Ok) << s;
  return v;
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Snapshot rest(uint16_t port) {
  auto [code, body] = http_request(port, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=1000");
  EXPECT_EQ(code, 200) << body;
  Snapshot s;
  EXPECT_TRUE(parse_snapshot(body, s));
  return s;
}

std::vector<std::string> prices(const std::vector<std::pair<std::string, std::string>>& side) {
  std::vector<std::string> out;
  for (const auto& l : side) out.push_back(l.first);
  return out;
}

SimConfig two_books(int multiple = kMultiple) {
  SimConfig c = paused_config(200);
  c.hedge_depth_multiple = multiple;
  c.hedge_api_key = kKey;
  c.hedge_secret = kSecret;
  return c;
}

// A signed IOC on the hedge venue, answered with its result (RESULT).
std::pair<int, std::string> hedge_ioc(uint16_t port, const std::string& id, const char* side, const std::string& qty,
                                      const std::string& px) {
  const std::string p = "symbol=BTCUSDT&side=" + std::string(side) + "&type=LIMIT&timeInForce=IOC&quantity=" + qty +
                        "&price=" + px + "&newClientOrderId=" + id + "&newOrderRespType=RESULT&recvWindow=5000&timestamp=" +
                        std::to_string(wall_ms());
  return http_request(port, http::verb::post, "/fapi/v1/order?" + exec::binance::sign_query(p, kSecret),
                      {{"X-MBX-APIKEY", kKey}});
}

std::string executed(const std::string& json) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  std::string_view s;
  if (p.parse(json).get(e) || e["executedQty"].get(s)) return "<none>";
  return std::string(s);
}

using HedgeBook = SimTest;

TEST_F(HedgeBook, TwoIndependentBooksOnOneGridTheHedgeOneDeeper) {
  start(two_books());
  sim->step(3);
  const Snapshot own = rest(ports.own), hedge = rest(ports.binance);
  // One market, two venues: the same price levels around the same mid ...
  ASSERT_GE(own.bid_list.size(), 10u);
  EXPECT_EQ(prices(own.bid_list), prices(hedge.bid_list));
  EXPECT_EQ(prices(own.ask_list), prices(hedge.ask_list));
  // ... each hedge level within [multiple × 0.8 / 1.2, multiple × 1.2 / 0.8] of the
  // own level (both are base × (1 ± 20 %), the hedge's base `multiple` times the
  // own's), and not a copy scaled by the multiple (its own jitter).
  int scaled_copies = 0, levels = 0;
  for (const auto* sides : {&own.bid_list, &own.ask_list}) {
    const auto& hs = sides == &own.bid_list ? hedge.bid_list : hedge.ask_list;
    for (size_t i = 0; i < sides->size(); ++i) {
      const int64_t o = units((*sides)[i].second, 3), h = units(hs[i].second, 3);
      // h / o within those bounds, give or take a lot of rounding on each side.
      EXPECT_GE((h + 1) * 12, (o - 1) * kMultiple * 8) << i;
      EXPECT_LE((h - 1) * 8, (o + 1) * kMultiple * 12) << i;
      scaled_copies += h == o * kMultiple;
      ++levels;
    }
  }
  EXPECT_LT(scaled_copies, levels / 2);
  // Each has its own update-id chain.
  EXPECT_NE(own.last_update_id, hedge.last_update_id);
}

TEST_F(HedgeBook, WithoutAHedgeBookBothPortsServeTheOwnBook) {
  start(two_books(0));
  sim->step(3);
  const Snapshot own = rest(ports.own), binance = rest(ports.binance);
  EXPECT_EQ(own.bids, binance.bids);
  EXPECT_EQ(own.asks, binance.asks);
}

TEST_F(HedgeBook, HedgeOrdersTakeTheHedgeBookOwnOrdersTheOwnBook) {
  start(two_books());
  sim->step(2);
  const Snapshot own0 = rest(ports.own), hedge0 = rest(ports.binance);
  // A hedge sell of the hedge book's whole best bid, at that price.
  const auto [hb_px, hb_qty] = hedge0.bid_list[0];
  auto [code, body] = hedge_ioc(ports.binance, "h1", "SELL", hb_qty, hb_px);
  ASSERT_EQ(code, 200) << body;
  EXPECT_EQ(executed(body), hb_qty);   // all of it: the hedge level, not the smaller own one
  Snapshot own1 = rest(ports.own), hedge1 = rest(ports.binance);
  EXPECT_EQ(hedge1.bids.count(hb_px), 0u);
  EXPECT_EQ(own1.bids, own0.bids);     // the own book did not move
  EXPECT_EQ(own1.asks, own0.asks);

  // An own-venue IOC (an account outside the population: fills, touches no account)
  // buying through the own best ask, at that price: the own level's quantity.
  const auto [oa_px, oa_qty] = own0.ask_list[0];
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  proto::OrderEntryMessage m;
  auto* o = m.mutable_new_order();
  o->set_client_order_id("own-1");
  o->set_account_id(0);
  o->set_market("BTCUSDT");
  o->set_side(proto::BUY);
  o->set_qty(units(oa_qty, 3) + units(hedge0.ask_list[0].second, 3));   // more than the own level holds
  o->set_limit_price(units(oa_px, 1));
  o->set_immediate_or_cancel(true);
  c.send(m);
  const auto got = c.wait([](const std::vector<proto::OrderEntryMessage>& v) {
    for (const auto& x : v)
      if (x.has_update() && x.update().state() == proto::OrderUpdate::EXPIRED) return true;
    return false;
  });
  int64_t filled = 0;
  for (const auto& x : got)
    if (x.has_update()) filled += x.update().fill_qty();
  EXPECT_EQ(filled, units(oa_qty, 3));
  const Snapshot own2 = rest(ports.own), hedge2 = rest(ports.binance);
  EXPECT_EQ(own2.asks.count(oa_px), 0u);
  EXPECT_EQ(hedge2.asks, hedge1.asks);   // the hedge book did not move
  // The own port takes no hedge orders.
  EXPECT_EQ(hedge_ioc(ports.own, "h2", "SELL", hb_qty, hb_px).first, 404);
}

TEST_F(HedgeBook, SameSeedSameBytesOnBothPorts) {
  std::string own_a, hedge_a;
  {
    Simulator a(two_books());
    ASSERT_EQ(a.start(), "");
    a.step(5);
    own_a = http_request(a.ports().own, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=1000").second;
    hedge_a = http_request(a.ports().binance, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=1000").second;
    a.stop();
  }
  start(two_books());
  sim->step(5);
  EXPECT_EQ(http_request(ports.own, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=1000").second, own_a);
  EXPECT_EQ(http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=1000").second, hedge_a);
  EXPECT_NE(own_a, hedge_a);
}

}  // namespace
}  // namespace liqd::sim::test
