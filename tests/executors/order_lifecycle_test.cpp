// Order life cycle against the deterministic simulated venue: every fault the
// issue names, and the invariant that matters: the venue never executes a chunk
// twice and every fill reaches the core exactly once.
#include <gtest/gtest.h>

#include <map>
#include <utility>
#include <vector>

#include "executors/adapters/sim_venue.hpp"
#include "executors/orders/order_tracker.hpp"

namespace liqd::exec {
namespace {

struct Harness : TrackerOutput, UpdateSink {
  SimVenue venue;
  OrderTracker tracker;
  std::vector<FillReport> fills;
  std::vector<std::pair<OrderRequest, Qty>> reroutes;
  int cancels = 0, queries = 0, sends = 0;
  int64_t now = 1'000'000;

  explicit Harness(std::vector<Level> book, TrackerConfig cfg = {})
      : venue(std::move(book)), tracker(cfg, *this) {}

  void send_new(const OrderRequest& r) override { ++sends; venue.send_new(r); }
  void send_cancel(const ClientOrderId& id) override { ++cancels; venue.send_cancel(id); }
  void send_query(const ClientOrderId& id) override { ++queries; venue.send_query(id); }
  void fill(const FillReport& f) override { fills.push_back(f); }
  void reroute(const OrderRequest& r, Qty q) override { reroutes.emplace_back(r, q); }
  void on_update(const VenueUpdate& u) override { tracker.on_update(u, now); }
  void pump() { venue.poll(*this); }
  void advance(int64_t ms) { now += ms; tracker.on_timer(now); pump(); }

  int64_t filled_total() const {
    int64_t s = 0;
    for (const auto& f : fills) s += f.qty.v;
    return s;
  }
};

// Book: bids 100.00 x3, 99.00 x4, 98.00 x10 (price_dp 2, qty_dp 0).
std::vector<Level> book() { return {{Price(10000), Qty(3)}, {Price(9900), Qty(4)}, {Price(9800), Qty(10)}}; }

OrderRequest sell(uint32_t seq, uint16_t chunk, int64_t qty, int64_t limit) {
  OrderRequest r;
  r.key = OrderKey{42, 7, seq, chunk};
  r.id = make_client_order_id(r.key);
  r.side = Side::Sell;
  r.qty = Qty(qty);
  r.limit = Price(limit);
  return r;
}

TEST(ClientOrderId, DeterministicAndBinanceCompatible) {
  ClientOrderId a = make_client_order_id(OrderKey{42, 7, 1001, 3});
  EXPECT_EQ(a.view(), "L000000000000002a0007000003e90003");
  EXPECT_LE(a.view().size(), 36u);
  for (char c : a.view()) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
  EXPECT_TRUE(make_client_order_id(OrderKey{42, 7, 1001, 3}) == a);
  EXPECT_FALSE(make_client_order_id(OrderKey{42, 7, 1001, 4}) == a);
  OrderKey k;
  ASSERT_TRUE(parse_client_order_id(a.view(), k));
  EXPECT_EQ(k.account, 42u);
  EXPECT_EQ(k.market, 7u);
  EXPECT_EQ(k.liquidation_seq, 1001u);
  EXPECT_EQ(k.chunk, 3u);
  EXPECT_FALSE(parse_client_order_id("x", k));
}

TEST(OrderLifecycle, PartialFillsThenFilled) {
  Harness h(book());
  auto r = sell(1, 0, 5, 9900);
  ASSERT_EQ(h.tracker.submit(r, h.now), SubmitResult::Sent);
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::New);
  h.pump();
  const auto* o = h.tracker.find(r.id);
  EXPECT_EQ(o->state, OrderState::Filled);
  ASSERT_EQ(h.fills.size(), 2u);  // 3 @ 100.00, 2 @ 99.00
  EXPECT_EQ(h.fills[0].qty, Qty(3));
  EXPECT_EQ(h.fills[0].price, Price(10000));
  EXPECT_EQ(h.fills[1].qty, Qty(2));
  EXPECT_EQ(h.fills[1].price, Price(9900));
  EXPECT_EQ(o->notional, 3 * 10000 + 2 * 9900);
  EXPECT_TRUE(h.reroutes.empty());
}

TEST(OrderLifecycle, StatesOnlyMoveForward) {
  Harness h(book());
  h.venue.faults.rest_orders = true;
  auto r = sell(1, 0, 5, 9900);
  h.tracker.submit(r, h.now);
  h.pump();
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::Acknowledged);
  h.venue.fill_resting(r.id, Qty(2), Price(9950));
  h.pump();
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::PartiallyFilled);
  // A stale ack delivered late does not move it back.
  VenueUpdate ack;
  ack.id = r.id;
  h.tracker.on_update(ack, h.now);
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::PartiallyFilled);
  h.venue.fill_resting(r.id, Qty(3), Price(9940));
  h.pump();
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::Filled);
  EXPECT_EQ(h.filled_total(), 5);
}

TEST(OrderLifecycle, DuplicateAndOutOfOrderFillsCountedOnce) {
  Harness h(book());
  h.venue.faults.duplicate_fills = 3;
  h.venue.faults.reverse_fills = true;
  auto r = sell(1, 0, 12, 9800);   // 3 + 4 + 5
  h.tracker.submit(r, h.now);
  h.pump();
  EXPECT_EQ(h.fills.size(), 3u);
  EXPECT_EQ(h.filled_total(), 12);
  EXPECT_EQ(h.tracker.find(r.id)->filled, Qty(12));
  EXPECT_EQ(h.tracker.counters().duplicate_fills, 9u);
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::Filled);
  // A query replays every fill again: still counted once.
  h.venue.send_query(r.id);
  h.pump();
  EXPECT_EQ(h.filled_total(), 12);
  EXPECT_EQ(h.venue.executed(r.id), Qty(12));
}

TEST(OrderLifecycle, IocRemainderExpiresAndIsReroutedOnce) {
  Harness h(book());
  auto r = sell(1, 0, 10, 9900);   // only 7 inside the limit
  h.tracker.submit(r, h.now);
  h.pump();
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::Expired);
  ASSERT_EQ(h.reroutes.size(), 1u);
  EXPECT_EQ(h.reroutes[0].second, Qty(3));
  h.venue.send_query(r.id);   // the final state again
  h.pump();
  EXPECT_EQ(h.reroutes.size(), 1u);
}

TEST(OrderLifecycle, RejectIsRerouted) {
  Harness h(book());
  h.venue.faults.reject_new = true;
  auto r = sell(1, 0, 5, 9900);
  h.tracker.submit(r, h.now);
  h.pump();
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::Rejected);
  ASSERT_EQ(h.reroutes.size(), 1u);
  EXPECT_EQ(h.reroutes[0].second, Qty(5));
}

TEST(OrderLifecycle, SameChunkIsNeverSentTwice) {
  Harness h(book());
  auto r = sell(1, 0, 5, 9900);
  EXPECT_EQ(h.tracker.submit(r, h.now), SubmitResult::Sent);
  EXPECT_EQ(h.tracker.submit(r, h.now), SubmitResult::Duplicate);
  h.pump();
  EXPECT_EQ(h.venue.orders_received(), 1);
  // After a restart (fresh tracker, empty memory) the retry carries the same id and
  // the venue refuses it: the chunk still executed once.
  Harness restarted(book());
  restarted.venue = h.venue;
  restarted.tracker.submit(r, restarted.now);
  restarted.pump();
  EXPECT_EQ(restarted.tracker.find(r.id)->state, OrderState::Rejected);
  EXPECT_EQ(restarted.venue.executed(r.id), Qty(5));
}

TEST(OrderLifecycle, AckTimeoutCancelsAndReroutes) {
  TrackerConfig cfg;
  cfg.ack_timeout_ms = 100;
  Harness h(book(), cfg);
  h.venue.faults.hold_acks = true;
  h.venue.faults.rest_orders = true;
  auto r = sell(1, 0, 5, 9900);
  h.tracker.submit(r, h.now);
  h.pump();
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::New);
  h.advance(50);
  EXPECT_EQ(h.cancels, 0);
  h.advance(60);   // 110 ms: ack late -> cancel -> venue confirms
  EXPECT_EQ(h.cancels, 1);
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::Cancelled);
  ASSERT_EQ(h.reroutes.size(), 1u);
  EXPECT_EQ(h.reroutes[0].second, Qty(5));
  EXPECT_EQ(h.tracker.counters().timeouts, 1u);
}

// on_timer() skips the table until the earliest deadline its last scan found: an
// order sent after idle timer turns (nothing due: "never") and a second order
// whose deadline comes before the first's both time out on time.
TEST(OrderLifecycle, TimersAfterIdleTurnsStillFireOnTime) {
  TrackerConfig cfg;
  cfg.ack_timeout_ms = 100;
  cfg.order_timeout_ms = 10'000;
  cfg.query_retry_ms = 500;
  Harness h(book(), cfg);
  h.venue.faults.hold_acks = true;
  h.venue.faults.rest_orders = true;
  h.venue.faults.ignore_cancels = true;
  for (int i = 0; i < 5; ++i) h.advance(10);  // idle: nothing tracked
  auto a = sell(1, 0, 5, 9900);
  h.tracker.submit(a, h.now);
  h.advance(50);
  EXPECT_EQ(h.cancels, 0);
  h.advance(60);  // a: 110 ms without an ack
  EXPECT_EQ(h.cancels, 1);
  // The next scan is due at a's cancel timeout (1 s); b's ack deadline comes first.
  auto b = sell(2, 0, 5, 9900);
  h.tracker.submit(b, h.now);
  h.advance(101);
  EXPECT_EQ(h.cancels, 2);
  EXPECT_EQ(h.tracker.counters().timeouts, 2u);
}

TEST(OrderLifecycle, LateFillAfterCancelCountsOnceAndShrinksReroute) {
  Harness h(book());
  h.venue.faults.rest_orders = true;
  auto r = sell(1, 0, 5, 9900);
  h.tracker.submit(r, h.now);
  h.pump();
  // The fill happens at the venue, but its message is delivered after the cancel answer.
  h.venue.fill_resting(r.id, Qty(2), Price(9950));
  h.venue.send_cancel(r.id);
  h.pump();
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::Cancelled);
  EXPECT_EQ(h.filled_total(), 2);
  ASSERT_EQ(h.reroutes.size(), 1u);
  EXPECT_EQ(h.reroutes[0].second, Qty(3));
  // Now deliver the cancel before the fill (reversed), on a fresh tracker.
  Harness g(book());
  g.venue.faults.rest_orders = true;
  g.tracker.submit(r, g.now);
  g.pump();
  g.venue.fill_resting(r.id, Qty(2), Price(9950));
  g.venue.send_cancel(r.id);
  std::vector<VenueUpdate> msgs;
  struct Collect : UpdateSink { std::vector<VenueUpdate>* v; void on_update(const VenueUpdate& u) override { v->push_back(u); } } c;
  c.v = &msgs;
  g.venue.poll(c);
  ASSERT_EQ(msgs.size(), 2u);
  g.tracker.on_update(msgs[1], g.now);   // cancelled with cum_qty 2 while we counted 0: unknown
  EXPECT_TRUE(g.tracker.find(r.id)->unknown);
  EXPECT_TRUE(g.reroutes.empty());        // never reroute on a count we know is short
  g.tracker.on_update(msgs[0], g.now);    // the fill
  g.advance(1000);                        // re-query settles it
  EXPECT_EQ(g.tracker.find(r.id)->state, OrderState::Cancelled);
  EXPECT_FALSE(g.tracker.find(r.id)->unknown);
  EXPECT_EQ(g.filled_total(), 2);
  ASSERT_EQ(g.reroutes.size(), 1u);
  EXPECT_EQ(g.reroutes[0].second, Qty(3));
}

TEST(OrderLifecycle, ReconnectReconcilesBeforeSendingNew) {
  Harness h(book());
  h.venue.faults.rest_orders = true;
  auto a = sell(1, 0, 5, 9900);
  h.tracker.submit(a, h.now);
  h.pump();
  // Connection drops; meanwhile the venue fills the order, and the fill message is lost.
  h.venue.disconnect();
  h.tracker.on_disconnect();
  h.venue.reconnect();
  h.venue.fill_resting(a.id, Qty(5), Price(9960));
  h.venue.disconnect();   // lose those updates
  h.venue.reconnect();
  EXPECT_TRUE(h.tracker.blocked());
  auto b = sell(1, 1, 3, 9900);
  EXPECT_EQ(h.tracker.submit(b, h.now), SubmitResult::Blocked);
  h.tracker.on_reconnect(h.now);
  h.pump();   // query answer: the fill again, then Filled(cum 5)
  EXPECT_FALSE(h.tracker.blocked());
  EXPECT_EQ(h.tracker.find(a.id)->state, OrderState::Filled);
  EXPECT_EQ(h.filled_total(), 5);
  EXPECT_TRUE(h.reroutes.empty());
  EXPECT_EQ(h.tracker.submit(b, h.now), SubmitResult::Sent);
}

TEST(OrderLifecycle, NotFoundIsFinalOnlyAfterTheReplayWindow) {
  TrackerConfig cfg;
  cfg.recv_window_ms = 5'000;
  cfg.query_retry_ms = 1'000;
  Harness h(book(), cfg);
  auto a = sell(1, 0, 5, 9900);
  h.venue.disconnect();             // the new order is lost on the wire
  h.tracker.submit(a, h.now);
  h.tracker.on_disconnect();
  h.venue.reconnect();
  h.tracker.on_reconnect(h.now);
  h.pump();                          // NotFound, but it could still arrive
  EXPECT_TRUE(h.tracker.find(a.id)->unknown);
  EXPECT_TRUE(h.reroutes.empty());
  for (int i = 0; i < 4; ++i) h.advance(1'000);
  EXPECT_TRUE(h.tracker.find(a.id)->unknown);
  h.advance(1'000);                  // 5 s after sending: it can never execute now
  EXPECT_FALSE(h.tracker.find(a.id)->unknown);
  EXPECT_EQ(h.tracker.find(a.id)->state, OrderState::Expired);
  ASSERT_EQ(h.reroutes.size(), 1u);
  EXPECT_EQ(h.reroutes[0].second, Qty(5));
  EXPECT_EQ(h.venue.executed(a.id), Qty(0));
}

TEST(OrderLifecycle, CompactForgetsOldTerminalOrdersOnly) {
  TrackerConfig cfg;
  cfg.capacity = 4;
  Harness h(book(), cfg);
  h.venue.faults.rest_orders = true;
  for (uint16_t c = 0; c < 4; ++c) ASSERT_EQ(h.tracker.submit(sell(1, c, 1, 9900), h.now), SubmitResult::Sent);
  EXPECT_EQ(h.tracker.submit(sell(1, 9, 1, 9900), h.now), SubmitResult::Full);
  h.pump();
  h.venue.fill_resting(sell(1, 0, 1, 9900).id, Qty(1), Price(9900));
  h.pump();
  EXPECT_EQ(h.tracker.compact(h.now + 10, 60'000), 0u);   // too recent
  EXPECT_EQ(h.tracker.compact(h.now + 60'000, 60'000), 1u);
  EXPECT_EQ(h.tracker.find(sell(1, 0, 1, 9900).id), nullptr);
  EXPECT_NE(h.tracker.find(sell(1, 1, 1, 9900).id), nullptr);
  EXPECT_EQ(h.tracker.submit(sell(1, 9, 1, 9900), h.now), SubmitResult::Sent);
}

}  // namespace
// Restart: an order recovered from the journal with two fills already
// journaled. The venue's replay of those fills (its answer to the reconcile
// query) must not be reported again; a third, new fill must be.
TEST(OrderLifecycle, RecoveredFillsAreNotReportedTwice) {
  Harness h(book());
  auto r = sell(9, 0, 10, 9800);
  ASSERT_EQ(h.tracker.submit(r, h.now), SubmitResult::Sent);
  const uint64_t ids[2] = {501, 502};
  ASSERT_TRUE(h.tracker.restore_fills(r.id, ids, 2, Qty(4)));
  EXPECT_EQ(h.tracker.find(r.id)->filled, Qty(4));
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::PartiallyFilled);
  VenueUpdate u;
  u.id = r.id;
  u.kind = UpdateKind::Fill;
  u.fill_price = Price(10000);
  for (uint64_t id : {501u, 502u}) {
    u.fill_id = id;
    u.fill_qty = Qty(2);
    EXPECT_TRUE(h.tracker.is_duplicate_fill(u));   // the stage does not journal it again
    h.tracker.on_update(u, h.now);
  }
  EXPECT_TRUE(h.fills.empty());
  EXPECT_EQ(h.tracker.counters().duplicate_fills, 2u);
  u.fill_id = 503;
  u.fill_qty = Qty(6);
  EXPECT_FALSE(h.tracker.is_duplicate_fill(u));
  h.tracker.on_update(u, h.now);
  EXPECT_TRUE(h.tracker.is_duplicate_fill(u));
  ASSERT_EQ(h.fills.size(), 1u);
  EXPECT_EQ(h.fills[0].fill_id, 503u);
  EXPECT_EQ(h.tracker.find(r.id)->filled, Qty(10));
  EXPECT_EQ(h.tracker.find(r.id)->state, OrderState::Filled);
  ClientOrderId unknown = make_client_order_id(OrderKey{1, 1, 1, 1});
  EXPECT_FALSE(h.tracker.restore_fills(unknown, ids, 2, Qty(4)));
}

}  // namespace liqd::exec
