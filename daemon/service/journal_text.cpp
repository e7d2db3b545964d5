#include "daemon/service/journal_text.hpp"

#include "core/policy/breaker/circuit_breaker.hpp"
#include "core/policy/planner/planner.hpp"
#include "executors/orders/client_order_id.hpp"

namespace liqd::service {

const char* admin_action_name(AdminOp op) {
  switch (op) {
    case AdminOp::Account: return "account";
    case AdminOp::Pause: return "pause";
    case AdminOp::Resume: return "resume";
    case AdminOp::PauseAll: return "pause_all";
    case AdminOp::ResumeAll: return "resume_all";
    case AdminOp::DryRunRisk: return "dry_run";
  }
  return "?";
}

namespace {

proto::OrderUpdate::State to_proto(exec::UpdateKind k) {
  switch (k) {
    case exec::UpdateKind::Ack: return proto::OrderUpdate::ACKNOWLEDGED;
    case exec::UpdateKind::Fill: return proto::OrderUpdate::PARTIALLY_FILLED;
    case exec::UpdateKind::Filled: return proto::OrderUpdate::FILLED;
    case exec::UpdateKind::Rejected: return proto::OrderUpdate::REJECTED;
    case exec::UpdateKind::Cancelled: return proto::OrderUpdate::CANCELLED;
    case exec::UpdateKind::Expired: return proto::OrderUpdate::EXPIRED;
    case exec::UpdateKind::NotFound: return proto::OrderUpdate::NOT_FOUND;
  }
  return proto::OrderUpdate::UNKNOWN;
}

}  // namespace

void fill_order_update(proto::OrderUpdate& ou, const exec::VenueUpdate& u) {
  ou.set_client_order_id(std::string(u.id.view()));
  ou.set_state(to_proto(u.kind));
  ou.set_fill_id(u.fill_id);
  ou.set_fill_qty(u.fill_qty.v);
  ou.set_fill_price(u.fill_price.v);
  ou.set_fee(u.fee.v);
  ou.set_cum_qty(u.cum_qty.v);
  ou.set_ts_ms(static_cast<uint64_t>(u.ts_ms));
}

bool ends_order(proto::OrderUpdate::State s) {
  return s == proto::OrderUpdate::FILLED || s == proto::OrderUpdate::REJECTED || s == proto::OrderUpdate::CANCELLED ||
         s == proto::OrderUpdate::EXPIRED;
}

void fill_decision(proto::LiquidationDecision& d, const ExecCommand& c, const std::string& market) {
  d.set_account_id(c.account);
  d.set_market(market);
  d.set_rule(policy::to_string(static_cast<policy::PlanWhy>(c.why)));
  d.set_equity(c.equity);
  d.set_maintenance_margin(c.mm);
  d.set_mark_price(c.mark);
  d.set_qty(c.close_long ? -c.qty : c.qty);
  d.set_limit_price(c.limit);
  d.set_bankruptcy_price(c.bankruptcy);
  d.set_liquidation_seq(c.liquidation_seq);
  d.set_chunk(c.chunk);
  d.set_isolated(c.isolated);
  d.set_window_notional(c.window_notional);
  if (c.split.used) {
    proto::SplitFigures* f = d.mutable_split();
    f->set_order_qty(c.split.order_qty);
    f->set_own_qty(c.split.own_qty);
    f->set_transfer_qty(c.split.transfer_qty);
    f->set_transfer_price(c.split.transfer_price);
    f->set_unfilled(c.split.unfilled);
    f->set_own_only_filled(c.split.own_only_filled);
    f->set_objective(format_decimal(c.split.objective, 0));
    f->set_own_only_objective(format_decimal(c.split.own_only_objective, 0));
    f->set_vault_charge(format_decimal(c.split.vault_charge, 0));
    f->set_exact(c.split.exact);
    f->set_bound(c.split.bound);
  }
}

void fill_unit(proto::LiquidationUnit& u, const ExecCommand& c, const std::vector<std::string>& symbols) {
  const auto name = [&](uint32_t m) { return m < symbols.size() ? symbols[m] : std::to_string(m); };
  const UnitWire& w = c.unit;
  u.set_account_id(c.account);
  u.set_isolated(c.isolated);
  if (c.isolated) u.set_market(name(c.market));
  u.set_in_mode(w.in_mode);
  u.set_last_chunk_ms(w.last_chunk_ms);
  for (uint32_t m = 0; m < 64; ++m) {
    if (w.no_liquidity_mask >> m & 1) u.add_no_liquidity(name(m));
    if (w.backstop_refused_mask >> m & 1) u.add_backstop_refused(name(m));
  }
  for (const UnitWire::NoFill& f : w.no_fill) {
    if (f.streak == 0) continue;
    proto::LiquidationUnit::NoFill* nf = u.add_no_fill();
    nf->set_market(name(f.market));
    nf->set_streak(f.streak);
    nf->set_until_ms(f.until_ms);
  }
  u.set_settled_shortfall(w.settled_shortfall);
}

void fill_order(proto::NewOrder& o, const ExecCommand& c, const std::string& venue_symbol) {
  const exec::OrderKey key{c.account, static_cast<uint16_t>(c.market), c.liquidation_seq, c.chunk};
  o.set_client_order_id(std::string(exec::make_client_order_id(key).view()));
  o.set_account_id(c.account);
  o.set_market(venue_symbol);
  o.set_side(c.close_long ? proto::SELL : proto::BUY);
  o.set_qty(c.qty);
  o.set_limit_price(c.limit);
  o.set_reduce_only(c.reduce_only);
  o.set_immediate_or_cancel(c.ioc);
  o.set_transfer_to_account(c.transfer_to);
  o.set_deleverage(c.deleverage);
  o.set_fee_rate(c.fee_rate);
  o.set_bankruptcy_price(c.bankruptcy);
}

void fill_note(proto::JournalRecord& rec, const ExecCommand& c, const std::string& market) {
  switch (c.note) {
    case NoteKind::Fund: {
      proto::FundMovement* f = rec.mutable_fund();
      f->set_asset("quote");
      f->set_delta(c.delta);
      f->set_balance_after(c.balance_after);
      f->set_reason(std::string(c.text_view()));
      f->set_account_id(c.account);
      f->set_market(market);
      break;
    }
    case NoteKind::Breaker: {
      proto::MarketEvent* e = rec.mutable_market_event();
      e->set_market(market);
      e->set_kind("breaker");
      e->set_from(policy::to_string(static_cast<policy::MarketMode>((c.delta >> 8) & 0xFF)));
      e->set_to(policy::to_string(static_cast<policy::MarketMode>(c.delta & 0xFF)));
      e->set_reason(policy::to_string(static_cast<policy::BreakerReason>(c.why)));
      e->set_measure(c.mm);
      break;
    }
    case NoteKind::Margin:
    case NoteKind::Config: {
      proto::MarketEvent* e = rec.mutable_market_event();
      e->set_market(market);
      e->set_kind(c.note == NoteKind::Margin ? "margin" : "reload");
      e->set_measure(c.delta);
      break;
    }
    case NoteKind::Admin: {
      proto::AdminAction* a = rec.mutable_admin();
      a->set_caller(std::string(c.text_view()));
      const AdminOp op = static_cast<AdminOp>(c.why);
      a->set_action(admin_action_name(op));
      a->set_target(op == AdminOp::Pause || op == AdminOp::Resume ? market : "*");
      break;
    }
    case NoteKind::Uncovered:
    case NoteKind::Backstop: {
      proto::AbsorbRequest* r = rec.mutable_absorb();
      r->set_kind(c.note == NoteKind::Uncovered ? "uncovered" : "backstop");
      r->set_account_id(c.account);
      r->set_market(market);
      r->set_qty(c.qty);
      r->set_bankruptcy_price(c.bankruptcy);
      r->set_amount(c.delta);
      break;
    }
    case NoteKind::Unit: break;  // the LiquidationUnit record alone (fill_unit)
    case NoteKind::Settlement: break;  // several records: fill_settlement
    case NoteKind::PriceMemory: fill_price_memory(*rec.mutable_price_memory(), c.memory, market); break;
  }
}

int fill_settlement(proto::JournalRecord (&out)[3], const ExecCommand& c, const std::string& market,
                    const std::string& client_order_id) {
  int n = 0;
  auto movement = [&](int64_t delta, int64_t balance_after, const char* reason) {
    out[n].Clear();
    out[n].set_ts_ms(static_cast<uint64_t>(c.ts_ms));
    proto::FundMovement* f = out[n++].mutable_fund();
    f->set_asset("quote");
    f->set_delta(delta);
    f->set_balance_after(balance_after);
    f->set_reason(reason);
    f->set_account_id(c.account);
    f->set_market(market);
    f->set_client_order_id(client_order_id);
    f->set_fill_id(c.fill_id);
  };
  if (c.delta != 0) movement(c.delta, c.balance_after, "liquidation_fee");
  if (c.paid > 0) movement(-c.paid, c.paid_balance_after, "shortfall");
  if (c.uncovered > 0) {
    out[n].Clear();
    out[n].set_ts_ms(static_cast<uint64_t>(c.ts_ms));
    proto::AbsorbRequest* r = out[n++].mutable_absorb();
    r->set_kind("uncovered");
    r->set_account_id(c.account);
    r->set_market(market);
    r->set_qty(c.qty);
    r->set_bankruptcy_price(c.bankruptcy);
    r->set_amount(c.uncovered);
    r->set_client_order_id(client_order_id);
    r->set_fill_id(c.fill_id);
  }
  if (n == 0) movement(0, c.balance_after, "fill_settled");
  return n;
}

void fill_price_memory(proto::PriceMemory& r, const PriceMemoryWire& w, const std::string& market) {
  r.set_market(market);
  for (std::size_t k = 0; k < w.oracle.sources.size(); ++k) {
    const policy::IndexOracle::SourceQuote& q = w.oracle.sources[k];
    if (!q.has) continue;
    proto::PriceMemory::Source* s = r.add_sources();
    s->set_index(static_cast<uint32_t>(k));
    s->set_price(q.price.v);
    s->set_conf(q.conf.v);
    s->set_publish_ms(q.publish_ms);
  }
  r.set_oracle_status(static_cast<uint32_t>(w.oracle.status));
  r.set_last_good_index(w.oracle.last_good.v);
  r.set_book_bid(w.mark.bid.v);
  r.set_book_ask(w.mark.ask.v);
  r.set_book_ts_ms(w.mark.book_ts);
  r.set_has_book(w.mark.has_book);
  r.set_last_trade(w.mark.last.v);
  r.set_trade_ts_ms(w.mark.trade_ts);
  r.set_has_trade(w.mark.has_trade);
  r.set_basis_ema(w.mark.basis_ema.v);
  r.set_basis_sample_ms(w.mark.last_sample);
  r.set_basis_sampled(w.mark.sampled);
  r.set_breaker_mode(static_cast<uint32_t>(w.breaker.mode));
  r.set_oracle_stale(w.breaker.oracle_stale);
  r.set_oracle_had_quorum(w.breaker.oracle_had_quorum);
  r.set_seen_throttle(w.breaker.seen_throttle);
  r.set_seen_pause(w.breaker.seen_pause);
  r.set_last_throttle_ms(w.breaker.last_throttle);
  r.set_last_pause_ms(w.breaker.last_pause);
  if (w.slot.id != INT64_MIN) {
    r.set_has_slot(true);
    r.set_slot_id(w.slot.id);
    r.set_slot_lo(w.slot.lo);
    r.set_slot_hi(w.slot.hi);
  }
  r.set_book_mid(w.book_mid);
}

PriceMemoryWire price_memory_of(const proto::PriceMemory& r) {
  PriceMemoryWire w;
  for (const proto::PriceMemory::Source& s : r.sources()) {
    if (s.index() >= w.oracle.sources.size()) continue;
    w.oracle.sources[s.index()] = policy::IndexOracle::SourceQuote{Price(s.price()), Price(s.conf()), s.publish_ms(), true};
  }
  w.oracle.status = static_cast<policy::OracleStatus>(r.oracle_status());
  w.oracle.last_good = Price(r.last_good_index());
  w.mark = policy::MarkPrice::Memory{Price(r.book_bid()), Price(r.book_ask()), Price(r.last_trade()), r.book_ts_ms(),
                                     r.trade_ts_ms(), r.has_book(), r.has_trade(), Price(r.basis_ema()),
                                     r.basis_sample_ms(), r.basis_sampled()};
  w.breaker = policy::CircuitBreaker::Memory{static_cast<policy::MarketMode>(r.breaker_mode()), r.oracle_stale(),
                                             r.oracle_had_quorum(), r.seen_throttle(), r.seen_pause(),
                                             r.last_throttle_ms(), r.last_pause_ms()};
  if (r.has_slot()) w.slot = policy::CircuitBreaker::SlotMemory{r.slot_id(), r.slot_lo(), r.slot_hi()};
  w.book_mid = r.book_mid();
  return w;
}

}  // namespace liqd::service
