// Crash and restart in the middle of a liquidation storm, compared with an
// uninterrupted run (issue 8, "kill -9 ... restart, and compare"), in one
// process and one thread, so that both runs see the same event sequence in the
// same grouping and any difference is the restart's.
//
// The venue side (World) is liqd-sim's model, driven directly: the first 30
// minutes of Black Thursday (BTCUSDT 1m bars, tests/data/policy/crash_days),
// 20 steps a bar, a synthetic book around each step's price (sim/book), a
// generated leveraged population (sim/accounts), IOCs matched on the book
// (sim/venue/match_ioc) with the venue's liquidation fee, deleverages moved
// between the two accounts, every client order id remembered. liqd is the real
// CoreStage and ExecutorStage, with the demo configuration (config/demo), a
// journal in a temporary directory and the executor on a counted clock. The
// two stages are turned in a fixed order until nothing moves, once per step.
//
// A crash destroys both stages and their rings (what a process loses) at one of
// these points: between two steps; while sending, the order lost before it
// reached the venue; while sending, the order executed by the venue but its
// updates lost with the connection. The restart is what `liqd` does at start:
// recover_state() on the journal, the stages built from it, the executor
// reconciling the orders in doubt, a fresh account snapshot and the current
// prices. Then the rest of the path.
//
// Checked in every crashed run: no client order id reached the venue twice,
// every venue fill is in the journal exactly once, the core's fund is the
// journal's last balance, fund − uncovered equals start + the venue's fees − the
// shortfalls of the venue's fills below their bankruptcy price (computed here
// from the venue's fills, with the public formula), and the breaker is not lifted.
// A crash between steps loses nothing the venue did, so that run must end exactly
// where the uninterrupted one ends: same fund balance to the unit, same orders,
// fills and liquidated accounts. The other crash points lose (by design) what was
// in flight, and their balances are printed, not compared.
// RESTART_SIM_TRACE=1 prints every order and each step's mark (where two runs part).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/daemon_config.hpp"
#include "daemon/journal/journal.hpp"
#include "daemon/service/core_stage.hpp"
#include "daemon/service/executor_stage.hpp"
#include "daemon/service/policy_from_config.hpp"
#include "daemon/service/recovery.hpp"
#include "journal.pb.h"
#include "sim/accounts/population.hpp"
#include "sim/book/book.hpp"
#include "sim/path/price_path.hpp"
#include "sim/venue/matching.hpp"
#include "tests/support/sanitized.hpp"

namespace liqd::service {
namespace {

constexpr int kBars = 30;
constexpr int kStepsPerBar = 20;
// A storm of thousands of orders; sanitized (about 10x slower) a smaller
// population takes the same paths.
constexpr uint64_t kAccounts = test::kSanitized ? 600 : 2000;
constexpr uint64_t kSeed = 7;
constexpr int kMaxRoundsPerStep = 400;
const std::string kDataDir = LIQD_TEST_DATA_DIR;

// One fill the venue executed, as the venue knows it.
struct VenueFill {
  std::string order;
  uint64_t fill_id = 0;
  bool sell = true;
  int64_t qty = 0, px = 0, fee = 0, bankruptcy = 0;
};

enum class Crash { None, BetweenSteps, LostBeforeVenue, ExecutedUnheard, FillUnsettled };

// The exchange: books, accounts, orders. It outlives every liqd "process" of a run.
struct World {
  sim::MarketSpec spec;
  sim::DepthGrid grid;
  std::vector<sim::PathPoint> path;
  int64_t first_open = 0;
  Price ref;
  std::vector<sim::SimAccount> accounts;
  std::unordered_map<uint64_t, std::size_t> by_id;
  sim::BookSides book;
  std::size_t step = 0;
  int64_t ts_ms = 0;
  Price mid;
  int64_t published_bid = 0, published_ask = 0;  // the step's top of book as its feed sent it

  struct Order {
    exec::OrderRequest req;
    exec::UpdateKind final_kind = exec::UpdateKind::Ack;
    int64_t cum = 0;
    std::vector<exec::VenueUpdate> fills;
  };
  std::map<std::string, Order> orders;
  uint64_t received = 0, duplicates = 0, next_fill_id = 1, queries = 0;
  std::vector<VenueFill> fills;
  std::deque<exec::VenueUpdate> outbox;    // to liqd's order-entry connection
  std::deque<AccountInput> stream;         // to liqd's account-stream connection
  uint64_t account_seq = 0;

  // Crash switch: the `crash_send`-th order received (1-based) is where the process dies.
  Crash crash = Crash::None;
  uint64_t crash_send = 0;
  bool dead = false;      // the process is gone: nothing more reaches the venue
  bool crashed = false;   // the crash happened (the driver tears liqd down)

  World() {
    std::vector<sim::Bar> bars;
    EXPECT_EQ(sim::load_bars_csv(kDataDir + "/policy/crash_days/binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv", bars), "");
    bars.resize(kBars);
    EXPECT_EQ(sim::walk_path(bars, kStepsPerBar, sim::WalkOrder::LowFirstOnDown, path), "");
    EXPECT_EQ(sim::parse_market_spec("BTCUSDT:tick=0.1:lot=0.00001", spec), "");
    spec.depth.levels = 40;
    spec.depth.top_notional = 400'000;
    first_open = path.front().px;
    // The path's first open at the market's tick (liqd-sim's default reference).
    const i128 units = rescale(first_open, 8, spec.scale.price_dp, Round::HalfAwayFromZero);
    ref = Price(static_cast<int64_t>(div_round(units, spec.tick, Round::HalfAwayFromZero) * spec.tick));
    grid = sim::resolve_grid(spec, ref);
    sim::PopulationParams pp;
    pp.accounts = kAccounts;
    pp.seed = kSeed;
    accounts = sim::generate_population(pp, {spec}, {ref});
    for (std::size_t i = 0; i < accounts.size(); ++i) by_id[accounts[i].id] = i;
    set_step(0);
  }

  void set_step(std::size_t s) {
    step = s;
    ts_ms = path[s].ts_ms;
    mid = sim::scale_to_market(path[s].px, first_open, ref, spec.tick);
    sim::generate_book(spec, grid, mid, kSeed, s, book);
    published_bid = book.bids.empty() ? 0 : book.bids.front().px.v;
    published_ask = book.asks.empty() ? 0 : book.asks.front().px.v;
  }

  // What the account stream sends a new connection: every account, then in sync.
  void snapshot() {
    stream.clear();
    for (const sim::SimAccount& a : accounts) {
      AccountInput in;
      in.u.seq = account_seq;
      in.u.exch_ts_ns = ts_ms * 1'000'000;
      in.u.account_id = a.id;
      in.u.kind = feeds::AccountUpdateKind::SnapshotCollateral;
      in.u.amount = a.collateral.v;
      stream.push_back(in);
      for (const sim::SimPosition& p : a.positions) {
        in.u.kind = feeds::AccountUpdateKind::SnapshotPosition;
        in.u.market = p.market;
        in.u.size = p.size.v;
        in.u.entry_price = p.entry.v;
        in.u.isolated = p.isolated;
        in.u.isolated_margin = p.isolated_margin.v;
        in.u.amount = 0;
        stream.push_back(in);
      }
    }
    AccountInput done;
    done.kind = AccountInputKind::InSync;
    done.u.seq = account_seq;
    stream.push_back(done);
  }

  void emit(const exec::VenueUpdate& u) {
    if (!dead) outbox.push_back(u);
  }
  exec::VenueUpdate status(const Order& o) const {
    exec::VenueUpdate u;
    u.id = o.req.id;
    u.kind = o.final_kind;
    u.cum_qty = Qty(o.cum);
    u.ts_ms = ts_ms;
    return u;
  }

  int64_t position(const sim::SimAccount& a) const {
    for (const sim::SimPosition& p : a.positions)
      if (p.market == 0) return p.size.v;
    return 0;
  }

  // The venue's liquidation fee (proto/order.proto NewOrder.fee_rate): floor(floor(q
  // × px) × rate), capped at what the fill leaves above bankruptcy, 0 below it.
  Quote fee_of(bool sell, Qty q, Price px, const exec::OrderRequest& r) const {
    if (r.fee_rate.v <= 0 || r.bankruptcy.v <= 0) return Quote(0);
    const int64_t diff = sell ? px.v - r.bankruptcy.v : r.bankruptcy.v - px.v;
    if (diff <= 0) return Quote(0);
    const Quote surplus = mul_qty_price(q, Price(diff), spec.scale, Round::Floor);
    const Quote fee = mul_quote_ratio(mul_qty_price(q, px, spec.scale, Round::Floor), r.fee_rate, Round::Floor);
    return fee < surplus ? fee : surplus;
  }

  // Books a fill into the account and tells the account stream (position, then
  // the collateral it moved).
  void book_fill(sim::SimAccount& a, int64_t signed_qty, Price px, Quote fee) {
    sim::FillEffect fx = sim::apply_fill(a, 0, spec, Qty(signed_qty), px);
    for (sim::SimPosition& p : a.positions)
      if (p.market == 0 && p.isolated && p.size.v != 0) {
        p.isolated_margin -= fee;
        fx.position.isolated_margin = p.isolated_margin;
        fee = Quote(0);
      }
    a.collateral -= fee;
    fx.collateral_delta -= fee;
    AccountInput in;
    in.u.seq = ++account_seq;
    in.u.exch_ts_ns = ts_ms * 1'000'000;
    in.u.account_id = a.id;
    in.u.kind = feeds::AccountUpdateKind::Position;
    in.u.market = 0;
    in.u.size = fx.position.size.v;
    in.u.entry_price = fx.position.entry.v;
    in.u.isolated = fx.position.isolated;
    in.u.isolated_margin = fx.position.isolated_margin.v;
    if (!dead) stream.push_back(in);
    if (fx.collateral_delta.v != 0) {
      in.u.seq = ++account_seq;
      in.u.kind = feeds::AccountUpdateKind::CollateralDelta;
      in.u.amount = fx.collateral_delta.v;
      if (!dead) stream.push_back(in);
    }
  }

  void record_fill(Order& o, bool sell, int64_t q, Price px, Quote fee) {
    o.cum += q;
    exec::VenueUpdate f;
    f.id = o.req.id;
    f.kind = exec::UpdateKind::Fill;
    f.fill_id = next_fill_id++;
    f.fill_qty = Qty(q);
    f.fill_price = px;
    f.fee = fee;
    f.cum_qty = Qty(o.cum);
    f.ts_ms = ts_ms;
    o.fills.push_back(f);
    fills.push_back(VenueFill{std::string(o.req.id.view()), f.fill_id, sell, q, px.v, fee.v, o.req.bankruptcy.v});
    emit(f);
  }

  void execute(const exec::OrderRequest& r) {
    const std::string key(r.id.view());
    if (orders.count(key) != 0) {  // a client order id seen before: never executed twice
      ++duplicates;
      exec::VenueUpdate u;
      u.id = r.id;
      u.kind = exec::UpdateKind::Rejected;
      emit(u);
      return;
    }
    Order& o = orders[key];
    o.req = r;
    if (std::getenv("RESTART_SIM_TRACE"))
      std::fprintf(stderr, "order step %zu acct %llu seq %u chunk %u qty %lld limit %lld tr %llu\n", step,
                   static_cast<unsigned long long>(r.key.account), r.key.liquidation_seq, r.key.chunk,
                   static_cast<long long>(r.qty.v), static_cast<long long>(r.limit.v),
                   static_cast<unsigned long long>(r.transfer_to));
    const bool sell = r.side == exec::Side::Sell;
    auto reject = [&] {
      o.final_kind = exec::UpdateKind::Rejected;
      emit(status(o));
    };
    const auto it = by_id.find(r.key.account);
    if (it == by_id.end()) return reject();
    sim::SimAccount& acc = accounts[it->second];
    const int64_t pos = position(acc);
    if (!(sell ? pos > 0 : pos < 0)) return reject();  // reduce-only that would not reduce
    int64_t want = std::min(r.qty.v, pos < 0 ? -pos : pos);
    exec::VenueUpdate ack;
    ack.id = r.id;
    ack.kind = exec::UpdateKind::Ack;
    if (r.transfer_to != 0) {
      // Only auto-deleveraging here (this venue has no backstop vault): the
      // counterparty's opposite position shrinks by the same quantity, at the price.
      const auto cp = by_id.find(r.transfer_to);
      if (!r.deleverage || cp == by_id.end() || cp->second == it->second) return reject();
      sim::SimAccount& other = accounts[cp->second];
      const int64_t opos = position(other);
      if (opos == 0 || (opos > 0) == (pos > 0)) return reject();
      want = std::min(want, opos < 0 ? -opos : opos);
      emit(ack);
      record_fill(o, sell, want, r.limit, Quote(0));
      book_fill(acc, sell ? -want : want, r.limit, Quote(0));
      book_fill(other, sell ? want : -want, r.limit, Quote(0));
    } else {
      emit(ack);
      std::vector<sim::Fill> fs;
      sim::match_ioc(book, sell ? sim::OrderSide::Sell : sim::OrderSide::Buy, Qty(want), r.limit, fs);
      for (const sim::Fill& f : fs) {
        const Quote fee = fee_of(sell, f.qty, f.px, r);
        record_fill(o, sell, f.qty.v, f.px, fee);
        book_fill(acc, sell ? -f.qty.v : f.qty.v, f.px, fee);
      }
    }
    o.final_kind = o.cum == r.qty.v ? exec::UpdateKind::Filled : exec::UpdateKind::Expired;
    emit(status(o));
  }

  void send_new(const exec::OrderRequest& r) {
    if (dead) return;
    ++received;
    if ((crash == Crash::LostBeforeVenue || crash == Crash::ExecutedUnheard) && received == crash_send) {
      crashed = true;
      if (crash == Crash::LostBeforeVenue) {
        dead = true;  // the bytes never left
        --received;
        return;
      }
      execute(r);     // the venue did it; the process died before reading the answer
      outbox.clear();
      stream.clear();
      dead = true;
      return;
    }
    execute(r);
  }
  void send_query(const exec::ClientOrderId& id) {
    if (dead) return;
    ++queries;
    const auto it = orders.find(std::string(id.view()));
    if (it == orders.end()) {
      exec::VenueUpdate u;
      u.id = id;
      u.kind = exec::UpdateKind::NotFound;
      emit(u);
      return;
    }
    for (const exec::VenueUpdate& f : it->second.fills) emit(f);  // an order + trades query
    emit(status(it->second));
  }
};

// liqd's order entry for the market, wired straight to the World.
class WorldVenue final : public exec::VenueAdapter {
 public:
  explicit WorldVenue(World& w) : w_(w) {}
  void send_new(const exec::OrderRequest& r) override { w_.send_new(r); }
  void send_cancel(const exec::ClientOrderId& id) override { w_.send_query(id); }  // IOCs are over at once
  void send_query(const exec::ClientOrderId& id) override { w_.send_query(id); }
  int poll(exec::UpdateSink& sink) override {
    int n = 0;
    while (!w_.outbox.empty() && !w_.dead) {
      const exec::VenueUpdate u = w_.outbox.front();
      w_.outbox.pop_front();
      sink.on_update(u);
      ++n;
    }
    return n;
  }
  bool connected() const override { return true; }

 private:
  World& w_;
};

// One liqd process: its rings, its two stages, built as service.cpp builds them.
struct Liqd {
  SpscRing<PriceInput> prices{1 << 12};
  SpscRing<AccountInput> accounts{1 << 16};
  SpscRing<ExecCommand> commands{1 << 14};
  SpscRing<OrderOutcome> outcomes{1 << 14};
  std::unique_ptr<Snapshots> snaps = std::make_unique<Snapshots>();
  std::unique_ptr<CoreStage> core;
  std::unique_ptr<ExecutorStage> exec;

  Liqd(const config::Config& cfg, World& w, const std::string& journal_dir, int64_t clock_ms) {
    std::vector<std::string> symbols;
    for (const config::MarketConfig& m : cfg.markets) symbols.push_back(m.symbol);
    RecoveredState rec = recover_state(journal_dir, symbols);
    EXPECT_EQ(rec.error, "");
    CoreStageConfig cc = core_config_from(cfg);
    cc.max_accounts = 1 << 14;
    cc.fund_balance = rec.fund_balance.value_or(cfg.daemon.insurance_fund.start_balance);
    cc.liquidation_seq = rec.next_liquidation_seq;
    cc.paused_all = rec.paused_all;
    for (RecoveredPriceMemory& pm : rec.price_memory)
      if (pm.market == cfg.markets[0].symbol) cc.price_memory.push_back(std::move(pm));
    for (const auto& [s, mode] : rec.breaker_modes)
      if (s == cfg.markets[0].symbol) cc.breaker_modes.emplace_back(0, mode);
    cc.recovered_units = std::move(rec.units);
    cc.recovered_orders = rec.open_orders;
    cc.recovered_iocs = std::move(rec.recent_iocs);
    CoreRings rings;
    rings.prices.push_back(&prices);
    rings.accounts = &accounts;
    rings.outcomes = &outcomes;
    rings.commands = &commands;
    core = std::make_unique<CoreStage>(std::move(cc), rings, *snaps, nullptr);
    ExecutorConfig ec = executor_config_from(cfg);
    ec.journal.dir = journal_dir;
    ec.journal.fsync = journal::FsyncPolicy::Never;
    ec.next_journal_seq = rec.next_journal_seq;
    ec.recovered = std::move(rec.open_orders);
    ec.unsettled = std::move(rec.unsettled_fills);
    ec.make_venue = [&w](uint32_t) { return std::make_unique<WorldVenue>(w); };
    exec = std::make_unique<ExecutorStage>(std::move(ec), commands, outcomes, *snaps, nullptr);
    EXPECT_EQ(exec->open(clock_ms), "");
  }
};

struct RunResult {
  int64_t fund = 0;
  std::set<uint64_t> liquidated;   // accounts the venue received an order for
  uint64_t orders = 0, fills = 0, duplicates = 0;
  int64_t venue_fees = 0, venue_shortfalls = 0;
  uint64_t journal_fills = 0, journal_fill_repeats = 0, venue_fills_missing = 0;
  int64_t uncovered = 0;     // shortfalls the fund could not pay (journal)
  int64_t journal_fund = 0;  // the journal's last balance_after
  bool crashed = false;
  std::size_t crash_step = 0;
  uint8_t mode_before = 0, mode_after = 0;  // the breaker (policy::MarketMode) at the crash, and once restarted
};

class StormRun {
 public:
  StormRun(Crash crash, uint64_t crash_at) : dir_(::testing::TempDir() + "/restart_sim_" + std::to_string(counter_++)) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    config::Diagnostics diag;
    std::optional<config::Config> c = config::load_config(kDataDir + "/../../config/demo/liqd.yaml", diag);
    EXPECT_TRUE(c.has_value());
    cfg_ = std::move(*c);
    cfg_.daemon.backstop.account = 0;  // World has no vault; the fund and ADL absorb
    // The demo's 32,768 tracker slots are for its wall-clock order rate; a few
    // hundred orders are open here at once (compact() copies the whole table).
    cfg_.daemon.executor.tracker_capacity = 4096;
    w_.crash = crash;
    w_.crash_send = crash == Crash::BetweenSteps ? 0 : crash_at;
    crash_step_ = crash == Crash::BetweenSteps ? static_cast<std::size_t>(crash_at) : SIZE_MAX;
  }
  ~StormRun() {
    if (!std::getenv("RESTART_SIM_KEEP")) std::filesystem::remove_all(dir_);
  }

  RunResult go() {
    start();
    for (std::size_t s = 0; s < w_.path.size(); ++s) {
      if (s > 0) w_.set_step(s);
      clock_ += 3'000;  // the executor's clock moves with the market (a step is 3 s): timeouts and
                        // the venue's replay window pass as they would
      push_prices();
      settle();
      if (std::getenv("RESTART_SIM_TRACE")) {
        liqd_->core->publish();
        const auto& mk = liqd_->core->stats().markets[0];
        std::fprintf(stderr, "mark step %zu mark %lld index %lld mid %lld mode %d\n", s, static_cast<long long>(mk.mark),
                     static_cast<long long>(mk.index), static_cast<long long>(mk.book_mid), mk.mode);
      }
      if (w_.crashed || s == crash_step_) {  // kill -9, restart, and on
        res_.crashed = true;
        res_.crash_step = s;
        liqd_->core->publish();
        res_.mode_before = liqd_->core->stats().markets[0].mode;
        crash_step_ = SIZE_MAX;
        w_.crash = Crash::None;
        w_.crashed = false;
        restart();
        settle();
        liqd_->core->publish();
        res_.mode_after = liqd_->core->stats().markets[0].mode;
        if (std::getenv("RESTART_SIM_TRACE"))
          std::fprintf(stderr, "restart at step %zu: open %u reconciling %d queries %llu\n", s, liqd_->exec->open_orders(),
                       liqd_->exec->stats().reconciling ? 1 : 0, static_cast<unsigned long long>(w_.queries));
      }
    }
    return finish();
  }

 private:
  void start() {
    liqd_ = std::make_unique<Liqd>(cfg_, w_, dir_, clock_);
    w_.snapshot();
  }
  void restart() {
    liqd_.reset();  // everything in memory and in the rings is gone; the journal stays
    w_.dead = false;
    w_.outbox.clear();
    liqd_ = std::make_unique<Liqd>(cfg_, w_, dir_, clock_);
    w_.snapshot();   // the account stream's new connection
    push_prices();   // the feeds' first messages: the current book and prices
  }
  void push_prices() {
    const int64_t px = w_.mid.v;
    for (uint8_t src = 0; src < 3; ++src) {  // pyth, binance-mark, hyperliquid (config/demo order)
      PriceInput p;
      p.market = 0;
      p.source = src;
      p.kind = PriceKind::Oracle;
      p.price = px;
      p.publish_ms = w_.ts_ms;
      EXPECT_TRUE(liqd_->prices.try_push(p));
    }
    // The top of book as the step published it: fills within a step change the
    // book but publish nothing until the next step (this model's feed), so a
    // restart's first messages are the step's own.
    if (w_.published_bid > 0 && w_.published_ask > 0) {
      PriceInput b;
      b.kind = PriceKind::BookMid;
      b.price = w_.published_bid;
      b.conf = w_.published_ask;
      b.publish_ms = w_.ts_ms;
      EXPECT_TRUE(liqd_->prices.try_push(b));
    }
  }
  // Turns core then executor, delivering the account stream, until two rounds
  // in a row move nothing (or the crash switch fires).
  void settle() {
    int quiet = 0;
    for (int r = 0; r < kMaxRoundsPerStep && quiet < 2 && !w_.crashed; ++r) {
      uint32_t moved = 0;
      while (!w_.stream.empty() && liqd_->accounts.try_push(w_.stream.front())) {
        w_.stream.pop_front();
        ++moved;
      }
      moved += liqd_->core->turn();
      moved += liqd_->exec->turn(clock_);
      clock_ += 5;
      // Killed after the executor journaled a venue fill and before the core
      // settled it (the fund note comes a turn later).
      if (w_.crash == Crash::FillUnsettled && w_.fills.size() >= w_.crash_send && liqd_->outcomes.size_approx() > 0) {
        w_.crashed = true;
        break;
      }
      quiet = moved == 0 && w_.outbox.empty() && w_.stream.empty() ? quiet + 1 : 0;
    }
  }
  RunResult finish() {
    res_.fund = liqd_->core->fund().balance(0).v;
    liqd_.reset();
    res_.orders = w_.received;
    res_.duplicates = w_.duplicates;
    res_.fills = w_.fills.size();
    for (const auto& [id, o] : w_.orders) res_.liquidated.insert(o.req.key.account);
    // The fund from the venue's side: its fees, less each fill's distance below
    // the bankruptcy price it was sent with (rounded up: the fund never gains a unit).
    for (const VenueFill& f : w_.fills) {
      res_.venue_fees += f.fee;
      const int64_t under = f.sell ? f.bankruptcy - f.px : f.px - f.bankruptcy;
      if (under > 0 && f.bankruptcy > 0)
        res_.venue_shortfalls += mul_qty_price(Qty(f.qty), Price(under), w_.spec.scale, Round::Ceil).v;
    }
    // Every venue fill in the journal exactly once.
    std::map<std::pair<std::string, uint64_t>, int> seen;
    const journal::RecoveryResult rr = journal::read_all(dir_, [&](const proto::JournalRecord& r) {
      if (r.has_absorb() && r.absorb().kind() == "uncovered") res_.uncovered += r.absorb().amount();
      if (r.has_fund()) res_.journal_fund = r.fund().balance_after();
      if (r.has_order_update() && r.order_update().fill_id() != 0)
        ++seen[{r.order_update().client_order_id(), r.order_update().fill_id()}];
    });
    EXPECT_EQ(rr.error, "");
    for (const auto& [k, n] : seen) {
      ++res_.journal_fills;
      if (n > 1) ++res_.journal_fill_repeats;
    }
    for (const VenueFill& f : w_.fills)
      if (seen.count({f.order, f.fill_id}) == 0) ++res_.venue_fills_missing;
    return res_;
  }

  static inline int counter_ = 0;
  std::string dir_;
  config::Config cfg_;
  World w_;
  std::unique_ptr<Liqd> liqd_;
  int64_t clock_ = 1'000'000;
  std::size_t crash_step_ = SIZE_MAX;
  RunResult res_;
};

void expect_exactly_once(const RunResult& r, const std::string& what) {
  EXPECT_TRUE(r.crashed) << what << ": the crash point was never reached";
  EXPECT_EQ(r.duplicates, 0u) << what << ": a client order id reached the venue twice";
  EXPECT_EQ(r.venue_fills_missing, 0u) << what << ": a venue fill is not in the journal";
  EXPECT_EQ(r.journal_fill_repeats, 0u) << what << ": a fill journaled twice";
  EXPECT_EQ(r.journal_fills, r.fills) << what;
  EXPECT_EQ(r.fund - r.uncovered, 250'000'000'000 + r.venue_fees - r.venue_shortfalls)
      << what << ": fund - uncovered != start + venue fees - shortfalls of the venue's fills";
  EXPECT_EQ(r.fund, r.journal_fund) << what << ": the core's fund is not the journal's last balance";
  // A restart never lifts the breaker: THROTTLE stays THROTTLE, PAUSED and STALE hold PAUSED (or more).
  const auto held = static_cast<uint8_t>(r.mode_before == static_cast<uint8_t>(policy::MarketMode::Stale)
                                             ? policy::MarketMode::Paused
                                             : static_cast<policy::MarketMode>(r.mode_before));
  EXPECT_GE(r.mode_after, held) << what << ": the breaker was " << int(r.mode_before) << " before the crash";
}

class RestartSim : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { reference_ = new RunResult(StormRun(Crash::None, 0).go()); }
  static void TearDownTestSuite() { delete reference_; }
  static const RunResult& ref() { return *reference_; }
  static inline RunResult* reference_ = nullptr;
};

TEST_F(RestartSim, TheUninterruptedRunIsAStormAndReconciles) {
  const RunResult& a = ref();
  std::printf("uninterrupted: %llu orders to %zu accounts, %llu fills, fees %lld, shortfalls %lld, fund %lld (quote units)\n",
              static_cast<unsigned long long>(a.orders), a.liquidated.size(), static_cast<unsigned long long>(a.fills),
              static_cast<long long>(a.venue_fees), static_cast<long long>(a.venue_shortfalls), static_cast<long long>(a.fund));
  // The storm this test is about: hundreds of orders, fills below bankruptcy.
  EXPECT_GT(a.orders, 100u);
  EXPECT_GT(a.liquidated.size(), 50u);
  EXPECT_GT(a.venue_shortfalls, 0);
  EXPECT_EQ(a.duplicates, 0u);
  EXPECT_EQ(a.venue_fills_missing, 0u);
  EXPECT_EQ(a.fund - a.uncovered, 250'000'000'000 + a.venue_fees - a.venue_shortfalls);
  // Determinism: a second run gives the same decisions to the unit.
  const RunResult a2 = StormRun(Crash::None, 0).go();
  EXPECT_EQ(a2.fund, a.fund);
  EXPECT_EQ(a2.orders, a.orders);
  EXPECT_EQ(a2.liquidated, a.liquidated);
}

// The crashed run's figures beside the uninterrupted run's, for the record.
void report_against_reference(const RunResult& b, const RunResult& a, const std::string& what) {
  std::printf("%s (breaker %d -> %d): fund %lld vs %lld uninterrupted, %llu vs %llu orders, %zu vs %zu accounts\n",
              what.c_str(), b.mode_before, b.mode_after,
              static_cast<long long>(b.fund), static_cast<long long>(a.fund), static_cast<unsigned long long>(b.orders),
              static_cast<unsigned long long>(a.orders), b.liquidated.size(), a.liquidated.size());
}

// A crash between two steps loses nothing the venue did: the restarted process
// must end exactly where the uninterrupted one does (the journal gives back the
// units' planner state, the open orders, the fund and each market's price memory).
TEST_F(RestartSim, CrashBetweenStepsEndsWhereTheUninterruptedRunEnds) {
  for (uint64_t step : {60u, 150u, 330u, 480u}) {
    const RunResult b = StormRun(Crash::BetweenSteps, step).go();
    const std::string what = "crash after step " + std::to_string(step);
    expect_exactly_once(b, what);
    report_against_reference(b, ref(), what);
    EXPECT_EQ(b.fund, ref().fund) << what;
    EXPECT_EQ(b.orders, ref().orders) << what;
    EXPECT_EQ(b.fills, ref().fills) << what;
    EXPECT_EQ(b.liquidated, ref().liquidated) << what;
  }
}

TEST_F(RestartSim, CrashAfterTheVenueExecutedButBeforeLiqdHeard) {
  for (uint64_t nth : {ref().orders / 2}) {
    const RunResult b = StormRun(Crash::ExecutedUnheard, nth).go();
    const std::string what = "crash after the venue executed order #" + std::to_string(nth);
    expect_exactly_once(b, what);
    report_against_reference(b, ref(), what);
  }
}

TEST_F(RestartSim, CrashBetweenAFillAndItsSettlement) {
  for (uint64_t nth : {ref().fills / 2}) {
    const RunResult b = StormRun(Crash::FillUnsettled, nth).go();
    expect_exactly_once(b, "crash after venue fill #" + std::to_string(nth) + " was journaled, before the core settled it");
  }
}

TEST_F(RestartSim, CrashWhileSendingLosesTheOrderNotTheBooks) {
  for (uint64_t nth : {ref().orders / 3}) {
    const RunResult b = StormRun(Crash::LostBeforeVenue, nth).go();
    expect_exactly_once(b, "crash while sending order #" + std::to_string(nth));
  }
}

}  // namespace
}  // namespace liqd::service
