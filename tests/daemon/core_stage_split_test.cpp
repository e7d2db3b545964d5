// The core's planner with the split wired (core_stage.cpp, core_split.hpp): the demo
// market (BTC-USD, tick 0.1, lot 0.00001, liquidation fee 0.005) with a vault, one
// account past its maintenance margin, and depth put straight into the own-book and
// hedge-venue slots. The chunk the planner sizes without the split is the reference;
// with a deep hedge book part of it goes to the vault at SplitPlanner's price (the
// same answer SplitPlanner gives on those books), with a thin one it stays one IOC.
#include <gtest/gtest.h>

#include <optional>

#include "config/daemon_config.hpp"
#include "daemon/service/core_stage.hpp"
#include "tests/daemon/split_fixtures.hpp"
#include "daemon/service/policy_from_config.hpp"

namespace liqd::service {
namespace {

const std::string kDataDir = LIQD_TEST_DATA_DIR;
constexpr uint64_t kVault = 900'000'001, kVictim = 42;
constexpr int64_t kBtc = 100'000;                  // 1 BTC in lot units (5 decimals)
constexpr int64_t kMark = 500'000;                 // 50000.0 (1 decimal)
constexpr int64_t kUsdt = 1'000'000;               // quote units (6 decimals)
constexpr int64_t kTs = 1'700'000'000'000;

using test::store_bids;
using test::venue;

struct Core {
  SpscRing<PriceInput> prices{1 << 10};
  SpscRing<AccountInput> accounts{1 << 10};
  SpscRing<ExecCommand> commands{1 << 12};
  SpscRing<OrderOutcome> outcomes{1 << 10};
  Snapshots snaps;
  exec::vault::DepthBoard own{1}, hedge{1};
  std::unique_ptr<CoreStage> core;
  std::vector<ExecCommand> orders;

  explicit Core(bool split) {
    config::Diagnostics diag;
    std::optional<config::Config> cfg = config::load_config(kDataDir + "/../../config/demo/liqd.yaml", diag);
    EXPECT_TRUE(cfg.has_value());
    CoreStageConfig cc = core_config_from(*cfg);
    EXPECT_EQ(cc.backstop.account, kVault);
    cc.max_accounts = 64;
    cc.split.enabled = split;
    cc.split.charge = Ratio(20'000);   // 0.0002
    cc.split.own = &own;
    cc.split.hedge = &hedge;
    cc.split.markets.resize(cc.markets.size());
    cc.split.markets[0].own = venue(50'000, 1, 0);                                  // own book: 0.0005
    cc.split.markets[0].hedges.push_back(SplitHedgeVenue{0, venue(50'000, 1, 100)});  // hedge: 0.0005, min 0.001
    CoreRings rings;
    rings.prices.push_back(&prices);
    rings.accounts = &accounts;
    rings.outcomes = &outcomes;
    rings.commands = &commands;
    core = std::make_unique<CoreStage>(std::move(cc), rings, snaps, nullptr);
  }
  void account(uint64_t id, int64_t collateral, int64_t size) {
    AccountInput in;
    in.u.exch_ts_ns = kTs * 1'000'000;
    in.u.account_id = id;
    in.u.kind = feeds::AccountUpdateKind::SnapshotCollateral;
    in.u.amount = collateral;
    ASSERT_TRUE(accounts.try_push(in));
    if (size == 0) return;
    in.u.kind = feeds::AccountUpdateKind::SnapshotPosition;
    in.u.market = 0;
    in.u.size = size;
    in.u.entry_price = kMark;
    in.u.amount = 0;
    ASSERT_TRUE(accounts.try_push(in));
  }
  // The demo's three oracle sources and the book at the mark; the vault with 1 B USDT,
  // the victim long 1 BTC at 50000 with 180 USDT: equity 180 < MM 200 (0.4 %), above
  // 2/3 of it (no backstop rule), and the 0.5 % fee leaves no partial close that
  // reaches the target: one full close of 1 BTC.
  void run() {
    for (uint8_t src = 0; src < 3; ++src) {
      PriceInput p;
      p.source = src;
      p.price = kMark;
      p.publish_ms = kTs;
      ASSERT_TRUE(prices.try_push(p));
    }
    PriceInput b;
    b.kind = PriceKind::BookMid;
    b.price = kMark - 1;
    b.conf = kMark + 1;
    b.publish_ms = kTs;
    ASSERT_TRUE(prices.try_push(b));
    for (int i = 0; i < 4; ++i) core->turn();
    account(kVault, 1'000'000'000 * kUsdt, 0);
    account(kVictim, 180 * kUsdt, kBtc);
    AccountInput done;
    done.kind = AccountInputKind::InSync;
    ASSERT_TRUE(accounts.try_push(done));
    for (int i = 0; i < 8; ++i) core->turn();
    ExecCommand c;
    while (commands.try_pop(c))
      if (c.kind == ExecKind::NewOrder) orders.push_back(c);
  }
};

// The chunk without the split: one IOC (qty, fillable bound, bankruptcy).
ExecCommand reference_ioc() {
  Core ref(false);
  ref.run();
  EXPECT_EQ(ref.orders.size(), 1u);
  return ref.orders.empty() ? ExecCommand{} : ref.orders[0];
}

exec::SplitPlan planner_answer(const Core& c, Qty qty, Price limit) {
  // the vault's room is far above 1 BTC
  return test::planner_on_slots(c.own, c.hedge, venue(50'000, 1, 0), venue(50'000, 1, 100), qty, limit, Qty(INT64_MAX / 4),
                                Ratio(20'000));
}

TEST(CoreStageSplit, DeepHedgeBookSendsTheRestToTheVaultAtTheSplitsPrice) {
  const ExecCommand ref = reference_ioc();
  ASSERT_EQ(ref.qty, kBtc);                 // the full close
  ASSERT_FALSE(ref.split.used);
  ASSERT_LT(ref.limit, kMark);              // the fillable bound is below the mark
  ASSERT_LT(ref.bankruptcy, ref.limit);     // ... and above bankruptcy (49820.0: 50000 - 180)
  EXPECT_EQ(ref.bankruptcy, 498'200);

  Core c(true);
  store_bids(c.own.slot(0), {{Price(kMark), Qty(20'000)}});       // 0.2 BTC at 50000.0
  store_bids(c.hedge.slot(0), {{Price(kMark), Qty(5 * kBtc)}});   // 5 BTC at 50000.0
  c.run();
  ASSERT_EQ(c.orders.size(), 2u);
  const ExecCommand& t = c.orders[0];   // the transfer goes first, then the IOC
  const ExecCommand& ioc = c.orders[1];
  // Per unit: own 50000 x (1 - 0.0005) beats the hedge's 50000 x (1 - 0.0007), so the
  // own book's 0.2 BTC first, the other 0.8 to the vault.
  EXPECT_EQ(ioc.transfer_to, 0u);
  EXPECT_TRUE(ioc.ioc);
  EXPECT_EQ(ioc.qty, 20'000);
  EXPECT_EQ(ioc.limit, ref.limit);
  EXPECT_EQ(ioc.fee_rate, 500'000);     // the market's liquidation fee, charged by the venue
  EXPECT_EQ(t.transfer_to, kVault);
  EXPECT_FALSE(t.ioc);
  EXPECT_FALSE(t.deleverage);
  EXPECT_EQ(t.qty, 80'000);
  EXPECT_EQ(t.fee_rate, 500'000);     // the split transfer pays the liquidation fee like the IOC it stands in for
  EXPECT_EQ(t.why, static_cast<uint8_t>(policy::PlanWhy::SplitTransfer));
  EXPECT_EQ(t.bankruptcy, ref.bankruptcy);
  // The transfer price: 50000 x 0.9993 = 49965.0, or the bound if that is higher.
  EXPECT_EQ(t.limit, std::max<int64_t>(499'650, ref.limit));
  EXPECT_GE(t.limit, ref.limit);        // inside the fillable bound
  // Both carry the split's figures, and they are SplitPlanner's on those books.
  const exec::SplitPlan sp = planner_answer(c, Qty(ref.qty), Price(ref.limit));
  for (const ExecCommand* x : {&t, &ioc}) {
    EXPECT_TRUE(x->split.used);
    EXPECT_EQ(x->split.order_qty, kBtc);
    EXPECT_EQ(x->split.own_qty, sp.own_qty.v);
    EXPECT_EQ(x->split.transfer_qty, sp.transfer_qty.v);
    EXPECT_EQ(x->split.transfer_price, sp.transfer_price.v);
    EXPECT_EQ(x->split.bound, ref.limit);   // the bound journaled is the plain IOC's limit
    EXPECT_EQ(x->split.unfilled, sp.unfilled.v);
    EXPECT_TRUE(x->split.objective == sp.objective);
    EXPECT_TRUE(x->split.own_only_objective == sp.own_only_objective);
  }
  EXPECT_EQ(sp.own_qty.v, ioc.qty);
  EXPECT_EQ(sp.transfer_qty.v, t.qty);
  EXPECT_EQ(sp.transfer_price.v, t.limit);
  c.core->publish();
  EXPECT_EQ(c.core->stats().split_consulted, 1u);
  EXPECT_EQ(c.core->stats().split_transfers, 1u);
}

TEST(CoreStageSplit, ThinHedgeBookLeavesOneOwnBookIoc) {
  const ExecCommand ref = reference_ioc();
  Core c(true);
  store_bids(c.own.slot(0), {{Price(kMark), Qty(2 * kBtc)}});
  // 0.0005 BTC at 50010.0 (below the venue's 0.001 minimum), then 40000.0 (outside the bound).
  store_bids(c.hedge.slot(0), {{Price(kMark + 100), Qty(50)}, {Price(400'000), Qty(10 * kBtc)}});
  c.run();
  ASSERT_EQ(c.orders.size(), 1u);
  const ExecCommand& ioc = c.orders[0];
  EXPECT_EQ(ioc.transfer_to, 0u);
  EXPECT_EQ(ioc.qty, ref.qty);
  EXPECT_EQ(ioc.limit, ref.limit);
  EXPECT_TRUE(ioc.split.used);            // consulted, and its answer is the own book
  EXPECT_EQ(ioc.split.own_qty, kBtc);
  EXPECT_EQ(ioc.split.transfer_qty, 0);
  const exec::SplitPlan sp = planner_answer(c, Qty(ref.qty), Price(ref.limit));
  EXPECT_EQ(sp.own_qty.v, kBtc);
  EXPECT_EQ(sp.transfer_qty.v, 0);
}

TEST(CoreStageSplit, NoHedgeDepthMeansTheOrderAsPlanned) {
  const ExecCommand ref = reference_ioc();
  Core c(true);
  store_bids(c.own.slot(0), {{Price(kMark), Qty(2 * kBtc)}});   // the hedge slot never written
  c.run();
  ASSERT_EQ(c.orders.size(), 1u);
  EXPECT_EQ(c.orders[0].qty, ref.qty);
  EXPECT_EQ(c.orders[0].limit, ref.limit);
  EXPECT_FALSE(c.orders[0].split.used);
}

}  // namespace
}  // namespace liqd::service
