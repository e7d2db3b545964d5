// Order entry and the account stream over real loopback sockets.
#include "core/money/decimal.hpp"
#include "proto/account.pb.h"
#include "proto/order.pb.h"
#include "tests/sim/sim_fixture.hpp"

namespace liqd::sim::test {
namespace {

using Venue = SimTest;
using Update = proto::OrderUpdate;

int64_t units(const std::string& s, int dp) {
  int64_t v = 0;
  EXPECT_EQ(parse_decimal(s, dp, v), DecimalError::Ok) << s;
  return v;
}

struct Lvl { int64_t px, qty; };
std::vector<Lvl> levels(const std::vector<std::pair<std::string, std::string>>& l) {
  std::vector<Lvl> out;
  for (auto& [p, q] : l) out.push_back({units(p, 1), units(q, 3)});  // BTCUSDT: tick 0.1, lot 0.001
  return out;
}

// Brute force: one lot (0.001) at a time from the best level while within the limit.
std::vector<Lvl> brute_fills(std::vector<Lvl> book, bool buy, int64_t qty, int64_t limit) {
  std::vector<Lvl> fills;
  for (auto& l : book) {
    for (int64_t k = 0; k < l.qty && qty > 0; ++k) {
      if (buy ? l.px > limit : l.px < limit) return fills;
      if (fills.empty() || fills.back().px != l.px) fills.push_back({l.px, 0});
      ++fills.back().qty;
      --qty;
    }
  }
  return fills;
}

Snapshot rest(uint16_t port, const std::string& sym = "BTCUSDT") {
  auto [code, body] = http_request(port, http::verb::get, "/fapi/v1/depth?symbol=" + sym + "&limit=1000");
  EXPECT_EQ(code, 200);
  Snapshot s;
  EXPECT_TRUE(parse_snapshot(body, s));
  return s;
}

proto::OrderEntryMessage order(const std::string& id, uint64_t account, proto::Side side, int64_t qty, int64_t limit,
                               bool reduce_only = false, bool ioc = true, const std::string& market = "BTCUSDT") {
  proto::OrderEntryMessage m;
  auto* o = m.mutable_new_order();
  o->set_client_order_id(id);
  o->set_account_id(account);
  o->set_market(market);
  o->set_side(side);
  o->set_qty(qty);
  o->set_limit_price(limit);
  o->set_reduce_only(reduce_only);
  o->set_immediate_or_cancel(ioc);
  return m;
}

std::vector<Update> updates(const std::vector<proto::OrderEntryMessage>& v, const std::string& id = {}) {
  std::vector<Update> out;
  for (auto& m : v)
    if (m.has_update() && (id.empty() || m.update().client_order_id() == id)) out.push_back(m.update());
  return out;
}

bool done(const std::vector<Update>& u) {
  for (auto& x : u)
    if (x.state() == Update::FILLED || x.state() == Update::EXPIRED || x.state() == Update::REJECTED ||
        x.state() == Update::CANCELLED)
      return true;
  return false;
}

std::vector<Update> wait_done(FrameClient<proto::OrderEntryMessage>& c, const std::string& id) {
  return updates(c.wait([&](const std::vector<proto::OrderEntryMessage>& v) { return done(updates(v, id)); }), id);
}

TEST_F(Venue, IocFillsExactlyWhatABruteForceWalkSays) {
  start();
  sim->step(7);
  Snapshot before = rest(ports.binance);
  auto asks = levels(before.ask_list), bids = levels(before.bid_list);
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  // Buy through three ask levels and half of the fourth, limit at the fourth.
  const int64_t qty = asks[0].qty + asks[1].qty + asks[2].qty + asks[3].qty / 2;
  c.send(order("buy-1", 0, proto::BUY, qty, asks[3].px));
  auto u = wait_done(c, "buy-1");
  auto want = brute_fills(asks, true, qty, asks[3].px);
  ASSERT_EQ(want.size(), 4u);
  ASSERT_EQ(u.size(), 1 + want.size());
  EXPECT_EQ(u[0].state(), Update::ACKNOWLEDGED);
  int64_t cum = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& f = u[i + 1];
    cum += want[i].qty;
    EXPECT_EQ(f.fill_price(), want[i].px) << i;
    EXPECT_EQ(f.fill_qty(), want[i].qty) << i;
    EXPECT_EQ(f.cum_qty(), cum) << i;
    EXPECT_EQ(f.state(), i + 1 == want.size() ? Update::FILLED : Update::PARTIALLY_FILLED);
    EXPECT_GT(f.fill_id(), 0u);
    if (i) {
      EXPECT_GT(f.fill_id(), u[i].fill_id());
    }
  }
  // The book keeps the rest of the fourth level; the first three are gone.
  Snapshot after = rest(ports.binance);
  auto asks_after = levels(after.ask_list);
  ASSERT_FALSE(asks_after.empty());
  EXPECT_EQ(asks_after[0].px, asks[3].px);
  EXPECT_EQ(asks_after[0].qty, asks[3].qty - asks[3].qty / 2);
  // Sell far more than the bids hold down to bids[2]: three levels fill, the rest expires.
  c.send(order("sell-1", 0, proto::SELL, 10'000'000, bids[2].px));
  u = wait_done(c, "sell-1");
  want = brute_fills(bids, false, 10'000'000, bids[2].px);
  ASSERT_EQ(want.size(), 3u);
  ASSERT_EQ(u.size(), 1 + want.size() + 1);
  int64_t total = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(u[i + 1].fill_price(), want[i].px);
    EXPECT_EQ(u[i + 1].fill_qty(), want[i].qty);
    EXPECT_EQ(u[i + 1].state(), Update::PARTIALLY_FILLED);
    total += want[i].qty;
  }
  EXPECT_EQ(u.back().state(), Update::EXPIRED);
  EXPECT_EQ(u.back().cum_qty(), total);
  EXPECT_EQ(u.back().fill_id(), 0u);
}

TEST_F(Venue, DuplicateClientOrderIdsAreRejected) {
  start();
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  Snapshot s = rest(ports.binance);
  const int64_t ask = levels(s.ask_list)[0].px;
  c.send(order("dup", 0, proto::BUY, 1, ask));
  c.send(order("dup", 0, proto::BUY, 1, ask));
  c.send(order("other", 0, proto::BUY, 1, ask));
  auto all = updates(c.wait([&](auto& v) { return done(updates(v, "other")); }));
  auto dup = updates(c.wait([](auto&) { return true; }), "dup");
  ASSERT_EQ(dup.size(), 3u);  // ack, fill, reject of the second
  EXPECT_EQ(dup[0].state(), Update::ACKNOWLEDGED);
  EXPECT_EQ(dup[1].state(), Update::FILLED);
  EXPECT_EQ(dup[2].state(), Update::REJECTED);
  EXPECT_EQ(dup[2].reason(), "client_order_id: duplicate");
  EXPECT_EQ(updates(c.wait([](auto&) { return true; }), "other").back().state(), Update::FILLED);
  (void)all;
}

TEST_F(Venue, InvalidOrdersAreRejectedWithTheField) {
  start();
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  c.send(order("a", 0, proto::BUY, 1, 50000, false, /*ioc=*/false));
  c.send(order("b", 0, proto::BUY, 1, 50000, false, true, "XYZUSDT"));
  c.send(order("c", 0, proto::SIDE_UNSPECIFIED, 1, 50000));
  c.send(order("d", 0, proto::BUY, 0, 50000));
  c.send(order("e", 0, proto::BUY, 1, 0));
  c.send_raw(std::string("\x03\x00\x00\x00\xff\xff\xff", 7));          // not a message: counted, skipped
  c.send(order("f", 0, proto::BUY, 1, 50000, /*reduce_only=*/true));  // unknown account (answered after the bad frame)
  auto v = updates(c.wait_count(6));
  ASSERT_EQ(v.size(), 6u);
  const char* fields[] = {"immediate_or_cancel", "market", "side", "qty", "limit_price", "account_id"};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(v[i].state(), Update::REJECTED) << i;
    EXPECT_EQ(v[i].reason().rfind(fields[i], 0), 0u) << v[i].reason();
  }
  EXPECT_NE(sim->status_json().find("\"bad_messages\":1"), std::string::npos);
}

TEST_F(Venue, CancelCatchesAnOrderInItsLatency) {
  SimConfig cfg = paused_config();
  cfg.order_latency_ms = 60'000;  // never reached within the test
  start(cfg);
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  c.send(order("slow", 0, proto::BUY, 1, 1'000'000));
  proto::OrderEntryMessage cancel;
  cancel.mutable_cancel()->set_client_order_id("slow");
  c.send(cancel);
  proto::OrderEntryMessage cancel2;
  cancel2.mutable_cancel()->set_client_order_id("never-sent");
  c.send(cancel2);
  auto v = updates(c.wait_count(2));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].client_order_id(), "slow");
  EXPECT_EQ(v[0].state(), Update::CANCELLED);
  EXPECT_EQ(v[1].state(), Update::REJECTED);
}

TEST_F(Venue, RandomRejectsAreSeeded) {
  auto run = [](uint64_t seed) {
    SimConfig cfg = paused_config(10);
    cfg.reject_ppm = 500'000;
    cfg.seed = seed;
    Simulator s(cfg);
    EXPECT_EQ(s.start(), "");
    std::string pattern;
    {
      FrameClient<proto::OrderEntryMessage> c(s.ports().orders);
      for (int i = 0; i < 24; ++i) c.send(order("r" + std::to_string(i), 0, proto::BUY, 1, 1'000'000));
      auto v = c.wait([](auto& all) {
        int finals = 0;
        for (auto& m : all) finals += m.has_update() && m.update().state() != Update::ACKNOWLEDGED;
        return finals >= 24;
      });
      for (auto& m : v)
        if (m.has_update() && m.update().state() != Update::ACKNOWLEDGED) pattern += m.update().state() == Update::REJECTED ? 'R' : 'F';
    }
    s.stop();
    return pattern;
  };
  std::string a = run(3), b = run(3), c = run(4);
  ASSERT_EQ(a.size(), 24u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a.find('R'), std::string::npos);
  EXPECT_NE(a.find('F'), std::string::npos);
}

// The account stream: snapshot of every account as of seq S, a marker, then deltas
// S+1, S+2, ... A reduce-only liquidation closes a long; collateral moves by the PnL.
TEST_F(Venue, AccountStreamSnapshotThenGapFreeDeltas) {
  start();
  sim->step(50);  // the price has fallen from the entries
  FrameClient<proto::AccountEvent> acc(ports.accounts);
  auto snap = acc.wait_count(2001);
  ASSERT_EQ(snap.size(), 2001u);
  const proto::AccountSnapshot* victim = nullptr;
  for (size_t i = 0; i < 2000; ++i) {
    ASSERT_EQ(snap[i].seq(), 0u);
    ASSERT_EQ(snap[i].account_id(), i + 1);
    ASSERT_TRUE(snap[i].has_snapshot());
    ASSERT_EQ(snap[i].reason(), proto::AccountEvent::SNAPSHOT);
    const auto& s = snap[i].snapshot();
    if (!victim && s.positions_size() == 1 && s.positions(0).market() == "BTCUSDT" && s.positions(0).size() > 0 &&
        !s.positions(0).isolated())
      victim = &s;
  }
  EXPECT_EQ(snap[2000].account_id(), 0u);  // end-of-snapshot marker
  EXPECT_FALSE(snap[2000].has_snapshot());
  ASSERT_NE(victim, nullptr);
  const int64_t size = victim->positions(0).size(), entry = victim->positions(0).entry_price();
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  // Reduce-only, twice the position, any price: clipped to the position.
  c.send(order("liq-1", victim->account_id(), proto::SELL, 2 * size, 1, /*reduce_only=*/true));
  auto u = wait_done(c, "liq-1");
  ASSERT_GE(u.size(), 3u);
  EXPECT_EQ(u.back().state(), Update::EXPIRED);
  EXPECT_EQ(u.back().reason(), "reduce_only: clipped to the position");
  EXPECT_EQ(u.back().cum_qty(), size);
  // Expected PnL, per fill rounded down: qty (10^-3) × Δprice (10^-1) -> 10^-4, quote 10^-6.
  int64_t want_pnl = 0;
  size_t fills = 0;
  for (auto& x : u)
    if (x.fill_id()) {
      ++fills;
      const i128 p = static_cast<i128>(x.fill_qty()) * (x.fill_price() - entry) * 100;
      want_pnl += static_cast<int64_t>(p);
    }
  // The last fill is published as two events (position, then its PnL): wait for both,
  // or a fast reader sees the closed position before the collateral delta behind it.
  auto all = acc.wait([&](auto& v) {
    bool closed = false;
    for (auto& e : v) {
      if (e.has_position() && e.position().size() == 0) closed = true;
      else if (closed && e.has_collateral_delta()) return true;
    }
    return false;
  });
  uint64_t expect_seq = 1;
  int64_t got_pnl = 0, last_size = size;
  size_t position_events = 0;
  for (size_t i = 2001; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq(), expect_seq++);
    EXPECT_EQ(all[i].account_id(), victim->account_id());
    EXPECT_EQ(all[i].reason(), proto::AccountEvent::FILL);
    if (all[i].has_position()) {
      ++position_events;
      EXPECT_LT(all[i].position().size(), last_size);
      last_size = all[i].position().size();
    }
    if (all[i].has_collateral_delta()) got_pnl += all[i].collateral_delta();
  }
  EXPECT_EQ(position_events, fills);
  EXPECT_EQ(last_size, 0);
  EXPECT_EQ(got_pnl, want_pnl);
  EXPECT_LT(got_pnl, 0);  // a long closed after the fall
  // A new connection sees the new state as of the last seq.
  FrameClient<proto::AccountEvent> late(ports.accounts);
  auto s2 = late.wait_count(2001);
  ASSERT_EQ(s2.size(), 2001u);
  const auto& a2 = s2[victim->account_id() - 1];
  EXPECT_EQ(a2.seq(), expect_seq - 1);
  EXPECT_EQ(a2.snapshot().positions_size(), 0);
  EXPECT_EQ(a2.snapshot().collateral(), victim->collateral() + got_pnl);
}

}  // namespace
}  // namespace liqd::sim::test
