// CoreStage after a restart: the journal's view of the planner (recovery.cpp)
// turned back into core state, and the unit records that keep that view current.
#include <cassert>

#include "core/policy/prices/liquidation_prices.hpp"
#include "daemon/service/core_stage.hpp"

namespace liqd::service {

static_assert(std::tuple_size_v<decltype(UnitWire{}.no_fill)> == policy::kNoFillSlots,
              "UnitWire carries every no-fill back-off slot");

UnitWire CoreStage::wire_of(const policy::AccountLiqState& ls) {
  UnitWire w;
  w.in_mode = ls.in_mode;
  w.last_chunk_ms = ls.last_chunk_ms;
  w.no_liquidity_mask = ls.no_liquidity_mask;
  w.backstop_refused_mask = ls.backstop_refused_mask;
  for (std::size_t k = 0; k < w.no_fill.size(); ++k)
    w.no_fill[k] = UnitWire::NoFill{ls.no_fill[k].market, ls.no_fill[k].streak, ls.no_fill[k].until};
  w.settled_shortfall = ls.settled_shortfall.v;
  return w;
}

void CoreStage::apply_wire(policy::AccountLiqState& ls, const UnitWire& w) {
  ls.in_mode = w.in_mode;
  ls.last_chunk_ms = w.last_chunk_ms;
  ls.no_liquidity_mask = w.no_liquidity_mask;
  ls.backstop_refused_mask = w.backstop_refused_mask;
  for (std::size_t k = 0; k < w.no_fill.size(); ++k)
    ls.no_fill[k] = policy::NoFillBackoff{w.no_fill[k].market, w.no_fill[k].streak, w.no_fill[k].until_ms};
  ls.settled_shortfall = Quote(w.settled_shortfall);
}

ExecCommand CoreStage::unit_note(AccountId a, bool isolated, uint32_t m, const policy::AccountLiqState& ls) const {
  ExecCommand c;
  c.kind = ExecKind::Journal;
  c.note = NoteKind::Unit;
  c.account = venue_id_[a];
  c.market = isolated ? m : 0;
  c.isolated = isolated;
  c.ts_ms = now_ms_;
  c.has_unit = true;
  c.unit = wire_of(ls);
  return c;
}

// At construction: the planner's rate windows get back every order they counted;
// orders still open take their in-flight slots again (their units stay busy until
// the executor's reconcile ends them, their worst case stays reserved); unit
// states wait for their accounts.
void CoreStage::restore_recovered() {
  policy::AccountLiqState scratch;  // the windows are the planner's; per-unit effects are not wanted here
  for (const RecoveredIoc& x : cfg_.recovered_iocs) {
    if (x.market >= mk_.size() || x.qty <= 0) continue;
    policy::LiqOrder o{};
    o.market = x.market;
    o.kind = policy::OrderKind::Ioc;
    o.qty = Qty(x.qty);
    o.notional = Quote(x.notional);
    planner_->on_dispatched(scratch, o, x.sent_ms);
    if (x.ended) planner_->on_order_end(scratch, x.market, Qty(x.filled), x.sent_ms);
    scratch = policy::AccountLiqState{};  // still open: its end credits the windows back then
  }
  for (const RecoveredUnit& u : cfg_.recovered_units) recovered_units_[u.account].push_back(u);
  for (const RecoveredOrder& ro : cfg_.recovered_orders) {
    const ExecCommand& c = ro.cmd;
    if (c.market >= mk_.size()) continue;
    InFlight& slot = in_flight_[c.liquidation_seq % kInFlightSlots];
    if (slot.used) continue;  // cannot happen: fewer than kInFlightSlots orders are ever open
    const uint8_t via = c.deleverage ? 2 : c.transfer_to != 0 ? 1 : 0;
    int64_t reserve = 0;
    if (via <= 1) {  // a transfer at the bankruptcy price has none; a split's transfer can (fee 0, as the venue books it)
      const MarketRisk& mr = risk_[c.market];
      const Quote worst = policy::settle_close(mr, c.close_long, Qty(c.qty), Price(c.limit), Price(c.bankruptcy),
                                               via == 0 ? mr.liquidation_fee : Ratio(0)).shortfall;
      if (worst.v > 0 && worst.v <= fund_.available(0).v - fund_reserved_) reserve = worst.v;
    }
    slot = InFlight{true, kUnresolved, c.market, c.liquidation_seq, c.close_long, c.isolated, Price(c.bankruptcy),
                    Qty(ro.filled - ro.unsettled_qty), reserve, via, kUnresolved, c.qty, INT64_MIN, c.account, via == 2 ? c.transfer_to : 0};
    fund_reserved_ += reserve;
    if (via == 1) {  // its size before is not known: the vault settles on the timeout
      vault_.busy = true;
      vault_.market = c.market;
      vault_.size_before = INT64_MIN / 4;
    }
    recovered_flight_.push_back(RecoveredFlight{
        c.liquidation_seq, policy::InFlightOrder{true, c.market, via == 1 ? policy::OrderKind::BackstopTransfer : policy::OrderKind::Ioc,
                                                 Qty(c.qty), Price(c.limit), Quote(c.window_notional), c.ts_ms}});
    recovered_units_[c.account];  // seed on first sight even without a unit record
    if (via == 2) recovered_units_[c.transfer_to];
  }
}

// First sight of account a since the restart: its units' journaled state, and
// the open orders it is party to.
void CoreStage::seed_account(AccountId a) {
  const auto it = recovered_units_.find(venue_id_[a]);
  if (it == recovered_units_.end()) return;
  for (const RecoveredUnit& u : it->second) apply_wire(liq_state(a, u.isolated, u.market), u.state);
  recovered_units_.erase(it);
  for (const RecoveredFlight& rf : recovered_flight_) {
    InFlight& slot = in_flight_[rf.seq % kInFlightSlots];
    if (!slot.used || slot.seq != rf.seq) continue;  // ended meanwhile
    if (slot.account == kUnresolved && slot.venue_account == venue_id_[a]) {
      slot.account = a;
      // The planner waits for this order as it did before the restart.
      policy::AccountLiqState& ls = liq_state(a, slot.isolated, slot.market);
      for (policy::InFlightOrder& f : ls.in_flight)
        if (!f.active) {
          f = rf.order;
          break;
        }
    }
    if (slot.via == 2 && slot.counterparty == kUnresolved && slot.venue_counterparty == venue_id_[a]) {
      slot.counterparty = a;
      adl_pending_[a] += slot.sent;
    }
  }
}

// A recovered order whose account has not arrived yet gets its dense id now (its
// outcome came first). False: the map is full (counted as a rejected event).
bool CoreStage::resolve(InFlight& slot) {
  if (slot.account != kUnresolved) return true;
  const std::optional<uint32_t> id = ids_.find_or_add(slot.venue_account);
  if (!id) {
    ++stats_.rejected_events;
    return false;
  }
  venue_id_[*id] = slot.venue_account;
  seed_account(*id);
  if (slot.account == kUnresolved) slot.account = *id;  // no unit record: the order alone
  return true;
}

}  // namespace liqd::service
