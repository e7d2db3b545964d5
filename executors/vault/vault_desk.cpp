#include "executors/vault/vault_desk.hpp"

namespace liqd::exec::vault {

const char* to_string(HedgeOutcome o) {
  switch (o) {
    case HedgeOutcome::Sent: return "sent";
    case HedgeOutcome::Filled: return "filled";
    case HedgeOutcome::Partial: return "partial";
    case HedgeOutcome::NoFill: return "no_fill";
    case HedgeOutcome::Refused: return "refused";
  }
  return "?";
}

namespace {

// Hedge chunks carry the high bit: a liquidation's chunks count up from 0 and
// never get near it, so a hedge id is never a liquidation order's id.
constexpr uint16_t kHedgeChunk = 0x8000;
constexpr int64_t kCompactEveryMs = 1'000;
constexpr int64_t kKeepEndedMs = 5'000;

// Venues that count whole contracts of a fixed size (inverse, or a multiplier
// other than one base unit) take whole contracts only.
bool contract_counted(const ContractSpec& s) {
  return s.kind == ContractKind::Inverse || static_cast<i128>(s.multiplier) != pow10_i128(s.multiplier_dp);
}

}  // namespace

// One hedge venue: its tracker, and the tracker's and adapter's callbacks.
struct VaultDesk::Venue final : TrackerOutput, UpdateSink {
  Venue(VaultDesk& d, uint32_t i, int c, HedgeVenue* v) : desk(d), index(i), contract(c), hv(v) {
    if (hv) tracker = std::make_unique<OrderTracker>(d.cfg_.tracker, *this);
  }
  VaultDesk& desk;
  uint32_t index;
  int contract;
  HedgeVenue* hv;
  std::unique_ptr<OrderTracker> tracker;   // only for a connected venue
  bool was_connected = false;
  bool quoted = false;     // marked at its own mid (else at this venue's mark)
  int64_t now_ms = 0, next_compact_ms = 0;
  std::array<uint64_t, kHedgeOutcomes> outcomes{};
  bool recovering = false;   // restore_open_hedge(): into the tracker, nothing leaves

  void send_new(const OrderRequest& r) override {
    if (!recovering) hv->adapter().send_new(r);
  }
  void send_cancel(const ClientOrderId& id) override { hv->adapter().send_cancel(id); }
  void send_query(const ClientOrderId& id) override { hv->adapter().send_query(id); }
  void fill(const FillReport& f) override { desk.on_hedge_fill(index, f); }
  // The remainder is not rerouted order by order: the next round hedges what the
  // market's net exposure still lacks.
  void reroute(const OrderRequest&, Qty) override {}
  void on_update(const VenueUpdate& u) override {
    // Journaled before it is applied; a fill counted before is not journaled
    // again, so the journal holds each (order, fill id) once.
    if (desk.journal_ && !tracker->is_duplicate_fill(u)) desk.journal_->hedge_update(index, u);
    tracker->on_update(u, now_ms);
  }
};

VaultDesk::VaultDesk(DeskConfig cfg) : cfg_(std::move(cfg)) {
  for (const DeskMarket& m : cfg_.markets) own_.push_back(book_.add_contract(m.own));
  for (uint32_t h = 0; h < cfg_.hedges.size(); ++h) {
    const int c = book_.add_contract(cfg_.hedges[h].contract);
    hedge_.push_back(std::make_unique<Venue>(*this, h, c, cfg_.hedges[h].venue));
  }
  mkt_.resize(cfg_.markets.size());
  open_.reserve(cfg_.max_open);
}

VaultDesk::~VaultDesk() = default;

int VaultDesk::hedge_contract(std::size_t h) const { return hedge_[h]->contract; }
uint64_t VaultDesk::hedge_orders(std::size_t h, HedgeOutcome o) const {
  return hedge_[h]->outcomes[static_cast<std::size_t>(o)];
}

VaultError VaultDesk::on_transfer_fill(uint32_t m, Side vault_side, Qty qty, Price px, uint32_t liquidation_seq) {
  if (m >= own_.size()) return VaultError::UnknownContract;
  // The liquidated account pays the liquidation fee to the fund; the vault takes
  // the position at the transfer price and pays nothing for it.
  const VaultError e = book_.on_fill(own_[m], vault_side, qty, px, 0);
  if (e != VaultError::Ok) {
    ++errors_;
    return e;
  }
  ++transfer_fills_;
  MarketState& st = mkt_[m];
  if (st.seq != liquidation_seq) {
    st.seq = liquidation_seq;
    st.round = 0;
  }
  st.last_px = px;
  st.dirty = true;
  st.retry_at = 0;   // new inventory: hedge it now, whatever the last round found
  return VaultError::Ok;
}

VaultError VaultDesk::restore_transfer_fill(uint32_t m, Side vault_side, Qty qty, Price px, uint32_t liquidation_seq) {
  const VaultError e = on_transfer_fill(m, vault_side, qty, px, liquidation_seq);
  if (e == VaultError::Ok) ++restored_transfers_;
  return e;
}

VaultError VaultDesk::restore_hedge_fill(uint32_t h, Side side, Qty qty, Price px, i128 fee) {
  if (h >= hedge_.size()) return VaultError::UnknownContract;
  const VaultError e = book_.on_fill(hedge_[h]->contract, side, qty, px, fee);
  if (e != VaultError::Ok) ++errors_;
  return e;
}

bool VaultDesk::restore_open_hedge(uint32_t h, const OrderRequest& r, std::span<const uint64_t> fill_ids, Qty filled,
                                   i128 filled_quote, int64_t now_ms) {
  if (h >= hedge_.size() || !hedge_[h]->tracker || open_.size() >= cfg_.max_open) return false;
  Venue& v = *hedge_[h];
  v.recovering = true;
  const SubmitResult s = v.tracker->submit(r, now_ms);
  v.recovering = false;
  if (s != SubmitResult::Sent) return false;
  if (!v.tracker->restore_fills(r.id, fill_ids.data(), static_cast<int>(fill_ids.size()), filled)) return false;
  v.hv->adapter().restore_order(r.id, filled, filled_quote);
  open_.push_back(Open{r.id, h, r.side, r.qty.v, filled.v});
  return true;
}

// Not in restore_open_hedge(): a tracker with an unknown order refuses every
// submit, so a second hedge restored on that venue would be lost.
void VaultDesk::finish_restore() {
  for (auto& v : hedge_) {
    bool restored = false;
    for (const Open& o : open_) restored = restored || o.hedge == v->index;
    if (!restored) continue;
    // Unknown until the venue answers the query the reconnect sends (the desk's
    // first turn sees the adapter come up).
    v->tracker->on_disconnect();
    v->was_connected = false;
  }
}

void VaultDesk::restore_round(uint32_t m, uint32_t liquidation_seq, uint16_t round) {
  if (m >= mkt_.size()) return;
  MarketState& st = mkt_[m];
  // Only the rounds of the transfer the market is on: a later transfer's seq
  // starts its rounds at 0, and its ids differ by the seq.
  if (st.seq == liquidation_seq && st.round <= round) st.round = static_cast<uint16_t>(round + 1);
}

int VaultDesk::find_hedge(const std::string& venue, uint32_t m) const {
  for (const auto& v : hedge_)
    if (cfg_.hedges[v->index].market == m && book_.spec(v->contract).venue == venue) return static_cast<int>(v->index);
  return -1;
}

void VaultDesk::set_mark(uint32_t m, Price mark) {
  if (m >= own_.size() || mark.v <= 0) return;
  book_.set_mark(own_[m], mark);
  // Hedge venues without a price of their own (not connected, or no depth) are
  // marked at this venue's mark: basis 0 until they quote.
  for (const auto& v : hedge_)
    if (cfg_.hedges[v->index].market == m && !v->quoted) book_.set_mark(v->contract, mark);
}

void VaultDesk::set_own_collateral(uint32_t m, i128 amount) {
  if (m >= own_.size()) return;
  const ContractSpec& s = book_.spec(own_[m]);
  book_.set_collateral(s.venue, s.settle_asset(), s.settle_dp, amount);
}

int VaultDesk::turn(int64_t now_ms) {
  int n = 0;
  for (auto& vp : hedge_) {
    Venue& v = *vp;
    if (!v.tracker) continue;
    v.now_ms = now_ms;
    VenueAdapter& a = v.hv->adapter();
    if (a.connected() != v.was_connected) {
      v.was_connected = a.connected();
      if (v.was_connected) v.tracker->on_reconnect(now_ms);
      else v.tracker->on_disconnect();
    }
    n += a.poll(v);
    v.tracker->on_timer(now_ms);
    if (now_ms >= v.next_compact_ms) {
      v.tracker->compact(now_ms, kKeepEndedMs);
      v.next_compact_ms = now_ms + kCompactEveryMs;
    }
    // The venue's own price marks its contract (mid of its top levels), so the
    // basis against this venue's mark is what the hedge actually trades at.
    const std::span<const Level> bids = v.hv->depth(Side::Sell), asks = v.hv->depth(Side::Buy);
    v.quoted = !bids.empty() && !asks.empty();
    if (v.quoted) book_.set_mark(v.contract, Price((bids[0].px.v + asks[0].px.v) / 2));
  }
  const std::size_t before = open_.size();
  end_finished();
  n += static_cast<int>(before - open_.size());
  for (uint32_t m = 0; m < mkt_.size(); ++m) {
    MarketState& st = mkt_[m];
    if (!st.dirty || now_ms < st.retry_at || round_open(m)) continue;
    hedge_market(m, now_ms);
    ++n;
  }
  return n;
}

void VaultDesk::on_hedge_fill(uint32_t h, const FillReport& f) {
  Venue& v = *hedge_[h];
  // The venue reports its fee in the settlement asset's units (quote for a linear contract).
  if (book_.on_fill(v.contract, f.side, f.qty, f.price, f.fee.v) != VaultError::Ok) ++errors_;
  for (Open& o : open_)
    if (o.hedge == h && o.id == f.id) {
      o.filled += f.qty.v;
      break;
    }
}

bool VaultDesk::round_open(uint32_t m) const {
  for (const Open& o : open_)
    if (cfg_.hedges[o.hedge].market == m) return true;
  return false;
}

void VaultDesk::end_finished() {
  for (std::size_t i = 0; i < open_.size();) {
    const Open o = open_[i];
    Venue& v = *hedge_[o.hedge];
    const OrderTracker::Order* t = v.tracker->find(o.id);
    if (t && (!is_terminal(t->state) || t->unknown)) {
      ++i;
      continue;
    }
    const HedgeOutcome out = o.filled >= o.qty ? HedgeOutcome::Filled : o.filled > 0 ? HedgeOutcome::Partial : HedgeOutcome::NoFill;
    ++v.outcomes[static_cast<std::size_t>(out)];
    const uint32_t m = cfg_.hedges[o.hedge].market;
    MarketState& st = mkt_[m];
    if (o.filled > 0) ++st.round_filled_orders;
    open_[i] = open_.back();
    open_.pop_back();
    if (!round_open(m)) {
      // Round over: whatever is still unhedged goes in the next one, at once if
      // this one filled something, else after retry_ms.
      st.dirty = true;
      if (st.round_filled_orders == 0) st.retry_at = v.now_ms + cfg_.retry_ms;
      st.round_filled_orders = 0;
    }
  }
}

bool VaultDesk::hedged_in_own_units(uint32_t m, i128& out) const {
  out = 0;
  const int own = own_[m];
  const Price own_px = book_.mark(own).v > 0 ? book_.mark(own) : mkt_[m].last_px;
  for (const auto& v : hedge_) {
    if (cfg_.hedges[v->index].market != m) continue;
    int64_t q = book_.position(v->contract).v;
    for (const Open& o : open_)
      if (o.hedge == v->index) q += (o.side == Side::Buy ? 1 : -1) * (o.qty - o.filled);
    if (q == 0) continue;
    const Price px = book_.mark(v->contract).v > 0 ? book_.mark(v->contract) : own_px;
    Qty x{0};
    if (!convert_contracts(book_.spec(v->contract), Qty(q), px, book_.spec(own), own_px, Round::TowardZero, x)) return false;
    out += x.v;
  }
  return true;
}

Qty VaultDesk::unhedged(uint32_t m) const {
  i128 hedged = 0;
  if (m >= own_.size() || !hedged_in_own_units(m, hedged)) return Qty(0);
  const i128 r = book_.position(own_[m]).v + hedged;
  return fits_i64(r) ? Qty(static_cast<int64_t>(r)) : Qty(0);
}

void VaultDesk::hedge_market(uint32_t m, int64_t now_ms) {
  MarketState& st = mkt_[m];
  st.dirty = false;
  i128 hedged = 0;
  if (!hedged_in_own_units(m, hedged)) {
    ++errors_;
    return;
  }
  const i128 resid = book_.position(own_[m]).v + hedged;
  if (resid == 0 || !fits_i64(resid)) return;
  // Same side as the liquidation: a vault long (from a liquidated long) is sold.
  const Side side = resid > 0 ? Side::Sell : Side::Buy;
  const int64_t qty = static_cast<int64_t>(resid > 0 ? resid : -resid);
  const Price ref = book_.mark(own_[m]).v > 0 ? book_.mark(own_[m]) : st.last_px;
  if (ref.v <= 0) return;
  // The limit keeps the hedge within max_slippage of the reference, rounded inside it.
  const i128 f = side == Side::Sell ? kRatioOne - cfg_.max_slippage.v : kRatioOne + cfg_.max_slippage.v;
  const i128 lim = div_round(static_cast<i128>(ref.v) * f, kRatioOne, side == Side::Sell ? Round::Ceil : Round::Floor);
  if (lim <= 0 || !fits_i64(lim)) return;

  std::array<VenueInput, kMaxVenues> in{};
  std::array<uint32_t, kMaxVenues> which{};
  std::size_t k = 0;
  for (const auto& v : hedge_) {
    if (k == in.size()) break;
    const DeskHedge& dh = cfg_.hedges[v->index];
    if (dh.market != m || !v->tracker) continue;
    VenueInput vi = dh.params;
    vi.levels = v->hv->depth(side);
    vi.healthy = v->hv->adapter().connected() && !v->tracker->blocked() && v->tracker->room() > 0;
    in[k] = vi;
    which[k++] = v->index;
  }
  if (k == 0) return;   // nothing to hedge on: the exposure stays (metrics show it)
  RouteOrder order;
  order.side = side;
  order.qty = Qty(qty);
  order.limit = Price(static_cast<int64_t>(lim));
  order.urgency = Urgency::High;
  RoutePlan plan;
  if (router_.route(order, std::span<const VenueInput>(in.data(), k), plan) != RouteError::Ok) {
    ++errors_;
    return;
  }
  if (plan.n_children == 0) {
    // Nothing inside the limit now (or venues down): look again later. Below
    // every venue's minimum (dust) waits for the next transfer instead.
    if (plan.remainder.action == RemainderAction::Retry) {
      st.dirty = true;
      st.retry_at = now_ms + cfg_.retry_ms;
    }
    return;
  }
  OrderKey key{cfg_.vault_account, static_cast<uint16_t>(m), st.seq, static_cast<uint16_t>(kHedgeChunk | (st.round & 0x7fff))};
  const uint16_t round = static_cast<uint16_t>(st.round & 0x7fff);
  ++st.round;
  const ClientOrderId id = make_client_order_id(key);
  const ContractSpec& own = book_.spec(own_[m]);
  bool sent = false, dust = false;
  // The round's orders first, then the journal, then the wire.
  std::array<OrderRequest, kMaxVenues> reqs{};
  std::array<HedgeNote, kMaxVenues> notes{};
  std::size_t n = 0;
  for (int c = 0; c < plan.n_children; ++c) {
    const Child& ch = plan.children[c];
    Venue& v = *hedge_[which[ch.venue]];
    const ContractSpec& hs = book_.spec(v.contract);
    Qty cq{0};
    if (!convert_contracts(own, ch.qty, ch.limit_price, hs, ch.limit_price, Round::TowardZero, cq)) {
      ++errors_;
      ++v.outcomes[static_cast<std::size_t>(HedgeOutcome::Refused)];
      continue;
    }
    if (contract_counted(hs)) cq.v -= cq.v % static_cast<int64_t>(pow10_i128(hs.qty_dp));
    if (cq.v <= 0) {
      // Less than one of the venue's contracts (an inverse position's base moves
      // with the price): dust, left until the next transfer adds to it.
      dust = true;
      continue;
    }
    if (open_.size() + n >= cfg_.max_open) {
      ++v.outcomes[static_cast<std::size_t>(HedgeOutcome::Refused)];
      continue;
    }
    OrderRequest& r = reqs[n];
    r.id = id;
    r.key = key;
    r.side = side;
    r.qty = cq;
    r.limit = ch.limit_price;
    r.reduce_only = false;   // the hedge opens the vault's position on that venue
    r.ioc = true;
    notes[n] = HedgeNote{v.index, &reqs[n], st.seq, round};
    ++n;
  }
  if (n > 0 && journal_ && !journal_->hedges_placed(std::span<const HedgeNote>(notes.data(), n))) {
    // Not durable: nothing leaves; the market is looked at again after retry_ms.
    for (std::size_t i = 0; i < n; ++i) ++hedge_[notes[i].hedge]->outcomes[static_cast<std::size_t>(HedgeOutcome::Refused)];
    n = 0;
  }
  for (std::size_t i = 0; i < n; ++i) {
    Venue& v = *hedge_[notes[i].hedge];
    v.now_ms = now_ms;
    if (v.tracker->submit(reqs[i], now_ms) != SubmitResult::Sent) {
      ++v.outcomes[static_cast<std::size_t>(HedgeOutcome::Refused)];
      continue;
    }
    ++v.outcomes[static_cast<std::size_t>(HedgeOutcome::Sent)];
    open_.push_back(Open{id, v.index, side, reqs[i].qty.v, 0});
    sent = true;
  }
  if (!sent && !dust) {
    st.dirty = true;
    st.retry_at = now_ms + cfg_.retry_ms;
  }
}

}  // namespace liqd::exec::vault
