// Each fault switch does what it says, over real sockets. No timing assertions:
// every check is on what arrived, in what order, after a later message that
// proves the earlier ones are all in.
#include "proto/account.pb.h"
#include "proto/order.pb.h"
#include "tests/sim/sim_fixture.hpp"

namespace liqd::sim::test {
namespace {

using Faults = SimTest;

const std::string kDepth = "/stream?streams=btcusdt@depth@100ms";

std::vector<Depth> depths(const std::vector<std::string>& msgs) {
  std::vector<Depth> out;
  for (auto& m : msgs) {
    Depth d;
    if (parse_depth(m, d)) out.push_back(d);
  }
  return out;
}

size_t chain_breaks(const std::vector<Depth>& ev) {
  size_t n = 0;
  for (size_t i = 1; i < ev.size(); ++i) n += ev[i].pu != ev[i - 1].u;
  return n;
}

FaultSetting mode(FaultMode m) {
  FaultSetting f;
  f.mode = m;
  return f;
}

// The last u the server has published, from the REST snapshot (lastUpdateId - 1 when no
// snapshot id was reserved before; here every call reserves, so compare with >=).
TEST_F(Faults, BinanceDuplicateSendsEveryMessageTwice) {
  start();
  WsClient ws(ports.binance, kDepth);
  sim->set_fault(StreamId::Binance, mode(FaultMode::Duplicate));
  sim->step(5);
  auto msgs = ws.wait_count(10);
  ASSERT_EQ(msgs.size(), 10u);
  for (size_t i = 0; i < 10; i += 2) EXPECT_EQ(msgs[i], msgs[i + 1]);
  EXPECT_NE(msgs[0], msgs[2]);
}

TEST_F(Faults, BinanceGapBreaksTheChainExactlyOnce) {
  start();
  WsClient ws(ports.binance, kDepth);
  sim->step(3);
  sim->set_fault(StreamId::Binance, mode(FaultMode::Gap));
  sim->step(5);  // the first depthUpdate of these is dropped, then the switch resets
  auto ev = depths(ws.wait_count(7));
  ASSERT_EQ(ev.size(), 7u);
  EXPECT_EQ(chain_breaks(ev), 1u);
  EXPECT_NE(ev[3].pu, ev[2].u);
  EXPECT_NE(sim->status_json().find("\"binance\":{\"mode\":\"none\""), std::string::npos);
}

TEST_F(Faults, BinanceDropLosesSomeMessagesDeterministically) {
  start();
  WsClient ws(ports.binance, kDepth);
  FaultSetting f = mode(FaultMode::Drop);
  f.drop_ppm = 500'000;
  sim->set_fault(StreamId::Binance, f);
  sim->step(40);
  sim->set_fault(StreamId::Binance, mode(FaultMode::None));
  sim->step(1);
  // The last step's message is the proof that everything before it has arrived.
  auto st = sim->status_json();
  std::vector<std::string> msgs;
  auto last_u = [&](const std::vector<std::string>& v) {
    auto ev = depths(v);
    return ev.empty() ? 0 : ev.back().u;
  };
  Snapshot s;
  auto [code, body] = http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=5");
  ASSERT_EQ(code, 200);
  ASSERT_TRUE(parse_snapshot(body, s));
  msgs = ws.wait([&](auto& v) { return last_u(v) + 1 == s.last_update_id; });
  auto ev = depths(msgs);
  ASSERT_EQ(ev.back().u + 1, s.last_update_id);
  EXPECT_GT(ev.size(), 5u);
  EXPECT_LT(ev.size(), 36u);
  EXPECT_GT(chain_breaks(ev), 0u);
}

TEST_F(Faults, StaleSendsNothingUntilCleared) {
  start();
  WsClient ws(ports.binance, kDepth);
  WsClient hl(ports.hyperliquid, "/ws", {R"({"method":"subscribe","subscription":{"type":"l2Book","coin":"BTC"}})"});
  hl.wait_count(2);  // subscriptionResponse + the current book, before the switch
  sim->step(2);
  sim->set_fault(StreamId::Binance, mode(FaultMode::Stale));
  sim->set_fault(StreamId::Hyperliquid, mode(FaultMode::Stale));
  sim->step(10);
  sim->set_fault(StreamId::Binance, mode(FaultMode::None));
  sim->set_fault(StreamId::Hyperliquid, mode(FaultMode::None));
  sim->step(1);
  auto ev = depths(ws.wait_count(3));
  ASSERT_EQ(ev.size(), 3u);  // two before, none during, one after
  EXPECT_EQ(chain_breaks(ev), 1u);
  auto h = hl.wait_count(5);  // 2 at subscribe, 2 before, 1 after
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(WsClient::count(h, "\"channel\":\"l2Book\""), 4u);
  EXPECT_NE(sim->status_json().find("\"stale_dropped\":30"), std::string::npos);  // 10 × (2 l2Book + allMids)
}

TEST_F(Faults, DelayKeepsOrderAndChain) {
  start();
  WsClient ws(ports.binance, kDepth);
  FaultSetting f = mode(FaultMode::Delay);
  f.delay_ms = 150;
  sim->set_fault(StreamId::Binance, f);
  sim->step(4);
  sim->set_fault(StreamId::Binance, mode(FaultMode::None));
  sim->step(2);  // queued behind the delayed ones
  auto ev = depths(ws.wait_count(6));
  ASSERT_EQ(ev.size(), 6u);
  EXPECT_EQ(chain_breaks(ev), 0u);
  EXPECT_NE(sim->status_json().find("\"delayed\":32"), std::string::npos);  // 4 steps × 2 markets × 4 Binance messages
}

TEST_F(Faults, PythDropAllAndBack) {
  start();
  const std::string btc = "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43";
  WsClient ws(ports.pyth, "/ws", {R"({"type":"subscribe","ids":[")" + btc + R"("]})"});
  ws.wait_count(2);
  FaultSetting f = mode(FaultMode::Drop);
  f.drop_ppm = 1'000'000;
  sim->set_fault(StreamId::Pyth, f);
  sim->step(5);
  sim->set_fault(StreamId::Pyth, mode(FaultMode::None));
  sim->step(1);
  auto m = ws.wait_count(2, "price_update");
  EXPECT_EQ(WsClient::count(m, "price_update"), 2u);  // on subscribe, and the last step
}

proto::OrderEntryMessage buy(const std::string& id, int64_t qty) {
  proto::OrderEntryMessage m;
  auto* o = m.mutable_new_order();
  o->set_client_order_id(id);
  o->set_market("BTCUSDT");
  o->set_side(proto::BUY);
  o->set_qty(qty);
  o->set_limit_price(1'000'000);
  o->set_immediate_or_cancel(true);
  return m;
}

TEST_F(Faults, OrdersDuplicateRepeatsFillIds) {
  start();
  sim->set_fault(StreamId::Orders, mode(FaultMode::Duplicate));
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  c.send(buy("x", 1));
  auto v = c.wait_count(4);  // ack ×2, fill ×2
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].update().state(), proto::OrderUpdate::ACKNOWLEDGED);
  EXPECT_EQ(v[1].update().state(), proto::OrderUpdate::ACKNOWLEDGED);
  EXPECT_EQ(v[2].update().fill_id(), v[3].update().fill_id());
  EXPECT_GT(v[2].update().fill_id(), 0u);
}

// Account deltas: one gap skips exactly one seq; stale sends nothing, not even a snapshot.
TEST_F(Faults, AccountsGapAndStale) {
  start();
  FrameClient<proto::AccountEvent> acc(ports.accounts);
  auto snap = acc.wait_count(2001);
  ASSERT_EQ(snap.size(), 2001u);
  // Find two long BTC accounts; close each with a reduce-only sell.
  std::vector<std::pair<uint64_t, int64_t>> longs;
  for (size_t i = 0; i < 2000 && longs.size() < 3; ++i) {
    const auto& s = snap[i].snapshot();
    if (s.positions_size() == 1 && s.positions(0).market() == "BTCUSDT" && s.positions(0).size() > 0 && !s.positions(0).isolated())
      longs.emplace_back(s.account_id(), s.positions(0).size());
  }
  ASSERT_EQ(longs.size(), 3u);
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  auto close = [&](int k) {
    proto::OrderEntryMessage m;
    auto* o = m.mutable_new_order();
    o->set_client_order_id("close-" + std::to_string(k));
    o->set_account_id(longs[static_cast<size_t>(k)].first);
    o->set_market("BTCUSDT");
    o->set_side(proto::SELL);
    o->set_qty(longs[static_cast<size_t>(k)].second);
    o->set_limit_price(1);
    o->set_reduce_only(true);
    o->set_immediate_or_cancel(true);
    c.send(m);
  };
  sim->set_fault(StreamId::Accounts, mode(FaultMode::Gap));
  close(0);
  auto closed = [](uint64_t id) {
    return [id](const std::vector<proto::AccountEvent>& v) {
      for (auto& e : v)
        if (e.account_id() == id && e.has_position() && e.position().size() == 0) return true;
      return false;
    };
  };
  // The first delta is the gap: if it was the only position event, wait for the next close.
  close(1);
  auto all = acc.wait(closed(longs[1].first));
  std::vector<uint64_t> seqs;
  for (size_t i = 2001; i < all.size(); ++i) seqs.push_back(all[i].seq());
  ASSERT_FALSE(seqs.empty());
  EXPECT_EQ(seqs.front(), 2u);  // seq 1 was dropped
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], seqs[i - 1] + 1);
  // Everything published so far has arrived (the server's seq is the last one seen).
  simdjson::dom::parser p;
  simdjson::dom::element st;
  const std::string status = sim->status_json();
  ASSERT_FALSE(p.parse(status).get(st));
  uint64_t server_seq = 0;
  ASSERT_FALSE(st["accounts"]["seq"].get(server_seq));
  const size_t before = acc.wait([&](auto& x) { return x.back().seq() == server_seq; }).size();
  ASSERT_EQ(acc.wait([](auto&) { return true; }).back().seq(), server_seq);
  // Stale: a new connection gets nothing; when cleared, deltas flow again.
  sim->set_fault(StreamId::Accounts, mode(FaultMode::Stale));
  FrameClient<proto::AccountEvent> late(ports.accounts);
  close(2);
  // Once close(2) is done, its deltas have met the stale switch: nothing arrived.
  auto v = c.wait([](auto& m) {
    for (auto& x : m)
      if (x.update().client_order_id() == "close-2" && (x.update().state() == proto::OrderUpdate::FILLED ||
                                                         x.update().state() == proto::OrderUpdate::EXPIRED))
        return true;
    return false;
  });
  (void)v;
  EXPECT_EQ(acc.wait([](auto&) { return true; }).size(), before);
  sim->set_fault(StreamId::Accounts, mode(FaultMode::None));
  proto::OrderEntryMessage m = buy("after-stale", 1);
  m.mutable_new_order()->set_account_id(longs[0].first);  // reopens a small long on account 0's id
  c.send(m);
  auto after = acc.wait([&](auto& x) { return x.size() > before; });
  ASSERT_GT(after.size(), before);
  EXPECT_GT(after[before].seq(), server_seq + 1);  // close(2)'s deltas were never sent: a gap
  // The connection made while stale gets its snapshot when the switch clears, then deltas.
  auto l = late.wait_count(2001);
  ASSERT_GE(l.size(), 2001u);
  EXPECT_TRUE(l[0].has_snapshot());
  EXPECT_EQ(l[2000].account_id(), 0u);
}

TEST_F(Faults, ControlEndpointSetsSwitchesAndSteps) {
  start();
  WsClient ws(ports.binance, kDepth);
  auto [c1, b1] = http_request(ports.control, http::verb::post, "/control/fault?stream=binance&mode=duplicate");
  EXPECT_EQ(c1, 200) << b1;
  EXPECT_EQ(b1, R"({"stream":"binance","mode":"duplicate"})");
  auto [c2, b2] = http_request(ports.control, http::verb::post, "/control/step?n=2");
  EXPECT_EQ(c2, 200) << b2;
  EXPECT_NE(b2.find("\"step\":2"), std::string::npos);
  auto msgs = ws.wait_count(4);
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_EQ(msgs[0], msgs[1]);
  EXPECT_EQ(http_request(ports.control, http::verb::post, "/control/fault?stream=binance&mode=explode").first, 400);
  EXPECT_EQ(http_request(ports.control, http::verb::post, "/control/fault?stream=nyse&mode=gap").first, 400);
  EXPECT_EQ(http_request(ports.control, http::verb::post, "/control/fault?stream=binance&mode=drop&rate=2").first, 400);
  EXPECT_EQ(http_request(ports.control, http::verb::post, "/control/step?n=0").first, 400);
  EXPECT_EQ(http_request(ports.control, http::verb::get, "/control/step").first, 405);
  auto [c3, b3] = http_request(ports.control, http::verb::get, "/control/status");
  EXPECT_EQ(c3, 200);
  EXPECT_NE(b3.find("\"binance\":{\"mode\":\"duplicate\",\"clients\":1"), std::string::npos) << b3;
}

TEST(FaultSpec, ParsesCommandLineForm) {
  StreamId s;
  FaultSetting f;
  EXPECT_EQ(parse_fault_spec("accounts=drop:rate=0.25", s, f), "");
  EXPECT_EQ(s, StreamId::Accounts);
  EXPECT_EQ(f.mode, FaultMode::Drop);
  EXPECT_EQ(f.drop_ppm, 250'000u);
  EXPECT_EQ(parse_fault_spec("pyth=delay:ms=750", s, f), "");
  EXPECT_EQ(f.delay_ms, 750u);
  EXPECT_NE(parse_fault_spec("pyth", s, f), "");
  EXPECT_NE(parse_fault_spec("pyth=slow", s, f), "");
  EXPECT_NE(parse_fault_spec("pyth=drop:rate=1.5", s, f), "");
  EXPECT_NE(parse_fault_spec("pyth=delay:foo=1", s, f), "");
}

}  // namespace
}  // namespace liqd::sim::test
