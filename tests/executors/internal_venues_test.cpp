// Backstop vault and AMM pool venues behind the adapter interface, driven by the
// order tracker like any venue.
#include <gtest/gtest.h>

#include <vector>

#include "executors/adapters/amm_pool_venue.hpp"
#include "executors/adapters/backstop_vault.hpp"
#include "executors/orders/order_tracker.hpp"

namespace liqd::exec {
namespace {

struct Wire : TrackerOutput, UpdateSink {
  VenueAdapter& venue;
  OrderTracker tracker;
  std::vector<FillReport> fills;
  std::vector<Qty> reroutes;
  explicit Wire(VenueAdapter& v) : venue(v), tracker(TrackerConfig{}, *this) {}
  void send_new(const OrderRequest& r) override { venue.send_new(r); }
  void send_cancel(const ClientOrderId& id) override { venue.send_cancel(id); }
  void send_query(const ClientOrderId& id) override { venue.send_query(id); }
  void fill(const FillReport& f) override { fills.push_back(f); }
  void reroute(const OrderRequest&, Qty q) override { reroutes.push_back(q); }
  void on_update(const VenueUpdate& u) override { tracker.on_update(u, 0); }
};

OrderRequest order(uint16_t chunk, Side side, int64_t qty, int64_t limit) {
  OrderRequest r;
  r.key = OrderKey{9, 1, 77, chunk};
  r.id = make_client_order_id(r.key);
  r.side = side;
  r.qty = Qty(qty);
  r.limit = Price(limit);
  return r;
}

TEST(BackstopVault, TransfersAtTheBoundAndTracksInventory) {
  BackstopVault vault(Qty(10));
  Wire w(vault);
  auto a = order(0, Side::Sell, 6, 9950);
  w.tracker.submit(a, 0);
  vault.poll(w);
  EXPECT_EQ(w.tracker.find(a.id)->state, OrderState::Filled);
  ASSERT_EQ(w.fills.size(), 1u);
  EXPECT_EQ(w.fills[0].price, Price(9950));
  EXPECT_EQ(vault.inventory(), Qty(6));
  EXPECT_EQ(vault.quote_paid(), 6 * 9950);
  // Capacity 10: another 6 would make 12 -> rejected, rerouted.
  auto b = order(1, Side::Sell, 6, 9950);
  w.tracker.submit(b, 0);
  vault.poll(w);
  EXPECT_EQ(w.tracker.find(b.id)->state, OrderState::Rejected);
  ASSERT_EQ(w.reroutes.size(), 1u);
  EXPECT_EQ(vault.inventory(), Qty(6));
  // A query replays the fill: counted once.
  vault.send_query(a.id);
  vault.poll(w);
  EXPECT_EQ(w.fills.size(), 1u);
}

TEST(AmmPoolVenue, SwapMovesReservesAndRespectsLimit) {
  ConstantProductPool pool;
  pool.base_reserve = Qty(1000);
  pool.quote_reserve = static_cast<i128>(1'000'000) * 100;   // mid 1000.00 (price_dp 2)
  AmmPoolVenue venue(pool);
  Wire w(venue);
  // Sell 10: receive 1e6*10/1010 = 9900.99 -> avg 990.09 (rounded down) >= limit 990.00.
  auto a = order(0, Side::Sell, 10, 99000);
  w.tracker.submit(a, 0);
  venue.poll(w);
  EXPECT_EQ(w.tracker.find(a.id)->state, OrderState::Filled);
  ASSERT_EQ(w.fills.size(), 1u);
  EXPECT_EQ(w.fills[0].price, Price(99009));
  EXPECT_EQ(venue.pool().base_reserve, Qty(1010));
  EXPECT_EQ(venue.pool().quote_reserve, static_cast<i128>(100'000'000) - 990099);
  // Now selling 10 more averages below 990.00: x=1010, y=99,009,901 -> 9706.85.. / 10 = 970.68 -> rejected.
  auto b = order(1, Side::Sell, 10, 99000);
  w.tracker.submit(b, 0);
  venue.poll(w);
  EXPECT_EQ(w.tracker.find(b.id)->state, OrderState::Rejected);
  EXPECT_EQ(venue.pool().base_reserve, Qty(1010));
}

}  // namespace
}  // namespace liqd::exec
