#include "daemon/service/core_stage.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <thread>

#include "core/margin/liquidation.hpp"
#include "core/policy/adl/adl.hpp"
#include "core/policy/prices/liquidation_prices.hpp"

namespace liqd::service {

namespace {
constexpr int64_t kNsPerMs = 1'000'000;
constexpr std::size_t kPendingCap = 1 << 14;      // commands held while the executor ring is full
constexpr uint32_t kPriceBatch = 256, kAccountBatch = 4096, kRequestBatch = 16;
constexpr int64_t kReplanEveryMs = 250;           // time alone (cooldowns) re-runs the planner this often
constexpr int64_t kRefusedBackoffMs = 1'000;      // after the executor refused an order in a market

bool same_risk(const MarketRisk& a, const MarketRisk& b) {
  if (a.scale.price_dp != b.scale.price_dp || a.scale.qty_dp != b.scale.qty_dp || a.scale.quote_dp != b.scale.quote_dp ||
      a.tick != b.tick || a.lot != b.lot || a.n_tiers != b.n_tiers || a.liquidation_fee != b.liquidation_fee ||
      a.has_fillable != b.has_fillable || a.bankruptcy_adjustment != b.bankruptcy_adjustment ||
      a.spread_to_mmr != b.spread_to_mmr)
    return false;
  for (int i = 0; i < a.n_tiers; ++i) {
    const MarginTier &x = a.tiers[i], &y = b.tiers[i];
    if (x.max_notional != y.max_notional || x.imr != y.imr || x.mmr != y.mmr || x.mm_deduction_w != y.mm_deduction_w ||
        x.im_deduction_w != y.im_deduction_w)
      return false;
  }
  return true;
}

}  // namespace

struct CoreStage::MarketState {
  MarketState(uint32_t m, const CoreMarket& cm, const CoreStageConfig& cfg)
      : oracle(cm.oracle), mark(cfg.mark), breaker(cfg.breaker), vol(m, cm.risk, cfg.vol) {}
  policy::IndexOracle oracle;
  policy::MarkPrice mark;
  policy::CircuitBreaker breaker;
  policy::VolatilityMargin vol;
  MarketRisk pending_risk;      // a RiskChange's payload, alive until applied (the core copies it)
  Price index, book_mid;
  bool has_mark = false;
  bool cancel_sent = false;
  int64_t memory_slot = INT64_MIN;  // breaker slot of the last PriceMemory written
  int64_t refused_until_ms = 0;
  // Reload ramp: from ramp_from to ramp_to in ramp_steps steps, one per ramp_step_ms.
  int ramp_left = 0, ramp_steps = 0;
  int64_t ramp_next_ms = 0, ramp_step_ms = 0;
  MarketRisk ramp_from, ramp_to;
  MarketSnapshot snap{};
};

CoreStage::CoreStage(CoreStageConfig cfg, CoreRings rings, Snapshots& snaps, metrics::LatencyHistogram* latency)
    : cfg_(std::move(cfg)),
      rings_(std::move(rings)),
      snaps_(snaps),
      latency_(latency),
      fund_(1, &cfg_.fund_balance),
      ids_(cfg_.max_accounts),
      next_seq_(cfg_.liquidation_seq) {
  const std::size_t n = cfg_.markets.size();
  assert(n > 0 && n <= kMaxMarkets);
  for (uint32_t m = 0; m < n; ++m) {
    risk_.push_back(cfg_.markets[m].risk);
    mk_.push_back(std::make_unique<MarketState>(m, cfg_.markets[m], cfg_));
  }
  marks_.assign(n, Price(0));
  effects_.assign(n, policy::BreakerEffects{});
  cfg_.market_liq.resize(n);
  cfg_.backstop.max_notional.resize(cfg_.backstop.account != 0 ? n : 0, cfg_.backstop.account != 0 ? Quote(INT64_MAX) : Quote(0));
  planner_ = std::make_unique<policy::Planner>(cfg_.planner, cfg_.market_liq,
                                               cfg_.backstop.account != 0 ? &cfg_.backstop : nullptr);
  if (cfg_.backstop.account != 0 && cfg_.split.enabled) {
    split_ = std::make_unique<CoreSplit>(cfg_.split);
    split_plan_ = std::make_unique<exec::SplitPlan>();
  }
  venue_id_.assign(cfg_.max_accounts, 0);
  liq_slot_.assign(cfg_.max_accounts, -1);
  in_flight_.assign(kInFlightSlots, InFlight{});
  pending_.reserve(kPendingCap);
  engaged_.reserve(1024);
  cand_.reserve(1024);
  map_work_.assign(n, LiquidationMap{});
  adl_lines_.resize(2 * n);
  stats_.n_markets = static_cast<uint8_t>(n);
  std::vector<bool> remembered(n, false);
  for (const RecoveredPriceMemory& pm : cfg_.price_memory) {
    if (pm.market_index >= n) continue;
    MarketState& ms = *mk_[pm.market_index];
    ms.oracle.restore(pm.memory.oracle);
    ms.mark.restore(pm.memory.mark);
    ms.breaker.restore(pm.memory.breaker, pm.slots.data(), pm.slots.size());
    ms.book_mid = Price(pm.memory.book_mid);
    effects_[pm.market_index] = ms.breaker.effects();
    remembered[pm.market_index] = true;
  }
  for (const auto& [m, mode] : cfg_.breaker_modes)
    if (m < n && !remembered[m]) {  // an older journal: no memory, hold what it shows
      mk_[m]->breaker.restore(mode);
      effects_[m] = mk_[m]->breaker.effects();
    }
  for (uint32_t m : cfg_.paused_markets)
    if (m < n) {
      mk_[m]->breaker.manual_pause(0);
      effects_[m] = mk_[m]->breaker.effects();
    }
  paused_all_ = cfg_.paused_all;
  restore_recovered();
}

CoreStage::~CoreStage() = default;

void CoreStage::run(const std::atomic<bool>& stop, const std::atomic<bool>& drain) {
  uint32_t idle = 0;
  for (;;) {
    if (drain.load(std::memory_order_acquire) != draining_) draining_ = !draining_;
    const uint32_t n = turn();
    if (n > 0) {
      idle = 0;
      if ((stats_.events & 1023) < n) publish();
      continue;
    }
    publish();
    if (stop.load(std::memory_order_acquire)) break;
    if (core_) core_->audit_step(cfg_.audit_budget);
    map_step();
    // Idle back-off: spin briefly, then sleep, so a quiet core does not burn a
    // shared CPU. Not on the hot path: only reached when every ring is empty.
    if (++idle > 64) std::this_thread::sleep_for(std::chrono::microseconds(idle > 4096 ? 500 : 50));
  }
  publish();
}

uint32_t CoreStage::turn() {
  uint32_t n = 0;
  OrderOutcome o;
  while (rings_.outcomes && rings_.outcomes->try_pop(o)) { on_outcome(o); ++n; }
  RiskCommand rc;
  while (rings_.risk_changes && rings_.risk_changes->try_pop(rc)) { on_risk_change(rc); ++n; }
  // The prices of one turn are one oracle round for the core (Event::more): an
  // account that several of them move is evaluated once, at all the new marks,
  // before anything below (accounts, admin, planning) reads the core.
  PriceInput p;
  price_round_ = true;
  for (SpscRing<PriceInput>* r : rings_.prices)
    for (uint32_t k = 0; k < kPriceBatch && r->try_pop(p); ++k) { on_price(p); ++n; }
  price_round_ = false;
  if (core_ && core_->round_open()) core_->apply(Event::clock(now_ms_ * kNsPerMs));
  if (core_ && rings_.accounts) {
    AccountInput a;
    for (uint32_t k = 0; k < kAccountBatch && rings_.accounts->try_pop(a); ++k) { on_account(a); ++n; }
  }
  AdminRequest q;
  for (uint32_t k = 0; rings_.requests && k < kRequestBatch && rings_.requests->try_pop(q); ++k) { on_request(q); ++n; }
  for (uint32_t m = 0; m < mk_.size(); ++m) ramp_step(m);
  if (now_ms_ - last_plan_ms_ >= kReplanEveryMs) dirty_ = true;
  if (dirty_ && core_) plan_all();
  flush_commands();
  stats_.events += n;
  return n;
}

// ---- prices ---------------------------------------------------------------

void CoreStage::on_price(const PriceInput& in) {
  ++stats_.price_inputs;
  if (in.market >= mk_.size()) { ++stats_.rejected_events; return; }
  MarketState& ms = *mk_[in.market];
  PriceInput p = in;
  if (p.publish_ms == 0) p.publish_ms = now_ms_;
  if (p.publish_ms > now_ms_) now_ms_ = p.publish_ms;
  remember_prices(p.market);
  switch (p.kind) {
    case PriceKind::Oracle:
      if (p.source >= ms.oracle.config().n_sources) { ++stats_.rejected_events; return; }
      ms.oracle.update(p.source, Price(p.price), Price(p.conf), p.publish_ms, now_ms_);
      ms.snap.source_price[p.source] = p.price;
      break;
    case PriceKind::BookMid:  // price = best bid, conf = best ask
      ms.mark.on_book(Price(p.price), Price(p.conf), p.publish_ms);
      ms.book_mid = Price((p.price + p.conf) / 2);
      break;
    case PriceKind::Trade: ms.mark.on_trade(Price(p.price), p.publish_ms); break;
    case PriceKind::BookGone: ms.book_mid = Price(0); break;
  }
  reprice(p.market, p.recv_wall_ns);
}

// The first input of each new breaker slot journals the market's price memory as
// it stood before it (PriceMemory): a restart restores it and, given the same
// inputs from there, prices, throttles and pauses exactly as this process did.
// One record per market per slot with inputs (slot_ms: the breaker's longest
// window / 126, about 0.5 s by default).
void CoreStage::remember_prices(uint32_t m) {
  MarketState& ms = *mk_[m];
  const int64_t slot = ms.breaker.slot_id(now_ms_);
  if (slot == ms.memory_slot) return;
  ms.memory_slot = slot;
  if (!ms.has_mark) return;  // nothing computed yet (or just restored: the journal has it)
  ExecCommand c;
  c.kind = ExecKind::Journal;
  c.note = NoteKind::PriceMemory;
  c.market = m;
  c.ts_ms = now_ms_;
  c.memory.oracle = ms.oracle.memory();
  c.memory.mark = ms.mark.memory();
  c.memory.breaker = ms.breaker.memory();
  c.memory.slot = ms.breaker.newest_slot();
  c.memory.book_mid = ms.book_mid.v;
  note(c);
}

void CoreStage::reprice(uint32_t m, int64_t recv_wall_ns) {
  MarketState& ms = *mk_[m];
  const policy::IndexResult idx = ms.oracle.evaluate(now_ms_);
  const policy::MarkResult mr = ms.mark.compute(idx, now_ms_);
  policy::BreakerInputs bi{};
  bi.oracle_stale = !mr.valid;
  bi.mark = mr.mark;
  bi.index = mr.index;
  bi.book_mid = ms.book_mid;
  if (auto ch = ms.breaker.on_tick(bi, now_ms_)) note_breaker(m, *ch);
  effects_[m] = ms.breaker.effects();
  if (effects_[m].cancel_in_flight && !ms.cancel_sent) {
    ExecCommand c;
    c.kind = ExecKind::CancelMarket;
    c.market = m;
    c.ts_ms = now_ms_;
    note(c);
    ms.cancel_sent = true;
  } else if (!effects_[m].cancel_in_flight) {
    ms.cancel_sent = false;
  }
  ms.snap.oracle_stale = idx.status == policy::OracleStatus::Stale;
  if (!mr.valid) return;
  ms.index = mr.index;
  ms.vol.on_mark(mr.mark, now_ms_);
  if (auto mc = ms.vol.maybe_update(now_ms_); mc && cfg_.dynamic_margin && core_) apply_risk(m, mc->risk, NoteKind::Margin);
  if (mr.mark != marks_[m]) {
    marks_[m] = mr.mark;
    ms.snap.last_price_ms = now_ms_;
    last_input_wall_ns_ = recv_wall_ns;
    if (core_) {
      core_->apply(Event::price(m, mr.mark, mr.index, mr.mark, now_ms_ * kNsPerMs, /*more=*/price_round_));
      dirty_ = true;
    }
  }
  ms.has_mark = true;
  if (!core_) {
    bool all = true;
    for (const auto& x : mk_) all = all && x->has_mark;
    if (all) start_core();
  }
}

void CoreStage::start_core() {
  CoreConfig cc;
  cc.max_accounts = cfg_.max_accounts;
  // Overflow slots beyond the home blocks of 4: as many as the whole pool had
  // before home blocks, so any population that fitted then fits now.
  cc.position_pool = 2 * cfg_.max_accounts + 64;
  cc.entry_pool = 6 * cfg_.max_accounts + 1024;
  core_ = std::make_unique<HealthCore>(cc, risk_, marks_, nullptr);
}

// Every market-risk change goes through here: the core re-arms the market's
// exposures, the planner sees the same risk (risk_), and the journal says why.
void CoreStage::apply_risk(uint32_t m, const MarketRisk& r, NoteKind why) {
  MarketState& ms = *mk_[m];
  ms.pending_risk = r;
  if (core_ && core_->apply(Event::market_risk(m, &ms.pending_risk, now_ms_ * kNsPerMs)) != ApplyStatus::Ok) {
    ++stats_.rejected_events;
    return;
  }
  risk_[m] = r;
  ++ms.snap.margin_changes;
  ExecCommand c;
  c.kind = ExecKind::Journal;
  c.note = why;
  c.market = m;
  c.delta = r.n_tiers > 0 ? r.tiers[0].mmr.v : 0;
  c.ts_ms = now_ms_;
  note(c);
}

void CoreStage::on_risk_change(const RiskCommand& rc) {
  if (rc.market >= mk_.size()) { ++stats_.rejected_events; return; }
  MarketState& ms = *mk_[rc.market];
  if (same_risk(rc.risk, risk_[rc.market])) return;  // unchanged market (a reload re-sends every market)
  bool ramp = rc.ramp_steps > 1 && rc.risk.n_tiers == risk_[rc.market].n_tiers;
  if (ramp && rc.check_flags) {
    // Would the change flag accounts at once? Then walk there in steps.
    AdminRequest q;
    q.market = rc.market;
    q.risk = &rc.risk;
    AdminReply r;
    dry_run_reply(q, r);
    ramp = r.would_flag > 0;
    ExecCommand c;
    c.kind = ExecKind::Journal;
    c.note = NoteKind::Config;
    c.market = rc.market;
    c.qty = static_cast<int64_t>(r.would_flag);
    c.delta = rc.risk.n_tiers > 0 ? rc.risk.tiers[0].mmr.v : 0;
    c.ts_ms = now_ms_;
    c.set_text(ramp ? "reload: ramped" : "reload: applied");
    note(c);
  }
  if (!ramp) {
    ms.ramp_left = 0;
    apply_risk(rc.market, rc.risk, NoteKind::Config);
    return;
  }
  ms.ramp_from = risk_[rc.market];
  ms.ramp_to = rc.risk;
  ms.ramp_steps = rc.ramp_steps;
  ms.ramp_left = rc.ramp_steps;
  ms.ramp_step_ms = rc.ramp_step_ms;
  ms.ramp_next_ms = now_ms_;
}

// One step of a reload ramp: every tier's ratios move (to − from) / steps, the
// last step lands exactly on the target; deductions are re-derived so margin
// stays continuous across tiers.
void CoreStage::ramp_step(uint32_t m) {
  MarketState& ms = *mk_[m];
  if (ms.ramp_left == 0 || now_ms_ < ms.ramp_next_ms) return;
  const int done = ms.ramp_steps - ms.ramp_left + 1;
  MarketRisk r = ms.ramp_to;
  if (done < ms.ramp_steps) {
    for (int i = 0; i < r.n_tiers; ++i) {
      const auto blend = [&](Ratio a, Ratio b) {
        return Ratio(a.v + static_cast<int64_t>(div_round(static_cast<i128>(b.v - a.v) * done, ms.ramp_steps, Round::Ceil)));
      };
      r.tiers[i].mmr = blend(ms.ramp_from.tiers[i].mmr, ms.ramp_to.tiers[i].mmr);
      r.tiers[i].imr = blend(ms.ramp_from.tiers[i].imr, ms.ramp_to.tiers[i].imr);
      if (r.tiers[i].imr < r.tiers[i].mmr) r.tiers[i].imr = r.tiers[i].mmr;
    }
    derive_deductions(r, nullptr, nullptr);
  }
  apply_risk(m, r, NoteKind::Config);
  --ms.ramp_left;
  ms.ramp_next_ms = now_ms_ + ms.ramp_step_ms;
}

void CoreStage::note_breaker(uint32_t m, const policy::BreakerChange& ch) {
  ++mk_[m]->snap.breaker_changes;
  ExecCommand c;
  c.kind = ExecKind::Journal;
  c.note = NoteKind::Breaker;
  c.market = m;
  c.why = static_cast<uint8_t>(ch.reason);
  c.delta = static_cast<int64_t>(ch.from) << 8 | static_cast<int64_t>(ch.to);
  c.mm = ch.measure.v;
  c.ts_ms = ch.ts;
  note(c);
}

// ---- accounts -------------------------------------------------------------

void CoreStage::on_account(const AccountInput& in) {
  ++stats_.account_inputs;
  switch (in.kind) {
    case AccountInputKind::InSync:
      accounts_in_sync_ = true;
      dirty_ = true;
      return;
    case AccountInputKind::Resync:
      accounts_in_sync_ = false;
      return;
    case AccountInputKind::Update: break;
  }
  const feeds::AccountUpdate& u = in.u;
  const uint32_t known = ids_.size();
  const std::optional<uint32_t> id = ids_.find_or_add(u.account_id);
  if (!id) { ++stats_.rejected_events; return; }
  const AccountId a = *id;
  venue_id_[a] = u.account_id;
  if (ids_.size() != known && !recovered_units_.empty()) seed_account(a);
  const int64_t ts = u.exch_ts_ns;
  if (u.exch_ts_ns / kNsPerMs > now_ms_) now_ms_ = u.exch_ts_ns / kNsPerMs;
  auto apply = [&](const Event& e) {
    if (core_->apply(e) != ApplyStatus::Ok) ++stats_.rejected_events;
  };
  auto collateral_delta = [&](int64_t d) {
    if (d > 0) apply(Event::deposit(a, Quote(d), 0, ts));
    if (d < 0) apply(Event::withdrawal(a, Quote(-d), 0, ts));
  };
  switch (u.kind) {
    case feeds::AccountUpdateKind::CollateralDelta: collateral_delta(u.amount); break;
    case feeds::AccountUpdateKind::SnapshotCollateral: {
      // A snapshot replaces the account: close what it held, then set collateral.
      Position held[policy::kMaxAccountPositions];
      std::size_t k = 0;
      for (const Position& p : core_->store().positions(a))
        if (k < std::size(held)) held[k++] = p;
      for (std::size_t i = 0; i < k; ++i)
        apply(Event::fill(a, held[i].market, held[i].isolated, Qty(0), Price(0), Quote(0), Quote(0), 0, ts));
      collateral_delta(u.amount - core_->store().collateral(a).v);
      break;
    }
    case feeds::AccountUpdateKind::Position:
    case feeds::AccountUpdateKind::SnapshotPosition:
      if (u.market >= mk_.size()) { ++stats_.rejected_events; return; }
      apply(Event::fill(a, u.market, u.isolated, Qty(u.size), Price(u.entry_price), Quote(u.isolated_margin), Quote(0), 0, ts));
      break;
  }
  if (core_->is_flagged(a) || liq_slot_[a] >= 0) dirty_ = true;
}

// ---- planning -------------------------------------------------------------

bool CoreStage::may_liquidate() const {
  if (!core_ || !accounts_in_sync_ || paused_all_ || draining_) return false;
  return true;
}

policy::AccountLiqState& CoreStage::liq_state(AccountId a, bool isolated, uint32_t m) {
  if (isolated) {
    auto& p = iso_liq_[static_cast<uint64_t>(a) << 8 | m];
    if (!p) p = std::make_unique<policy::AccountLiqState>();
    return *p;
  }
  if (liq_slot_[a] < 0) {
    liq_slot_[a] = static_cast<int32_t>(liq_.size());
    liq_.push_back(std::make_unique<policy::AccountLiqState>());
  }
  return *liq_[static_cast<std::size_t>(liq_slot_[a])];
}

void CoreStage::plan_all() {
  dirty_ = false;
  last_plan_ms_ = now_ms_;
  if (!may_liquidate()) return;
  cand_.clear();
  for (AccountId a : core_->flagged()) cand_.push_back(a);
  for (AccountId a : engaged_) cand_.push_back(a);
  std::sort(cand_.begin(), cand_.end());
  cand_.erase(std::unique(cand_.begin(), cand_.end()), cand_.end());
  engaged_.clear();
  for (AccountId a : cand_) {
    if (pending_.size() >= kPendingCap) {  // executor backed up: keep the rest for later
      engaged_.push_back(a);
      continue;
    }
    plan_one(a);
  }
}

// An account is one cross unit (collateral + cross positions) plus one unit per
// isolated position; each is planned with its own liquidation state.
void CoreStage::plan_one(AccountId a) {
  std::span<const Position> all = core_->store().positions(a);
  Position cross[policy::kMaxAccountPositions];
  std::size_t nc = 0;
  bool engaged = false;
  for (const Position& p : all) {
    if (!p.isolated) {
      if (nc < std::size(cross)) cross[nc++] = p;
      continue;
    }
    Position solo = p;
    solo.isolated = false;
    solo.isolated_margin = Quote(0);
    engaged |= plan_unit(a, true, p.market, p.isolated_margin, std::span<const Position>(&solo, 1));
  }
  if (nc > 0 || liq_slot_[a] >= 0)
    engaged |= plan_unit(a, false, 0, core_->store().collateral(a), std::span<const Position>(cross, nc));
  if (engaged) engaged_.push_back(a);
}

bool CoreStage::plan_unit(AccountId a, bool isolated, uint32_t iso_market, Quote collateral,
                          std::span<const Position> positions) {
  policy::AccountLiqState& ls = liq_state(a, isolated, iso_market);
  const policy::MarketsView mv{risk_, marks_, effects_};
  UnitWire journaled = wire_of(ls);  // the unit's state as the journal has it (changes below are journaled)
  if (positions.empty()) ls.settled_shortfall = Quote(0);  // closed: the venue's balance is what is left
  const policy::AccountView av{venue_id_[a], collateral + ls.settled_shortfall, positions, 0};
  const policy::Plan p = planner_->plan(av, ls, mv, now_ms_);
  if (p.action == policy::PlanAction::Orders) {
    for (int j = 0; j < p.n_orders; ++j) {
      policy::LiqOrder o = p.orders[static_cast<std::size_t>(j)];
      if (now_ms_ < mk_[o.market]->refused_until_ms) continue;
      if (awaiting_fills(ls, a, isolated, o.market)) continue;  // planned on a size already sold
      if (!planner_->revalidate(o, av, ls, mv, now_ms_)) continue;
      const bool transfer = o.kind == policy::OrderKind::BackstopTransfer;
      if (transfer) {
        // To the vault at the bankruptcy price, as much as its own limits allow
        // (backstop_capacity); what it cannot take goes back to IOC orders (the
        // refused bit), so the fund and then ADL see it.
        const Qty take = vault_take(a, o);
        if (take.v < 0) continue;  // the vault is busy with another transfer: next turn
        if (take.v == 0) {
          ExecCommand c = decision(ExecKind::Journal, o, p, a);
          c.note = NoteKind::Backstop;
          c.set_text("vault limits");
          note(c);
          ++stats_.backstop_refused;
          ls.backstop_refused_mask |= 1ull << o.market;
          continue;
        }
        o.qty = take;
        o.limit = o.bankruptcy;
      }
      // Own book or transfer-and-hedge (core_split.hpp): the vault may take part of
      // this chunk at the split's transfer price; what stays is the IOC below.
      SplitWire split{};
      if (!transfer && split_ && split_->active(o.market)) {
        const SplitStep st = split_step(a, isolated, ls, p, o, split, journaled);
        if (st == SplitStep::NoSlot) break;
        if (st == SplitStep::AllTransferred) continue;
      }
      // The fund must be able to pay this IOC's worst case (every unit filled at
      // the limit, below bankruptcy): that much is held back until the order ends.
      // When it cannot, the position is closed against the next profitable
      // opposite position in ADL order at the bankruptcy price instead, so no loss
      // is left for others; only with nobody in line does the IOC go (bad debt).
      int64_t reserve = 0;
      AccountId counterparty = 0;
      bool adl = false;
      if (!transfer) {
        const MarketRisk& mr = risk_[o.market];
        const Quote worst = policy::settle_close(mr, o.close_long, o.qty, o.limit, o.bankruptcy, mr.liquidation_fee).shortfall;
        if (worst.v > 0) {
          Qty take(0);
          const bool fund_covers = worst.v <= fund_.available(0).v - fund_reserved_;
          const AdlPick pick = fund_covers || o.bankruptcy.v <= 0
                                   ? AdlPick::Nobody
                                   : adl_next(o.market, o.close_long, a, o.qty, counterparty, take);
          if (fund_covers) {
            reserve = worst.v;
          } else if (pick == AdlPick::Found) {
            adl = true;
            o.qty = take;
            o.limit = o.bankruptcy;
          } else if (pick == AdlPick::Busy) {
            continue;  // every counterparty left has a deleverage in flight: next turn
          } else {
            ++stats_.unbacked_orders;  // nobody left in the ADL line: what the fund cannot pay is bad debt
          }
        }
      }
      if (!send(a, isolated, ls, p, o, static_cast<uint8_t>(transfer ? 1 : adl ? 2 : 0), reserve, counterparty, split, journaled))
        break;  // 16k orders in flight: wait for some to end
    }
  }
  // Entered or left liquidation mode, the vault refused, ...: journaled on its own.
  if (!(wire_of(ls) == journaled)) note(unit_note(a, isolated, iso_market, ls));
  return ls.in_mode && !positions.empty();
}

// Hands one decided order to the executor: its in-flight slot, the planner's view
// of it and the decision record (with the unit's state) in one command. False
// when 16k orders are in flight (the caller stops planning this turn).
bool CoreStage::send(AccountId a, bool isolated, policy::AccountLiqState& ls, const policy::Plan& p,
                     const policy::LiqOrder& o, uint8_t via, int64_t reserve, AccountId counterparty,
                     const SplitWire& split, UnitWire& journaled) {
  const bool transfer = via == 1, adl = via == 2;
  InFlight& slot = in_flight_[next_seq_ % kInFlightSlots];
  if (slot.used) return false;
  ExecCommand c = decision(ExecKind::NewOrder, o, p, a);
  c.liquidation_seq = next_seq_;
  c.close_long = o.close_long;
  c.reduce_only = o.reduce_only;
  c.ioc = o.ioc;
  c.why = static_cast<uint8_t>(o.why);
  c.limit = o.limit.v;
  // The venue charges the liquidation fee per fill, capped at what the fill leaves
  // above bankruptcy. A split's transfer pays it like the IOC it stands in for (it
  // is priced inside the fillable bound, so the account has that surplus); a
  // backstop transfer at bankruptcy and an ADL leave none to pay it from.
  const bool pays_fee = !adl && (!transfer || o.why == policy::PlanWhy::SplitTransfer);
  c.fee_rate = pays_fee ? risk_[o.market].liquidation_fee.v : 0;
  c.recv_wall_ns = last_input_wall_ns_;
  c.isolated = isolated;
  c.window_notional = o.kind == policy::OrderKind::Ioc ? o.notional.v : 0;
  c.split = split;
  if (transfer) {
    c.transfer_to = cfg_.backstop.account;
    c.ioc = false;
    c.reduce_only = true;
    vault_.busy = true;
    vault_.market = o.market;
    vault_.size_before = position_size(*ids_.find(cfg_.backstop.account), o.market).v;
  } else if (adl) {
    c.transfer_to = venue_id_[counterparty];
    c.deleverage = true;
    c.ioc = false;
    c.reduce_only = true;
    adl_pending_[counterparty] += o.qty.v;
  }
  planner_->on_dispatched(ls, o, now_ms_);
  c.has_unit = true;  // the unit's state after this dispatch, in the decision's group commit
  c.unit = journaled = wire_of(ls);
  note(c);
  slot = InFlight{true, a, o.market, next_seq_, o.close_long, isolated, o.bankruptcy, Qty(0), reserve,
                  via, counterparty, o.qty.v,
                  unit_size(a, o.market, isolated).v, venue_id_[a], adl ? venue_id_[counterparty] : 0};
  fund_reserved_ += reserve;
  ++next_seq_;
  ++mk_[o.market]->snap.liq_orders;
  return true;
}

// The split of IOC `o` (sized, limit = its fillable bound) between the own book and
// the vault (core_split.hpp). The vault's room is its capacity at the mark
// (backstop_capacity, the limits every transfer obeys); the transfer goes at the
// split's price, inside the bound, with the fund holding back its shortfall below
// bankruptcy if it has one (settle_close at that price; the liquidation fee the
// transfer pays is capped above bankruptcy, so it never adds to a shortfall). On return `o` is what the own book takes (qty = own_qty), and
// `split` the figures both orders journal. The split is not used (o as planned)
// when the vault is busy or full, no hedge venue has depth, the own book alone is
// at least as good, or the fund could not pay the transfer's shortfall.
CoreStage::SplitStep CoreStage::split_step(AccountId a, bool isolated, policy::AccountLiqState& ls,
                                           const policy::Plan& p, policy::LiqOrder& o, SplitWire& split,
                                           UnitWire& journaled) {
  policy::LiqOrder at_mark = o;
  at_mark.bankruptcy = marks_[o.market];
  const Qty room = vault_take(a, at_mark);
  if (room.v <= 0) return SplitStep::NotUsed;
  exec::SplitPlan& sp = *split_plan_;
  if (!split_->plan(o.market, o.close_long, o.qty, o.limit, room, sp)) return SplitStep::NotUsed;
  ++stats_.split_consulted;
  split.used = true;
  split.order_qty = o.qty.v;
  split.own_qty = sp.own_qty.v;
  split.transfer_qty = sp.transfer_qty.v;
  split.transfer_price = sp.transfer_price.v;
  split.bound = o.limit.v;
  split.unfilled = sp.unfilled.v;
  split.own_only_filled = sp.own_only_filled.v;
  split.objective = sp.objective;
  split.own_only_objective = sp.own_only_objective;
  split.vault_charge = sp.vault_charge;
  split.exact = sp.exact;
  if (sp.transfer_qty.v <= 0) return SplitStep::NotUsed;   // the own book alone: the IOC as planned (figures journaled)
  const MarketRisk& mr = risk_[o.market];
  const Price tp = sp.transfer_price;
  const int64_t shortfall = policy::settle_close(mr, o.close_long, sp.transfer_qty, tp, o.bankruptcy, Ratio(0)).shortfall.v;
  if (shortfall > 0 && shortfall > fund_.available(0).v - fund_reserved_) {
    split = SplitWire{};
    return SplitStep::NotUsed;
  }
  policy::LiqOrder t = o;
  t.kind = policy::OrderKind::BackstopTransfer;
  t.ioc = false;
  t.qty = sp.transfer_qty;
  t.limit = tp;
  t.notional = mul_qty_price(t.qty, tp, mr.scale, Round::Ceil);
  t.full_close = o.full_close && sp.own_qty.v == 0;
  t.why = policy::PlanWhy::SplitTransfer;
  if (!send(a, isolated, ls, p, t, 1, shortfall > 0 ? shortfall : 0, 0, split, journaled)) return SplitStep::NoSlot;
  ++stats_.split_transfers;
  if (sp.own_qty.v <= 0) return SplitStep::AllTransferred;
  o.qty = sp.own_qty;
  o.notional = mul_qty_price(o.qty, o.limit, mr.scale, Round::Ceil);
  o.full_close = false;
  return SplitStep::Split;
}

// What every decision record carries: the order decided and the numbers behind it.
ExecCommand CoreStage::decision(ExecKind kind, const policy::LiqOrder& o, const policy::Plan& p, AccountId a) const {
  ExecCommand c;
  c.kind = kind;
  c.market = o.market;
  c.account = venue_id_[a];
  c.qty = o.qty.v;
  c.bankruptcy = o.bankruptcy.v;
  c.mark = marks_[o.market].v;
  c.equity = p.equity.v;
  c.mm = p.mm.v;
  c.ts_ms = now_ms_;
  return c;
}

// The unit's position in market m (the isolated one when `isolated`), 0 if none.
Qty CoreStage::unit_size(AccountId a, uint32_t m, bool isolated) const {
  // After a restart the executor's reconcile answers can come before the first
  // marks, i.e. before the core (and any position) exists.
  if (!core_) return Qty(0);
  for (const Position& p : core_->store().positions(a))
    if (p.market == m && p.isolated == isolated) return p.size;
  return Qty(0);
}

// True while an order of this unit in market m ended with fills that the account
// stream has not shown yet: the position still has its size from before the order
// (the outcome and the position update come on different connections, in either
// order). Planning on it would send a second order for what was already sold (the
// venue clips it as reduce-only, or fills it against a position that no longer has
// it). Released when the size moves, or after kFillConfirmMs of event time.
bool CoreStage::awaiting_fills(policy::AccountLiqState& ls, AccountId a, bool isolated, uint32_t m) const {
  bool wait = false;
  for (policy::AccountLiqState::FillConfirm& f : ls.awaiting) {
    if (!f.used || f.market != m) continue;
    if (unit_size(a, m, isolated).v != f.size_at_send || now_ms_ >= f.until_ms) f.used = false;
    else wait = true;
  }
  return wait;
}

// A dense account's position size in market m as the account stream shows it (0: none).
Qty CoreStage::position_size(AccountId a, uint32_t m) const {
  for (const Position& p : core_->store().positions(a))
    if (p.market == m) return p.size;
  return Qty(0);
}

// How much of `o` (a backstop transfer of dense account a) the vault can take at
// the bankruptcy price: the vault is a venue account the core follows like any
// other, so its limits are checked on its current collateral and positions (in the
// entry-0 form backstop_vault.hpp uses: collateral nets each position's cost).
// −1: not now (a transfer in flight, or the last one not yet in the vault's state).
// Allocates (a vault copy per bisection probe): a transfer is a rare, last-resort
// decision, not the per-tick path.
Qty CoreStage::vault_take(AccountId a, const policy::LiqOrder& o) {
  if (o.bankruptcy.v <= 0 || o.qty.v <= 0) return Qty(0);
  const std::optional<uint32_t> vault = ids_.find(cfg_.backstop.account);
  if (!vault || *vault == a) return Qty(0);
  if (vault_.busy) return Qty(-1);
  if (vault_.settling) {
    if (position_size(*vault, vault_.market).v != vault_.expect && now_ms_ < vault_.until_ms) return Qty(-1);
    vault_.settling = false;
  }
  // The vault's live state in entry-0 form, in a scratch vault sized once
  // (this runs on the core thread: no allocation).
  policy::BackstopVault& v = vault_scratch_;
  v.collateral = core_->store().collateral(*vault);
  if (v.positions.size() != risk_.size()) v.positions.resize(risk_.size());
  for (uint32_t m = 0; m < risk_.size(); ++m) v.positions[m] = Position{.size = Qty(0), .entry = Price(0), .isolated_margin = Quote(0), .market = m, .isolated = false};
  for (const Position& p : core_->store().positions(*vault)) {
    if (p.isolated || p.market >= risk_.size()) return Qty(0);  // the vault trades cross only
    const i128 cost = static_cast<i128>(p.size.v) * p.entry.v;
    const int shift = risk_[p.market].scale.product_dp() - risk_[p.market].scale.quote_dp;
    v.collateral -= Quote(static_cast<int64_t>(div_round(cost, pow10_i128(shift), Round::Ceil)));
    v.positions[p.market].size = p.size;
  }
  // The vault takes the liquidated side: a long closed is a long for the vault.
  const Qty size(o.close_long ? o.qty.v : -o.qty.v);
  const Qty cap = policy::backstop_capacity(v, cfg_.backstop, risk_, marks_, o.market, size, o.bankruptcy);
  return Qty(cap.v < 0 ? -cap.v : cap.v);
}

// ---- order outcomes -------------------------------------------------------

void CoreStage::on_outcome(const OrderOutcome& o) {
  ++stats_.outcomes;
  if (o.market >= mk_.size()) { ++stats_.rejected_events; return; }
  InFlight& slot = in_flight_[o.liquidation_seq % kInFlightSlots];
  // An order neither this process nor the journal knows is settled from the
  // outcome's own figures; the planner never knew it.
  const bool known = slot.used && slot.seq == o.liquidation_seq && resolve(slot);
  const uint32_t m = o.market;
  MarketState& ms = *mk_[m];
  if (o.kind == OutcomeKind::Fill) {
    ++stats_.fills;
    const Qty q(o.qty);
    const Price px(o.price);
    if (known) {
      slot.filled += q;
      stats_.backstop_transfers += slot.via == 1;
      stats_.adl_events += slot.via == 2;
    }
    ms.snap.notional_liquidated += mul_qty_price(q, px, risk_[m].scale, Round::HalfAwayFromZero).v;
    settle_fill(o, known ? &slot : nullptr);
    return;
  }
  // Ended or Refused: the order is over.
  if (o.kind == OutcomeKind::Refused) {
    // The executor could not take it (reconciling, full): no new order in this
    // market for a while, instead of a decision per turn.
    ms.refused_until_ms = now_ms_ + kRefusedBackoffMs;
    ++ms.snap.refused;
  } else if (o.qty > 0) {
    ++ms.snap.liquidations;
  } else {
    ++ms.snap.no_fill;
  }
  if (!known) return;
  policy::AccountLiqState& ls = liq_state(slot.account, slot.isolated, m);
  const UnitWire before = wire_of(ls);
  if (slot.filled.v > 0 && unit_size(slot.account, m, slot.isolated).v == slot.size_at_send) {
    // This market's entry if it has one, else the first free one. All taken (16
    // markets awaiting at once): plan without the wait; reduce-only at the venue
    // still bounds what a second order can do.
    policy::AccountLiqState::FillConfirm* at = nullptr;
    for (auto& f : ls.awaiting) {
      if (f.used && f.market == m) {
        at = &f;
        break;
      }
      if (!f.used && !at) at = &f;
    }
    if (at) *at = {true, m, slot.size_at_send, now_ms_ + kFillConfirmMs};
  }
  const auto no_fill_before = ls.no_fill;
  const uint64_t no_liq_before = ls.no_liquidity_mask;
  planner_->on_order_end(ls, m, slot.via == 1 ? policy::OrderKind::BackstopTransfer : policy::OrderKind::Ioc, slot.filled, now_ms_);
  if (slot.via == 2) {
    auto it = adl_pending_.find(slot.counterparty);
    if (it != adl_pending_.end() && (it->second -= slot.sent) <= 0) adl_pending_.erase(it);
  }
  if (slot.via == 2 && slot.filled.v == 0) {
    // A deleverage the venue refused (its counterparty had moved) says nothing about
    // the book: no back-off, the next plan takes the next counterparty in line.
    ls.no_fill = no_fill_before;
    ls.no_liquidity_mask = no_liq_before;
  }
  if (slot.via == 1) {
    // The vault takes the closed side: a long closed is a long for the vault.
    vault_.busy = false;
    vault_.settling = slot.filled.v > 0;
    vault_.expect = vault_.size_before + (slot.close_long ? slot.filled.v : -slot.filled.v);
    vault_.until_ms = now_ms_ + kVaultSettleMs;
  }
  if (!(wire_of(ls) == before)) note(unit_note(slot.account, slot.isolated, m, ls));
  fund_reserved_ -= slot.reserved;
  assert(fund_reserved_ >= 0);
  slot.used = false;
  dirty_ = true;
}

// A liquidation fill's money: the fee the venue charged for it goes to the fund; a
// fill below bankruptcy costs the fund the shortfall; what the fund cannot pay is bad
// debt (journaled as uncovered; ADL was tried before the order was sent). The unit's
// settled shortfall grows by the whole shortfall. All of it, the unit's new state
// included, leaves as one Settlement command: one group commit, so a restart sees
// the fill's money and the unit's memory of it together, or neither (and then
// settles the fill again, recovery.cpp).
void CoreStage::settle_fill(const OrderOutcome& o, const InFlight* unit) {
  const uint32_t m = o.market;
  const Qty q(o.qty);
  // The fee is what the venue charged for this fill (NewOrder.fee_rate, capped at
  // the fill's surplus above bankruptcy, the rule settle_close applies): the fund
  // receives only money the venue actually took from the account.
  const policy::Settlement se = policy::settle_close(risk_[m], o.close_long, q, Price(o.price), Price(o.bankruptcy), Ratio(0));
  ExecCommand c;
  c.kind = ExecKind::Journal;
  c.note = NoteKind::Settlement;
  c.market = m;
  c.account = o.account;
  c.liquidation_seq = o.liquidation_seq;
  c.chunk = o.chunk;
  c.fill_id = o.fill_id;
  c.qty = q.v;
  c.bankruptcy = o.bankruptcy;
  c.ts_ms = now_ms_;
  c.balance_after = fund_.balance(0).v;
  if (o.fee > 0) {
    const policy::FundEvent ev = fund_.receive_fee(0, Quote(o.fee), o.account, m, now_ms_);
    stats_.fees_to_fund += o.fee;
    c.delta = ev.delta.v;
    c.balance_after = ev.balance_after.v;
  }
  c.paid_balance_after = c.balance_after;
  if (se.shortfall.v > 0) {
    const policy::ShortfallCover cv = fund_.cover_shortfall(0, se.shortfall, o.account, m, now_ms_);
    assert(cv.paid.v + cv.uncovered.v == se.shortfall.v);
    stats_.fund_paid += cv.paid.v;
    stats_.bad_debt += cv.uncovered.v;
    c.paid = cv.paid.v;
    c.paid_balance_after = cv.event.balance_after.v;
    c.uncovered = cv.uncovered.v;
    if (unit && unit->account != kUnresolved) {
      policy::AccountLiqState& ls = liq_state(unit->account, unit->isolated, m);
      ls.settled_shortfall += se.shortfall;
      const ExecCommand u = unit_note(unit->account, unit->isolated, m, ls);
      c.has_unit = true;
      c.isolated = u.isolated;
      c.unit = u.unit;
    }
  }
  note(c);
}

// ---- admin ----------------------------------------------------------------

void CoreStage::on_request(const AdminRequest& r) {
  ++stats_.admin_requests;
  AdminReply out;
  out.id = r.id;
  const bool market_op = r.op == AdminOp::Pause || r.op == AdminOp::Resume || r.op == AdminOp::DryRunRisk;
  if (market_op && r.market >= mk_.size()) {
    out.status = AdminStatus::BadMarket;
  } else {
    switch (r.op) {
      case AdminOp::Account: account_reply(r, out); break;
      case AdminOp::Pause:
        if (auto ch = mk_[r.market]->breaker.manual_pause(now_ms_)) note_breaker(r.market, *ch);
        effects_[r.market] = mk_[r.market]->breaker.effects();
        break;
      case AdminOp::Resume:
        if (auto ch = mk_[r.market]->breaker.manual_resume(now_ms_)) note_breaker(r.market, *ch);
        effects_[r.market] = mk_[r.market]->breaker.effects();
        dirty_ = true;
        break;
      case AdminOp::PauseAll: paused_all_ = true; break;
      case AdminOp::ResumeAll: paused_all_ = false; dirty_ = true; break;
      case AdminOp::DryRunRisk: dry_run_reply(r, out); break;
    }
  }
  if (r.op != AdminOp::Account && r.op != AdminOp::DryRunRisk && out.status == AdminStatus::Ok) {
    ExecCommand c;
    c.kind = ExecKind::Journal;
    c.note = NoteKind::Admin;
    c.market = r.market;
    c.why = static_cast<uint8_t>(r.op);
    c.ts_ms = r.wall_ms;
    c.text = r.caller;
    note(c);
  }
  if (!rings_.replies || !rings_.replies->try_push(out)) ++stats_.reply_ring_full;
}

void CoreStage::account_reply(const AdminRequest& r, AdminReply& out) {
  const std::optional<uint32_t> id = ids_.find(r.account);
  if (!core_ || !id) { out.status = AdminStatus::NotFound; return; }
  const AccountId a = *id;
  std::span<const Position> ps = core_->store().positions(a);
  const Quote coll = core_->store().collateral(a);
  const MarginSummary cs = cross_margin(coll, ps, risk_, marks_);
  out.collateral = coll.v;
  out.equity = cs.equity.v;
  out.mm = cs.mm.v;
  out.im = cs.im.v;
  out.liquidatable = core_->is_flagged(a);
  out.in_liquidation = liq_slot_[a] >= 0 && liq_[static_cast<std::size_t>(liq_slot_[a])]->in_mode;
  const liqd::AccountView view{coll, ps, risk_, marks_};
  for (std::size_t i = 0; i < ps.size() && out.n_positions < kMaxReplyPositions; ++i) {
    ReplyPosition& rp = out.positions[out.n_positions++];
    const Position& p = ps[i];
    rp.market = p.market;
    rp.isolated = p.isolated;
    rp.size = p.size.v;
    rp.entry = p.entry.v;
    const MaybePrice lp = liquidation_price(view, i);
    rp.liquidation_price = lp.exists && lp.units < INT64_MAX ? static_cast<int64_t>(lp.units) : 0;
    rp.mm = position_margin(risk_[p.market], p.size, marks_[p.market]).mm.v;
    rp.adl_quantile = adl_quantile(a, p);
  }
}

// One position as ADL sees it: its account's equity and MM (cross, or the
// isolated position's own) give its bankruptcy price, which sets its leverage.
policy::AdlPosition CoreStage::adl_position(AccountId b, const Position& q) const {
  const uint32_t m = q.market;
  const Quote coll = q.isolated ? q.isolated_margin : core_->store().collateral(b);
  const MarginSummary s = q.isolated ? isolated_margin(q, risk_[m], marks_[m])
                                     : cross_margin(coll, core_->store().positions(b), risk_, marks_);
  const Quote pmm = position_margin(risk_[m], q.size, marks_[m]).mm;
  const Price bk = policy::bankruptcy_price(risk_[m], q.size, marks_[m], pmm, policy::AccountRisk{s.equity, s.mm});
  return policy::AdlPosition{venue_id_[b], q.size, q.entry, bk};
}

// The next counterparty for a bankrupt position in m (a long being closed:
// `close_long`) and how much of `want` it takes (lot multiples). The line is ranked once
// (a full scan: ADL is rare and only when the fund is short) and walked in order;
// each counterparty's size is re-read from the store, so one reduced or closed
// meanwhile is never over-taken (the venue clips a transfer to the position too).
CoreStage::AdlPick CoreStage::adl_next(uint32_t m, bool close_long, AccountId bankrupt, Qty want, AccountId& who,
                                        Qty& take) {
  AdlLine& line = adl_lines_[2 * m + (close_long ? 1 : 0)];
  bool busy = false;
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1 || now_ms_ - line.built_ms > kAdlLineMs) {
      if (pass == 1 && (busy || line.built_ms == now_ms_)) break;  // just rebuilt, or only busy ones left
      line.built_ms = now_ms_;
      line.cursor = 0;
      line.who.clear();
      std::vector<policy::AdlPosition> opp;
      std::vector<AccountId> ids;
      const uint32_t n = ids_.size();
      for (AccountId b = 0; b < n; ++b) {
        if (venue_id_[b] == cfg_.backstop.account && cfg_.backstop.account != 0) continue;  // the vault is no counterparty
        for (const Position& q : core_->store().positions(b)) {
          if (q.market != m || (q.size.v > 0) == close_long || pnl_exact(q.size, marks_[m], q.entry) <= 0) continue;
          opp.push_back(adl_position(b, q));
          ids.push_back(b);
        }
      }
      for (const policy::AdlRanked& x : policy::adl_rank(opp, marks_[m]))
        if (x.profitable) line.who.push_back(ids[x.index]);
    }
    // In rank order: a counterparty whose position is gone is passed for good; one
    // with transfers in flight against it gives only what they leave (its size in
    // the store does not show them yet), and when that is nothing the next one is
    // asked, while it keeps its place.
    for (std::size_t j = line.cursor; j < line.who.size(); ++j) {
      const AccountId c = line.who[j];
      const Qty s = position_size(c, m);
      const Qty lots = c == bankrupt || s.v == 0 || (s.v > 0) == close_long
                           ? Qty(0) : policy::floor_to_lot(Qty(s.v < 0 ? -s.v : s.v), risk_[m].lot);
      if (lots.v <= 0) {
        if (j == line.cursor) ++line.cursor;
        continue;
      }
      const auto pending = adl_pending_.find(c);
      const int64_t free = lots.v - (pending == adl_pending_.end() ? 0 : pending->second);
      if (free <= 0) {
        busy = true;
        continue;
      }
      who = c;
      take = Qty(std::min(want.v, free));
      return AdlPick::Found;
    }
  }
  return busy ? AdlPick::Busy : AdlPick::Nobody;
}

// ADL quantile of one position: its rank among the profitable positions on its
// side of its market by BitMEX's score (PnL % × effective leverage), 5 = first
// in line, as adl_rank assigns it. A full scan: admin lookups only.
uint8_t CoreStage::adl_quantile(AccountId a, const Position& p) const {
  const uint32_t m = p.market;
  if (pnl_exact(p.size, marks_[m], p.entry) <= 0) return 0;
  auto score_of = [&](AccountId b, const Position& q) { return policy::adl_score(adl_position(b, q), marks_[m]); };
  const i128 mine = score_of(a, p);
  uint64_t ahead = 0, total = 0;
  const uint32_t n = ids_.size();
  for (AccountId b = 0; b < n; ++b) {
    for (const Position& q : core_->store().positions(b)) {
      if (q.market != m || (q.size.v > 0) != (p.size.v > 0) || pnl_exact(q.size, marks_[m], q.entry) <= 0) continue;
      ++total;
      if (score_of(b, q) > mine) ++ahead;
    }
  }
  if (total == 0) return 0;
  return static_cast<uint8_t>(6 - div_round(static_cast<i128>(5) * (ahead + 1), total, Round::Ceil));
}

// How many accounts a new market risk would make liquidatable that are not
// now: every account with a position in that market, judged exactly.
void CoreStage::dry_run_reply(const AdminRequest& r, AdminReply& out) {
  if (!core_ || !r.risk) { out.status = AdminStatus::NotFound; return; }
  std::vector<MarketRisk>& alt = dry_risk_;
  alt = risk_;
  alt[r.market] = *static_cast<const MarketRisk*>(r.risk);
  const uint32_t n = ids_.size();
  for (AccountId a = 0; a < n; ++a) {
    std::span<const Position> ps = core_->store().positions(a);
    bool touches = false, now_liq = false, then_liq = false;
    for (const Position& p : ps) {
      if (p.market != r.market) continue;
      touches = true;
      if (p.isolated) {
        now_liq |= isolated_margin(p, risk_[p.market], marks_[p.market]).liquidatable();
        then_liq |= isolated_margin(p, alt[p.market], marks_[p.market]).liquidatable();
      }
    }
    if (!touches) continue;
    const Quote coll = core_->store().collateral(a);
    now_liq |= cross_margin(coll, ps, risk_, marks_).liquidatable();
    then_liq |= cross_margin(coll, ps, alt, marks_).liquidatable();
    if (then_liq && !now_liq) {
      if (out.n_sample < out.sample.size()) out.sample[out.n_sample++] = venue_id_[a];
      ++out.would_flag;
    }
  }
}

// ---- liquidation map ------------------------------------------------------

// One budgeted slice of the pass: each position's liquidation price, if within
// kMapBuckets × width of the mark, adds its notional (at the mark) to a bucket.
void CoreStage::map_step() {
  if (!core_) return;
  const uint32_t n = ids_.size();
  if (map_cursor_ == 0) map_underwater_ = 0;
  if (map_cursor_ == 0)
    for (uint32_t m = 0; m < mk_.size(); ++m) {
      map_work_[m] = LiquidationMap{};
      map_work_[m].mark = marks_[m].v;
      map_work_[m].bucket_width = cfg_.map_bucket_width.v;
    }
  const uint32_t end = std::min<uint32_t>(n, map_cursor_ + cfg_.map_budget);
  for (AccountId a = map_cursor_; a < end; ++a) {
    std::span<const Position> ps = core_->store().positions(a);
    const liqd::AccountView view{core_->store().collateral(a), ps, risk_, marks_};
    // Underwater: the cross unit or an isolated position below zero equity (closing
    // it now leaves a loss for the fund); counted over the pass, published at its end.
    bool under = !ps.empty() && cross_margin(view.collateral, ps, risk_, marks_).equity.v < 0;
    for (const Position& p : ps)
      under = under || (p.isolated && isolated_margin(p, risk_[p.market], marks_[p.market]).equity.v < 0);
    map_underwater_ += under;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      const uint32_t m = ps[i].market;
      LiquidationMap& lm = map_work_[m];
      if (lm.mark <= 0) continue;
      const MaybePrice lp = liquidation_price(view, i);
      if (!lp.exists) continue;
      // distance from the mark in Ratio units, bucketed
      const i128 d = (lp.units - lm.mark) * kRatioOne / lm.mark;
      const i128 b = (d < 0 ? -d : d) / lm.bucket_width;
      if (b >= static_cast<i128>(kMapBuckets)) continue;
      const int64_t notional = mul_qty_price(Qty(ps[i].size.v < 0 ? -ps[i].size.v : ps[i].size.v), marks_[m],
                                             risk_[m].scale, Round::HalfAwayFromZero).v;
      (d < 0 ? lm.below : lm.above)[static_cast<std::size_t>(b)] += notional;
    }
  }
  map_cursor_ = end;
  if (map_cursor_ >= n) {
    stats_.underwater = map_underwater_;
    for (uint32_t m = 0; m < mk_.size(); ++m) {
      map_work_[m].computed_ms = now_ms_;
      map_work_[m].passes = ++map_passes_;
      snaps_.maps[m].store(map_work_[m]);
    }
    map_cursor_ = 0;
  }
}

// ---- output ---------------------------------------------------------------

void CoreStage::note(ExecCommand c) {
  if (pending_.empty() && rings_.commands && rings_.commands->try_push(c)) return;
  if (pending_.size() < kPendingCap) {
    ++stats_.exec_ring_full;
    pending_.push_back(c);
    return;
  }
  // Should not happen: plan_all stops planning when pending_ is full. Counted.
  ++stats_.exec_ring_full;
  ++stats_.rejected_events;
}

void CoreStage::flush_commands() {
  std::size_t i = 0;
  while (i < pending_.size() && rings_.commands && rings_.commands->try_push(pending_[i])) ++i;
  if (i > 0) pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(i));
}

void CoreStage::publish() {
  stats_.now_ms = now_ms_;
  stats_.fund_balance = fund_.balance(0).v;
  stats_.accounts_in_sync = accounts_in_sync_;
  bool prices = true;
  for (const auto& x : mk_) prices = prices && x->has_mark && !x->snap.oracle_stale;
  stats_.prices_in_sync = prices;
  stats_.paused_all = paused_all_;
  stats_.draining = draining_;
  if (core_) {
    const CoreCounters& cc = core_->counters();
    stats_.accounts = ids_.size();
    stats_.positions = core_->store().open_positions();
    stats_.flagged = core_->flagged().size();
    stats_.flagged_total = cc.flagged_total;
    stats_.index_missed = cc.index_missed;
    stats_.audited = cc.audited;
    stats_.rejected_events = std::max<uint64_t>(stats_.rejected_events, cc.rejected);
  }
  uint64_t in_mode = 0;
  for (const auto& s : liq_) in_mode += s->in_mode ? 1 : 0;
  for (const auto& [k, s] : iso_liq_) in_mode += s->in_mode ? 1 : 0;
  stats_.in_liquidation = in_mode;
  // The backstop vault as the core follows it on the account stream.
  const std::optional<uint32_t> vault =
      core_ && cfg_.backstop.account != 0 ? ids_.find(cfg_.backstop.account) : std::nullopt;
  stats_.has_vault = vault.has_value();
  if (vault) {
    const std::span<const Position> vp = core_->store().positions(*vault);
    const MarginSummary vm = cross_margin(core_->store().collateral(*vault), vp, risk_, marks_);
    stats_.vault_collateral = core_->store().collateral(*vault).v;
    stats_.vault_equity = vm.equity.v;
    stats_.vault_mm = vm.mm.v;
    for (auto& x : mk_) x->snap.vault_size = x->snap.vault_entry = 0;
    for (const Position& p : vp)
      if (p.market < mk_.size()) {
        mk_[p.market]->snap.vault_size = p.size.v;
        mk_[p.market]->snap.vault_entry = p.entry.v;
      }
  }
  for (uint32_t m = 0; m < mk_.size(); ++m) {
    MarketState& ms = *mk_[m];
    MarketSnapshot& s = ms.snap;
    s.mark = marks_[m].v;
    s.index = ms.index.v;
    s.book_mid = ms.book_mid.v;
    s.mode = static_cast<uint8_t>(ms.breaker.mode());
    s.manual_pause = ms.breaker.manually_paused();
    s.n_sources = ms.oracle.config().n_sources;
    s.mmr_in_force = risk_[m].n_tiers > 0 ? risk_[m].tiers[0].mmr.v : 0;
    s.realized_vol = ms.vol.sigma_horizon();
    for (int k = 0; k < s.n_sources && k < static_cast<int>(kMaxSources); ++k) {
      uint64_t d = 0;
      for (int w = 1; w < policy::kSourceDropKinds; ++w) d += ms.oracle.dropped(k, static_cast<policy::SourceDrop>(w));
      s.source_dropped[static_cast<std::size_t>(k)] = d;
    }
    stats_.markets[m] = s;
  }
  snaps_.core.store(stats_);
}

}  // namespace liqd::service
