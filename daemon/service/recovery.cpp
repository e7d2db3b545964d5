#include "daemon/service/recovery.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "daemon/journal/journal.hpp"
#include "daemon/service/journal_text.hpp"
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
  std::map<std::string, policy::MarketMode> breakers;  // market -> mode after its last change
  struct Memory {
    PriceMemoryWire last;
    std::map<int64_t, policy::CircuitBreaker::SlotMemory> slots;  // by id, the newest kBreakerSlots
  };
  std::map<std::string, Memory> memories;
  std::map<std::tuple<uint64_t, bool, uint32_t>, UnitWire> units;  // (account, isolated, market)
  std::map<std::string, RecoveredIoc> iocs;    // client order id -> IOC (pruned as it goes)
  // Fills journaled and not yet settled (no fund record names them): journal seq -> the
  // core's outcome for it; (client order id, fill id) -> journal seq.
  std::map<uint64_t, OrderOutcome> unsettled;
  std::map<std::pair<std::string, uint64_t>, uint64_t> unsettled_at;
  auto settled = [&](const std::string& id, uint64_t fill_id) {
    if (id.empty()) {
      // A journal from before settlements named their fill: its fund records follow
      // their fills, so every fill so far is settled.
      unsettled.clear();
      unsettled_at.clear();
      return;
    }
    const auto it = unsettled_at.find({id, fill_id});
    if (it == unsettled_at.end()) return;
    unsettled.erase(it->second);
    unsettled_at.erase(it);
  };
  // Hedge orders by (venue, market, client order id) until they end; the last
  // round per market.
  std::map<std::tuple<std::string, uint32_t, std::string>, RecoveredHedge> hedges;
  std::map<uint32_t, RecoveredRound> rounds;
  int64_t last_decision_ms = 0;
  std::size_t next_prune = 4096;
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
        pending_decision.isolated = d.isolated();
        pending_decision.window_notional = d.window_notional();
        last_decision_ms = std::max(last_decision_ms, pending_decision.ts_ms);
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
          if (ro.cmd.window_notional > 0) {
            iocs[o.client_order_id()] = RecoveredIoc{ro.cmd.market, ro.cmd.ts_ms, ro.cmd.qty, ro.cmd.window_notional, 0, false};
            if (iocs.size() > next_prune) {  // a long journal: keep what the windows can still count
              std::erase_if(iocs, [&](const auto& kv) { return kv.second.ended && kv.second.sent_ms < last_decision_ms - kIocWindowMs; });
              next_prune = 2 * iocs.size() + 4096;
            }
          }
          have_decision = false;
        }
        break;
      }
      case proto::JournalRecord::kOrderUpdate: {
        const proto::OrderUpdate& u = r.order_update();
        auto it = open.find(u.client_order_id());
        if (it == open.end()) break;
        const auto ioc = iocs.find(u.client_order_id());
        if (u.fill_qty() > 0 && std::find(it->second.fill_ids.begin(), it->second.fill_ids.end(), u.fill_id()) ==
                                    it->second.fill_ids.end()) {
          it->second.fill_ids.push_back(u.fill_id());
          it->second.filled += u.fill_qty();
          ++st.fills;
          OrderOutcome f = outcome_of(it->second.cmd, OutcomeKind::Fill);
          f.fill_id = u.fill_id();
          f.qty = u.fill_qty();
          f.price = u.fill_price();
          f.fee = u.fee();
          unsettled[r.seq()] = f;
          unsettled_at[{u.client_order_id(), u.fill_id()}] = r.seq();
          if (ioc != iocs.end()) ioc->second.filled = it->second.filled;
          const ExecCommand& c = it->second.cmd;
          if (c.transfer_to != 0 && !c.deleverage) {  // the receiver took the closed side
            RecoveredVaultFill vf;
            vf.market = c.market;
            vf.transfer_to = c.transfer_to;
            vf.buy = c.close_long;
            vf.qty = u.fill_qty();
            vf.price = u.fill_price();
            vf.liquidation_seq = c.liquidation_seq;
            st.vault.fills.push_back(std::move(vf));
          }
        }
        if (ends_order(u.state())) {
          if (ioc != iocs.end()) ioc->second.ended = true;
          open.erase(it);
        }
        break;
      }
      case proto::JournalRecord::kHedgeOrder: {
        const proto::HedgeOrder& h = r.hedge_order();
        const int m = market_index(h.market());
        if (m < 0) break;
        RecoveredHedge rh;
        rh.venue = h.venue();
        rh.market = static_cast<uint32_t>(m);
        rh.client_order_id = h.client_order_id();
        rh.buy = h.buy();
        rh.qty = h.qty();
        rh.limit = h.limit_price();
        rh.liquidation_seq = h.liquidation_seq();
        rh.round = static_cast<uint16_t>(h.round());
        RecoveredRound& last = rounds[rh.market];
        if (last.liquidation_seq != rh.liquidation_seq || last.round < rh.round)
          last = RecoveredRound{rh.market, rh.liquidation_seq, rh.round};
        hedges[{rh.venue, rh.market, rh.client_order_id}] = std::move(rh);
        break;
      }
      case proto::JournalRecord::kHedgeUpdate: {
        const proto::HedgeUpdate& hu = r.hedge_update();
        const int m = market_index(hu.market());
        if (m < 0) break;
        const proto::OrderUpdate& u = hu.update();
        auto it = hedges.find({hu.venue(), static_cast<uint32_t>(m), u.client_order_id()});
        if (it == hedges.end()) break;
        RecoveredHedge& h = it->second;
        if (u.fill_qty() > 0 && std::find(h.fill_ids.begin(), h.fill_ids.end(), u.fill_id()) == h.fill_ids.end()) {
          h.fill_ids.push_back(u.fill_id());
          h.filled += u.fill_qty();
          h.filled_quote += static_cast<i128>(u.fill_qty()) * u.fill_price();
          RecoveredVaultFill vf;
          vf.hedge = true;
          vf.venue = h.venue;
          vf.market = h.market;
          vf.buy = h.buy;
          vf.qty = u.fill_qty();
          vf.price = u.fill_price();
          vf.fee = u.fee();
          vf.liquidation_seq = h.liquidation_seq;
          st.vault.fills.push_back(std::move(vf));
        }
        // Ended, unless the venue counted more than the journal holds (those fills
        // are still to come: the desk asks again). NOT_FOUND is not an end here: the
        // venue may still take the request within its replay window, so the order
        // is asked about again after the restart.
        if (ends_order(u.state()) && u.cum_qty() <= h.filled) hedges.erase(it);
        break;
      }
      case proto::JournalRecord::kFund:
        st.fund_balance = Quote(r.fund().balance_after());
        // Unnamed: an older journal's fee or shortfall (settled() clears), or a
        // movement that is no fill's (none today).
        if (r.fund().client_order_id().empty() && r.fund().reason() != "liquidation_fee" &&
            r.fund().reason() != "shortfall")
          break;
        settled(r.fund().client_order_id(), r.fund().fill_id());
        break;
      case proto::JournalRecord::kAbsorb:
        if (!r.absorb().client_order_id().empty()) settled(r.absorb().client_order_id(), r.absorb().fill_id());
        break;
      case proto::JournalRecord::kUnit: {
        const proto::LiquidationUnit& u = r.unit();
        const int um = u.isolated() ? market_index(u.market()) : 0;
        if (um < 0) break;  // a market no longer configured: its unit is gone with it
        UnitWire w;
        w.in_mode = u.in_mode();
        w.last_chunk_ms = u.last_chunk_ms();
        for (const std::string& n : u.no_liquidity())
          if (const int m = market_index(n); m >= 0) w.no_liquidity_mask |= uint64_t{1} << m;
        for (const std::string& n : u.backstop_refused())
          if (const int m = market_index(n); m >= 0) w.backstop_refused_mask |= uint64_t{1} << m;
        std::size_t k = 0;
        for (const proto::LiquidationUnit::NoFill& f : u.no_fill()) {
          const int m = market_index(f.market());
          if (m < 0 || k >= w.no_fill.size()) continue;
          w.no_fill[k++] = UnitWire::NoFill{static_cast<uint32_t>(m), f.streak(), f.until_ms()};
        }
        w.settled_shortfall = u.settled_shortfall();
        units[{u.account_id(), u.isolated(), static_cast<uint32_t>(um)}] = w;
        break;
      }
      case proto::JournalRecord::kPriceMemory: {
        const proto::PriceMemory& pm = r.price_memory();
        if (pm.breaker_mode() > static_cast<uint32_t>(policy::MarketMode::Stale) ||
            pm.oracle_status() > static_cast<uint32_t>(policy::OracleStatus::Stale))
          break;  // not a state this build knows: the market starts without memory
        Memory& mem = memories[pm.market()];
        mem.last = price_memory_of(pm);
        if (mem.last.slot.id != INT64_MIN) {
          mem.slots[mem.last.slot.id] = mem.last.slot;
          while (mem.slots.size() > static_cast<std::size_t>(policy::kBreakerSlots)) mem.slots.erase(mem.slots.begin());
        }
        break;
      }
      case proto::JournalRecord::kMarketEvent: {
        const proto::MarketEvent& e = r.market_event();
        if (e.kind() != "breaker") break;
        for (policy::MarketMode m : {policy::MarketMode::Normal, policy::MarketMode::Throttle, policy::MarketMode::Paused,
                                     policy::MarketMode::Stale})
          if (e.to() == policy::to_string(m)) breakers[e.market()] = m;
        break;
      }
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
  for (const auto& [seq, f] : unsettled) {
    st.unsettled_fills.push_back(f);
    const exec::ClientOrderId id = exec::make_client_order_id(
        exec::OrderKey{f.account, static_cast<uint16_t>(f.market), f.liquidation_seq, f.chunk});
    if (auto it = open.find(std::string(id.view())); it != open.end()) it->second.unsettled_qty += f.qty;
  }
  for (auto& [id, ro] : open) st.open_orders.push_back(ro);
  for (auto& [key, h] : hedges) st.vault.open_hedges.push_back(std::move(h));
  for (const auto& [m, last] : rounds) st.vault.rounds.push_back(last);
  for (const auto& [market, mode] : breakers) st.breaker_modes.emplace_back(market, mode);
  for (auto& [market, mem] : memories) {
    RecoveredPriceMemory pm;
    pm.market = market;
    pm.memory = mem.last;
    for (const auto& [id, slot] : mem.slots) pm.slots.push_back(slot);
    st.price_memory.push_back(std::move(pm));
  }
  for (const auto& [key, w] : units)
    st.units.push_back(RecoveredUnit{std::get<0>(key), std::get<2>(key), std::get<1>(key), w});
  for (const auto& [id, x] : iocs)  // only what the windows can still count
    if (x.sent_ms >= last_decision_ms - kIocWindowMs) st.recent_iocs.push_back(x);
  for (auto& [m, what] : pauses)
    if (what == "pause") st.paused_markets.push_back(m);
  return st;
}

}  // namespace liqd::service
