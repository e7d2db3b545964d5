// `liqd explain --journal DIR --account ID`: replays the journal into a readable
// trace of every decision about one account: the prices, margins and rule that
// led to each order, the orders, their fills and the fund movements they caused.
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "core/money/decimal.hpp"
#include "daemon/commands/commands.hpp"
#include "daemon/journal/journal.hpp"

namespace liqd::cmd {

namespace {

struct Units {
  int price_dp = 8, qty_dp = 8, quote_dp = 6;
};

std::string side_name(int s) { return s == proto::BUY ? "buy" : s == proto::SELL ? "sell" : "?"; }

const char* state_name(proto::OrderUpdate::State s) {
  switch (s) {
    case proto::OrderUpdate::ACKNOWLEDGED: return "acknowledged";
    case proto::OrderUpdate::PARTIALLY_FILLED: return "partially filled";
    case proto::OrderUpdate::FILLED: return "filled";
    case proto::OrderUpdate::REJECTED: return "rejected";
    case proto::OrderUpdate::CANCELLED: return "cancelled";
    case proto::OrderUpdate::EXPIRED: return "expired";
    default: return "unknown";
  }
}

// A decimal integer as the journal writes an i128 figure ("-123"); 0 if malformed.
i128 parse_units(const std::string& s) {
  i128 v = 0;
  std::size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
  if (i == s.size()) return 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (s[i] - '0');
  }
  return !s.empty() && s[0] == '-' ? -v : v;
}

}  // namespace

int explain(const std::string& dir, uint64_t account, FILE* out) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    std::fprintf(stderr, "liqd explain: %s: not a journal directory\n", dir.c_str());
    return 1;
  }
  std::map<std::string, Units> units;
  std::map<std::string, std::string> order_market;  // client order id -> market, for this account
  auto u = [&](const std::string& m) { return units.count(m) ? units[m] : Units{}; };
  uint64_t lines = 0;
  auto res = journal::read_all(dir, [&](const proto::JournalRecord& r) {
    char head[64];
    std::snprintf(head, sizeof head, "#%llu t=%llu ", static_cast<unsigned long long>(r.seq()),
                  static_cast<unsigned long long>(r.ts_ms()));
    switch (r.body_case()) {
      case proto::JournalRecord::kMarketInfo: {
        const auto& m = r.market_info();
        units[m.market()] = Units{static_cast<int>(m.price_dp()), static_cast<int>(m.qty_dp()), static_cast<int>(m.quote_dp())};
        break;
      }
      case proto::JournalRecord::kDecision: {
        const auto& d = r.decision();
        if (d.account_id() != account) break;
        Units x = u(d.market());
        std::fprintf(out, "%sDECISION %s rule=%s: equity %s < maintenance %s at mark %s -> close %s with limit (fillable) %s, bankruptcy %s [liquidation %llu chunk %u]\n",
                     head, d.market().c_str(), d.rule().c_str(), format_decimal(d.equity(), x.quote_dp).c_str(),
                     format_decimal(d.maintenance_margin(), x.quote_dp).c_str(), format_decimal(d.mark_price(), x.price_dp).c_str(),
                     format_decimal(d.qty(), x.qty_dp).c_str(), format_decimal(d.limit_price(), x.price_dp).c_str(),
                     format_decimal(d.bankruptcy_price(), x.price_dp).c_str(),
                     static_cast<unsigned long long>(d.liquidation_seq()), d.chunk());
        if (d.has_split()) {
          // SplitPlanner's costs are in 10^-(price_dp + qty_dp + 8) units; sells are negative (proceeds).
          const auto& f = d.split();
          const int cdp = x.price_dp + x.qty_dp + 8;
          std::fprintf(out, "%s  SPLIT of %s: own book %s, transfer %s to the vault at %s (inside the fillable bound), unfilled %s; "
                            "cost %s incl. vault charge %s vs own book alone %s for %s%s\n",
                       head, format_decimal(f.order_qty(), x.qty_dp).c_str(), format_decimal(f.own_qty(), x.qty_dp).c_str(),
                       format_decimal(f.transfer_qty(), x.qty_dp).c_str(), format_decimal(f.transfer_price(), x.price_dp).c_str(),
                       format_decimal(f.unfilled(), x.qty_dp).c_str(), format_decimal(parse_units(f.objective()), cdp).c_str(),
                       format_decimal(parse_units(f.vault_charge()), cdp).c_str(),
                       format_decimal(parse_units(f.own_only_objective()), cdp).c_str(),
                       format_decimal(f.own_only_filled(), x.qty_dp).c_str(), f.exact() ? " (exact)" : "");
          ++lines;
        }
        ++lines;
        break;
      }
      case proto::JournalRecord::kOrder: {
        const auto& o = r.order();
        // A transfer is shown to both sides: the liquidated account and the one
        // that takes the position (the vault, or a deleveraged counterparty).
        const bool receiver = o.transfer_to_account() != 0 && o.transfer_to_account() == account;
        if (o.account_id() != account && !receiver) break;
        order_market[o.client_order_id()] = o.market();
        Units x = u(o.market());
        std::string how;
        if (o.transfer_to_account() != 0)
          how = (o.deleverage() ? " auto-deleveraging: closed against account " : " backstop transfer to the vault account ") +
                std::to_string(o.transfer_to_account()) +
                (o.bankruptcy_price() == 0 || o.bankruptcy_price() == o.limit_price()
                     ? " at exactly the limit (the bankruptcy price)"
                     : " at exactly the limit (the split's transfer price; bankruptcy " +
                           format_decimal(o.bankruptcy_price(), x.price_dp) + ")");
        if (receiver) how += ", from account " + std::to_string(o.account_id());
        std::fprintf(out, "%sORDER %s %s %s %s limit %s%s%s%s\n", head, o.client_order_id().c_str(), o.market().c_str(),
                     side_name(o.side()).c_str(), format_decimal(o.qty(), x.qty_dp).c_str(),
                     format_decimal(o.limit_price(), x.price_dp).c_str(), o.reduce_only() ? " reduce-only" : "",
                     o.immediate_or_cancel() ? " IOC" : "", how.c_str());
        ++lines;
        break;
      }
      case proto::JournalRecord::kOrderUpdate: {
        const auto& o = r.order_update();
        auto it = order_market.find(o.client_order_id());
        if (it == order_market.end()) break;
        Units x = u(it->second);
        std::fprintf(out, "%sUPDATE %s %s", head, o.client_order_id().c_str(), state_name(o.state()));
        if (o.fill_qty() != 0)
          std::fprintf(out, ": fill %s at %s (cumulative %s)", format_decimal(o.fill_qty(), x.qty_dp).c_str(),
                       format_decimal(o.fill_price(), x.price_dp).c_str(), format_decimal(o.cum_qty(), x.qty_dp).c_str());
        if (!o.reason().empty()) std::fprintf(out, " reason=%s", o.reason().c_str());
        std::fprintf(out, "\n");
        ++lines;
        break;
      }
      case proto::JournalRecord::kFund: {
        const auto& f = r.fund();
        if (f.account_id() != account) break;
        Units x = u(f.market());
        std::fprintf(out, "%sFUND %s %s %s (%s), balance %s\n", head, f.asset().c_str(), f.delta() >= 0 ? "+" : "",
                     format_decimal(f.delta(), x.quote_dp).c_str(), f.reason().c_str(),
                     format_decimal(f.balance_after(), x.quote_dp).c_str());
        ++lines;
        break;
      }
      case proto::JournalRecord::kAbsorb: {
        const auto& b = r.absorb();
        if (b.account_id() != account) break;
        Units x = u(b.market());
        if (b.kind() == "backstop")
          std::fprintf(out, "%sBACKSTOP %s: the vault's limits refused %s at bankruptcy %s (IOC orders go on)\n", head,
                       b.market().c_str(), format_decimal(b.qty(), x.qty_dp).c_str(),
                       format_decimal(b.bankruptcy_price(), x.price_dp).c_str());
        else
          std::fprintf(out, "%sUNCOVERED %s: shortfall %s the fund could not pay (bad debt), fill of %s below bankruptcy %s\n",
                       head, b.market().c_str(), format_decimal(b.amount(), x.quote_dp).c_str(),
                       format_decimal(b.qty(), x.qty_dp).c_str(), format_decimal(b.bankruptcy_price(), x.price_dp).c_str());
        ++lines;
        break;
      }
      default:
        break;
    }
  });
  if (!res.error.empty()) {
    std::fprintf(stderr, "liqd explain: %s\n", res.error.c_str());
    return 1;
  }
  if (res.torn_tail_dropped) std::fprintf(out, "(torn last record of %llu bytes ignored)\n", static_cast<unsigned long long>(res.torn_bytes));
  if (lines == 0) std::fprintf(out, "no journal entries for account %llu in %s\n", static_cast<unsigned long long>(account), dir.c_str());
  return 0;
}

void add_explain(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("explain", "replay the journal into a readable trace of one account's liquidation decisions");
  static std::string dir;
  static uint64_t account = 0;
  static bool summary = false;
  static std::string market;
  sub->add_option("--journal", dir, "journal directory")->required();
  auto* acc = sub->add_option("--account", account, "account id: its trace");
  auto* sum = sub->add_flag("--summary", summary, "the whole journal as one JSON object (counts, fund, duplicates)");
  auto* mkt = sub->add_option("--market", market, "market symbol: its breaker changes (with reasons), margin changes, reloads");
  acc->excludes(sum);
  mkt->excludes(sum);
  mkt->excludes(acc);
  sub->callback([&exit_code, acc, sum, mkt] {
    if (sum->count() > 0) exit_code = explain_summary(dir, stdout);
    else if (acc->count() > 0) exit_code = explain(dir, account, stdout);
    else if (mkt->count() > 0) exit_code = explain_market(dir, market, stdout);
    else {
      std::fprintf(stderr, "liqd explain: give --account ID, --market SYMBOL or --summary\n");
      exit_code = 2;
    }
  });
}

}  // namespace liqd::cmd
