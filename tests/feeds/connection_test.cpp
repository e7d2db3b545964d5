// Venue connections against the built liqd-sim (a separate process on loopback):
// Binance books synced from REST snapshots stay equal to a fresh REST snapshot,
// a depth gap is resynced, Hyperliquid and Pyth prices equal the sim's path price,
// the account stream delivers the full snapshot and deltas in sequence and resyncs
// a gap by reconnecting, and every connection comes back after the sim restarts.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <mutex>

#include "core/money/decimal.hpp"
#include "feeds/connection/account_connection.hpp"
#include "feeds/connection/binance_connection.hpp"
#include "feeds/connection/hyperliquid_connection.hpp"
#include "feeds/connection/pyth_connection.hpp"
#include "order.pb.h"
#include "tests/feeds/sim_process.hpp"
#include "tests/sim/clients.hpp"

using namespace liqd;
using namespace liqd::feeds;
using liqd::feeds::test::SimProcess;
using liqd::feeds::test::wait_until;

namespace {

constexpr int kWaitMs = 25000;  // generous: 2 shared cores, sanitizers

// Records what the connection threads deliver; read by the test thread under a mutex.
struct RecSink : EventSink {
  struct Book {
    uint64_t seq = 0;
    std::vector<Level> bids, asks;  // best first
  };
  std::mutex mu;
  std::map<MarketId, Book> books;
  std::map<std::pair<MarketId, int>, int64_t> prices;  // (market, source) -> last price
  uint64_t resyncs = 0, book_events = 0, bbos = 0, trades = 0;

  void on_book(const BookUpdated& u, const L2Book& b) override {
    std::lock_guard<std::mutex> lk(mu);
    Book& bk = books[u.h.market];
    bk.seq = u.seq;
    bk.bids.clear();
    bk.asks.clear();
    for (uint32_t i = 0; i < b.depth(kBid); ++i) bk.bids.push_back(b.level(kBid, i));
    for (uint32_t i = 0; i < b.depth(kAsk); ++i) bk.asks.push_back(b.level(kAsk, i));
    ++book_events;
  }
  void on_price(const PriceUpdate& p) override {
    std::lock_guard<std::mutex> lk(mu);
    prices[{p.h.market, static_cast<int>(p.source)}] = p.price;
  }
  void on_resync(const ResyncRequest&) override {
    std::lock_guard<std::mutex> lk(mu);
    ++resyncs;
  }
  void on_bbo(const BestBidOffer&) override {
    std::lock_guard<std::mutex> lk(mu);
    ++bbos;
  }
  void on_trade(const Trade&) override {
    std::lock_guard<std::mutex> lk(mu);
    ++trades;
  }
  Book book(MarketId m) {
    std::lock_guard<std::mutex> lk(mu);
    return books[m];
  }
  int64_t price(MarketId m, PriceSource s) {
    std::lock_guard<std::mutex> lk(mu);
    auto it = prices.find({m, static_cast<int>(s)});
    return it == prices.end() ? INT64_MIN : it->second;
  }
};

struct AccRec : AccountSink {
  std::mutex mu;
  std::vector<AccountUpdate> ups;
  std::vector<AccountResyncRequest> resyncs;
  std::vector<uint64_t> in_sync_seqs;
  void on_account(const AccountUpdate& u) override {
    std::lock_guard<std::mutex> lk(mu);
    ups.push_back(u);
  }
  void on_account_resync(const AccountResyncRequest& r) override {
    std::lock_guard<std::mutex> lk(mu);
    resyncs.push_back(r);
  }
  void on_account_in_sync(uint64_t s) override {
    std::lock_guard<std::mutex> lk(mu);
    in_sync_seqs.push_back(s);
  }
  size_t count(AccountUpdateKind k) {
    std::lock_guard<std::mutex> lk(mu);
    size_t n = 0;
    for (auto& u : ups) n += u.kind == k;
    return n;
  }
  std::vector<AccountUpdate> copy() {
    std::lock_guard<std::mutex> lk(mu);
    return ups;
  }
};

Scale scale(int8_t pdp, int8_t qdp) {
  Scale s;
  s.price_dp = pdp;
  s.qty_dp = qdp;
  s.quote_dp = 2;
  return s;
}

class SimConnections : public ::testing::Test {
 protected:
  void SetUp() override {
    args_ = {"--paused",  "--accounts", "300", "--seed", "7", "--market", "BTCUSDT:tick=0.1:lot=0.001",
             "--market", "ETHUSDT:ref=190:tick=0.01:lot=0.001", "--depth-levels", "50"};
    // Fixed ports outside the ephemeral range: the restart test brings the sim
    // back on the same ports (see SimProcess::start_on_fixed_ports).
    ASSERT_EQ(sim.start_on_fixed_ports(args_), "");
    simdjson::dom::parser p;
    simdjson::dom::element e;
    ASSERT_FALSE(p.parse(sim.ready_line()).get(e));
    for (auto m : e["markets"].get_array()) {
      std::string_view id;
      ASSERT_FALSE(m["pyth_id"].get(id));
      pyth_ids.emplace_back(id);
    }
    ASSERT_EQ(pyth_ids.size(), 2u);
    btc = markets.add(Venue::BinanceUsdm, "BTCUSDT", scale(1, 3));
    eth = markets.add(Venue::BinanceUsdm, "ETHUSDT", scale(2, 3));
    hl_btc = markets.add(Venue::Hyperliquid, "BTC", scale(1, 3));
    hl_eth = markets.add(Venue::Hyperliquid, "ETH", scale(2, 3));
    py_btc = markets.add(Venue::PythHermes, pyth_ids[0], scale(8, 0));
    py_eth = markets.add(Venue::PythHermes, pyth_ids[1], scale(8, 0));
    markets.add(Venue::Own, "BTCUSDT", scale(1, 3));
    markets.add(Venue::Own, "ETHUSDT", scale(2, 3));
  }

  std::string ws_base() const { return "ws://127.0.0.1:" + std::to_string(sim.ports.binance); }
  std::string rest_base() const { return "http://127.0.0.1:" + std::to_string(sim.ports.binance); }

  void control(const std::string& target) {
    auto [status, body] = sim::test::http_request(sim.ports.control, sim::test::http::verb::post, target);
    ASSERT_EQ(status, 200) << target << ": " << body;
  }
  // The sim's mid (as its decimal string) and last update id per symbol.
  std::map<std::string, std::pair<std::string, uint64_t>> status() {
    auto [code, body] = sim::test::http_request(sim.ports.control, sim::test::http::verb::get, "/control/status");
    EXPECT_EQ(code, 200);
    std::map<std::string, std::pair<std::string, uint64_t>> out;
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.parse(body).get(e)) return out;
    for (auto m : e["markets"].get_array()) {
      std::string_view sym, mid;
      uint64_t u = 0;
      if (m["symbol"].get(sym) || m["mid"].get(mid) || m["last_update_id"].get(u)) continue;
      out[std::string(sym)] = {std::string(mid), u};
    }
    return out;
  }

  static BinanceOptions binance_options() {
    BinanceOptions o;
    o.ws.backoff_initial_ms = 100;
    o.ws.backoff_max_ms = 800;
    o.ws.seed = 1;
    o.rest.timeout_ms = 5000;
    o.snapshot_retry_ms = 200;
    return o;
  }

  // The book the connection delivered equals a REST snapshot fetched now (the sim
  // is paused, so nothing moves in between), level by level, exact.
  void expect_book_equals_rest_snapshot(RecSink& rec, MarketId m, const std::string& symbol, int8_t pdp, int8_t qdp) {
    RestClient rest;
    RestResult r = rest.get(rest_base() + "/fapi/v1/depth?symbol=" + symbol + "&limit=1000");
    ASSERT_TRUE(r.ok()) << r.error << " " << r.status;
    simdjson::dom::parser p;
    simdjson::dom::element e;
    ASSERT_FALSE(p.parse(r.body).get(e));
    uint64_t last_id = 0;
    ASSERT_FALSE(e["lastUpdateId"].get(last_id));
    RecSink::Book bk = rec.book(m);
    EXPECT_EQ(bk.seq + 1, last_id) << symbol << ": the snapshot id is the last u + 1 (sim contract)";
    for (const char* side : {"bids", "asks"}) {
      const std::vector<Level>& mine = side[0] == 'b' ? bk.bids : bk.asks;
      simdjson::dom::array arr;
      ASSERT_FALSE(e[side].get(arr));
      ASSERT_EQ(arr.size(), mine.size()) << symbol << " " << side;
      size_t i = 0;
      for (auto lv : arr) {
        std::string_view px, qty;
        ASSERT_FALSE(lv.at(0).get(px));
        ASSERT_FALSE(lv.at(1).get(qty));
        int64_t pv = 0, qv = 0;
        ASSERT_EQ(parse_decimal(px, pdp, pv), DecimalError::Ok);
        ASSERT_EQ(parse_decimal(qty, qdp, qv), DecimalError::Ok);
        EXPECT_EQ(mine[i].price, pv) << symbol << " " << side << " level " << i;
        EXPECT_EQ(mine[i].qty, qv) << symbol << " " << side << " level " << i;
        ++i;
      }
    }
  }

  // Steps the paused sim until the connection is in sync (a book syncs on its
  // first delta after the snapshot).
  void step_until_in_sync(const WsFeedConnection& c) {
    ASSERT_TRUE(wait_until([&] { return c.connected(); }, kWaitMs));
    ASSERT_TRUE(wait_until([&] {
      if (c.in_sync()) return true;
      control("/control/step?n=1");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return c.in_sync();
    }, kWaitMs)) << "markets in sync " << c.markets_in_sync() << "/" << c.markets_total();
  }

  // Waits until the books carry the sim's last update ids.
  void wait_books_caught_up(RecSink& rec) {
    auto st = status();
    const uint64_t ub = st["BTCUSDT"].second, ue = st["ETHUSDT"].second;
    ASSERT_TRUE(wait_until([&] { return rec.book(btc).seq == ub && rec.book(eth).seq == ue; }, kWaitMs))
        << rec.book(btc).seq << " vs " << ub << ", " << rec.book(eth).seq << " vs " << ue;
  }

  SimProcess sim;
  std::vector<std::string> args_;
  std::vector<std::string> pyth_ids;
  MarketTable markets{64};
  MarketId btc = kNoMarket, eth = kNoMarket, hl_btc = kNoMarket, hl_eth = kNoMarket, py_btc = kNoMarket,
           py_eth = kNoMarket;
};

int64_t dec(const std::string& s, int dp) {
  int64_t v = 0;
  EXPECT_EQ(parse_decimal(s, dp, v), DecimalError::Ok) << s;
  return v;
}

void send_order(uint16_t port, uint64_t account, const std::string& id, int64_t limit) {
  sim::test::FrameClient<proto::OrderEntryMessage> orders(port);
  proto::OrderEntryMessage m;
  auto* o = m.mutable_new_order();
  o->set_client_order_id(id);
  o->set_account_id(account);
  o->set_market("BTCUSDT");
  o->set_side(proto::BUY);
  o->set_qty(1);
  o->set_limit_price(limit);
  o->set_immediate_or_cancel(true);
  orders.send(m);
  // Wait for the final state of the order (FILLED / EXPIRED / REJECTED).
  auto got = orders.wait([](const std::vector<proto::OrderEntryMessage>& v) {
    for (auto& x : v)
      if (x.has_update() && (x.update().state() == proto::OrderUpdate::FILLED ||
                             x.update().state() == proto::OrderUpdate::EXPIRED ||
                             x.update().state() == proto::OrderUpdate::REJECTED))
        return true;
    return false;
  });
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back().update().state(), proto::OrderUpdate::FILLED) << got.back().update().reason();
}

}  // namespace

TEST_F(SimConnections, BinanceBooksSyncFromRestSnapshotAndStayEqualToIt) {
  RecSink rec;
  BinanceConnection c(markets, {"BTCUSDT", "ETHUSDT"}, ws_base(), rest_base(), rec, binance_options());
  EXPECT_EQ(c.stream_url(), ws_base() + "/stream?streams=btcusdt@depth@100ms/btcusdt@markPrice@1s/btcusdt@bookTicker/"
                                        "btcusdt@aggTrade/ethusdt@depth@100ms/ethusdt@markPrice@1s/ethusdt@bookTicker/"
                                        "ethusdt@aggTrade");
  ASSERT_EQ(c.start(), "");
  EXPECT_FALSE(c.in_sync());
  ASSERT_TRUE(wait_until([&] { return c.counters().snapshots_fetched.load() >= 2; }, kWaitMs));
  step_until_in_sync(c);
  control("/control/step?n=30");
  wait_books_caught_up(rec);
  EXPECT_TRUE(c.in_sync());
  expect_book_equals_rest_snapshot(rec, btc, "BTCUSDT", 1, 3);
  expect_book_equals_rest_snapshot(rec, eth, "ETHUSDT", 2, 3);
  // The mark price is the sim's mid.
  auto st = status();
  ASSERT_TRUE(wait_until([&] { return rec.price(btc, PriceSource::Mark) == dec(st["BTCUSDT"].first, 1); }, kWaitMs));
  c.stop();
  const FeedCounters fc = c.feed_counters();
  EXPECT_EQ(fc.gaps, 0u);
  EXPECT_EQ(fc.errors_total, 0u);
  EXPECT_GE(fc.deltas, 30u);
  EXPECT_EQ(c.counters().resync_requests.load(), 0u);
  EXPECT_EQ(c.counters().snapshots_fetched.load(), 2u);
  EXPECT_EQ(c.transport().connects.load(), 1u);
  EXPECT_EQ(c.transport().disconnects.load(), 0u);
  EXPECT_GT(c.transport().messages.load(), 60u);
  EXPECT_GT(rec.bbos, 0u);
  EXPECT_FALSE(c.in_sync());
}

TEST_F(SimConnections, BinanceResyncsAfterAGap) {
  RecSink rec;
  BinanceConnection c(markets, {"BTCUSDT", "ETHUSDT"}, ws_base(), rest_base(), rec, binance_options());
  ASSERT_EQ(c.start(), "");
  ASSERT_TRUE(wait_until([&] { return c.counters().snapshots_fetched.load() >= 2; }, kWaitMs));
  step_until_in_sync(c);
  control("/control/fault?stream=binance&mode=gap");
  // The next depthUpdate is dropped by the sim: the one after it breaks the pu chain.
  ASSERT_TRUE(wait_until([&] {
    control("/control/step?n=1");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return c.counters().resync_requests.load() >= 1;
  }, kWaitMs));
  step_until_in_sync(c);
  control("/control/step?n=5");
  wait_books_caught_up(rec);
  expect_book_equals_rest_snapshot(rec, btc, "BTCUSDT", 1, 3);
  expect_book_equals_rest_snapshot(rec, eth, "ETHUSDT", 2, 3);
  c.stop();
  EXPECT_EQ(c.counters().resync_requests.load(), 1u);
  EXPECT_EQ(c.feed_counters().gaps, 1u);
  EXPECT_EQ(c.counters().snapshots_fetched.load(), 3u);  // 2 at start + 1 resync
  EXPECT_EQ(rec.resyncs, 1u);
  EXPECT_EQ(c.transport().disconnects.load(), 0u);  // a resync is not a reconnect on Binance
}

TEST_F(SimConnections, HyperliquidAndPythPricesEqualTheSimsPathPrice) {
  RecSink rec;
  HyperliquidOptions ho;
  ho.ws.ping_interval_ms = 200;  // exercise the text ping ({"method":"ping"} -> pong)
  HyperliquidConnection hl(markets, {"BTC", "ETH"}, "ws://127.0.0.1:" + std::to_string(sim.ports.hyperliquid) + "/ws",
                           rec, ho);
  PythConnection py(markets, pyth_ids, "ws://127.0.0.1:" + std::to_string(sim.ports.pyth) + "/ws", rec);
  ASSERT_EQ(hl.start(), "");
  ASSERT_EQ(py.start(), "");
  // Both venues send the current state on subscribe: in sync without a step.
  ASSERT_TRUE(wait_until([&] { return hl.in_sync() && py.in_sync(); }, kWaitMs));
  control("/control/step?n=7");
  auto st = status();
  const int64_t btc1 = dec(st["BTCUSDT"].first, 1), eth2 = dec(st["ETHUSDT"].first, 2);
  const int64_t btc8 = dec(st["BTCUSDT"].first, 8), eth8 = dec(st["ETHUSDT"].first, 8);
  ASSERT_TRUE(wait_until([&] {
    return rec.price(py_btc, PriceSource::Oracle) == btc8 && rec.price(py_eth, PriceSource::Oracle) == eth8 &&
           rec.price(hl_btc, PriceSource::Mid) == btc1 && rec.price(hl_eth, PriceSource::Mid) == eth2;
  }, kWaitMs)) << rec.price(py_btc, PriceSource::Oracle) << " vs " << btc8 << "; " << rec.price(hl_btc, PriceSource::Mid)
               << " vs " << btc1;
  // The l2Book around the mid: best bid < mid < best ask.
  RecSink::Book b = rec.book(hl_btc);
  ASSERT_FALSE(b.bids.empty());
  ASSERT_FALSE(b.asks.empty());
  EXPECT_LT(b.bids[0].price, btc1);
  EXPECT_GT(b.asks[0].price, btc1);
  // Pings went out and the connection stayed up.
  ASSERT_TRUE(wait_until([&] { return hl.transport().sent.load() >= 4; }, kWaitMs));
  EXPECT_TRUE(hl.in_sync());
  hl.stop();
  py.stop();
  EXPECT_EQ(hl.feed_counters().errors_total, 0u);
  EXPECT_EQ(py.feed_counters().errors_total, 0u);
  EXPECT_EQ(hl.transport().disconnects.load(), 0u);
  EXPECT_EQ(py.transport().connects.load(), 1u);
}

TEST_F(SimConnections, AccountSnapshotDeltasInSequenceAndGapResyncByReconnect) {
  AccRec rec;
  AccountOptions ao;
  ao.frames.backoff_initial_ms = 100;
  ao.frames.backoff_max_ms = 500;
  AccountConnection c(markets, "127.0.0.1:" + std::to_string(sim.ports.accounts), rec, ao);
  ASSERT_EQ(c.start(), "");
  ASSERT_TRUE(wait_until([&] { return c.in_sync(); }, kWaitMs));
  EXPECT_EQ(rec.count(AccountUpdateKind::SnapshotCollateral), 300u);  // one per account (--accounts 300)
  EXPECT_EQ(c.snapshots_completed(), 1u);
  const uint64_t s0 = c.last_seq();
  auto has_position_of = [&](uint64_t account) {
    for (auto& u : rec.copy())
      if (u.kind == AccountUpdateKind::Position && u.account_id == account) return true;
    return false;
  };
  send_order(sim.ports.orders, 1, "t-1", 1'000'000);
  send_order(sim.ports.orders, 2, "t-2", 1'000'000);
  ASSERT_TRUE(wait_until([&] { return has_position_of(1) && has_position_of(2); }, kWaitMs));
  {
    // Every delta after the snapshot (seq s0) carries the next seq.
    std::vector<uint64_t> seqs;
    for (auto& u : rec.copy())
      if (u.kind == AccountUpdateKind::Position || u.kind == AccountUpdateKind::CollateralDelta) seqs.push_back(u.seq);
    ASSERT_GE(seqs.size(), 2u);
    for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], s0 + 1 + i);
    EXPECT_EQ(c.last_seq(), seqs.back());
  }
  EXPECT_TRUE(c.in_sync());
  // The sim drops the next account delta: the one after it is a gap -> reconnect -> snapshot.
  const uint64_t s1 = c.last_seq();
  control("/control/fault?stream=accounts&mode=gap");
  send_order(sim.ports.orders, 3, "t-3", 1'000'000);  // dropped
  send_order(sim.ports.orders, 4, "t-4", 1'000'000);  // gap detected
  ASSERT_TRUE(wait_until([&] { return c.snapshots_completed() == 2 && c.in_sync(); }, kWaitMs));
  EXPECT_EQ(c.counters().resync_reconnects.load(), 1u);
  EXPECT_EQ(rec.count(AccountUpdateKind::SnapshotCollateral), 600u);
  {
    std::lock_guard<std::mutex> lk(rec.mu);
    ASSERT_EQ(rec.resyncs.size(), 1u);
    EXPECT_EQ(rec.resyncs[0].expected_seq, s1 + 1);
    EXPECT_EQ(rec.resyncs[0].got_seq, s1 + 2);
    ASSERT_EQ(rec.in_sync_seqs.size(), 2u);
    EXPECT_GE(rec.in_sync_seqs[1], s1 + 2);  // the new snapshot is as of the latest seq
  }
  c.stop();
  EXPECT_EQ(c.transport().connects.load(), 2u);
  EXPECT_EQ(c.transport().disconnects.load(), 1u);
  EXPECT_EQ(c.feed_counters().gaps, 1u);
  EXPECT_FALSE(c.in_sync());
}

TEST_F(SimConnections, EveryConnectionComesBackAfterTheSimRestarts) {
  RecSink rec;
  AccRec arec;
  BinanceConnection bn(markets, {"BTCUSDT", "ETHUSDT"}, ws_base(), rest_base(), rec, binance_options());
  PythOptions po;
  po.ws.backoff_initial_ms = 100;
  po.ws.backoff_max_ms = 800;
  PythConnection py(markets, pyth_ids, "ws://127.0.0.1:" + std::to_string(sim.ports.pyth) + "/ws", rec, po);
  AccountOptions ao;
  ao.frames.backoff_initial_ms = 100;
  ao.frames.backoff_max_ms = 800;
  AccountConnection ac(markets, "127.0.0.1:" + std::to_string(sim.ports.accounts), arec, ao);
  ASSERT_EQ(bn.start(), "");
  ASSERT_EQ(py.start(), "");
  ASSERT_EQ(ac.start(), "");
  step_until_in_sync(bn);
  ASSERT_TRUE(wait_until([&] { return py.in_sync() && ac.in_sync(); }, kWaitMs));
  const auto ports = sim.ports;
  sim.stop();
  ASSERT_TRUE(wait_until([&] { return !bn.connected() && !py.connected() && !ac.connected(); }, kWaitMs));
  EXPECT_FALSE(bn.in_sync());
  EXPECT_FALSE(py.in_sync());
  EXPECT_FALSE(ac.in_sync());
  // Let a few reconnect attempts fail, then bring the sim back on the same ports.
  ASSERT_TRUE(wait_until([&] { return bn.transport().connect_failures.load() >= 2 && py.transport().connect_failures.load() >= 2 &&
           ac.transport().connect_failures.load() >= 2; }, kWaitMs));
  std::vector<std::string> again = args_;
  for (auto [flag, port] : {std::pair{"--binance-port", ports.binance}, {"--hyperliquid-port", ports.hyperliquid},
                            {"--pyth-port", ports.pyth}, {"--order-port", ports.orders},
                            {"--account-port", ports.accounts}, {"--control-port", ports.control}}) {
    again.push_back(flag);
    again.push_back(std::to_string(port));
  }
  ASSERT_EQ(sim.start(again), "");
  ASSERT_TRUE(wait_until([&] { return py.in_sync() && ac.in_sync(); }, kWaitMs));
  step_until_in_sync(bn);
  control("/control/step?n=3");
  wait_books_caught_up(rec);
  expect_book_equals_rest_snapshot(rec, btc, "BTCUSDT", 1, 3);
  bn.stop();
  py.stop();
  ac.stop();
  for (const TransportCounters* t : {&bn.transport(), &py.transport(), &ac.transport()}) {
    EXPECT_EQ(t->connects.load(), 2u);
    EXPECT_EQ(t->disconnects.load(), 1u);
    EXPECT_GE(t->reconnects.load(), 3u);  // at least two failed attempts and the one that worked
    EXPECT_GT(t->last_backoff_ms.load(), 0);
    EXPECT_LE(t->last_backoff_ms.load(), 800);
  }
  // The restarted sim's update ids do not continue the old chain: a gap, then a REST resync.
  EXPECT_GE(bn.counters().resync_requests.load(), 1u);
  EXPECT_EQ(ac.snapshots_completed(), 2u);
}
