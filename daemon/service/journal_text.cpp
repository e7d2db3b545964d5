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

}  // namespace liqd::service
