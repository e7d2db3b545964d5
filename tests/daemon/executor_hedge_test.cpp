// The executor stage wires the backstop vault's hedges (daemon/service/
// executor_stage.cpp): the demo configuration's `binance` venue has order entry,
// so a transfer fill into the vault is hedged on that venue's adapter, sized on
// the depth its DepthSlot holds. In-process venues (SimVenue) stand for the own
// venue and the hedge venue; every figure is worked out beside its check.
#include <gtest/gtest.h>

#include <filesystem>

#include "config/daemon_config.hpp"
#include "daemon/service/executor_stage.hpp"
#include "daemon/service/policy_from_config.hpp"
#include "daemon/service/recovery.hpp"
#include "executors/adapters/sim_venue.hpp"

namespace liqd::service {
namespace {

namespace fs = std::filesystem;

// The hedge venue outlives a crashed executor: each stage's adapter speaks to
// the same SimVenue (its orders, fills and client order ids).
struct Forward final : exec::VenueAdapter {
  explicit Forward(exec::SimVenue& v) : venue(v) {}
  exec::SimVenue& venue;
  void send_new(const exec::OrderRequest& r) override { venue.send_new(r); }
  void send_cancel(const exec::ClientOrderId& id) override { venue.send_cancel(id); }
  void send_query(const exec::ClientOrderId& id) override { venue.send_query(id); }
  int poll(exec::UpdateSink& s) override { return venue.poll(s); }
  bool connected() const override { return venue.connected(); }
};

// Start-up options: a shared hedge venue, and recovery from the journal of a
// stage that stopped (`dir` is kept for the next one).
struct Restart {
  exec::SimVenue* shared_hedge = nullptr;
  bool recover = false;
  bool keep_dir = false;
};

struct Rig {
  SpscRing<ExecCommand> commands{1 << 10};
  SpscRing<OrderOutcome> outcomes{1 << 10};
  std::unique_ptr<Snapshots> snaps = std::make_unique<Snapshots>();
  exec::vault::DepthBoard board{2};
  exec::SimVenue* hedge_venue = nullptr;
  std::unique_ptr<ExecutorStage> exec;
  std::string dir;

  bool keep_dir = false;

  explicit Rig(bool with_adapter, const char* name, Restart rs = {}) : keep_dir(rs.keep_dir) {
    dir = (fs::temp_directory_path() / (std::string("liqd-exec-hedge-") + name + "-" + std::to_string(::getpid()))).string();
    if (!rs.recover) fs::remove_all(dir);
    config::Diagnostics diag;
    std::optional<config::Config> cfg = config::load_config(std::string(LIQD_TEST_DATA_DIR) + "/../../config/demo/liqd.yaml", diag);
    EXPECT_TRUE(cfg.has_value());
    ExecutorConfig ec = executor_config_from(*cfg);
    // The demo's BTC-USD venues: own-book, backstop (not a hedge), binance (hedge 0,
    // with order entry), hyperliquid (hedge 1, none).
    EXPECT_EQ(ec.hedges.size(), 1u);
    EXPECT_EQ(ec.hedges[0].hedge, 0u);
    EXPECT_EQ(ec.hedges[0].rest.port, 19101);
    EXPECT_EQ(ec.vault.hedges.size(), 2u);
    ec.journal.dir = dir;
    ec.journal.fsync = journal::FsyncPolicy::Never;
    // The own venue: 0.5 BTC bid at 5'000.0 takes the transfer (qty_dp 5, price_dp 1).
    ec.make_venue = [](uint32_t) {
      return std::make_unique<exec::SimVenue>(std::vector<exec::Level>{{Price(50'000), Qty(50'000)}});
    };
    // The hedge venue's book, as its feed and the venue itself hold it: bids 0.3 @
    // 5'000.0, 0.4 @ 4'990.0; one ask 1.0 @ 5'001.0.
    exec::vault::DepthPage page;
    page.n_bids = 2;
    page.bids[0] = exec::Level{Price(50'000), Qty(30'000)};
    page.bids[1] = exec::Level{Price(49'900), Qty(40'000)};
    page.n_asks = 1;
    page.asks[0] = exec::Level{Price(50'010), Qty(100'000)};
    page.updates = 1;
    board.slot(0).store(page);
    ec.hedge_depth = &board;
    if (rs.recover) {
      std::vector<std::string> symbols;
      for (const ExecMarket& m : ec.markets) symbols.push_back(m.symbol);
      RecoveredState st = recover_state(dir, symbols);
      EXPECT_EQ(st.error, "");
      ec.next_journal_seq = st.next_journal_seq;
      ec.recovered = std::move(st.open_orders);
      ec.unsettled = std::move(st.unsettled_fills);
      ec.recovered_vault = std::move(st.vault);
    }
    if (rs.shared_hedge)
      ec.make_hedge_adapter = [this, v = rs.shared_hedge](HedgeEntry&) {
        hedge_venue = v;
        return std::make_unique<Forward>(*v);
      };
    else if (with_adapter)
      ec.make_hedge_adapter = [this](HedgeEntry&) {
        auto v = std::make_unique<exec::SimVenue>(
            std::vector<exec::Level>{{Price(50'000), Qty(30'000)}, {Price(49'900), Qty(40'000)}});
        hedge_venue = v.get();
        return v;
      };
    exec = std::make_unique<ExecutorStage>(std::move(ec), commands, outcomes, *snaps, nullptr);
    EXPECT_EQ(exec->open(1'000), "");
  }
  ~Rig() {
    exec.reset();
    if (!keep_dir) fs::remove_all(dir);
  }
  // A liquidated 0.5 BTC long transferred to the vault (demo backstop.account),
  // and `turns` executor turns.
  void transfer(int64_t& now, int turns = 10) {
    ExecCommand c;
    c.kind = ExecKind::NewOrder;
    c.market = 0;
    c.account = 42;
    c.liquidation_seq = 5;
    c.close_long = true;
    c.qty = 50'000;
    c.limit = 49'000;
    c.bankruptcy = 49'000;
    c.transfer_to = 900'000'001;
    c.ts_ms = now;
    ASSERT_TRUE(commands.try_push(c));
    for (int i = 0; i < turns; ++i) exec->turn(now += 10);
  }
};

// The hedge venue's bids as the Rig's depth page has them.
std::vector<exec::Level> hedge_bids() { return {{Price(50'000), Qty(30'000)}, {Price(49'900), Qty(40'000)}}; }

// The first hedge round of the Rig's transfer (liquidation seq 5): vault account,
// market 0, seq 5, chunk 0x8000 | round 0.
exec::ClientOrderId first_hedge_id() { return exec::make_client_order_id(exec::OrderKey{900'000'001, 0, 5, 0x8000}); }

TEST(ExecutorHedge, TransferFillIsHedgedOnTheVenueWithOrderEntry) {
  Rig r(true, "wired");
  int64_t now = 1'000;
  r.transfer(now);
  const exec::vault::VaultDesk* d = r.exec->vault_desk();
  ASSERT_NE(d, nullptr);
  ASSERT_NE(r.hedge_venue, nullptr);
  EXPECT_EQ(d->transfer_fills(), 1u);
  EXPECT_EQ(d->book().position(d->own_contract(0)), Qty(50'000));   // the vault bought 0.5
  // The desk sells 0.5 (a multiple of binance's 0.001 lot): 0.3 @ 5'000.0 + 0.2 @
  // 4'990.0, one IOC at the worst level it needs; both fills booked on binance.
  EXPECT_EQ(d->hedge_orders(0, exec::vault::HedgeOutcome::Sent), 1u);
  EXPECT_EQ(d->hedge_orders(0, exec::vault::HedgeOutcome::Filled), 1u);
  EXPECT_EQ(d->hedge_orders(1, exec::vault::HedgeOutcome::Sent), 0u);   // hyperliquid: no order entry
  EXPECT_EQ(d->book().position(d->hedge_contract(0)), Qty(-50'000));
  EXPECT_EQ(d->unhedged(0), Qty(0));
  EXPECT_EQ(r.exec->open_hedges(), 0u);
}

// The core saw the vault account (2,000,000 USDT) just before the first transfer
// fill reached the executor, and no vault publish ran in between: the collateral
// is still seeded before the transfer is booked, not skipped for good.
TEST(ExecutorHedge, VaultCollateralSeededBeforeTheFirstTransferIsBooked) {
  Rig r(true, "seed");
  int64_t now = 1'000;
  for (int i = 0; i < 10; ++i) r.exec->turn(now += 10);   // publishes before the core knows the vault
  CoreStats cs;
  cs.n_markets = 1;
  cs.markets[0].mark = 50'000;
  cs.has_vault = true;
  cs.vault_collateral = 2'000'000'000'000;   // in quote units, handed to the books as they are
  r.snaps->core.store(cs);
  r.transfer(now);   // within the 50 ms publish throttle of the last publish
  const exec::vault::VaultDesk* d = r.exec->vault_desk();
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->transfer_fills(), 1u);
  const auto& book = d->book();
  // The own venue's USDT: the seed, then only what the books moved since
  // (no realised PnL yet, transfers pay no fee): exactly the seed.
  i128 own = -1;
  for (int i = 0; i < book.collaterals(); ++i) {
    const auto c = book.collateral_at(i);
    if (c.venue && *c.venue == "own-book") own = c.amount;
  }
  EXPECT_EQ(own, i128(2'000'000'000'000));
}

// kill -9 with a hedge in flight: the venue had filled 0.3 of the 0.5 hedge and
// liqd journaled that fill; the other 0.2 filled while liqd was down (its update
// lost with the connection). The restarted stage has the vault's books back from
// the journal (own +0.5, hedge -0.3), puts the hedge into its tracker as unknown,
// queries it, counts the venue's replay of the first fill as a duplicate and the
// second once, and sends nothing new: one order at the venue, hedge -0.5.
TEST(ExecutorHedge, HedgeInFlightAtACrashIsReconciledNotSentAgain) {
  exec::SimVenue venue(hedge_bids());
  venue.faults.rest_orders = true;   // the IOC waits for fill_resting()
  int64_t now = 1'000;
  {
    Rig a(true, "crash-mid-hedge", Restart{&venue, false, true});
    a.transfer(now, 3);
    ASSERT_EQ(a.exec->open_hedges(), 1u);
    ASSERT_EQ(venue.orders_received(), 1);   // the hedge (the transfer went to the own venue)
    venue.fill_resting(first_hedge_id(), Qty(30'000), Price(50'000));
    for (int i = 0; i < 3; ++i) a.exec->turn(now += 10);
    const exec::vault::VaultDesk* d = a.exec->vault_desk();
    ASSERT_EQ(d->book().position(d->hedge_contract(0)), Qty(-30'000));
    // The process dies here: the stage is destroyed without a drain (the journal
    // holds what was committed; the writer adds nothing after its last commit).
  }
  venue.disconnect();                                                   // the connection died with it
  venue.fill_resting(first_hedge_id(), Qty(20'000), Price(49'900));    // filled meanwhile, update lost
  venue.reconnect();
  Rig b(true, "crash-mid-hedge", Restart{&venue, true, false});
  const exec::vault::VaultDesk* d = b.exec->vault_desk();
  ASSERT_NE(d, nullptr);
  // Before the first turn: the books as the journal left them, the hedge in flight.
  EXPECT_EQ(d->book().position(d->own_contract(0)), Qty(50'000));
  EXPECT_EQ(d->book().position(d->hedge_contract(0)), Qty(-30'000));
  EXPECT_EQ(b.exec->open_hedges(), 1u);
  EXPECT_EQ(d->unhedged(0), Qty(0));   // 0.5 - 0.3 filled - 0.2 still in flight
  for (int i = 0; i < 10; ++i) b.exec->turn(now += 10);
  EXPECT_EQ(venue.orders_received(), 1);   // nothing sent twice
  EXPECT_EQ(venue.executed(first_hedge_id()), Qty(50'000));
  EXPECT_EQ(d->book().position(d->hedge_contract(0)), Qty(-50'000));
  EXPECT_EQ(d->unhedged(0), Qty(0));
  EXPECT_EQ(b.exec->open_hedges(), 0u);
  // Realised nothing yet; the hedge venue's collateral paid no fee (SimVenue
  // charges none): the books' entry is 0.3 x 5'000.0 + 0.2 x 4'990.0.
  const exec::vault::PositionFigures pf = d->book().position_figures(d->hedge_contract(0));
  EXPECT_EQ(pf.entry_price, Price(49'960));
}

// kill -9 after the transfer was journaled and before any hedge round (the hedge
// venue was down): the restarted stage finds the exposure in its books and hedges
// it once, under the round id the stopped process never used.
TEST(ExecutorHedge, TransferJournaledBeforeTheCrashIsHedgedOnceAfterIt) {
  exec::SimVenue venue(hedge_bids());
  int64_t now = 1'000;
  {
    venue.disconnect();
    Rig a(true, "crash-before-hedge", Restart{&venue, false, true});
    a.transfer(now, 5);
    const exec::vault::VaultDesk* d = a.exec->vault_desk();
    ASSERT_EQ(d->transfer_fills(), 1u);
    ASSERT_EQ(a.exec->open_hedges(), 0u);
    ASSERT_EQ(venue.orders_received(), 0);
  }
  venue.reconnect();
  Rig b(true, "crash-before-hedge", Restart{&venue, true, false});
  const exec::vault::VaultDesk* d = b.exec->vault_desk();
  EXPECT_EQ(d->book().position(d->own_contract(0)), Qty(50'000));
  EXPECT_EQ(d->unhedged(0), Qty(50'000));
  for (int i = 0; i < 10; ++i) b.exec->turn(now += 10);
  EXPECT_EQ(venue.orders_received(), 1);
  EXPECT_EQ(venue.executed(first_hedge_id()), Qty(50'000));
  EXPECT_EQ(d->book().position(d->hedge_contract(0)), Qty(-50'000));
  EXPECT_EQ(d->unhedged(0), Qty(0));
}

// A restart after a hedge ended: the books come back whole, nothing is in flight,
// nothing is sent, and the next transfer's round has an id of its own.
TEST(ExecutorHedge, RestartAfterAnEndedHedgeSendsNothing) {
  exec::SimVenue venue(hedge_bids());
  int64_t now = 1'000;
  {
    Rig a(true, "restart-ended", Restart{&venue, false, true});
    a.transfer(now);
    ASSERT_EQ(venue.orders_received(), 1);
  }
  Rig b(true, "restart-ended", Restart{&venue, true, false});
  const exec::vault::VaultDesk* d = b.exec->vault_desk();
  EXPECT_EQ(d->book().position(d->own_contract(0)), Qty(50'000));
  EXPECT_EQ(d->book().position(d->hedge_contract(0)), Qty(-50'000));
  EXPECT_EQ(b.exec->open_hedges(), 0u);
  for (int i = 0; i < 10; ++i) b.exec->turn(now += 10);
  EXPECT_EQ(venue.orders_received(), 1);
  EXPECT_EQ(d->unhedged(0), Qty(0));
}

TEST(ExecutorHedge, WithoutKeysTheVenueIsNotHedgedOn) {
  Rig r(false, "nokeys");   // load_hedge_keys() not called and no test adapter
  int64_t now = 1'000;
  r.transfer(now);
  const exec::vault::VaultDesk* d = r.exec->vault_desk();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->transfer_fills(), 1u);
  EXPECT_EQ(d->hedge_orders(0, exec::vault::HedgeOutcome::Sent), 0u);
  EXPECT_EQ(d->unhedged(0), Qty(50'000));
}

TEST(ExecutorHedge, KeyFilesMustBeOwnerOnly) {
  const std::string dir = (fs::temp_directory_path() / ("liqd-hedge-keys-" + std::to_string(::getpid()))).string();
  fs::create_directories(dir);
  ExecutorConfig ec;
  HedgeEntry h;
  h.venue = "binance";
  h.api_key_file = dir + "/k";
  h.secret_file = dir + "/s";
  for (const std::string& f : {h.api_key_file, h.secret_file}) {
    FILE* fp = std::fopen(f.c_str(), "w");
    ASSERT_NE(fp, nullptr);
    std::fputs("value-that-must-not-appear\n", fp);
    std::fclose(fp);
    fs::permissions(f, fs::perms::owner_read | fs::perms::owner_write);
  }
  fs::permissions(h.secret_file, fs::perms::group_read, fs::perm_options::add);
  ec.hedges.push_back(std::move(h));
  const std::string err = load_hedge_keys(ec);
  EXPECT_NE(err.find("hedge venue binance: secret_file: "), std::string::npos) << err;
  EXPECT_NE(err.find(dir + "/s"), std::string::npos) << err;
  EXPECT_EQ(err.find("value-that-must-not-appear"), std::string::npos) << err;
  fs::permissions(ec.hedges[0].secret_file, fs::perms::group_read, fs::perm_options::remove);
  EXPECT_EQ(load_hedge_keys(ec), "");
  EXPECT_EQ(ec.hedges[0].secret.reveal(), "value-that-must-not-appear");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace liqd::service
