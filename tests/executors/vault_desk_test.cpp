// The vault's desk (executors/vault/vault_desk.hpp): a backstop transfer fill
// booked into the own contract, then hedged on an external venue through the
// router and an OrderTracker, the hedge's fills booked on that venue's contract.
// Hedge venues are SimVenues (deterministic) behind a small two-sided wrapper.
// Every figure is worked out by hand in the comment beside it.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "executors/adapters/sim_venue.hpp"
#include "executors/vault/vault_desk.hpp"

namespace liqd::exec::vault {
namespace {

// BTC-USD on this venue: linear, 0.1 USDT ticks, 0.001 BTC lots, USDT at 6 dp.
ContractSpec own_btc() {
  ContractSpec c;
  c.venue = "own-book"; c.market = "BTC-USD"; c.base = "BTC"; c.quote = "USDT";
  c.kind = ContractKind::Linear; c.multiplier = 1; c.multiplier_dp = 0;
  c.price_dp = 1; c.qty_dp = 3; c.settle_dp = 6;
  return c;
}
// OKX-style swap: linear, 0.01 BTC per contract, whole contracts.
ContractSpec okx_btc() {
  ContractSpec c = own_btc();
  c.venue = "okx"; c.multiplier = 1; c.multiplier_dp = 2; c.qty_dp = 0;
  return c;
}
// COIN-M style: inverse, 100 USD per contract, whole contracts, settled in BTC (8 dp).
ContractSpec coinm_btc() {
  ContractSpec c = own_btc();
  c.venue = "coinm"; c.quote = "USD"; c.kind = ContractKind::Inverse; c.multiplier = 100; c.qty_dp = 0; c.settle_dp = 8;
  return c;
}

// A hedge venue: bids and asks as two SimVenues (a SimVenue matches one side),
// in the venue's contracts; the depth the router sees, in the market's units;
// and a fee per contract filled, which SimVenue does not charge itself.
class TestHedgeVenue final : public HedgeVenue, public VenueAdapter {
 public:
  TestHedgeVenue(std::vector<Level> bids_venue, std::vector<Level> asks_venue, std::vector<Level> bids_market,
                 std::vector<Level> asks_market, int64_t fee_per_contract)
      : bid_sim(std::move(bids_venue)), ask_sim(std::move(asks_venue)), bids_(std::move(bids_market)),
        asks_(std::move(asks_market)), fee_(fee_per_contract) {}
  VenueAdapter& adapter() override { return *this; }
  std::span<const Level> depth(Side s) const override { return s == Side::Sell ? bids_ : asks_; }
  void send_new(const OrderRequest& r) override {
    sent.push_back(r);
    side_of[std::string(r.id.view())] = r.side;
    (r.side == Side::Sell ? bid_sim : ask_sim).send_new(r);
  }
  void send_cancel(const ClientOrderId& id) override { bid_sim.send_cancel(id); ask_sim.send_cancel(id); }
  // One answer per query, as one venue gives: the side's SimVenue that has the order.
  void send_query(const ClientOrderId& id) override {
    const auto it = side_of.find(std::string(id.view()));
    if (it == side_of.end() || it->second == Side::Sell) bid_sim.send_query(id);
    if (it == side_of.end() || it->second == Side::Buy) ask_sim.send_query(id);
  }
  int poll(UpdateSink& sink) override {
    struct Fee final : UpdateSink {
      UpdateSink* inner = nullptr;
      int64_t per = 0;
      void on_update(const VenueUpdate& u) override {
        VenueUpdate v = u;
        if (v.kind == UpdateKind::Fill) v.fee = Quote(per * v.fill_qty.v);
        inner->on_update(v);
      }
    } f;
    f.inner = &sink;
    f.per = fee_;
    return bid_sim.poll(f) + ask_sim.poll(f);
  }
  bool connected() const override { return bid_sim.connected(); }

  SimVenue bid_sim, ask_sim;
  std::vector<OrderRequest> sent;
  std::unordered_map<std::string, Side> side_of;

 private:
  std::vector<Level> bids_, asks_;
  int64_t fee_;
};

constexpr i128 USDT = 1'000'000;   // 10^6
constexpr i128 SAT = 1;            // 10^-8 BTC

DeskConfig one_hedge(ContractSpec hedge, VenueInput params, HedgeVenue* v) {
  DeskConfig c;
  c.vault_account = 900'000'001;
  c.markets.push_back(DeskMarket{own_btc()});
  DeskHedge h;
  h.market = 0;
  h.contract = std::move(hedge);
  h.params = params;
  h.venue = v;
  c.hedges.push_back(h);
  return c;
}

// Runs turns until nothing happens (SimVenue answers on the next poll).
void settle(VaultDesk& d, int64_t& now) {
  for (int i = 0; i < 8; ++i) d.turn(now += 10);
}

TEST(VaultDesk, LinearTransferHedgedOnAMultiplierVenueAndBookedOnce) {
  // OKX: 0.01 BTC contracts. Its depth in the market's units (0.001 BTC): bids
  // 0.3 BTC @ 50'000.0, 1 BTC @ 49'990.0; asks 1 BTC @ 50'010.0. The same in
  // contracts for the SimVenues: 30 and 100; 100. Fee: 1 USDT per contract.
  TestHedgeVenue okx({{Price(500'000), Qty(30)}, {Price(499'900), Qty(100)}}, {{Price(500'100), Qty(100)}},
                     {{Price(500'000), Qty(300)}, {Price(499'900), Qty(1000)}}, {{Price(500'100), Qty(1000)}}, 1'000'000);
  okx.bid_sim.faults.duplicate_fills = 2;   // every fill arrives three times: booked once
  okx.ask_sim.faults.duplicate_fills = 1;
  VenueInput p;
  p.taker_fee = Ratio(50'000);   // 0.05 %
  p.lot = Qty(10);               // one contract, in the market's units
  p.min_qty = Qty(10);
  VaultDesk d(one_hedge(okx_btc(), p, &okx));
  const VaultBook& b = d.book();
  d.set_own_collateral(0, 1'000'000 * USDT);
  d.set_mark(0, Price(500'000));   // 50'000.0
  int64_t now = 1'000;
  d.turn(now);

  // A liquidated long of 0.5 BTC transferred at 49'000.0: the vault buys it.
  ASSERT_EQ(d.on_transfer_fill(0, Side::Buy, Qty(500), Price(490'000), 77), VaultError::Ok);
  const int own = d.own_contract(0), hc = d.hedge_contract(0);
  EXPECT_EQ(b.position(own), Qty(500));
  // Entry 0.5 x 49'000 = 24'500 USDT; at the mark 50'000 that is +500 USDT unrealised.
  PositionFigures f = b.position_figures(own);
  EXPECT_EQ(f.entry_price, Price(490'000));
  EXPECT_EQ(f.unrealized, 500 * USDT);
  EXPECT_EQ(d.unhedged(0), Qty(500));

  // The hedge: sell 0.5 BTC (same side as the liquidation), limit 50'000 x 0.99
  // = 49'500.0. The router takes 0.3 @ 50'000 and 0.2 @ 49'990: one child of
  // 0.5 BTC = 50 contracts, limit 49'990.0 (worst level taken).
  settle(d, now);
  ASSERT_EQ(okx.sent.size(), 1u);
  EXPECT_EQ(okx.sent[0].side, Side::Sell);
  EXPECT_EQ(okx.sent[0].qty, Qty(50));
  EXPECT_EQ(okx.sent[0].limit, Price(499'900));
  EXPECT_FALSE(okx.sent[0].reduce_only);
  // Its id is the client order id of (vault, market 0, seq 77, chunk 0x8000).
  EXPECT_EQ(okx.sent[0].id, make_client_order_id(OrderKey{900'000'001, 0, 77, 0x8000}));

  // Fills 30 @ 50'000 and 20 @ 49'990 (each delivered three times): short 50
  // contracts, entry 15'000 + 9'998 = 24'998 USDT, average 49'996.0; fees 50 USDT.
  EXPECT_EQ(b.position(hc), Qty(-50));
  f = b.position_figures(hc);
  EXPECT_EQ(f.fills, 2u);
  EXPECT_EQ(f.entry_price, Price(499'960));
  EXPECT_EQ(b.collateral("okx", "USDT"), -50 * USDT);
  EXPECT_EQ(b.collateral("own-book", "USDT"), 1'000'000 * USDT);
  EXPECT_EQ(d.unhedged(0), Qty(0));
  // OKX is marked at its mid (50'000 + 50'010) / 2 = 50'005.0: short 0.5 BTC
  // from 49'996 loses 0.5 x 9 = 4.5 USDT; basis 50'005 / 50'000 - 1 = 0.0001.
  EXPECT_EQ(f.mark, Price(500'050));
  EXPECT_EQ(f.unrealized, -4'500'000);
  EXPECT_EQ(f.base_units, -50'000'000 * SAT);
  EXPECT_EQ(d.hedge_orders(0, HedgeOutcome::Sent), 1u);
  EXPECT_EQ(d.hedge_orders(0, HedgeOutcome::Filled), 1u);
  EXPECT_EQ(d.open_hedges(), 0u);

  // A liquidated short of 0.2 BTC transferred at 51'000.0: the vault sells it,
  // closing 0.2 of its 0.5 long: realised 0.2 x 51'000 - 24'500 x 0.4 = 400 USDT,
  // into the own venue's collateral.
  ASSERT_EQ(d.on_transfer_fill(0, Side::Sell, Qty(200), Price(510'000), 78), VaultError::Ok);
  EXPECT_EQ(b.position(own), Qty(300));
  EXPECT_EQ(b.position_figures(own).realized, 400 * USDT);
  EXPECT_EQ(b.collateral("own-book", "USDT"), 1'000'400 * USDT);
  // Now over-hedged by 0.2 BTC: the desk buys 20 contracts at the ask 50'010.0
  // (limit 50'000 x 1.01 = 50'500.0), closing 20 of its 50 short: realised
  // -20 x 0.01 x (50'010 - 49'996) = -2.8 USDT, fee 20 USDT.
  settle(d, now);
  ASSERT_EQ(okx.sent.size(), 2u);
  EXPECT_EQ(okx.sent[1].side, Side::Buy);
  EXPECT_EQ(okx.sent[1].qty, Qty(20));
  EXPECT_EQ(okx.sent[1].id, make_client_order_id(OrderKey{900'000'001, 0, 78, 0x8000}));
  EXPECT_EQ(b.position(hc), Qty(-30));
  f = b.position_figures(hc);
  EXPECT_EQ(f.realized, -2'800'000);
  EXPECT_EQ(f.entry_price, Price(499'960));   // the rest keeps its entry
  EXPECT_EQ(b.collateral("okx", "USDT"), -(50 + 20) * USDT - 2'800'000);
  EXPECT_EQ(d.unhedged(0), Qty(0));
  EXPECT_EQ(d.hedge_orders(0, HedgeOutcome::Filled), 2u);
  EXPECT_EQ(d.transfer_fills(), 2u);
  EXPECT_EQ(d.errors(), 0u);
  // Nothing more to do: quiet turns send nothing.
  settle(d, now);
  EXPECT_EQ(okx.sent.size(), 2u);
}

// A restart with two hedges in flight on one venue (an older round whose end the
// journal never saw, and the newer one): both go back into the venue's tracker
// (marking the first unknown before the second is restored would make the tracker
// refuse it), both are queried, their fills booked once, and nothing new is sent.
TEST(VaultDesk, TwoHedgesRestoredOnOneVenueAreBothReconciled) {
  TestHedgeVenue okx({{Price(500'000), Qty(100)}}, {{Price(500'100), Qty(100)}},
                     {{Price(500'000), Qty(1000)}}, {{Price(500'100), Qty(1000)}}, 0);
  VenueInput p;
  p.lot = Qty(10);
  p.min_qty = Qty(10);
  // What the stopped process had sent: 30 and 20 contracts, sold at 50'000.0, the
  // venue's answers lost with the connection.
  OrderRequest r1, r2;
  r1.key = OrderKey{900'000'001, 0, 77, 0x8000};
  r2.key = OrderKey{900'000'001, 0, 77, 0x8001};
  for (OrderRequest* r : {&r1, &r2}) {
    r->id = make_client_order_id(r->key);
    r->side = Side::Sell;
    r->limit = Price(495'000);
    r->reduce_only = false;
  }
  r1.qty = Qty(30);
  r2.qty = Qty(20);
  okx.send_new(r1);
  okx.send_new(r2);
  struct Drop final : UpdateSink {
    void on_update(const VenueUpdate&) override {}
  } lost;
  okx.poll(lost);
  okx.sent.clear();

  VaultDesk d(one_hedge(okx_btc(), p, &okx));
  d.set_mark(0, Price(500'000));
  ASSERT_EQ(d.restore_transfer_fill(0, Side::Buy, Qty(500), Price(490'000), 77), VaultError::Ok);
  d.restore_round(0, 77, 1);
  ASSERT_TRUE(d.restore_open_hedge(0, r1, {}, Qty(0), 0, 1'000));
  ASSERT_TRUE(d.restore_open_hedge(0, r2, {}, Qty(0), 0, 1'000));
  d.finish_restore();
  EXPECT_EQ(d.open_hedges(), 2u);
  EXPECT_EQ(d.unhedged(0), Qty(0));   // 0.5 BTC long, 50 contracts of 0.01 in flight
  int64_t now = 1'000;
  settle(d, now);
  EXPECT_TRUE(okx.sent.empty());      // queried, never sent again
  EXPECT_EQ(d.book().position(d.hedge_contract(0)), Qty(-50));
  EXPECT_EQ(d.open_hedges(), 0u);
  EXPECT_EQ(d.unhedged(0), Qty(0));
}

TEST(VaultDesk, InverseHedgeInWholeContractsAndItsBasis) {
  // COIN-M: 100 USD contracts; depth in the market's units: bids 10 BTC @
  // 50'000.0, asks 10 BTC @ 50'020.0. Fee 100 satoshis per contract.
  TestHedgeVenue cm({{Price(500'000), Qty(1'000)}}, {{Price(500'200), Qty(1'000)}},
                    {{Price(500'000), Qty(10'000)}}, {{Price(500'200), Qty(10'000)}}, 100);
  VenueInput p;
  p.lot = Qty(1);
  VaultDesk d(one_hedge(coinm_btc(), p, &cm));
  const VaultBook& b = d.book();
  d.set_mark(0, Price(500'000));
  int64_t now = 1'000;
  ASSERT_EQ(d.on_transfer_fill(0, Side::Buy, Qty(500), Price(490'000), 5), VaultError::Ok);
  settle(d, now);
  // 0.5 BTC at 50'000 = 25'000 USD = 250 contracts, sold at 50'000.0.
  ASSERT_EQ(cm.sent.size(), 1u);
  EXPECT_EQ(cm.sent[0].qty, Qty(250));
  const int hc = d.hedge_contract(0);
  EXPECT_EQ(b.position(hc), Qty(-250));
  // Settled in BTC: fee 250 x 100 sat = 0.00025 BTC, from the COIN-M collateral.
  EXPECT_EQ(b.collateral("coinm", "BTC"), -25'000 * SAT);
  const PositionFigures f = b.position_figures(hc);
  EXPECT_EQ(f.entry_price, Price(500'000));
  // Marked at its mid 50'010.0: base -25'000 / 50'010 = -0.49990001.. BTC (toward
  // zero); PnL 25'000/50'010 - 25'000/50'000 BTC = -0.00009998 BTC, floored on
  // the value at the mark (49'990'001.9996 sat -> 49'990'001): -9'999 sat.
  EXPECT_EQ(f.mark, Price(500'100));
  EXPECT_EQ(f.base_units, -49'990'001);
  EXPECT_EQ(f.unrealized, -9'999 * SAT);
  // What is left unhedged is the inverse basis: 0.5 BTC long vs 0.49990001 short
  // = 0.001 BTC in the own contract's lots (toward zero, -0.499 of the hedge), a
  // fraction of one contract: dust, not sent (and not retried).
  EXPECT_EQ(d.unhedged(0), Qty(1));
  EXPECT_EQ(cm.sent.size(), 1u);
  EXPECT_EQ(d.hedge_orders(0, HedgeOutcome::Refused), 0u);
  // Basis of the hedge venue against the own mark: 50'010 / 50'000 - 1 = 0.0002.
  Ratio basis{0};
  ASSERT_TRUE(basis_ratio(b.spec(hc), f.mark, b.spec(d.own_contract(0)), b.mark(d.own_contract(0)), Round::HalfAwayFromZero, basis));
  EXPECT_EQ(basis, Ratio(20'000));
}

TEST(VaultDesk, NoLiquidityInsideTheLimitWaitsAndRetries) {
  // Bids only at 40'000.0, far below 50'000 x 0.99: nothing inside the limit.
  TestHedgeVenue v({{Price(400'000), Qty(1'000)}}, {}, {{Price(400'000), Qty(1'000)}}, {}, 0);
  VenueInput p;
  p.lot = Qty(1);
  DeskConfig c = one_hedge(own_btc(), p, &v);
  c.hedges[0].contract.venue = "ext";
  c.retry_ms = 1'000;
  VaultDesk d(std::move(c));
  d.set_mark(0, Price(500'000));
  int64_t now = 1'000;
  ASSERT_EQ(d.on_transfer_fill(0, Side::Buy, Qty(100), Price(490'000), 1), VaultError::Ok);
  settle(d, now);
  EXPECT_TRUE(v.sent.empty());
  EXPECT_EQ(d.unhedged(0), Qty(100));
  // The price comes back inside: the next look (after retry_ms) sends the hedge.
  d.set_mark(0, Price(401'000));   // limit 40'100 x 0.99 = 39'699.0
  now += 1'000;
  settle(d, now);
  ASSERT_EQ(v.sent.size(), 1u);
  EXPECT_EQ(v.sent[0].qty, Qty(100));
  EXPECT_EQ(d.unhedged(0), Qty(0));
}

TEST(VaultDesk, DeclaredButUnconnectedVenueOnlyBooks) {
  VenueInput p;
  VaultDesk d(one_hedge(okx_btc(), p, nullptr));
  d.set_mark(0, Price(500'000));
  int64_t now = 0;
  ASSERT_EQ(d.on_transfer_fill(0, Side::Buy, Qty(500), Price(490'000), 1), VaultError::Ok);
  settle(d, now);
  EXPECT_EQ(d.unhedged(0), Qty(500));   // nothing to hedge on: the exposure stays, visible
  EXPECT_EQ(d.hedge_orders(0, HedgeOutcome::Sent), 0u);
  EXPECT_EQ(d.book().mark(d.hedge_contract(0)), Price(500'000));   // marked at this venue's mark
  EXPECT_EQ(d.on_transfer_fill(3, Side::Buy, Qty(1), Price(1), 1), VaultError::UnknownContract);
  EXPECT_EQ(d.on_transfer_fill(0, Side::Buy, Qty(0), Price(1), 1), VaultError::BadFill);
}

}  // namespace
}  // namespace liqd::exec::vault
