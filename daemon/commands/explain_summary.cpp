// `liqd explain --journal DIR --summary`: the whole journal in one JSON object,
// for operators and for the end-to-end tests: how many decisions, orders, fills
// and of which outcome, the fund's movements and whether they reconcile, orders
// journaled twice (must be 0), fills counted twice (must be 0), admin actions,
// breaker changes, ADL and backstop requests, and the backstop transfers: how many,
// the size they moved to the vault (signed, the vault's side, lot units, all
// markets), and fills of a transfer at any price but its limit (the bankruptcy
// price, or the split's transfer price; must be 0). `split`: decision records that
// carry a split, the split's transfers, and how their prices sit against the
// fillable bound (outside it: must be 0) and the bankruptcy price. `hedges`: the
// vault desk's hedge orders on external venues: how many, journaled twice (must
// be 0), their fills and fills journaled twice (must be 0), the net quantity they
// filled (signed, + bought, in the hedge venues' contract units) and how many had
// no terminal update (in flight when the journal ends).
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "daemon/commands/commands.hpp"
#include "daemon/journal/journal.hpp"
#include "daemon/service/journal_text.hpp"

namespace liqd::cmd {

int explain_summary(const std::string& dir, FILE* out) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    std::fprintf(stderr, "liqd explain: %s: not a journal directory\n", dir.c_str());
    return 1;
  }
  uint64_t records = 0, decisions = 0, orders = 0, duplicate_orders = 0, fills = 0, duplicate_fills = 0;
  uint64_t admin = 0, breaker = 0, margin = 0, reload = 0, uncovered = 0, backstop = 0, fund_moves = 0;
  int64_t filled_qty = 0, fees = 0, shortfalls = 0, fund_last = 0, fund_first_before = 0;
  bool have_fund = false, fund_chain_ok = true;
  std::set<std::string> order_ids;
  std::set<std::pair<std::string, uint64_t>> fill_ids;
  std::map<std::string, uint64_t> states;
  std::map<uint64_t, uint64_t> accounts;  // decisions per account, ordered by id
  std::set<uint64_t> uncovered_ids;       // the first accounts whose shortfall the fund could not pay
  struct Transfer { bool sell; int64_t limit; bool adl; };
  std::map<std::string, Transfer> transfers;  // client order id -> the transfer
  uint64_t transfer_fills = 0, transfer_off_price = 0, adl_orders = 0, adl_fills = 0;
  int64_t vault_units = 0, adl_units = 0;
  // Split transfers (rule split_transfer_and_hedge): `outside_bound` priced worse for
  // the account than the fillable bound (a sell below it, a buy above it);
  // `at_bankruptcy` exactly at the bankruptcy price; `past_bankruptcy` on the far
  // side of it (the fund pays the shortfall); `inside_bankruptcy` the account keeps equity.
  uint64_t split_records = 0, split_transfers = 0, split_outside = 0, split_at_bk = 0, split_past_bk = 0,
           split_inside_bk = 0, split_no_bound = 0;
  int64_t split_units = 0;
  struct Hedge { bool buy; bool ended; };
  std::map<std::tuple<std::string, std::string, std::string>, Hedge> hedges;   // (venue, market, id)
  std::set<std::tuple<std::string, std::string, std::string, uint64_t>> hedge_fill_ids;
  uint64_t hedge_dup_orders = 0, hedge_fills = 0, hedge_dup_fills = 0;
  int64_t hedge_units = 0;
  auto res = journal::read_all(dir, [&](const proto::JournalRecord& r) {
    ++records;
    switch (r.body_case()) {
      case proto::JournalRecord::kDecision: {
        const auto& d = r.decision();
        ++decisions;
        ++accounts[d.account_id()];
        if (!d.has_split()) break;
        ++split_records;
        if (d.rule() != "split_transfer_and_hedge") break;
        ++split_transfers;
        split_units += d.qty() < 0 ? -d.qty() : d.qty();
        const bool sell = d.qty() < 0;   // closing a long
        const int64_t px = d.limit_price(), bound = d.split().bound(), bk = d.bankruptcy_price();
        if (bound == 0) ++split_no_bound;
        else if (sell ? px < bound : px > bound) ++split_outside;
        if (px == bk) ++split_at_bk;
        else if (sell ? px < bk : px > bk) ++split_past_bk;
        else ++split_inside_bk;
        break;
      }
      case proto::JournalRecord::kOrder:
        ++orders;
        if (!order_ids.insert(r.order().client_order_id()).second) ++duplicate_orders;
        adl_orders += r.order().deleverage();
        if (r.order().transfer_to_account() != 0)
          transfers[r.order().client_order_id()] =
              Transfer{r.order().side() == proto::SELL, r.order().limit_price(), r.order().deleverage()};
        break;
      case proto::JournalRecord::kOrderUpdate: {
        const auto& u = r.order_update();
        if (u.fill_qty() > 0) {
          if (fill_ids.insert({u.client_order_id(), u.fill_id()}).second) {
            ++fills;
            filled_qty += u.fill_qty();
            if (auto t = transfers.find(u.client_order_id()); t != transfers.end()) {
              ++transfer_fills;
              if (u.fill_price() != t->second.limit) ++transfer_off_price;
              if (t->second.adl) {
                ++adl_fills;
                adl_units += u.fill_qty();
              } else {
                vault_units += t->second.sell ? u.fill_qty() : -u.fill_qty();  // the vault takes the closed side
              }
            }
          } else {
            ++duplicate_fills;
          }
        }
        ++states[proto::OrderUpdate::State_Name(u.state())];
        break;
      }
      case proto::JournalRecord::kFund: {
        const auto& f = r.fund();
        ++fund_moves;
        if (!have_fund) fund_first_before = f.balance_after() - f.delta();
        else if (fund_last + f.delta() != f.balance_after()) fund_chain_ok = false;
        have_fund = true;
        fund_last = f.balance_after();
        if (f.delta() > 0) fees += f.delta(); else shortfalls -= f.delta();
        break;
      }
      case proto::JournalRecord::kHedgeOrder: {
        const auto& h = r.hedge_order();
        if (!hedges.emplace(std::make_tuple(h.venue(), h.market(), h.client_order_id()), Hedge{h.buy(), false}).second)
          ++hedge_dup_orders;
        break;
      }
      case proto::JournalRecord::kHedgeUpdate: {
        const auto& hu = r.hedge_update();
        const auto& u = hu.update();
        const auto it = hedges.find(std::make_tuple(hu.venue(), hu.market(), u.client_order_id()));
        if (u.fill_qty() > 0) {
          if (!hedge_fill_ids.emplace(hu.venue(), hu.market(), u.client_order_id(), u.fill_id()).second) {
            ++hedge_dup_fills;
          } else {
            ++hedge_fills;
            if (it != hedges.end()) hedge_units += it->second.buy ? u.fill_qty() : -u.fill_qty();
          }
        }
        if (it != hedges.end() && service::ends_order(u.state())) it->second.ended = true;
        break;
      }
      case proto::JournalRecord::kAdmin: ++admin; break;
      case proto::JournalRecord::kMarketEvent: {
        const std::string& k = r.market_event().kind();
        if (k == "breaker") ++breaker; else if (k == "margin") ++margin; else ++reload;
        break;
      }
      case proto::JournalRecord::kAbsorb:
        if (r.absorb().kind() == "backstop") {
          ++backstop;
        } else {
          ++uncovered;
          if (uncovered_ids.size() < 10) uncovered_ids.insert(r.absorb().account_id());
        }
        break;
      default: break;
    }
  });
  if (!res.error.empty()) {
    std::fprintf(stderr, "liqd explain: %s\n", res.error.c_str());
    return 1;
  }
  std::string st;
  for (const auto& [k, v] : states) st += (st.empty() ? "" : ",") + ("\"" + k + "\":" + std::to_string(v));
  // Every account with at least one liquidation decision, by id: what an end-to-end
  // test compares with its own reference calculation.
  std::string ids;
  for (const auto& kv : accounts) ids += (ids.empty() ? "" : ",") + std::to_string(kv.first);
  uint64_t hedges_open = 0;
  for (const auto& kv : hedges) hedges_open += !kv.second.ended;
  std::string unc;
  for (uint64_t id : uncovered_ids) unc += (unc.empty() ? "" : ",") + std::to_string(id);
  std::fprintf(out,
               "{\"records\":%llu,\"decisions\":%llu,\"accounts\":%zu,\"orders\":%llu,\"duplicate_orders\":%llu,"
               "\"fills\":%llu,\"duplicate_fills\":%llu,\"filled_qty_units\":%lld,\"update_states\":{%s},"
               "\"fund\":{\"movements\":%llu,\"start\":%lld,\"end\":%lld,\"fees\":%lld,\"shortfalls_paid\":%lld,"
               "\"reconciles\":%s},\"admin_actions\":%llu,\"breaker_changes\":%llu,\"margin_changes\":%llu,"
               "\"reload_changes\":%llu,\"uncovered_shortfalls\":%llu,\"backstop_refusals\":%llu,\"torn_tail\":%s,"
               "\"transfers\":{\"orders\":%zu,\"fills\":%llu,\"off_price\":%llu,\"vault_units\":%lld,"
               "\"adl_orders\":%llu,\"adl_fills\":%llu,\"adl_units\":%lld},"
               "\"split\":{\"decision_records\":%llu,\"transfers\":%llu,\"transfer_units\":%lld,\"outside_bound\":%llu,"
               "\"no_bound\":%llu,\"at_bankruptcy\":%llu,\"past_bankruptcy\":%llu,\"inside_bankruptcy\":%llu},"
               "\"hedges\":{\"orders\":%zu,\"duplicate_orders\":%llu,\"fills\":%llu,\"duplicate_fills\":%llu,"
               "\"filled_units\":%lld,\"open\":%llu},"
               "\"uncovered_accounts\":[%s],\"liquidated_accounts\":[%s]}\n",
               static_cast<unsigned long long>(records), static_cast<unsigned long long>(decisions), accounts.size(),
               static_cast<unsigned long long>(orders), static_cast<unsigned long long>(duplicate_orders),
               static_cast<unsigned long long>(fills), static_cast<unsigned long long>(duplicate_fills),
               static_cast<long long>(filled_qty), st.c_str(), static_cast<unsigned long long>(fund_moves),
               static_cast<long long>(fund_first_before), static_cast<long long>(fund_last), static_cast<long long>(fees),
               static_cast<long long>(shortfalls),
               fund_chain_ok && (!have_fund || fund_first_before + fees - shortfalls == fund_last) ? "true" : "false",
               static_cast<unsigned long long>(admin), static_cast<unsigned long long>(breaker),
               static_cast<unsigned long long>(margin), static_cast<unsigned long long>(reload),
               static_cast<unsigned long long>(uncovered), static_cast<unsigned long long>(backstop),
               res.torn_tail_dropped ? "true" : "false", transfers.size(),
               static_cast<unsigned long long>(transfer_fills), static_cast<unsigned long long>(transfer_off_price),
               static_cast<long long>(vault_units), static_cast<unsigned long long>(adl_orders),
               static_cast<unsigned long long>(adl_fills), static_cast<long long>(adl_units),
               static_cast<unsigned long long>(split_records), static_cast<unsigned long long>(split_transfers),
               static_cast<long long>(split_units), static_cast<unsigned long long>(split_outside),
               static_cast<unsigned long long>(split_no_bound), static_cast<unsigned long long>(split_at_bk),
               static_cast<unsigned long long>(split_past_bk), static_cast<unsigned long long>(split_inside_bk),
               hedges.size(), static_cast<unsigned long long>(hedge_dup_orders), static_cast<unsigned long long>(hedge_fills),
               static_cast<unsigned long long>(hedge_dup_fills), static_cast<long long>(hedge_units),
               static_cast<unsigned long long>(hedges_open), unc.c_str(),
               ids.c_str());
  return 0;
}

}  // namespace liqd::cmd
