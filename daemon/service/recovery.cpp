#include "daemon/service/recovery.hpp"

#include <algorithm>
#include <map>

#include "daemon/journal/journal.hpp"
#include "executors/orders/client_order_id.hpp"

namespace liqd::service {

RecoveredState recover_state(const std::string& dir, const std::vector<std::string>& markets) {
  RecoveredState st;
  auto market_index = [&](const std::string& s) -> int {
    auto it = std::find(markets.begin(), markets.end(), s);
    return it == markets.end() ? -1 : static_cast<int>(it - markets.begin());
  };
  std::map<std::string, RecoveredOrder> open;  // client order id -> order
  std::map<std::string, std::string> pauses;   // market -> "pause" | "resume"
  ExecCommand pending_decision{};
  bool have_decision = false;
  const journal::RecoveryResult rr = journal::recover(dir, [&](const proto::JournalRecord& r) {
    ++st.records;
    switch (r.body_case()) {
      case proto::JournalRecord::kDecision: {
        const proto::LiquidationDecision& d = r.decision();
        const int m = market_index(d.market());
        st.next_liquidation_seq = std::max<uint32_t>(st.next_liquidation_seq, static_cast<uint32_t>(d.liquidation_seq()) + 1);
        if (m < 0) break;
        pending_decision = ExecCommand{};
        pending_decision.market = static_cast<uint32_t>(m);
        pending_decision.account = d.account_id();
        pending_decision.liquidation_seq = static_cast<uint32_t>(d.liquidation_seq());
        pending_decision.chunk = static_cast<uint16_t>(d.chunk());
        pending_decision.close_long = d.qty() < 0;
        pending_decision.qty = d.qty() < 0 ? -d.qty() : d.qty();
        pending_decision.limit = d.limit_price();
        pending_decision.bankruptcy = d.bankruptcy_price();
        pending_decision.mark = d.mark_price();
        pending_decision.equity = d.equity();
        pending_decision.mm = d.maintenance_margin();
        pending_decision.ts_ms = static_cast<int64_t>(r.ts_ms());
        have_decision = true;
        break;
      }
      case proto::JournalRecord::kOrder: {
        const proto::NewOrder& o = r.order();
        if (have_decision) {
          RecoveredOrder ro;
          ro.cmd = pending_decision;
          ro.cmd.reduce_only = o.reduce_only();
          ro.cmd.ioc = o.immediate_or_cancel();
          ro.cmd.transfer_to = o.transfer_to_account();
          ro.cmd.deleverage = o.deleverage();
          ro.cmd.fee_rate = o.fee_rate();
          open[o.client_order_id()] = ro;
          have_decision = false;
        }
        break;
      }
      case proto::JournalRecord::kOrderUpdate: {
        const proto::OrderUpdate& u = r.order_update();
        auto it = open.find(u.client_order_id());
        if (it == open.end()) break;
        if (u.fill_qty() > 0 && std::find(it->second.fill_ids.begin(), it->second.fill_ids.end(), u.fill_id()) ==
                                    it->second.fill_ids.end()) {
          it->second.fill_ids.push_back(u.fill_id());
          it->second.filled += u.fill_qty();
          ++st.fills;
        }
        switch (u.state()) {
          case proto::OrderUpdate::FILLED:
          case proto::OrderUpdate::REJECTED:
          case proto::OrderUpdate::CANCELLED:
          case proto::OrderUpdate::EXPIRED: open.erase(it); break;
          default: break;
        }
        break;
      }
      case proto::JournalRecord::kFund: st.fund_balance = Quote(r.fund().balance_after()); break;
      case proto::JournalRecord::kAdmin: {
        const proto::AdminAction& a = r.admin();
        if (a.action() == "pause_all") st.paused_all = true;
        if (a.action() == "resume_all") st.paused_all = false;
        if (a.action() == "pause" || a.action() == "resume") pauses[a.target()] = a.action();
        break;
      }
      default: break;
    }
  });
  st.error = rr.error;
  st.torn_tail_dropped = rr.torn_tail_dropped;
  st.next_journal_seq = rr.last_seq + 1;
  for (auto& [id, ro] : open) st.open_orders.push_back(ro);
  for (auto& [m, what] : pauses)
    if (what == "pause") st.paused_markets.push_back(m);
  return st;
}

}  // namespace liqd::service
