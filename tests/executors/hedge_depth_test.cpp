// The hedge venue's depth as the daemon wires it: liqd's own feed book copied by
// the DepthTap (feed thread) into a DepthSlot, read by BookHedgeVenue (executor
// thread), and the vault's desk hedging on that depth. Expected levels and
// orders are worked out by hand beside each check.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "daemon/service/depth_tap.hpp"
#include "executors/adapters/sim_venue.hpp"
#include "executors/vault/book_hedge_venue.hpp"
#include "feeds/book/l2_book.hpp"

namespace liqd::exec::vault {
namespace {

struct Recorder final : feeds::EventSink {
  int books = 0, resyncs = 0, prices = 0;
  void on_book(const feeds::BookUpdated&, const feeds::L2Book&) override { ++books; }
  void on_resync(const feeds::ResyncRequest&) override { ++resyncs; }
  void on_price(const feeds::PriceUpdate&) override { ++prices; }
};

TEST(HedgeDepth, TapCopiesTheTopLevelsInTheMarketsUnitsAndForwardsEverything) {
  Recorder inner;
  DepthBoard board(2);
  // Feed market 3 is hedge slot 1; the feed prints prices with 2 decimals, the
  // market has 1 (tick 0.1) and the same 3 quantity decimals.
  service::DepthRoute r;
  r.feed_market = 3;
  r.slot = 1;
  r.feed_price_dp = 2;
  r.price_dp = 1;
  r.feed_qty_dp = 3;
  r.qty_dp = 3;
  service::DepthTap tap(inner, board, {r});
  feeds::L2Book book(64);
  // 25 bids from 100.00 down by 0.10, 0.5 BTC each; 2 asks 100.20 (0.25), 100.35 (1.0).
  for (int i = 0; i < 25; ++i) book.apply(feeds::kBid, 10'000 - 10 * i, 500);
  book.apply(feeds::kAsk, 10'020, 250);
  book.apply(feeds::kAsk, 10'035, 1'000);
  feeds::BookUpdated b;
  b.h.market = 3;
  tap.on_book(b, book);
  EXPECT_EQ(inner.books, 1);

  DepthPage p;
  ASSERT_TRUE(board.slot(1).load(p));
  EXPECT_EQ(p.updates, 1u);
  ASSERT_EQ(p.n_bids, kHedgeDepthLevels);                 // 25 bids, the top 20 kept
  EXPECT_EQ(p.bids[0].px, Price(1'000));                  // 100.00 -> 100.0
  EXPECT_EQ(p.bids[19].px, Price(981));                   // 100.00 - 19 x 0.10 = 98.10
  EXPECT_EQ(p.bids[5].qty, Qty(500));
  ASSERT_EQ(p.n_asks, 2u);
  EXPECT_EQ(p.asks[0].px, Price(1'002));
  EXPECT_EQ(p.asks[1].px, Price(1'004));                  // 100.35 -> 100.4 (half away from zero)
  EXPECT_EQ(p.asks[1].qty, Qty(1'000));
  DepthPage other;
  ASSERT_TRUE(board.slot(0).load(other));
  EXPECT_EQ(other.updates, 0u);                           // slot 0 is not this feed market's

  // Another market's book leaves the slot alone; a resync of ours empties it.
  b.h.market = 4;
  tap.on_book(b, book);
  ASSERT_TRUE(board.slot(1).load(p));
  EXPECT_EQ(p.updates, 1u);
  feeds::ResyncRequest rq;
  rq.h.market = 3;
  tap.on_resync(rq);
  EXPECT_EQ(inner.resyncs, 1);
  ASSERT_TRUE(board.slot(1).load(p));
  EXPECT_EQ(p.n_bids, 0u);
  EXPECT_EQ(p.n_asks, 0u);
  feeds::PriceUpdate pu;
  tap.on_price(pu);
  EXPECT_EQ(inner.prices, 1);
}

TEST(HedgeDepth, ReaderNeverSeesATornPage) {
  // The writer stores pages whose every level carries the page's number; a reader
  // on another thread must always see one page whole. Bounded by count.
  DepthSlot slot;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    DepthPage p;
    p.n_bids = p.n_asks = kHedgeDepthLevels;
    for (int64_t k = 1; k <= 200'000; ++k) {
      for (auto& l : p.bids) l = Level{Price(k), Qty(k)};
      for (auto& l : p.asks) l = Level{Price(k), Qty(k)};
      p.updates = static_cast<uint64_t>(k);
      slot.store(p);
    }
    done = true;
  });
  int64_t torn = 0, reads = 0;
  while (!done.load() && reads < 10'000'000) {
    DepthPage p;
    if (!slot.load(p)) continue;
    ++reads;
    const int64_t k = static_cast<int64_t>(p.updates);
    if (k == 0) continue;
    for (const Level& l : p.bids) torn += l.px.v != k || l.qty.v != k;
    for (const Level& l : p.asks) torn += l.px.v != k || l.qty.v != k;
  }
  writer.join();
  EXPECT_EQ(torn, 0);
  EXPECT_GT(reads, 0);
}

ContractSpec own_btc(const char* venue) {
  ContractSpec c;
  c.venue = venue; c.market = "BTC-USD"; c.base = "BTC"; c.quote = "USDT";
  c.kind = ContractKind::Linear; c.multiplier = 1; c.multiplier_dp = 0;
  c.price_dp = 1; c.qty_dp = 3; c.settle_dp = 6;
  return c;
}

DeskConfig desk_with(HedgeVenue* v) {
  DeskConfig c;
  c.vault_account = 900'000'001;
  c.markets.push_back(DeskMarket{own_btc("own-book")});
  DeskHedge h;
  h.market = 0;
  h.contract = own_btc("binance");
  h.params.taker_fee = Ratio(50'000);
  h.params.lot = Qty(1);
  h.params.min_qty = Qty(1);
  h.venue = v;
  c.hedges.push_back(h);
  return c;
}

TEST(HedgeDepth, DeskHedgesOnTheFeedsDepthAndNotWithoutIt) {
  // The feed's book of the hedge venue: bids 0.2 BTC @ 50'000.0, 0.5 @ 49'990.0.
  // The venue (a SimVenue) holds the same bids. The vault takes a 0.5 BTC long
  // at mark 50'000.0: the desk sells 0.5 = 0.2 @ 50'000.0 + 0.3 @ 49'990.0, one
  // IOC limited at the worst level it needs, 49'990.0.
  DepthSlot slot;
  DepthPage page;
  page.n_bids = 2;
  page.bids[0] = Level{Price(500'000), Qty(200)};
  page.bids[1] = Level{Price(499'900), Qty(500)};
  page.n_asks = 1;
  page.asks[0] = Level{Price(500'100), Qty(1'000)};
  page.updates = 1;
  slot.store(page);
  auto sim = std::make_unique<SimVenue>(std::vector<Level>{{Price(500'000), Qty(200)}, {Price(499'900), Qty(500)}});
  SimVenue* venue = sim.get();
  venue->faults.duplicate_fills = 1;          // each fill twice: booked once
  BookHedgeVenue hv(std::move(sim), &slot);
  EXPECT_TRUE(hv.depth(Side::Sell).empty());  // nothing until the first refresh
  hv.refresh();
  ASSERT_EQ(hv.depth(Side::Sell).size(), 2u);
  ASSERT_EQ(hv.depth(Side::Buy).size(), 1u);

  VaultDesk d(desk_with(&hv));
  d.set_mark(0, Price(500'000));
  ASSERT_EQ(d.on_transfer_fill(0, Side::Buy, Qty(500), Price(490'000), 9), VaultError::Ok);
  int64_t now = 1'000;
  for (int i = 0; i < 8; ++i) {
    hv.refresh();
    d.turn(now += 10);
  }
  EXPECT_EQ(d.hedge_orders(0, HedgeOutcome::Sent), 1u);
  EXPECT_EQ(d.hedge_orders(0, HedgeOutcome::Filled), 1u);
  EXPECT_EQ(d.book().position(d.hedge_contract(0)), Qty(-500));
  EXPECT_EQ(d.unhedged(0), Qty(0));
  EXPECT_EQ(d.open_hedges(), 0u);

  // Without a slot (no feed carries the venue's book) the depth stays empty and
  // nothing is sent: the exposure waits, it is never hedged blind.
  auto sim2 = std::make_unique<SimVenue>(std::vector<Level>{{Price(500'000), Qty(1'000)}});
  BookHedgeVenue blind(std::move(sim2), nullptr);
  VaultDesk d2(desk_with(&blind));
  d2.set_mark(0, Price(500'000));
  ASSERT_EQ(d2.on_transfer_fill(0, Side::Buy, Qty(500), Price(490'000), 9), VaultError::Ok);
  for (int i = 0; i < 8; ++i) {
    blind.refresh();
    d2.turn(now += 10);
  }
  EXPECT_EQ(d2.hedge_orders(0, HedgeOutcome::Sent), 0u);
  EXPECT_EQ(d2.unhedged(0), Qty(500));
}

}  // namespace
}  // namespace liqd::exec::vault
