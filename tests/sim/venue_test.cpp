// Order entry and the account stream over real loopback sockets.
#include <cstdio>

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

// ---- backstop transfers (NewOrder.transfer_to_account) ------------------------------

constexpr uint64_t kBackstop = 1'000'000;
constexpr int64_t kBackstopCollateral = 50'000'000'000'000;  // 50,000,000 quote at quote_dp 6

// ETHUSDT at tick 0.0005 and lot 0.005: price_dp 4 and tick 5 units (so a price can miss
// the tick), lot 5 units, and qty × price has 7 decimals, one more than quote (the PnL
// really is rounded down).
SimConfig backstop_config() {
  SimConfig c = paused_config();
  EXPECT_EQ(parse_market_spec("ETHUSDT:ref=190:tick=0.0005:lot=0.005", c.markets[1]), "");
  c.backstop_account = kBackstop;
  c.backstop_collateral = Quote(kBackstopCollateral);
  return c;
}

proto::OrderEntryMessage transfer(const std::string& id, uint64_t account, proto::Side side, int64_t qty, int64_t price,
                                  uint64_t to = kBackstop, bool reduce_only = true) {
  proto::OrderEntryMessage m = order(id, account, side, qty, price, reduce_only, true, "ETHUSDT");
  m.mutable_new_order()->set_transfer_to_account(to);
  return m;
}

int64_t floor_div(i128 a, int64_t b) {  // b > 0
  i128 q = a / b;
  if (a % b != 0 && a < 0) --q;
  return static_cast<int64_t>(q);
}

// A number in the status document, by its path of keys.
int64_t status_num(Simulator& s, std::initializer_list<const char*> keys) {
  const std::string body = s.status_json();
  simdjson::dom::parser p;
  simdjson::dom::element e;
  if (p.parse(body).get(e)) {
    ADD_FAILURE() << body;
    return -1;
  }
  for (const char* k : keys)
    if (e[k].get(e)) {
      ADD_FAILURE() << k << " missing in " << body;
      return -1;
    }
  int64_t v = -1;
  EXPECT_FALSE(e.get(v)) << body;
  return v;
}

// The status document's "markets" array (mids and last update ids), as text.
std::string markets_status(Simulator& s) {
  const std::string body = s.status_json();
  const size_t a = body.find("\"markets\":["), b = body.find("],\"streams\"");
  EXPECT_NE(a, std::string::npos);
  EXPECT_NE(b, std::string::npos);
  return a == std::string::npos || b == std::string::npos ? std::string() : body.substr(a, b - a);
}

const proto::PositionState* position_in(const proto::AccountSnapshot& s, const std::string& market) {
  for (const auto& p : s.positions())
    if (p.market() == market) return &p;
  return nullptr;
}

// The first generated account (of 2000) with a cross ETHUSDT position of sign `sign`
// and at least `min_units` in size.
const proto::AccountSnapshot* find_holder(const std::vector<proto::AccountEvent>& snap, int sign, int64_t min_units) {
  for (size_t i = 0; i < 2000 && i < snap.size(); ++i) {
    const proto::PositionState* p = position_in(snap[i].snapshot(), "ETHUSDT");
    if (p && !p->isolated() && p->size() * sign >= min_units) return &snap[i].snapshot();
  }
  return nullptr;
}

// A SELL transfer of part of a long: the seller keeps the rest and realises
// q × (price − entry) rounded down; the backstop takes a long of q at exactly the
// (off-tick) price; the book and the market data do not move.
TEST_F(Venue, BackstopTransferMovesPartOfALongAtTheBankruptcyPrice) {
  SimConfig cfg = backstop_config();
  cfg.reject_ppm = 1'000'000;  // every book order is rejected at random; transfers never are
  start(cfg);
  sim->step(50);
  FrameClient<proto::AccountEvent> acc(ports.accounts);
  auto snap = acc.wait_count(2002);  // 2000 generated, the backstop, the marker
  ASSERT_EQ(snap.size(), 2002u);
  const proto::AccountSnapshot* victim = find_holder(snap, +1, 4 * 5);
  ASSERT_NE(victim, nullptr);
  const proto::PositionState before = *position_in(*victim, "ETHUSDT");
  const int64_t entry = before.entry_price(), size = before.size();
  // q: an odd number of lots, about half the position. Price: ~4 % under the entry, off
  // the tick, with price − entry odd: q × (price − entry) is no multiple of 10.
  int64_t lots = size / 5 / 2;
  if (lots % 2 == 0) --lots;
  const int64_t q = lots * 5;
  int64_t px = entry - entry / 25;
  px += 3 - px % 5;
  if ((px - entry) % 2 == 0) px += 5;
  ASSERT_NE(px % 5, 0);
  ASSERT_GT(q, 0);
  ASSERT_LT(q, size);
  const i128 raw = static_cast<i128>(q) * (px - entry);  // 10^-3 × 10^-4 = 10^-7 quote
  ASSERT_NE(raw % 10, 0);
  const int64_t want_pnl = floor_div(raw, 10);  // to quote_dp 6, rounded down
  ASSERT_LT(want_pnl, 0);
  const int64_t binance_sent = status_num(*sim, {"streams", "binance", "sent"});
  const std::string markets_before = markets_status(*sim);

  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  c.send(transfer("bs-1", victim->account_id(), proto::SELL, q, px));
  auto u = wait_done(c, "bs-1");
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0].state(), Update::ACKNOWLEDGED);
  EXPECT_EQ(u[1].state(), Update::FILLED);
  EXPECT_GT(u[1].fill_id(), 0u);
  EXPECT_EQ(u[1].fill_qty(), q);
  EXPECT_EQ(u[1].fill_price(), px);
  EXPECT_EQ(u[1].cum_qty(), q);
  // A book order right behind it takes the random reject (rate 1).
  c.send(order("book-1", 0, proto::BUY, 5, 2'000'000, false, true, "ETHUSDT"));
  auto b = wait_done(c, "book-1");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].reason(), "simulated reject");

  // Account events: the seller's position and PnL, then the backstop's new position.
  auto ev = acc.wait_count(2002 + 3);
  ASSERT_EQ(ev.size(), 2005u);
  for (size_t i = 2002; i < ev.size(); ++i) {
    EXPECT_EQ(ev[i].seq(), i - 2001);
    EXPECT_EQ(ev[i].reason(), proto::AccountEvent::FILL);
  }
  EXPECT_EQ(ev[2002].account_id(), victim->account_id());
  ASSERT_TRUE(ev[2002].has_position());
  EXPECT_EQ(ev[2002].position().market(), "ETHUSDT");
  EXPECT_EQ(ev[2002].position().size(), size - q);
  EXPECT_EQ(ev[2002].position().entry_price(), entry);
  EXPECT_EQ(ev[2003].account_id(), victim->account_id());
  ASSERT_TRUE(ev[2003].has_collateral_delta());
  EXPECT_EQ(ev[2003].collateral_delta(), want_pnl);
  EXPECT_EQ(ev[2004].account_id(), kBackstop);
  ASSERT_TRUE(ev[2004].has_position());
  EXPECT_EQ(ev[2004].position().market(), "ETHUSDT");
  EXPECT_EQ(ev[2004].position().size(), q);  // the backstop takes over the long
  EXPECT_EQ(ev[2004].position().entry_price(), px);
  EXPECT_FALSE(ev[2004].position().isolated());
  EXPECT_EQ(status_num(*sim, {"accounts", "seq"}), 3);  // nothing else (no collateral event for the backstop)
  EXPECT_EQ(status_num(*sim, {"orders", "transfers"}), 1);
  // No aggTrade, no depthUpdate: nothing went out on the Binance stream, the update ids stand.
  EXPECT_EQ(status_num(*sim, {"streams", "binance", "sent"}), binance_sent);
  EXPECT_EQ(markets_status(*sim), markets_before);

  // A new connection sees both accounts as of seq 3.
  FrameClient<proto::AccountEvent> late(ports.accounts);
  auto s2 = late.wait_count(2002);
  ASSERT_EQ(s2.size(), 2002u);
  const auto& v2 = s2[victim->account_id() - 1];
  EXPECT_EQ(v2.seq(), 3u);
  EXPECT_EQ(v2.snapshot().collateral(), victim->collateral() + want_pnl);
  ASSERT_NE(position_in(v2.snapshot(), "ETHUSDT"), nullptr);
  EXPECT_EQ(position_in(v2.snapshot(), "ETHUSDT")->size(), size - q);
  const auto& b2 = s2[2000];
  EXPECT_EQ(b2.account_id(), kBackstop);
  EXPECT_EQ(b2.snapshot().collateral(), kBackstopCollateral);
  ASSERT_EQ(b2.snapshot().positions_size(), 1);
  EXPECT_EQ(b2.snapshot().positions(0).market(), "ETHUSDT");
  EXPECT_EQ(b2.snapshot().positions(0).size(), q);
  EXPECT_EQ(b2.snapshot().positions(0).entry_price(), px);
}

// A transfer with a fee_rate (liqd's split transfers, priced inside the fillable
// bound) charges the liquidation fee as a book fill does: floor(floor(q x px) x rate /
// 1e8) in quote units, capped at the fill's surplus above the bankruptcy price
// (proto/order.proto NewOrder.fee_rate); reported on the fill.
TEST_F(Venue, BackstopTransferWithAFeeRateChargesTheLiquidationFee) {
  start(backstop_config());
  sim->step(50);
  FrameClient<proto::AccountEvent> acc(ports.accounts);
  auto snap = acc.wait_count(2002);
  ASSERT_EQ(snap.size(), 2002u);
  const proto::AccountSnapshot* victim = find_holder(snap, +1, 4 * 5);
  ASSERT_NE(victim, nullptr);
  const int64_t entry = position_in(*victim, "ETHUSDT")->entry_price();
  const int64_t q = 5, px = entry - entry / 50;   // one lot, 2 % under the entry
  const int64_t rate = 500'000;                   // 0.5 %
  // Far above bankruptcy: the whole fee. q x px has 7 decimals, quote 6: floor /10.
  const int64_t notional = floor_div(static_cast<i128>(q) * px, 10);
  const int64_t full_fee = floor_div(static_cast<i128>(notional) * rate, 100'000'000);
  ASSERT_GT(full_fee, 0);
  // 30 price units above bankruptcy: the fill's surplus is floor(5 x 30 / 10) = 15
  // quote units, below the full fee, so the fee is the surplus.
  const int64_t bk_far = px - px / 10, bk_near = px - 30;
  const int64_t capped_fee = std::min<int64_t>(full_fee, floor_div(static_cast<i128>(q) * 30, 10));
  ASSERT_LT(capped_fee, full_fee);
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  proto::OrderEntryMessage t1 = transfer("fee-1", victim->account_id(), proto::SELL, q, px);
  t1.mutable_new_order()->set_fee_rate(rate);
  t1.mutable_new_order()->set_bankruptcy_price(bk_far);
  c.send(t1);
  auto u1 = wait_done(c, "fee-1");
  ASSERT_EQ(u1.size(), 2u);
  EXPECT_EQ(u1[1].state(), Update::FILLED);
  EXPECT_EQ(u1[1].fee(), full_fee);
  proto::OrderEntryMessage t2 = transfer("fee-2", victim->account_id(), proto::SELL, q, px);
  t2.mutable_new_order()->set_fee_rate(rate);
  t2.mutable_new_order()->set_bankruptcy_price(bk_near);
  c.send(t2);
  auto u2 = wait_done(c, "fee-2");
  ASSERT_EQ(u2.size(), 2u);
  EXPECT_EQ(u2[1].fee(), capped_fee);
  // Without a fee_rate (a backstop transfer at bankruptcy): nothing.
  c.send(transfer("fee-3", victim->account_id(), proto::SELL, q, px));
  auto u3 = wait_done(c, "fee-3");
  ASSERT_EQ(u3.size(), 2u);
  EXPECT_EQ(u3[1].fee(), 0);
}

TEST_F(Venue, BackstopTransferRejectsNameTheField) {
  start(backstop_config());
  FrameClient<proto::AccountEvent> acc(ports.accounts);
  auto snap = acc.wait_count(2002);
  ASSERT_EQ(snap.size(), 2002u);
  const proto::AccountSnapshot* holder = find_holder(snap, +1, 5);
  ASSERT_NE(holder, nullptr);
  uint64_t flat = 0;  // an account with no ETHUSDT position
  for (size_t i = 0; i < 2000 && !flat; ++i)
    if (!position_in(snap[i].snapshot(), "ETHUSDT")) flat = snap[i].account_id();
  ASSERT_NE(flat, 0u);
  const uint64_t L = holder->account_id();
  const int64_t px = 1'900'003;  // 190.0003: off the tick, fine for a transfer only
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  c.send(transfer("r1", L, proto::SELL, 5, px, /*to=*/kBackstop + 1));
  c.send(transfer("r2", L, proto::SELL, 5, px, kBackstop, /*reduce_only=*/false));
  c.send(transfer("r3", flat, proto::SELL, 5, px));         // no position
  c.send(transfer("r4", L, proto::BUY, 5, px));             // a buy adds to a long
  c.send(transfer("r5", L, proto::SELL, 7, px));            // lot is 5 units
  c.send(transfer("r6", L, proto::SELL, 0, px));
  c.send(transfer("r7", L, proto::SELL, 5, 0));
  c.send(transfer("r8", kBackstop, proto::SELL, 5, px));    // the backstop itself
  c.send(transfer("r9", 5000, proto::SELL, 5, px));         // unknown account
  c.send(transfer("r10", L, proto::SIDE_UNSPECIFIED, 5, px));
  c.send(order("r11", L, proto::SELL, 5, px, true, true, "ETHUSDT"));  // a book order must be on the tick
  auto v = updates(c.wait_count(11));
  ASSERT_EQ(v.size(), 11u);
  const char* fields[] = {"transfer_to_account", "reduce_only", "reduce_only", "reduce_only", "qty", "qty",
                          "limit_price", "account_id", "account_id", "side", "limit_price"};
  for (size_t i = 0; i < 11; ++i) {
    EXPECT_EQ(v[i].client_order_id(), "r" + std::to_string(i + 1));
    EXPECT_EQ(v[i].state(), Update::REJECTED) << i;
    EXPECT_EQ(v[i].reason().rfind(std::string(fields[i]) + ":", 0), 0u) << i << ": " << v[i].reason();
  }
  EXPECT_EQ(v[0].reason(), "transfer_to_account: not the backstop account");
  EXPECT_EQ(v[2].reason(), v[3].reason());  // no position and the wrong side: would not reduce
  EXPECT_EQ(status_num(*sim, {"orders", "rejected"}), 11);
  EXPECT_EQ(status_num(*sim, {"orders", "transfers"}), 0);
  EXPECT_EQ(status_num(*sim, {"accounts", "seq"}), 0);  // no account moved
}

// A BUY transfer of more than a short holds: only the position moves (PARTIALLY_FILLED,
// then EXPIRED with cum_qty, as a clipped reduce-only IOC reports); the backstop goes short.
TEST_F(Venue, BackstopTransferIsClippedToThePosition) {
  start(backstop_config());
  sim->step(50);
  FrameClient<proto::AccountEvent> acc(ports.accounts);
  auto snap = acc.wait_count(2002);
  ASSERT_EQ(snap.size(), 2002u);
  const proto::AccountSnapshot* victim = find_holder(snap, -1, 5);
  ASSERT_NE(victim, nullptr);
  const proto::PositionState before = *position_in(*victim, "ETHUSDT");
  const int64_t size = before.size(), entry = before.entry_price();  // size < 0
  int64_t px = entry + entry / 25;
  px += 2 - px % 5;  // off the tick
  const int64_t want_pnl = floor_div(static_cast<i128>(size) * (px - entry), 10);
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  c.send(transfer("bs-clip", victim->account_id(), proto::BUY, -size + 3 * 5, px));
  auto u = wait_done(c, "bs-clip");
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[0].state(), Update::ACKNOWLEDGED);
  EXPECT_EQ(u[1].state(), Update::PARTIALLY_FILLED);
  EXPECT_GT(u[1].fill_id(), 0u);
  EXPECT_EQ(u[1].fill_qty(), -size);
  EXPECT_EQ(u[1].fill_price(), px);
  EXPECT_EQ(u[1].cum_qty(), -size);
  EXPECT_EQ(u[2].state(), Update::EXPIRED);
  EXPECT_EQ(u[2].fill_id(), 0u);
  EXPECT_EQ(u[2].cum_qty(), -size);
  EXPECT_EQ(u[2].reason(), "reduce_only: clipped to the position");
  const size_t n = want_pnl != 0 ? 3 : 2;
  auto ev = acc.wait_count(2002 + n);
  ASSERT_EQ(ev.size(), 2002 + n);
  for (size_t i = 2002; i < ev.size(); ++i) EXPECT_EQ(ev[i].seq(), i - 2001);
  EXPECT_EQ(ev[2002].account_id(), victim->account_id());
  EXPECT_EQ(ev[2002].position().size(), 0);  // closed
  if (want_pnl != 0) {
    EXPECT_EQ(ev[2003].account_id(), victim->account_id());
    EXPECT_EQ(ev[2003].collateral_delta(), want_pnl);
  }
  EXPECT_EQ(ev.back().account_id(), kBackstop);
  EXPECT_EQ(ev.back().position().size(), size);  // the short, now the backstop's
  EXPECT_EQ(ev.back().position().entry_price(), px);
  EXPECT_EQ(status_num(*sim, {"orders", "transfers"}), 1);
  EXPECT_EQ(status_num(*sim, {"orders", "expired"}), 1);
  EXPECT_EQ(status_num(*sim, {"accounts", "seq"}), static_cast<int64_t>(n));
}

// Auto-deleveraging (NewOrder.deleverage): a bankrupt long is closed against a short
// at exactly the bankruptcy price; both positions shrink by the smaller size, each
// side realises its own PnL at that price (floored), nothing reaches the book, and a
// counterparty on the same side (or none) is refused.
TEST_F(Venue, DeleverageReducesBothPositionsAtThePrice) {
  start(backstop_config());
  sim->step(50);
  FrameClient<proto::AccountEvent> acc(ports.accounts);
  auto snap = acc.wait_count(2002);
  ASSERT_EQ(snap.size(), 2002u);
  const proto::AccountSnapshot* lng = find_holder(snap, 1, 10);
  const proto::AccountSnapshot* sht = find_holder(snap, -1, 10);
  ASSERT_NE(lng, nullptr);
  ASSERT_NE(sht, nullptr);
  const proto::PositionState lp = *position_in(*lng, "ETHUSDT"), sp = *position_in(*sht, "ETHUSDT");
  const int64_t moved = std::min(lp.size(), -sp.size());
  const int64_t px = lp.entry_price() - lp.entry_price() / 20 + 3;  // off the tick
  auto adl = [&](const std::string& id, uint64_t from, uint64_t to, proto::Side side, int64_t qty) {
    proto::OrderEntryMessage m = transfer(id, from, side, qty, px, to);
    m.mutable_new_order()->set_deleverage(true);
    return m;
  };
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  // Refused: a counterparty on the same side, the account itself, an unknown one.
  const proto::AccountSnapshot* lng2 = nullptr;
  for (size_t i = 0; i < 2000; ++i) {
    const proto::PositionState* p = position_in(snap[i].snapshot(), "ETHUSDT");
    if (p && p->size() > 0 && snap[i].account_id() != lng->account_id()) { lng2 = &snap[i].snapshot(); break; }
  }
  ASSERT_NE(lng2, nullptr);
  c.send(adl("adl-same", lng->account_id(), lng2->account_id(), proto::SELL, 5));
  auto r1 = wait_done(c, "adl-same");
  ASSERT_FALSE(r1.empty());
  EXPECT_EQ(r1.back().reason(), "deleverage: the counterparty holds no opposite position");
  c.send(adl("adl-self", lng->account_id(), lng->account_id(), proto::SELL, 5));
  auto r2 = wait_done(c, "adl-self");
  ASSERT_FALSE(r2.empty());
  EXPECT_EQ(r2.back().reason(), "transfer_to_account: the bankrupt account itself");
  c.send(adl("adl-nobody", lng->account_id(), 777'777'777, proto::SELL, 5));
  auto r3 = wait_done(c, "adl-nobody");
  ASSERT_FALSE(r3.empty());
  EXPECT_EQ(r3.back().reason(), "transfer_to_account: unknown account for a deleverage");
  EXPECT_EQ(status_num(*sim, {"accounts", "seq"}), 0);

  // Asked for more than both hold: clipped to the smaller position.
  c.send(adl("adl-1", lng->account_id(), sht->account_id(), proto::SELL, lp.size() + (-sp.size()) + 5));
  auto u = wait_done(c, "adl-1");
  ASSERT_GE(u.size(), 2u);
  EXPECT_EQ(u[0].state(), Update::ACKNOWLEDGED);
  EXPECT_EQ(u[1].fill_qty(), moved);
  EXPECT_EQ(u[1].fill_price(), px);
  EXPECT_EQ(status_num(*sim, {"orders", "deleverages"}), 1);
  EXPECT_EQ(status_num(*sim, {"orders", "transfers"}), 0);
  const int64_t long_pnl = floor_div(static_cast<i128>(moved) * (px - lp.entry_price()), 10);
  const int64_t short_pnl = floor_div(static_cast<i128>(-moved) * (px - sp.entry_price()), 10);
  const size_t n = 2 + (long_pnl != 0) + (short_pnl != 0);
  auto ev = acc.wait_count(2002 + n);
  ASSERT_EQ(ev.size(), 2002 + n);
  int64_t long_after = -1, short_after = 1, long_delta = 0, short_delta = 0;
  for (size_t i = 2002; i < ev.size(); ++i) {
    const bool is_long = ev[i].account_id() == lng->account_id();
    ASSERT_TRUE(is_long || ev[i].account_id() == sht->account_id()) << ev[i].account_id();
    if (ev[i].has_position()) (is_long ? long_after : short_after) = ev[i].position().size();
    (is_long ? long_delta : short_delta) += ev[i].collateral_delta();
  }
  EXPECT_EQ(long_after, lp.size() - moved);
  EXPECT_EQ(short_after, sp.size() + moved);
  EXPECT_EQ(long_delta, long_pnl);
  EXPECT_EQ(short_delta, short_pnl);
}

// The backstop account is one more account: in the snapshot on connect (before the
// marker), in the status count and in --dump-accounts.
TEST_F(Venue, BackstopAccountIsInTheSnapshotStatusAndDump) {
  SimConfig cfg = backstop_config();
  cfg.dump_accounts = ::testing::TempDir() + "/sim_backstop_dump.jsonl";
  start(cfg);
  FrameClient<proto::AccountEvent> acc(ports.accounts);
  auto snap = acc.wait_count(2002);
  ASSERT_EQ(snap.size(), 2002u);
  EXPECT_EQ(snap[1999].account_id(), 2000u);
  const auto& b = snap[2000];
  EXPECT_EQ(b.account_id(), kBackstop);
  EXPECT_EQ(b.seq(), 0u);
  EXPECT_EQ(b.reason(), proto::AccountEvent::SNAPSHOT);
  ASSERT_TRUE(b.has_snapshot());
  EXPECT_EQ(b.snapshot().account_id(), kBackstop);
  EXPECT_EQ(b.snapshot().collateral(), kBackstopCollateral);
  EXPECT_EQ(b.snapshot().positions_size(), 0);
  EXPECT_EQ(snap[2001].account_id(), 0u);  // the marker comes after it
  EXPECT_FALSE(snap[2001].has_snapshot());
  EXPECT_EQ(status_num(*sim, {"accounts", "count"}), 2001);
  std::FILE* f = std::fopen(cfg.dump_accounts.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::string text;
  char buf[4096];
  for (size_t k; (k = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, k);
  std::fclose(f);
  std::remove(cfg.dump_accounts.c_str());
  ASSERT_GT(text.size(), 2u);
  const std::string last = text.substr(text.rfind('\n', text.size() - 2) + 1);
  EXPECT_EQ(last, "{\"id\":1000000,\"collateral\":\"50000000.000000\",\"leverage\":0,\"positions\":[]}\n");
}

TEST_F(Venue, BackstopIdMustNotCollideAndTransfersNeedOne) {
  SimConfig clash = paused_config(10);
  clash.backstop_account = 10;
  {
    Simulator s(clash);
    const std::string e = s.start();
    EXPECT_NE(e.find("backstop account 10 collides with the generated accounts 1..10"), std::string::npos) << e;
  }
  // No backstop account configured: a transfer is refused, naming the field.
  start(paused_config(10));
  FrameClient<proto::OrderEntryMessage> c(ports.orders);
  c.send(transfer("t", 1, proto::SELL, 5, 1'900'003));
  auto v = updates(c.wait_count(1));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].state(), Update::REJECTED);
  EXPECT_EQ(v[0].reason().rfind("transfer_to_account: not the backstop account", 0), 0u) << v[0].reason();
}

}  // namespace
}  // namespace liqd::sim::test
