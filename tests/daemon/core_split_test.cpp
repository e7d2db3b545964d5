// The core's split (daemon/service/core_split.hpp): own-book and hedge-venue depth
// read from their seqlock slots, SplitPlanner asked, and the answer the same as
// SplitPlanner's own on the same books. Market units: price 1 decimal (tick 0.1),
// quantity 5 decimals; every venue trades 0.001 lots (100 units), so the planner's
// search is exact. Expected splits and prices are worked out by hand beside each check.
#include <gtest/gtest.h>

#include "daemon/service/core_split.hpp"
#include "tests/daemon/split_fixtures.hpp"
#include "daemon/service/split_wiring.hpp"

namespace liqd::service {
namespace {

constexpr int64_t kBtc = 100'000;   // 1 BTC in quantity units

using test::store_bids;
using test::venue;

struct Rig {
  exec::vault::DepthBoard own{1}, hedge{1};
  std::unique_ptr<CoreSplit> split;
  explicit Rig(int64_t charge = 20'000) {   // 0.0002 on the hedge notional
    SplitSettings s;
    s.enabled = true;
    s.charge = Ratio(charge);
    s.own = &own;
    s.hedge = &hedge;
    s.markets.resize(1);
    s.markets[0].own = venue(50'000, 100, 100);                             // own book: taker 0.0005
    s.markets[0].hedges.push_back(SplitHedgeVenue{0, venue(50'000, 100, 100)});   // hedge venue: taker 0.0005
    split = std::make_unique<CoreSplit>(s);
  }
  // SplitPlanner itself on the books the slots hold (the reference).
  exec::SplitPlan reference(Qty qty, Price limit, Qty vault_max, int64_t charge = 20'000) {
    return test::planner_on_slots(own, hedge, venue(50'000, 100, 100), venue(50'000, 100, 100), qty, limit, vault_max,
                                  Ratio(charge));
  }
};

void expect_same(const exec::SplitPlan& a, const exec::SplitPlan& b) {
  EXPECT_EQ(a.own_qty, b.own_qty);
  EXPECT_EQ(a.transfer_qty, b.transfer_qty);
  EXPECT_EQ(a.unfilled, b.unfilled);
  EXPECT_EQ(a.transfer_price, b.transfer_price);
  EXPECT_TRUE(a.objective == b.objective);
  EXPECT_TRUE(a.own_only_objective == b.own_only_objective);
  EXPECT_EQ(a.exact, b.exact);
}

TEST(CoreSplit, DeepHedgeBookTakesWhatTheOwnBookCannot) {
  Rig r;
  // Own book: 0.2 BTC at 50000.0, then 49900.0 (below the bound 49950.0).
  store_bids(r.own.slot(0), {{Price(500'000), Qty(20'000)}, {Price(499'000), Qty(30'000)}});
  // Hedge venue: 5 BTC at 50010.0.
  store_bids(r.hedge.slot(0), {{Price(500'100), Qty(5 * kBtc)}});
  exec::SplitPlan p;
  ASSERT_TRUE(r.split->plan(0, true, Qty(kBtc), Price(499'500), Qty(10 * kBtc), p));
  // Per unit, net: own 50000 x (1 - 0.0005) = 49975.0; hedge 50010 x (1 - 0.0005 - 0.0002)
  // = 49974.993. The own book's 0.2 first, the other 0.8 to the vault.
  EXPECT_EQ(p.own_qty, Qty(20'000));
  EXPECT_EQ(p.transfer_qty, Qty(80'000));
  EXPECT_EQ(p.unfilled, Qty(0));
  // Transfer price: 49974.993 rounded down in the vault's favour: 49974.9, above the bound.
  EXPECT_EQ(p.transfer_price, Price(499'749));
  EXPECT_GE(p.transfer_price.v, 499'500);
  ASSERT_EQ(p.hedge.n_children, 1);
  EXPECT_EQ(p.hedge.children[0].avg_price, Price(500'100));
  EXPECT_TRUE(p.exact);
  expect_same(p, r.reference(Qty(kBtc), Price(499'500), Qty(10 * kBtc)));
}

TEST(CoreSplit, ThinHedgeBookLeavesItAllToTheOwnBook) {
  Rig r;
  store_bids(r.own.slot(0), {{Price(500'000), Qty(2 * kBtc)}});
  // 0.0005 BTC at a better 50100.0 (below the venue's 0.001 minimum), the rest below the bound.
  store_bids(r.hedge.slot(0), {{Price(501'000), Qty(50)}, {Price(499'000), Qty(10 * kBtc)}});
  exec::SplitPlan p;
  ASSERT_TRUE(r.split->plan(0, true, Qty(kBtc), Price(499'500), Qty(10 * kBtc), p));
  EXPECT_EQ(p.own_qty, Qty(kBtc));
  EXPECT_EQ(p.transfer_qty, Qty(0));
  EXPECT_EQ(p.transfer_price, Price(0));
  ASSERT_EQ(p.own.n_children, 1);
  EXPECT_EQ(p.own.children[0].limit_price, Price(500'000));
  expect_same(p, r.reference(Qty(kBtc), Price(499'500), Qty(10 * kBtc)));
}

TEST(CoreSplit, TransferPriceIsClampedToTheFillableBound) {
  Rig r;
  store_bids(r.own.slot(0), {});
  // Bound 50000.0; the hedge's raw 50010.0 is inside it, its net 49974.993 is not.
  store_bids(r.hedge.slot(0), {{Price(500'100), Qty(5 * kBtc)}});
  exec::SplitPlan p;
  ASSERT_TRUE(r.split->plan(0, true, Qty(kBtc), Price(500'000), Qty(10 * kBtc), p));
  EXPECT_EQ(p.own_qty, Qty(0));
  EXPECT_EQ(p.transfer_qty, Qty(kBtc));
  EXPECT_EQ(p.transfer_price, Price(500'000));   // the bound, not 49974.9
  expect_same(p, r.reference(Qty(kBtc), Price(500'000), Qty(10 * kBtc)));
}

TEST(CoreSplit, VaultRoomCapsTheTransfer) {
  Rig r;
  store_bids(r.own.slot(0), {{Price(500'000), Qty(20'000)}});
  store_bids(r.hedge.slot(0), {{Price(500'100), Qty(5 * kBtc)}});
  exec::SplitPlan p;
  // The vault has room for 0.3 BTC: 0.2 own, 0.3 transferred, 0.5 left for later.
  ASSERT_TRUE(r.split->plan(0, true, Qty(kBtc), Price(499'500), Qty(30'000), p));
  EXPECT_EQ(p.own_qty, Qty(20'000));
  EXPECT_EQ(p.transfer_qty, Qty(30'000));
  EXPECT_EQ(p.unfilled, Qty(50'000));
  expect_same(p, r.reference(Qty(kBtc), Price(499'500), Qty(30'000)));
}

TEST(CoreSplit, NoHedgeDepthNoVaultRoomOrSwitchedOffMeansNoSplit) {
  Rig r;
  store_bids(r.own.slot(0), {{Price(500'000), Qty(20'000)}});
  exec::SplitPlan p;
  EXPECT_FALSE(r.split->plan(0, true, Qty(kBtc), Price(499'500), Qty(kBtc), p));   // hedge slot never written
  store_bids(r.hedge.slot(0), {{Price(500'100), Qty(5 * kBtc)}});
  EXPECT_FALSE(r.split->plan(0, false, Qty(kBtc), Price(501'000), Qty(kBtc), p));  // a buy: the hedge has no asks
  EXPECT_FALSE(r.split->plan(0, true, Qty(kBtc), Price(499'500), Qty(0), p));      // the vault is full
  EXPECT_TRUE(r.split->plan(0, true, Qty(kBtc), Price(499'500), Qty(kBtc), p));
  SplitSettings off;
  EXPECT_FALSE(CoreSplit(off).active(0));
}

TEST(SplitWiring, AHedgeVenueOnTheOwnBooksFeedIsNotMoreLiquidity) {
  config::Config cfg;
  cfg.daemon.backstop.account = 900'000'001;
  cfg.daemon.backstop.hedge_charge = Ratio(30'000);
  config::MarketConfig m;
  m.symbol = "BTC-USD";
  config::VenueConfig own, vault, bin, other;
  own.kind = "own-clob";
  own.taker_fee = Ratio(50'000);
  own.lot = Qty(1);
  vault.kind = "backstop-vault";
  bin.kind = "binance-usdm";
  bin.taker_fee = Ratio(40'000);
  bin.lot = Qty(100);
  bin.min_qty = Qty(100);
  bin.max_qty = Qty(12'000'000);
  other.kind = "hyperliquid";   // hedge slot 1: no feed carries its book
  m.venues = {own, vault, bin, other};
  cfg.markets.push_back(m);
  exec::vault::DepthBoard ob(1), hb(2);
  DepthRoute hedge_route;
  hedge_route.feed_market = 7;
  hedge_route.slot = 0;
  DepthRoute own_route;
  own_route.feed_market = 7;   // the same feed book as the hedge venue's
  own_route.slot = 0;
  SplitSettings s = split_settings_from(cfg, {hedge_route}, {own_route}, ob, hb);
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.charge, Ratio(30'000));
  ASSERT_EQ(s.markets.size(), 1u);
  EXPECT_TRUE(s.markets[0].hedges.empty());
  EXPECT_FALSE(CoreSplit(s).active(0));
  own_route.feed_market = 8;   // a book of its own
  s = split_settings_from(cfg, {hedge_route}, {own_route}, ob, hb);
  ASSERT_EQ(s.markets[0].hedges.size(), 1u);
  EXPECT_EQ(s.markets[0].hedges[0].slot, 0u);
  EXPECT_EQ(s.markets[0].hedges[0].venue.taker_fee, Ratio(40'000));
  EXPECT_EQ(s.markets[0].hedges[0].venue.max_qty, Qty(12'000'000));
  EXPECT_EQ(s.markets[0].own.taker_fee, Ratio(50'000));
  EXPECT_TRUE(CoreSplit(s).active(0));
  // Market ids are per connection: id 7 on the own-book feed is another book than
  // id 7 on the Binance feed (liqd-sim's own port vs its binance port).
  own_route.feed_market = 7;
  own_route.feed = DepthFeed::OwnBook;
  s = split_settings_from(cfg, {hedge_route}, {own_route}, ob, hb);
  ASSERT_EQ(s.markets[0].hedges.size(), 1u);
  EXPECT_TRUE(CoreSplit(s).active(0));
  cfg.daemon.backstop.split = false;
  EXPECT_FALSE(split_settings_from(cfg, {hedge_route}, {own_route}, ob, hb).enabled);
}

}  // namespace
}  // namespace liqd::service
