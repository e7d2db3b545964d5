#include "core/engine/health_core.hpp"

#include <algorithm>
#include <cassert>

#include "core/index/trigger_math.hpp"

namespace liqd {

const char* to_string(ApplyStatus s) {
  switch (s) {
    case ApplyStatus::Ok: return "ok";
    case ApplyStatus::BadMarket: return "unknown market";
    case ApplyStatus::BadAccount: return "unknown account";
    case ApplyStatus::BadPrice: return "price must be > 0";
    case ApplyStatus::BadAmount: return "bad amount";
    case ApplyStatus::BadRisk: return "bad risk parameters";
    case ApplyStatus::DuplicateSeq: return "duplicate account sequence number";
    case ApplyStatus::NoSuchPosition: return "no such position";
    case ApplyStatus::ModeConflict: return "position already exists in the target margin mode";
    case ApplyStatus::StoreFull: return "account store full";
  }
  return "?";
}

namespace {

// The index needs margin continuous within tiers and mmr ≤ 100 %; the margin
// engine needs product_dp ≥ quote_dp and product_dp ≤ kEquityDp.
bool risk_supported(const MarketRisk& r, int quote_dp) {
  if (r.n_tiers == 0 || r.n_tiers > kMaxTiers) return false;
  if (r.scale.quote_dp != quote_dp) return false;
  if (r.scale.product_dp() < r.scale.quote_dp || r.scale.product_dp() > kEquityDp) return false;
  for (int i = 0; i < r.n_tiers; ++i)
    if (r.tiers[i].mmr.v < 0 || r.tiers[i].mmr.v > kRatioOne) return false;
  return true;
}

}  // namespace

HealthCore::HealthCore(const CoreConfig& cfg, std::span<const MarketRisk> markets, std::span<const Price> marks,
                       SpscRing<Candidate>* out)
    : store_(cfg.max_accounts, cfg.position_pool),
      index_(cfg.max_accounts, cfg.entry_pool, cfg.bucket_bits),
      markets_(markets.begin(), markets.end()),
      marks_(marks.begin(), marks.end()),
      index_prices_(marks.begin(), marks.end()),
      last_prices_(marks.begin(), marks.end()),
      out_(out),
      state_(cfg.max_accounts, 0),
      set_pos_(cfg.max_accounts, 0),
      pending_(cfg.max_accounts, 0) {
  assert(markets.size() == marks.size() && !markets.empty());
  // Touch the memory now (resize, then clear keeps the capacity), so a crash
  // that flags many accounts at once takes no page faults.
  set_.resize(cfg.max_accounts);
  set_.clear();
  scratch_.resize(cfg.max_accounts);
  scratch_.clear();
  for (uint32_t m = 0; m < markets_.size(); ++m) {
    assert(risk_supported(markets_[m], markets_[0].scale.quote_dp));
    assert(marks_[m].v > 0);
    index_.set_market(m, markets_[m], marks_[m]);
  }
}

bool HealthCore::load_account(AccountId a, Quote collateral, std::span<const Position> positions) {
  if (a >= store_.capacity()) return false;
  store_.add_collateral(a, collateral - store_.collateral(a));
  for (const Position& p : positions) {
    if (p.market >= markets_.size()) return false;
    if (store_.set_position(a, p) != StoreError::Ok) return false;
  }
  rearm(a);
  return true;
}

ApplyStatus HealthCore::apply(const Event& e) {
  ++counters_.events;
  if (e.ts_ns > now_) now_ = e.ts_ns;
  if (pending_count_ > 0) drain_pending();
  // An open oracle round ends with any event that is not one of its prices.
  if (round_open_ && e.type != EventType::PriceUpdate) close_round();
  ApplyStatus s = ApplyStatus::Ok;
  switch (e.type) {
    case EventType::PriceUpdate: s = apply_price(e); break;
    case EventType::Deposit:
    case EventType::Withdrawal:
    case EventType::Fill:
    case EventType::Funding:
    case EventType::ModeChange: s = apply_account(e); break;
    case EventType::RiskChange: s = apply_market_risk(e); break;
    case EventType::MarketFunding: s = apply_market_funding(e); break;
    case EventType::Clock: break;
  }
  if (s != ApplyStatus::Ok) ++counters_.rejected;
  return s;
}

ApplyStatus HealthCore::apply_price(const Event& e) {
  if (e.market >= markets_.size() || e.a <= 0) {
    if (round_open_ && !e.more) close_round();  // a bad last price still ends its round
    return e.market >= markets_.size() ? ApplyStatus::BadMarket : ApplyStatus::BadPrice;
  }
  ++counters_.price_events;
  const uint32_t m = e.market;
  if (e.b > 0) index_prices_[m] = Price(e.b);
  if (e.c > 0) last_prices_[m] = Price(e.c);
  const int64_t p0 = marks_[m].v, p1 = e.a;
  if (!round_open_) scratch_.clear();
  if (p0 != p1) {
    marks_[m] = Price(p1);
    // Accounts fired here have their generation bumped: if a later price of
    // the same round crosses their keys in another market, those entries are
    // stale and they are not collected twice.
    index_.on_tick(m, p0, p1, scratch_, &store_);
  }
  round_open_ = e.more;
  if (!e.more) rearm_batch();
  return ApplyStatus::Ok;
}

void HealthCore::close_round() {
  round_open_ = false;
  rearm_batch();
}

ApplyStatus HealthCore::apply_account(const Event& e) {
  const AccountId a = e.account;
  if (a >= store_.capacity()) return ApplyStatus::BadAccount;
  if (e.seq != 0) {
    if (e.seq <= last_seq_) { ++counters_.seq_duplicates; return ApplyStatus::DuplicateSeq; }
    if (last_seq_ != 0 && e.seq > last_seq_ + 1) counters_.seq_gaps += e.seq - last_seq_ - 1;
    last_seq_ = e.seq;
  }
  ++counters_.account_events;
  switch (e.type) {
    case EventType::Deposit:
      if (e.a <= 0) return ApplyStatus::BadAmount;
      store_.add_collateral(a, Quote(e.a));
      break;
    case EventType::Withdrawal:
      if (e.a <= 0) return ApplyStatus::BadAmount;
      store_.add_collateral(a, Quote(-e.a));
      break;
    case EventType::Funding:
      if (e.isolated) {
        if (e.market >= markets_.size()) return ApplyStatus::BadMarket;
        Position* p = store_.find(a, e.market, true);
        if (!p) return ApplyStatus::NoSuchPosition;
        p->isolated_margin += Quote(e.a);
      } else {
        store_.add_collateral(a, Quote(e.a));
      }
      break;
    case EventType::Fill: {
      if (e.market >= markets_.size()) return ApplyStatus::BadMarket;
      if (e.b < 0) return ApplyStatus::BadAmount;  // isolated margin may be < 0: an underwater isolated position
      Position p;
      p.market = e.market;
      p.size = Qty(e.a);
      p.entry = Price(e.b);
      p.isolated = e.isolated;
      p.isolated_margin = e.isolated ? Quote(e.c) : Quote(0);
      if (store_.set_position(a, p) != StoreError::Ok) return ApplyStatus::StoreFull;
      store_.add_collateral(a, Quote(e.d));
      break;
    }
    case EventType::ModeChange: {
      if (e.market >= markets_.size()) return ApplyStatus::BadMarket;
      const bool to_iso = e.isolated;
      if (to_iso && e.a < 0) return ApplyStatus::BadAmount;
      Position* p = store_.find(a, e.market, !to_iso);
      if (!p) return ApplyStatus::NoSuchPosition;
      if (store_.find(a, e.market, to_iso)) return ApplyStatus::ModeConflict;
      if (to_iso) {
        store_.add_collateral(a, Quote(-e.a));
        p->isolated = true;
        p->isolated_margin = Quote(e.a);
      } else {
        store_.add_collateral(a, p->isolated_margin);
        p->isolated = false;
        p->isolated_margin = Quote(0);
      }
      break;
    }
    default: return ApplyStatus::BadAccount;
  }
  rearm(a);
  return ApplyStatus::Ok;
}

ApplyStatus HealthCore::apply_market_risk(const Event& e) {
  if (e.market >= markets_.size()) return ApplyStatus::BadMarket;
  if (!e.risk || !risk_supported(*e.risk, markets_[0].scale.quote_dp)) return ApplyStatus::BadRisk;
  if (e.risk->scale.price_dp != markets_[e.market].scale.price_dp ||
      e.risk->scale.qty_dp != markets_[e.market].scale.qty_dp)
    return ApplyStatus::BadRisk;  // positions are stored in the market's units
  ++counters_.market_events;
  markets_[e.market] = *e.risk;
  index_.set_market(e.market, markets_[e.market], marks_[e.market]);
  scratch_.clear();
  index_.collect_market(e.market, scratch_);
  counters_.market_rearms += scratch_.size();
  for (AccountId a : scratch_) rearm(a);
  return ApplyStatus::Ok;
}

ApplyStatus HealthCore::apply_market_funding(const Event& e) {
  if (e.market >= markets_.size()) return ApplyStatus::BadMarket;
  ++counters_.market_events;
  const uint32_t m = e.market;
  const MarketRisk& r = markets_[m];
  const i128 den = pow10_fast(r.scale.product_dp() - r.scale.quote_dp + kRatioDp);
  scratch_.clear();
  index_.collect_market(m, scratch_);
  counters_.market_rearms += scratch_.size();
  for (AccountId a : scratch_) {
    for (Position& p : store_.positions_mut(a)) {
      if (p.market != m) continue;
      // Longs pay size × mark × rate when the rate is positive; the payer's
      // side rounds against the account (floor of what it receives).
      const i128 pay = -static_cast<i128>(p.size.v) * marks_[m].v * e.a;
      const Quote q(static_cast<int64_t>(div_round(pay, den, Round::Floor)));
      if (p.isolated) p.isolated_margin += q;
      else store_.add_collateral(a, q);
    }
    rearm(a);
  }
  return ApplyStatus::Ok;
}

// Re-arm every account in scratch_. A big batch (a crash tick) is sorted by id,
// which turns random account and position reads into a forward sweep; the
// record and home block of the account a few places ahead are prefetched (the
// first ones were, as they fired). Deterministic.
void HealthCore::rearm_batch() {
  const std::size_t n = scratch_.size();
  if (n > 256) std::sort(scratch_.begin(), scratch_.end());
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) {
      store_.prefetch(scratch_[i + kAhead]);
      index_.prefetch(scratch_[i + kAhead]);
      __builtin_prefetch(&state_[scratch_[i + kAhead]], 1);
      index_.prefetch_entries();
    }
    rearm(scratch_[i]);
  }
}

void HealthCore::rearm(AccountId a) {
  const AccountHealth h = index_.arm(a, store_, markets_, marks_);
  set_status(a, h);
}

void HealthCore::set_status(AccountId a, const AccountHealth& h) {
  const bool was = (state_[a] & kFlagged) != 0;
  if (h.flagged == was) return;
  if (h.flagged) {
    state_[a] |= kFlagged;
    set_pos_[a] = static_cast<uint32_t>(set_.size());
    set_.push_back(a);
    ++counters_.flagged_total;
  } else {
    state_[a] &= static_cast<uint8_t>(~kFlagged);
    const uint32_t i = set_pos_[a];
    const AccountId last = set_.back();
    set_[i] = last;
    set_pos_[last] = i;
    set_.pop_back();
    ++counters_.recovered_total;
  }
  notify(a, &h);
}

// The account's status changed: tell the planner now if the ring has room and
// nobody is queued ahead; otherwise queue the account (once) for later.
void HealthCore::notify(AccountId a, const AccountHealth* h) {
  if (!out_) return;
  if (state_[a] & kQueued) return;  // the queued entry will send the latest status
  if (pending_count_ == 0 && try_dispatch(a, h)) return;
  state_[a] |= kQueued;
  pending_[(pending_head_ + pending_count_) % pending_.size()] = a;
  ++pending_count_;
}

// Sends what the planner must know about `a` now (`h`: its evaluation at this
// event, or null to evaluate afresh). Returns false if the ring is full.
bool HealthCore::try_dispatch(AccountId a, const AccountHealth* h_now) {
  const bool flagged = (state_[a] & kFlagged) != 0;
  const bool dispatched = (state_[a] & kDispatched) != 0;
  if (flagged == dispatched) return true;  // nothing new to say
  Candidate c;
  c.kind = flagged ? CandidateKind::Flagged : CandidateKind::Recovered;
  c.account = a;
  c.ts_ns = now_;
  c.event_no = counters_.events;
  if (flagged) {
    const AccountHealth h =
        h_now ? *h_now : HealthIndex::evaluate(store_.collateral(a), store_.positions(a), markets_, marks_);
    c.isolated = h.isolated;
    c.market = h.market;
    c.equity = h.equity;
    c.mm = h.mm;
  }
  if (!out_->try_push(c)) {
    ++counters_.out_ring_full;
    return false;
  }
  ++counters_.dispatched;
  state_[a] ^= kDispatched;
  return true;
}

void HealthCore::drain_pending() {
  while (pending_count_ > 0) {
    const AccountId a = pending_[pending_head_];
    if (!try_dispatch(a, nullptr)) return;
    state_[a] &= static_cast<uint8_t>(~kQueued);
    pending_head_ = (pending_head_ + 1) % pending_.size();
    --pending_count_;
  }
}

uint64_t HealthCore::audit_step(uint32_t budget) {
  if (round_open_) return 0;  // mid-round the set is exact only once the round ends
  const uint32_t n = store_.capacity();
  uint64_t missed = 0;
  for (uint32_t k = 0; k < budget && n > 0; ++k) {
    const AccountId a = audit_cursor_;
    audit_cursor_ = audit_cursor_ + 1 == n ? 0 : audit_cursor_ + 1;
    ++counters_.audited;
    const AccountHealth h = HealthIndex::evaluate(store_.collateral(a), store_.positions(a), markets_, marks_);
    if (h.flagged != is_flagged(a)) {
      ++missed;
      ++counters_.index_missed;
      rearm(a);  // repair: exact status and fresh keys
    }
  }
  return missed;
}

void HealthCore::publish(CoreSnapshot& snap) const {
  CoreSnapshot::Payload p{};
  p[0] = counters_.events;
  p[1] = static_cast<uint64_t>(now_);
  p[2] = set_.size();
  p[3] = counters_.flagged_total;
  p[4] = counters_.out_ring_full;
  p[5] = counters_.index_missed;
  p[6] = index_.counters().evals;
  const std::size_t n = std::min(markets_.size(), kSnapshotMarkets);
  p[7] = n;
  for (std::size_t m = 0; m < n; ++m) {
    p[8 + 3 * m] = static_cast<uint64_t>(marks_[m].v);
    p[9 + 3 * m] = static_cast<uint64_t>(index_prices_[m].v);
    p[10 + 3 * m] = static_cast<uint64_t>(last_prices_[m].v);
  }
  snap.store(p);
}

std::size_t HealthCore::bytes() const {
  return store_.bytes() + index_.bytes() + state_.capacity() + set_pos_.capacity() * sizeof(uint32_t) +
         set_.capacity() * sizeof(AccountId) + pending_.capacity() * sizeof(AccountId) +
         scratch_.capacity() * sizeof(AccountId);
}

}  // namespace liqd
