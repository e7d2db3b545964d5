#include "daemon/service/executor_stage.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/policy/breaker/circuit_breaker.hpp"
#include "core/policy/planner/planner.hpp"
#include "daemon/service/clock.hpp"
#include "daemon/service/journal_text.hpp"
#include "daemon/service/vault_snapshot.hpp"
#include "executors/adapters/order_entry/proto_tcp_adapter.hpp"

namespace liqd::service {

struct ExecutorStage::Output final : exec::TrackerOutput, exec::UpdateSink {
  ExecutorStage* stage = nullptr;
  uint32_t market = 0;
  exec::VenueAdapter* adapter = nullptr;
  exec::OrderTracker* tracker = nullptr;
  bool recovering = false;  // replaying the journal into the tracker: nothing leaves

  void send_new(const exec::OrderRequest& r) override {
    if (!recovering) adapter->send_new(r);
  }
  void send_cancel(const exec::ClientOrderId& id) override {
    if (!recovering) adapter->send_cancel(id);
  }
  void send_query(const exec::ClientOrderId& id) override {
    if (!recovering) adapter->send_query(id);
  }
  void fill(const exec::FillReport& f) override {
    if (!recovering) stage->on_tracker_fill(market, f);
  }
  void reroute(const exec::OrderRequest&, Qty) override {}  // the core re-plans what is left
  void on_update(const exec::VenueUpdate& u) override {
    // A fill seen before is counted by the tracker and not journaled again: the
    // journal holds each (order, fill id) once, which recovery relies on.
    if (tracker->is_duplicate_fill(u)) {
      tracker->on_update(u, stage->now_ms_);
      return;
    }
    proto::JournalRecord rec;
    rec.set_ts_ms(static_cast<uint64_t>(u.ts_ms));
    fill_order_update(*rec.mutable_order_update(), u);
    stage->journal_.append(rec);
    ++stage->stats_.journal_records;
    if (u.kind == exec::UpdateKind::Rejected) ++stage->stats_.rejected;
    if (u.kind == exec::UpdateKind::Cancelled) ++stage->stats_.cancelled;
    if (u.kind == exec::UpdateKind::Expired) ++stage->stats_.expired;
    tracker->on_update(u, stage->now_ms_);
    stage->check_ended(market, u.id);
  }
};

struct ExecutorStage::Venue {
  Venue(const ExecutorConfig& cfg, uint32_t m)
      : adapter(cfg.make_venue ? cfg.make_venue(m)
                               : std::make_unique<exec::ProtoTcpAdapter>(cfg.venue_host, cfg.venue_port, 0,
                                                                         cfg.markets[m].venue_symbol)),
        tracker(cfg.tracker, out) {
    out.market = m;
    out.adapter = adapter.get();
    out.tracker = &tracker;
  }
  Output out;
  std::unique_ptr<exec::VenueAdapter> adapter;
  exec::OrderTracker tracker;
  struct Open {
    exec::ClientOrderId id;
    ExecCommand cmd;
    int64_t filled = 0;
  };
  std::vector<Open> open;  // orders not yet ended (reserved to the tracker's capacity)
  bool was_connected = false;
  int64_t next_connect_ms = 0;
  int64_t next_compact_ms = 0;
  uint32_t batched = 0;    // journaled this turn, not yet submitted: tracker slots spoken for
};

std::string load_hedge_keys(ExecutorConfig& cfg) {
  for (HedgeEntry& h : cfg.hedges) {
    std::string err;
    if (!exec::read_secret_file(h.api_key_file, h.api_key, err)) return "hedge venue " + h.venue + ": api_key_file: " + err;
    if (!exec::read_secret_file(h.secret_file, h.secret, err)) return "hedge venue " + h.venue + ": secret_file: " + err;
  }
  return "";
}

ExecutorStage::ExecutorStage(ExecutorConfig cfg, SpscRing<ExecCommand>& commands, SpscRing<OrderOutcome>& outcomes,
                             Snapshots& snaps, metrics::LatencyHistogram* latency)
    : cfg_(std::move(cfg)), commands_(commands), outcomes_(outcomes), snaps_(snaps), latency_(latency) {
  for (uint32_t m = 0; m < cfg_.markets.size(); ++m) {
    venues_.push_back(std::make_unique<Venue>(cfg_, m));
    venues_.back()->out.stage = this;
    venues_.back()->open.reserve(cfg_.tracker.capacity);
  }
  to_send_.reserve(1024);
  held_outcomes_.reserve(1024);
  if (cfg_.vault.vault_account != 0) {
    // Hedge venues with order entry: the adapter (non-blocking: REST requests run
    // on its own io_context, polled from the desk's turn) and the venue's depth
    // from liqd's feed. Hedges are sized and placed by the desk; the adapter only speaks.
    for (HedgeEntry& h : cfg_.hedges) {
      if (h.hedge >= cfg_.vault.hedges.size()) continue;
      std::unique_ptr<exec::VenueAdapter> a;
      if (cfg_.make_hedge_adapter) {
        a = cfg_.make_hedge_adapter(h);
      } else if (h.api_key.empty() || h.secret.empty()) {
        // load_hedge_keys() was not called (a tool or test built this config): an
        // unsigned request would only be refused, so the venue stays unconnected.
        spdlog::warn("vault: hedge venue {} has no keys loaded; not hedged on", h.venue);
        continue;
      } else {
        h.rest.clock = wall_ms;   // Binance timestamps are wall-clock ms since the epoch
        auto rest = std::make_unique<exec::BinanceRestAdapter>(h.rest, std::move(h.api_key), std::move(h.secret));
        if (!rest->setup_error().empty()) {
          spdlog::error("vault: hedge venue {}: {}; not hedged on", h.venue, rest->setup_error());
          continue;
        }
        a = std::move(rest);
      }
      const exec::vault::DepthSlot* slot =
          cfg_.hedge_depth && h.hedge < cfg_.hedge_depth->size() ? &cfg_.hedge_depth->slot(h.hedge) : nullptr;
      hedge_venues_.push_back(std::make_unique<exec::vault::BookHedgeVenue>(std::move(a), slot));
      cfg_.vault.hedges[h.hedge].venue = hedge_venues_.back().get();
      spdlog::info("vault: hedges on {} via {}://{}:{} ({}){}", h.venue, h.rest.tls ? "https" : "http", h.rest.host, h.rest.port, h.rest.symbol,
                   slot ? "" : "; no feed carries its book, so it has no depth and is not hedged on");
    }
    desk_ = std::make_unique<exec::vault::VaultDesk>(cfg_.vault);
    std::vector<std::string> symbols;
    for (const ExecMarket& m : cfg_.markets) symbols.push_back(m.symbol);
    vault_log_ = std::make_unique<VaultJournal>(journal_, *desk_, std::move(symbols), stats_.journal_records,
                                                stats_.journal_errors, now_ms_);
    desk_->set_journal(vault_log_.get());
  }
}

ExecutorStage::~ExecutorStage() = default;

std::string ExecutorStage::open() { return open(steady_ms()); }

std::string ExecutorStage::open(int64_t now) {
  const std::string err = journal_.open(cfg_.journal, cfg_.next_journal_seq);
  if (!err.empty()) return err;
  // Orders the journal shows in flight: into the trackers without sending, then
  // marked unknown, so the first connection queries them before anything new.
  for (const RecoveredOrder& ro : cfg_.recovered) {
    if (ro.cmd.market >= venues_.size()) continue;
    Venue& v = *venues_[ro.cmd.market];
    exec::OrderRequest r;
    r.key = exec::OrderKey{ro.cmd.account, static_cast<uint16_t>(ro.cmd.market), ro.cmd.liquidation_seq, ro.cmd.chunk};
    r.id = exec::make_client_order_id(r.key);
    r.side = ro.cmd.close_long ? exec::Side::Sell : exec::Side::Buy;
    r.qty = Qty(ro.cmd.qty);
    r.limit = Price(ro.cmd.limit);
    r.reduce_only = ro.cmd.reduce_only;
    r.ioc = ro.cmd.ioc;
    r.transfer_to = ro.cmd.transfer_to;
    r.deleverage = ro.cmd.deleverage;
    r.fee_rate = Ratio(ro.cmd.fee_rate);
    r.bankruptcy = Price(ro.cmd.bankruptcy);
    v.out.recovering = true;
    v.tracker.submit(r, now);
    // The fills the journal holds are settled already: the venue's replay of
    // them (its answer to the reconcile query) must be recognised as duplicates.
    if (!v.tracker.restore_fills(r.id, ro.fill_ids.data(), static_cast<int>(ro.fill_ids.size()), Qty(ro.filled)))
      spdlog::warn("recovery: order {} has {} journaled fills; a replay of the older ones may be counted again",
                   r.id.view(), ro.fill_ids.size());
    v.out.recovering = false;
    v.open.push_back(Venue::Open{r.id, ro.cmd, ro.filled});
  }
  for (auto& v : venues_)
    if (!v->open.empty()) v->tracker.on_disconnect();
  if (desk_) {
    const VaultRestoreStats vs = restore_vault(*desk_, cfg_.recovered_vault, now);
    if (vs.transfer_fills + vs.hedge_fills + vs.open_hedges + vs.skipped > 0)
      spdlog::info("recovery: vault books from {} transfer and {} hedge fills; {} hedge(s) in flight to reconcile{}",
                   vs.transfer_fills, vs.hedge_fills, vs.open_hedges,
                   vs.skipped ? fmt::format("; {} record(s) skipped (see above)", vs.skipped) : std::string());
    cfg_.recovered_vault = RecoveredVault{};
  }
  // Fills the journal holds but the fund never saw (stopped in between): to the
  // core first, before any venue update, as they came the first time.
  for (const OrderOutcome& f : cfg_.unsettled) push_outcome(f);
  if (!cfg_.unsettled.empty())
    spdlog::warn("recovery: {} journaled fill(s) were not settled before the stop; settling them now", cfg_.unsettled.size());
  // Every market's units, so the journal alone can print figures (`liqd explain`).
  // Under both names: decisions carry liqd's symbol, orders the venue's.
  for (const ExecMarket& m : cfg_.markets) {
    for (const std::string* name : {&m.symbol, &m.venue_symbol}) {
      if (name == &m.venue_symbol && m.venue_symbol == m.symbol) continue;
      proto::JournalRecord rec;
      proto::MarketInfo* mi = rec.mutable_market_info();
      mi->set_market(*name);
      mi->set_price_dp(static_cast<uint32_t>(m.price_dp));
      mi->set_qty_dp(static_cast<uint32_t>(m.qty_dp));
      mi->set_quote_dp(static_cast<uint32_t>(m.quote_dp));
      journal_.append(rec);
    }
  }
  if (!journal_.commit(0)) return "journal: " + journal_.error();
  return "";
}

uint32_t ExecutorStage::open_orders() const {
  uint32_t n = 0;
  for (const auto& v : venues_) n += static_cast<uint32_t>(v->open.size());
  return n;
}

void ExecutorStage::run(const std::atomic<bool>& stop, int64_t drain_timeout_ms) {
  int64_t stop_at = -1;
  uint32_t idle = 0;
  for (;;) {
    const int64_t now = steady_ms();
    const uint32_t n = turn(now);
    if (stop.load(std::memory_order_acquire)) {
      if (stop_at < 0) {
        stop_at = now;
        spdlog::info("executor: draining, {} orders open", open_orders());
      }
      if (commands_.size_approx() == 0 && open_orders() == 0 && open_hedges() == 0) break;
      if (now - stop_at > drain_timeout_ms) {
        for (auto& v : venues_)
          for (const Venue::Open& o : v->open) v->adapter->send_cancel(o.id);
        for (int k = 0; k < 20; ++k) {  // let the cancels leave
          for (auto& v : venues_) v->adapter->poll(v->out);
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        spdlog::warn("executor: drain timeout, cancelled {} open orders", open_orders());
        break;
      }
    }
    if (n == 0) {
      if (++idle > 64) std::this_thread::sleep_for(std::chrono::microseconds(idle > 4096 ? 500 : 50));
    } else {
      idle = 0;
    }
  }
  journal_.commit(static_cast<uint64_t>(now_ms_));
  journal_.sync();
  publish();
  if (desk_) publish_vault();
}

uint32_t ExecutorStage::turn(int64_t now_ms) {
  now_ms_ = now_ms;
  uint32_t n = 0;
  ExecCommand c;
  while (n < 1024 && commands_.try_pop(c)) {
    on_command(c);
    ++n;
  }
  // Group commit: everything of this turn is durable before any order leaves.
  if (n > 0) {
    if (!journal_.commit(static_cast<uint64_t>(now_ms))) {
      ++stats_.journal_errors;
      spdlog::error("journal: {}; orders of this batch are not sent", journal_.error());
      for (const ExecCommand& o : to_send_) push_outcome(outcome_of(o, OutcomeKind::Refused));
      to_send_.clear();
      for (auto& vp : venues_) vp->batched = 0;
    }
    for (const ExecCommand& o : to_send_) send_order(o);
    to_send_.clear();
    for (auto& vp : venues_) vp->batched = 0;
  }
  int updates = 0;
  for (auto& vp : venues_) {
    Venue& v = *vp;
    if (!v.adapter->connected() && !v.adapter->connecting() && now_ms >= v.next_connect_ms) {
      v.adapter->connect();
      v.next_connect_ms = now_ms + cfg_.reconnect_ms;
    }
    const int k = v.adapter->poll(v.out);
    n += static_cast<uint32_t>(k);
    updates += k;
    if (v.adapter->connected() != v.was_connected) {
      v.was_connected = v.adapter->connected();
      if (v.was_connected) {
        spdlog::info("executor: order entry for {} connected", cfg_.markets[v.out.market].venue_symbol);
        v.tracker.on_reconnect(now_ms);
      } else {
        spdlog::warn("executor: order entry for {} disconnected", cfg_.markets[v.out.market].venue_symbol);
        v.tracker.on_disconnect();
      }
    }
    v.tracker.on_timer(now_ms);
    if (now_ms >= v.next_compact_ms) {  // forget orders that ended a while ago
      v.tracker.compact(now_ms, cfg_.keep_ended_ms);
      v.next_compact_ms = now_ms + 1000;
    }
    for (std::size_t i = 0; i < v.open.size();) {  // timers may end orders
      const std::size_t before = v.open.size();
      check_ended(v.out.market, v.open[i].id);
      if (v.open.size() == before) ++i;
    }
  }
  if (updates > 0 && !journal_.commit(static_cast<uint64_t>(now_ms))) ++stats_.journal_errors;  // venue updates
  if (desk_) {
    for (auto& hv : hedge_venues_) hv->refresh();   // each venue's book as its feed last saw it
    n += static_cast<uint32_t>(desk_->turn(now_ms));  // hedges of what the vault took this turn
    if (vault_log_->take_pending() > 0 && !journal_.commit(static_cast<uint64_t>(now_ms))) ++stats_.journal_errors;
  }
  std::size_t i = 0;
  while (i < held_outcomes_.size() && outcomes_.try_push(held_outcomes_[i])) ++i;
  if (i > 0) held_outcomes_.erase(held_outcomes_.begin(), held_outcomes_.begin() + static_cast<std::ptrdiff_t>(i));
  if (n > 0 || (now_ms & 63) == 0) publish();
  return n;
}

void ExecutorStage::on_command(const ExecCommand& c) {
  switch (c.kind) {
    case ExecKind::NewOrder: {
      // Refused before anything is journaled when the market's tracker cannot take
      // it (reconciling after a restart, or full: ended orders keep their slot for
      // keep_ended_ms, so a storm of IOCs fills it), so the journal never holds an
      // order that was not sent; the core backs off and re-plans.
      if (c.market >= venues_.size() || venues_[c.market]->tracker.blocked() ||
          venues_[c.market]->tracker.room() <= venues_[c.market]->batched || venues_[c.market]->open.size() >= cfg_.tracker.capacity / 2) {
        refuse(c);
        break;
      }
      if (latency_ && c.recv_wall_ns > 0) latency_->record(static_cast<uint64_t>(std::max<int64_t>(0, wall_ns() - c.recv_wall_ns)));
      proto::JournalRecord d;
      d.set_ts_ms(static_cast<uint64_t>(c.ts_ms));
      fill_decision(*d.mutable_decision(), c, cfg_.markets[c.market].symbol);
      journal_.append(d);
      proto::JournalRecord o;
      o.set_ts_ms(static_cast<uint64_t>(c.ts_ms));
      fill_order(*o.mutable_order(), c, cfg_.markets[c.market].venue_symbol);
      journal_.append(o);
      stats_.journal_records += 2;
      journal_unit(c);
      to_send_.push_back(c);
      ++venues_[c.market]->batched;
      break;
    }
    case ExecKind::CancelMarket:
      if (c.market < venues_.size())
        for (const Venue::Open& o : venues_[c.market]->open) venues_[c.market]->adapter->send_cancel(o.id);
      break;
    case ExecKind::Journal: journal_note(c); break;
  }
}

void ExecutorStage::journal_note(const ExecCommand& c) {
  static const std::string kNoMarket;
  const std::string& market = c.market < cfg_.markets.size() ? cfg_.markets[c.market].symbol : kNoMarket;
  if (c.note == NoteKind::Settlement) {
    const exec::ClientOrderId id = exec::make_client_order_id(
        exec::OrderKey{c.account, static_cast<uint16_t>(c.market), c.liquidation_seq, c.chunk});
    proto::JournalRecord recs[3];
    const int n = fill_settlement(recs, c, market, std::string(id.view()));
    for (int i = 0; i < n; ++i) journal_.append(recs[i]);
    stats_.journal_records += static_cast<uint64_t>(n);
  } else if (c.note != NoteKind::Unit) {
    proto::JournalRecord rec;
    rec.set_ts_ms(static_cast<uint64_t>(c.ts_ms));
    fill_note(rec, c, market);
    journal_.append(rec);
    ++stats_.journal_records;
  }
  journal_unit(c);
}

// The unit state a command carries goes right after the command's own record, in
// the same group commit: a restart sees both or neither.
void ExecutorStage::journal_unit(const ExecCommand& c) {
  if (!c.has_unit) return;
  if (symbols_.size() != cfg_.markets.size()) {
    symbols_.clear();
    for (const ExecMarket& m : cfg_.markets) symbols_.push_back(m.symbol);
  }
  proto::JournalRecord rec;
  rec.set_ts_ms(static_cast<uint64_t>(c.ts_ms));
  fill_unit(*rec.mutable_unit(), c, symbols_);
  journal_.append(rec);
  ++stats_.journal_records;
}

void ExecutorStage::send_order(const ExecCommand& c) {
  Venue& v = *venues_[c.market];
  exec::OrderRequest r;
  r.key = exec::OrderKey{c.account, static_cast<uint16_t>(c.market), c.liquidation_seq, c.chunk};
  r.id = exec::make_client_order_id(r.key);
  r.side = c.close_long ? exec::Side::Sell : exec::Side::Buy;
  r.qty = Qty(c.qty);
  r.limit = Price(c.limit);
  r.reduce_only = c.reduce_only;
  r.ioc = c.ioc;
  r.transfer_to = c.transfer_to;
  r.deleverage = c.deleverage;
  r.fee_rate = Ratio(c.fee_rate);
  r.bankruptcy = Price(c.bankruptcy);
  const exec::SubmitResult s = v.tracker.submit(r, now_ms_);
  if (s == exec::SubmitResult::Sent) {
    ++stats_.orders_sent;
    v.open.push_back(Venue::Open{r.id, c, 0});
    return;
  }
  // Not sent (tracker full, blocked while reconciling, duplicate): the core re-plans.
  refuse(c);
}

void ExecutorStage::refuse(const ExecCommand& c) {
  ++stats_.refused;
  push_outcome(outcome_of(c, OutcomeKind::Refused));
}

void ExecutorStage::on_tracker_fill(uint32_t m, const exec::FillReport& f) {
  ++stats_.fills;
  Venue& v = *venues_[m];
  for (Venue::Open& o : v.open) {
    if (!(o.id == f.id)) continue;
    o.filled += f.qty.v;
    OrderOutcome r = outcome_of(o.cmd, OutcomeKind::Fill);
    r.market = m;
    r.fill_id = f.fill_id;
    r.qty = f.qty.v;
    r.price = f.price.v;
    r.fee = f.fee.v;
    push_outcome(r);
    // A transfer to the vault: the vault takes the other side (the account sold
    // its long, the vault bought it), once per fill the tracker counted.
    if (desk_ && o.cmd.transfer_to == cfg_.vault.vault_account && !o.cmd.deleverage) {
      // The collateral seed must come before the first transfer is booked; the
      // throttled publish may not have run since the core first saw the vault.
      if (!vault_collateral_seeded_ && snaps_.core.try_load(core_view_)) seed_vault_collateral();
      const exec::vault::VaultError e = desk_->on_transfer_fill(m, o.cmd.close_long ? exec::Side::Buy : exec::Side::Sell,
                                                                f.qty, f.price, o.cmd.liquidation_seq);
      if (e != exec::vault::VaultError::Ok)
        spdlog::error("vault: transfer fill {} of {} not booked: {}", f.fill_id, f.id.view(), exec::vault::to_string(e));
    }
    return;
  }
}

void ExecutorStage::check_ended(uint32_t m, const exec::ClientOrderId& id) {
  Venue& v = *venues_[m];
  const exec::OrderTracker::Order* t = v.tracker.find(id);
  if (t && (!exec::is_terminal(t->state) || t->unknown)) return;
  for (std::size_t i = 0; i < v.open.size(); ++i) {
    if (!(v.open[i].id == id)) continue;
    OrderOutcome r = outcome_of(v.open[i].cmd, OutcomeKind::Ended);
    r.market = m;
    r.qty = t ? t->filled.v : v.open[i].filled;
    push_outcome(r);
    v.open[i] = v.open.back();
    v.open.pop_back();
    return;
  }
}

void ExecutorStage::push_outcome(const OrderOutcome& o) {
  if (held_outcomes_.empty() && outcomes_.try_push(o)) return;
  ++stats_.outcome_ring_full;
  held_outcomes_.push_back(o);
}

void ExecutorStage::publish() {
  const journal::Stats& js = journal_.stats();
  stats_.journal_commits = js.commits;
  stats_.journal_fsyncs = js.fsyncs;
  stats_.journal_bytes = js.bytes;
  stats_.open_orders = open_orders();
  bool connected = !venues_.empty();
  bool reconciling = false;
  uint64_t dup = 0, timeouts = 0, reconciled = 0;
  for (const auto& v : venues_) {
    connected = connected && v->adapter->connected();
    reconciling = reconciling || v->tracker.blocked();
    dup += v->tracker.counters().duplicate_fills;
    timeouts += v->tracker.counters().timeouts;
    reconciled += v->tracker.counters().reconciled;
  }
  stats_.venue_connected = connected;
  stats_.reconciling = reconciling;
  stats_.duplicate_fills = dup;
  stats_.timeouts = timeouts;
  stats_.reconciled = reconciled;
  snaps_.exec.store(stats_);
  if (desk_ && now_ms_ >= next_vault_publish_ms_) {
    publish_vault();
    next_vault_publish_ms_ = now_ms_ + 50;   // the figures are for scrapes, not per order
  }
}

void ExecutorStage::publish_vault() {
  if (snaps_.core.try_load(core_view_)) {
    for (uint32_t m = 0; m < core_view_.n_markets && m < cfg_.markets.size(); ++m)
      desk_->set_mark(m, Price(core_view_.markets[m].mark));
    seed_vault_collateral();
  }
  fill_vault_snapshot(*desk_, vault_snap_);
  snaps_.vault.store(vault_snap_);
}

// The vault's collateral on this venue as the account stream shows it (core_view_),
// taken once; from then on the books move it (fees, realised PnL). Taken only
// before any transfer of this process was booked, so nothing is counted twice:
// the transfer path calls this before booking its first fill. After a restart
// it replaces what the replayed fills left there: the venue's figure already
// holds their effect.
void ExecutorStage::seed_vault_collateral() {
  if (vault_collateral_seeded_ || !core_view_.has_vault) return;
  if (desk_->transfer_fills() == desk_->restored_transfer_fills() && !cfg_.markets.empty())
    desk_->set_own_collateral(0, core_view_.vault_collateral);
  vault_collateral_seeded_ = true;
}

}  // namespace liqd::service
