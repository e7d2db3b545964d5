// ProtoTcpAdapter + OrderTracker against the real simulator venue (sim/, the
// venue's order entry on loopback): both ends frame with proto/framing.hpp, so
// this is the end-to-end check that the executor and the venue agree on the
// wire. Threaded: the simulator runs its own io thread.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "executors/adapters/order_entry/proto_tcp_adapter.hpp"
#include "executors/orders/order_tracker.hpp"
#include "sim/server/simulator.hpp"

namespace liqd::exec {
namespace {

struct Session : TrackerOutput, UpdateSink {
  ProtoTcpAdapter& a;
  OrderTracker tracker;
  std::vector<FillReport> fills;
  std::vector<VenueUpdate> seen;
  explicit Session(ProtoTcpAdapter& ad) : a(ad), tracker(TrackerConfig{}, *this) {}
  void send_new(const OrderRequest& r) override { a.send_new(r); }
  void send_cancel(const ClientOrderId& id) override { a.send_cancel(id); }
  void send_query(const ClientOrderId& id) override { a.send_query(id); }
  void fill(const FillReport& f) override { fills.push_back(f); }
  void reroute(const OrderRequest&, Qty) override {}
  void on_update(const VenueUpdate& u) override {
    seen.push_back(u);
    tracker.on_update(u, 0);
  }
};

// Polls the adapter until `done` or a generous safety bound (not a timing assertion).
void pump(ProtoTcpAdapter& a, Session& s, const std::function<bool()>& done) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < until) {
    if (a.poll(s) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

OrderRequest request(uint32_t seq, Side side, int64_t qty, int64_t limit) {
  OrderRequest r;
  r.key = OrderKey{0, 0, seq, 0};
  r.id = make_client_order_id(r.key);
  r.side = side;
  r.qty = Qty(qty);
  r.limit = Price(limit);
  r.reduce_only = false;   // account 0 is a plain trader in the simulator
  r.ioc = true;
  return r;
}

class SimOrderEntry : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimConfig c;
    c.path_file = std::string(LIQD_TEST_DATA_DIR) + "/sim/binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv";
    c.bar_wall_ms = -1;   // paused: the book does not move under the test
    c.population.accounts = 100;
    c.seed = 3;
    sim::MarketSpec btc;
    ASSERT_EQ(sim::parse_market_spec("BTCUSDT:tick=0.1:lot=0.001", btc), "");   // price 1 dp, qty 3 dp
    c.markets = {btc};
    simulator = std::make_unique<sim::Simulator>(std::move(c));
    ASSERT_EQ(simulator->start(), "");
  }
  void TearDown() override {
    if (simulator) simulator->stop();
  }
  std::unique_ptr<sim::Simulator> simulator;
};

const OrderTracker::Order* order_of(const Session& s, const OrderRequest& r) { return s.tracker.find(r.id); }

TEST_F(SimOrderEntry, IocOrdersFillAndEveryFillIsReportedOnce) {
  ProtoTcpAdapter a("127.0.0.1", simulator->ports().orders, 0, "BTCUSDT");
  Session s(a);
  a.connect();
  pump(a, s, [&] { return a.connected(); });
  ASSERT_TRUE(a.connected());

  // Buy 0.050 BTC with a limit far above the book: fills completely (IOC).
  const OrderRequest buy = request(1, Side::Buy, 50, 100'000'000);
  ASSERT_EQ(s.tracker.submit(buy, 0), SubmitResult::Sent);
  pump(a, s, [&] { return order_of(s, buy) && is_terminal(order_of(s, buy)->state); });
  ASSERT_NE(order_of(s, buy), nullptr);
  EXPECT_EQ(order_of(s, buy)->state, OrderState::Filled);
  EXPECT_EQ(order_of(s, buy)->filled.v, 50);
  int64_t reported = 0;
  for (const FillReport& f : s.fills) {
    EXPECT_EQ(f.id, buy.id);
    EXPECT_GT(f.price.v, 0);
    EXPECT_LE(f.price.v, buy.limit.v);
    reported += f.qty.v;
  }
  EXPECT_EQ(reported, 50);   // exactly once: the fills add up to the order
  EXPECT_EQ(a.malformed(), 0u);

  // The tracker refuses a second submit of the id; the venue, sent the same id
  // directly, rejects it, and nothing is counted twice.
  EXPECT_EQ(s.tracker.submit(buy, 0), SubmitResult::Duplicate);
  const size_t before = s.seen.size();
  a.send_new(buy);
  pump(a, s, [&] { return s.seen.size() > before; });
  ASSERT_GT(s.seen.size(), before);
  EXPECT_EQ(s.seen.back().kind, UpdateKind::Rejected);
  EXPECT_EQ(order_of(s, buy)->filled.v, 50);
  EXPECT_EQ(s.fills.size(), static_cast<size_t>(s.tracker.counters().fills));

  // A sell with a limit above every bid takes nothing: acknowledged, then expired
  // with the whole quantity left.
  const OrderRequest sell = request(2, Side::Sell, 10, 100'000'000);
  ASSERT_EQ(s.tracker.submit(sell, 0), SubmitResult::Sent);
  pump(a, s, [&] { return is_terminal(order_of(s, sell)->state); });
  EXPECT_EQ(order_of(s, sell)->state, OrderState::Expired);
  EXPECT_EQ(order_of(s, sell)->filled.v, 0);
  EXPECT_EQ(a.malformed(), 0u);
  EXPECT_EQ(a.disconnects(), 0u);
}

}  // namespace
}  // namespace liqd::exec
