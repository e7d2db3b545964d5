// Binance USD-M, Hyperliquid and Pyth streams over real loopback sockets.
#include "tests/sim/sim_fixture.hpp"

namespace liqd::sim::test {
namespace {

using MarketData = SimTest;

std::vector<Depth> depths(const std::vector<std::string>& msgs) {
  std::vector<Depth> out;
  for (auto& m : msgs) {
    Depth d;
    if (m.find("depthUpdate") != std::string::npos) {
      EXPECT_TRUE(parse_depth(m, d)) << m;
      out.push_back(d);
    }
  }
  return out;
}

// The documented sync procedure: open the stream, take the REST snapshot, drop events
// with u < lastUpdateId, the first kept event straddles it, then pu == previous u.
// Replaying the kept events on the snapshot must give the server's later snapshot.
TEST_F(MarketData, BinanceChainIsGapFreeAndMatchesRestSnapshot) {
  start();
  sim->step(3);
  WsClient ws(ports.binance, "/stream?streams=btcusdt@depth@100ms");
  auto [code, body] = http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=1000");
  ASSERT_EQ(code, 200) << body;
  Snapshot snap;
  ASSERT_TRUE(parse_snapshot(body, snap)) << body;
  ASSERT_EQ(snap.bid_list.size(), 20u);
  sim->step(40);
  auto msgs = ws.wait_count(40, "depthUpdate");
  auto ev = depths(msgs);
  ASSERT_EQ(ev.size(), 40u);
  for (auto& m : msgs) ASSERT_NE(m.find("\"stream\":\"btcusdt@depth@100ms\""), std::string::npos);
  // Futures rule for the first event, and the spot rule too.
  EXPECT_LE(ev[0].U, snap.last_update_id);
  EXPECT_GE(ev[0].u, snap.last_update_id);
  EXPECT_LE(ev[0].U, snap.last_update_id + 1);
  EXPECT_GE(ev[0].u, snap.last_update_id + 1);
  for (size_t i = 1; i < ev.size(); ++i) {
    ASSERT_EQ(ev[i].pu, ev[i - 1].u) << i;
    ASSERT_EQ(ev[i].U, ev[i - 1].u + 1) << i;
    ASSERT_GE(ev[i].u, ev[i].U) << i;
  }
  auto apply = [](std::map<std::string, std::string>& side, const std::vector<std::pair<std::string, std::string>>& ch) {
    for (auto& [px, q] : ch) {
      if (zero_qty(q)) side.erase(px);
      else side[px] = q;
    }
  };
  for (auto& e : ev) {
    apply(snap.bids, e.b);
    apply(snap.asks, e.a);
  }
  auto [code2, body2] = http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=1000");
  ASSERT_EQ(code2, 200);
  Snapshot after;
  ASSERT_TRUE(parse_snapshot(body2, after));
  EXPECT_EQ(after.last_update_id, ev.back().u + 1);
  EXPECT_EQ(snap.bids, after.bids);
  EXPECT_EQ(snap.asks, after.asks);
}

TEST_F(MarketData, BinanceRestLimitsAndErrors) {
  start();
  auto [c1, b1] = http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=ETHUSDT&limit=5");
  ASSERT_EQ(c1, 200);
  Snapshot s;
  ASSERT_TRUE(parse_snapshot(b1, s));
  EXPECT_EQ(s.bid_list.size(), 5u);
  // ETH scaled to ref 190: the first open 5741.41 maps to 190.00, and Binance prints
  // the symbol's fixed decimals (tick 0.01 -> 2, lot 0.001 -> 3).
  EXPECT_EQ(s.bid_list[0].first.size(), std::string("189.99").size());
  EXPECT_EQ(s.bid_list[0].second.find('.'), s.bid_list[0].second.size() - 4);
  EXPECT_LT(std::stod(s.bid_list[0].first), 190.0);
  EXPECT_GT(std::stod(s.ask_list[0].first), 190.0);
  EXPECT_EQ(http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=NOPE").first, 400);
  EXPECT_EQ(http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=0").first, 400);
  EXPECT_EQ(http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=x").first, 400);
}

TEST_F(MarketData, BinanceOtherStreamsHaveTheDocumentedFields) {
  start();
  WsClient ws(ports.binance, "/stream?streams=btcusdt@bookTicker/btcusdt@markPrice@1s/btcusdt@aggTrade");
  sim->step(2);
  auto msgs = ws.wait_count(6);
  ASSERT_EQ(msgs.size(), 6u);
  simdjson::dom::parser p;
  int seen = 0;
  for (auto& m : msgs) {
    simdjson::dom::element e;
    ASSERT_FALSE(p.parse(m).get(e)) << m;
    std::string_view stream, ev, sym;
    ASSERT_FALSE(e["stream"].get(stream));
    auto d = e["data"];
    ASSERT_FALSE(d["e"].get(ev));
    ASSERT_FALSE(d["s"].get(sym));
    EXPECT_EQ(sym, "BTCUSDT");
    if (ev == "bookTicker") {
      EXPECT_EQ(stream, "btcusdt@bookTicker");
      for (const char* k : {"b", "B", "a", "A"}) { std::string_view v; EXPECT_FALSE(d[k].get(v)) << k; }
      uint64_t u, t, E;
      EXPECT_FALSE(d["u"].get(u));
      EXPECT_FALSE(d["T"].get(t));
      EXPECT_FALSE(d["E"].get(E));
      seen |= 1;
    } else if (ev == "markPriceUpdate") {
      EXPECT_EQ(stream, "btcusdt@markPrice@1s");
      for (const char* k : {"p", "i", "P", "r"}) { std::string_view v; EXPECT_FALSE(d[k].get(v)) << k; }
      std::string_view pm;
      ASSERT_FALSE(d["p"].get(pm));
      EXPECT_EQ(pm.size() - pm.find('.'), 9u);  // 8 decimals, as the docs' example
      seen |= 2;
    } else if (ev == "aggTrade") {
      EXPECT_EQ(stream, "btcusdt@aggTrade");
      for (const char* k : {"p", "q"}) { std::string_view v; EXPECT_FALSE(d[k].get(v)) << k; }
      uint64_t a, f, l;
      bool mk;
      EXPECT_FALSE(d["a"].get(a));
      EXPECT_FALSE(d["f"].get(f));
      EXPECT_FALSE(d["l"].get(l));
      EXPECT_FALSE(d["m"].get(mk));
      EXPECT_LE(f, l);
      seen |= 4;
    } else {
      ADD_FAILURE() << "unexpected " << m;
    }
  }
  EXPECT_EQ(seen, 7);
}

TEST_F(MarketData, HyperliquidL2BookAndAllMidsMatchTheBook) {
  start();
  WsClient ws(ports.hyperliquid, "/ws",
              {R"({"method":"subscribe","subscription":{"type":"l2Book","coin":"BTC"}})",
               R"({"method":"subscribe","subscription":{"type":"allMids"}})"});
  // subscriptionResponse + current book, subscriptionResponse + current mids.
  auto first = ws.wait_count(4);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_NE(first[0].find("\"channel\":\"subscriptionResponse\""), std::string::npos);
  sim->step(1);
  auto msgs = ws.wait_count(2, "\"time\":");  // the initial book and the step's book
  auto [code, body] = http_request(ports.binance, http::verb::get, "/fapi/v1/depth?symbol=BTCUSDT&limit=20");
  ASSERT_EQ(code, 200);
  Snapshot snap;
  ASSERT_TRUE(parse_snapshot(body, snap));
  std::string last_book;
  for (auto& m : msgs)
    if (m.find("\"channel\":\"l2Book\"") != std::string::npos) last_book = m;
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_FALSE(p.parse(last_book).get(e)) << last_book;
  std::string_view coin;
  ASSERT_FALSE(e["data"]["coin"].get(coin));
  EXPECT_EQ(coin, "BTC");
  uint64_t t;
  EXPECT_FALSE(e["data"]["time"].get(t));
  simdjson::dom::array levels, bids, asks;
  ASSERT_FALSE(e["data"]["levels"].get(levels));
  ASSERT_FALSE(levels.at(0).get(bids));
  ASSERT_FALSE(levels.at(1).get(asks));
  ASSERT_EQ(bids.size(), 20u);
  size_t i = 0;
  for (auto lv : bids) {
    std::string_view px, sz;
    uint64_t n;
    ASSERT_FALSE(lv["px"].get(px));
    ASSERT_FALSE(lv["sz"].get(sz));
    ASSERT_FALSE(lv["n"].get(n));
    EXPECT_GE(n, 1u);
    // Same book as Binance's, in Hyperliquid's minimal decimals.
    EXPECT_DOUBLE_EQ(std::stod(std::string(px)), std::stod(snap.bid_list[i].first));
    EXPECT_DOUBLE_EQ(std::stod(std::string(sz)), std::stod(snap.bid_list[i].second));
    ++i;
  }
  auto mids = ws.wait_count(2, "allMids");
  std::string last_mids;
  for (auto& m : mids)
    if (m.find("\"channel\":\"allMids\"") != std::string::npos) last_mids = m;
  ASSERT_FALSE(p.parse(last_mids).get(e)) << last_mids;
  std::string_view btc_mid, eth_mid;
  EXPECT_FALSE(e["data"]["mids"]["BTC"].get(btc_mid));
  EXPECT_FALSE(e["data"]["mids"]["ETH"].get(eth_mid));
  const double best_bid = std::stod(snap.bid_list[0].first), best_ask = std::stod(snap.ask_list[0].first);
  // The last allMids may be from a step before or after the snapshot (the path
  // keeps moving while the test reads), so compare within one minute's move.
  const double mid = std::stod(std::string(btc_mid)), snap_mid = (best_bid + best_ask) / 2;
  EXPECT_GT(mid, snap_mid * 0.95);
  EXPECT_LT(mid, snap_mid * 1.05);
}

TEST_F(MarketData, PythPriceUpdatesForSubscribedIds) {
  start();
  const std::string eth = "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace";
  WsClient bad(ports.pyth, "/ws", {R"({"type":"subscribe","ids":["0xdeadbeef"]})"});
  WsClient ws(ports.pyth, "/ws", {R"({"type":"subscribe","ids":["0x)" + eth + R"("]})"});
  auto b = bad.wait_count(1);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NE(b[0].find("\"status\":\"error\""), std::string::npos);
  ASSERT_EQ(ws.wait_count(2).size(), 2u);  // subscribed (response + current price) before stepping
  sim->step(5);
  auto msgs = ws.wait_count(6, "price_update");  // the current price on subscribe + 5 steps
  ASSERT_GE(WsClient::count(msgs, "price_update"), 6u);
  EXPECT_EQ(msgs[0], R"({"type":"response","status":"success"})");
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_FALSE(p.parse(msgs.back()).get(e));
  std::string_view type, id, price, conf;
  int64_t expo, pt;
  ASSERT_FALSE(e["type"].get(type));
  EXPECT_EQ(type, "price_update");
  ASSERT_FALSE(e["price_feed"]["id"].get(id));
  EXPECT_EQ(id, eth);
  auto pr = e["price_feed"]["price"];
  ASSERT_FALSE(pr["price"].get(price));
  ASSERT_FALSE(pr["conf"].get(conf));
  ASSERT_FALSE(pr["expo"].get(expo));
  ASSERT_FALSE(pr["publish_time"].get(pt));
  EXPECT_EQ(expo, -8);
  std::string_view ema;
  ASSERT_FALSE(e["price_feed"]["ema_price"]["price"].get(ema));
  // The ETH mid from the control status, at expo -8.
  std::string st = sim->status_json();
  simdjson::dom::parser p2;  // a second document: `price` still views the first
  simdjson::dom::element se;
  ASSERT_FALSE(p2.parse(st).get(se));
  std::string_view mid;
  ASSERT_FALSE(se["markets"].at(1)["mid"].get(mid));
  EXPECT_DOUBLE_EQ(std::stod(std::string(price)) * 1e-8, std::stod(std::string(mid)));
  // Steps are 6 simulated seconds apart (10 per minute): publish_time in seconds.
  uint64_t sim_ms;
  ASSERT_FALSE(se["sim_ms"].get(sim_ms));
  EXPECT_EQ(static_cast<uint64_t>(pt), sim_ms / 1000);
  EXPECT_EQ(WsClient::count(bad.messages(), "price_update"), 0u);
}

// Same seed, same commands: the same bytes on every stream a client sees.
TEST_F(MarketData, SameSeedSameBytes) {
  auto run = [](uint64_t seed) {
    SimConfig c = paused_config(100);
    c.seed = seed;
    Simulator s(c);
    EXPECT_EQ(s.start(), "");
    std::vector<std::string> out;
    {
      WsClient ws(s.ports().binance, "/stream");
      s.step(25);
      out = ws.wait_count(25 * 8);  // 2 markets × (depth, bookTicker, markPrice, aggTrade)
    }
    s.stop();
    return out;
  };
  auto a = run(21), b = run(21), c = run(22);
  ASSERT_EQ(a.size(), 200u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

// As fast as possible: the whole path runs out and ends with one path_end event.
TEST_F(MarketData, FastModeRunsThePathToTheEnd) {
  SimConfig c = paused_config(100);
  c.steps_per_bar = 1;
  c.bar_wall_ms = 0;
  std::mutex mu;
  std::condition_variable cv;
  std::string ended;
  sim = std::make_unique<Simulator>(std::move(c));
  sim->on_event = [&](const std::string& s) {
    std::lock_guard<std::mutex> lk(mu);
    ended = s;
    cv.notify_all();
  };
  ASSERT_EQ(sim->start(), "");
  std::unique_lock<std::mutex> lk(mu);
  cv.wait_for(lk, kWait, [&] { return !ended.empty(); });
  EXPECT_EQ(ended, "{\"event\":\"path_end\",\"steps\":294,\"sim_ms\":1584072000000}");  // 04:00 bar
  lk.unlock();
  EXPECT_EQ(sim->steps_done(), 293u);
}

}  // namespace
}  // namespace liqd::sim::test
