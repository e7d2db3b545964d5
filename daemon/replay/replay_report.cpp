#include "daemon/replay/replay_report.hpp"

#include <ctime>

#include "core/money/decimal.hpp"

namespace liqd::replay {

std::string result_json(const ReplayResult& r, int quote_dp, const std::string& policy, std::size_t accounts,
                        std::size_t bars) {
  auto money = [&](int64_t v) { return format_decimal(v, quote_dp); };
  auto num = [](int64_t v) { return std::to_string(v); };
  std::string s = "{\n";
  auto kv = [&](const char* k, const std::string& v, bool last = false) {
    s += "  \"";
    s += k;
    s += "\": ";
    s += v;
    s += last ? "\n" : ",\n";
  };
  kv("liquidations", num(r.liquidations));
  kv("notional_liquidated", money(r.notional_liquidated));
  kv("fees_to_fund", money(r.fees_to_fund));
  kv("shortfall", money(r.shortfall));
  kv("fund_paid", money(r.fund_paid));
  kv("bad_debt", money(r.bad_debt));
  kv("adl_events", num(r.adl_events));
  kv("backstop_transfers", num(r.backstop_transfers));
  kv("breaker_activations", num(r.breaker_activations));
  kv("max_underwater_accounts", num(r.max_underwater_accounts));
  kv("max_time_underwater_ms", num(r.max_time_underwater_ms));
  kv("backstop_absorbed", money(r.backstop_absorbed));
  kv("adl_absorbed", money(r.adl_absorbed));
  kv("policy", "\"" + policy + "\"");
  kv("accounts", num(static_cast<int64_t>(accounts)));
  kv("bars", num(static_cast<int64_t>(bars)));
  s += "  \"checks\": {";
  s += "\"fund_end\": " + money(r.fund_end);
  s += ", \"fund_reconciles\": " + std::string(r.fund_reconciles ? "true" : "false");
  s += ", \"limit_violations\": " + num(r.limit_violations);
  s += ", \"adl_without_short\": " + num(r.adl_without_short);
  s += ", \"index_checks\": " + num(r.index_checks);
  s += ", \"index_missed\": " + num(r.index_missed);
  s += ", \"no_fill_iocs\": " + num(r.no_fill_iocs);
  s += ", \"margin_changes\": " + num(r.margin_changes);
  s += ", \"flagged_total\": " + num(r.flagged_total);
  s += ", \"steps\": " + num(r.steps);
  s += ", \"oracle_stale_steps\": " + num(r.oracle_stale_steps);
  s += ", \"oracle_source_drops\": " + num(r.oracle_source_drops);
  s += "}\n}\n";
  return s;
}

namespace {

std::string grouped(int64_t v, int quote_dp, bool money) {
  // Display only: money with 2 decimals (truncated toward zero), thousands separated.
  const bool neg = v < 0;
  uint64_t u = neg ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
  uint64_t whole = u, frac = 0;
  if (money) {
    uint64_t p = 1;
    for (int i = 0; i < quote_dp; ++i) p *= 10;
    whole = u / p;
    frac = (u % p) * 100 / p;
  }
  std::string w = std::to_string(whole), g;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (i && (w.size() - i) % 3 == 0) g += ',';
    g += w[i];
  }
  if (money) {
    g += '.';
    g += static_cast<char>('0' + frac / 10);
    g += static_cast<char>('0' + frac % 10);
  }
  return (neg ? "-" : "") + g;
}

}  // namespace

void print_summary(FILE* out, const std::vector<std::string>& labels, const std::vector<ReplayResult>& results,
                   int quote_dp) {
  struct Row {
    const char* name;
    int64_t ReplayResult::*field;
    bool money;
  };
  static const Row rows[] = {
      {"liquidations", &ReplayResult::liquidations, false},
      {"notional liquidated", &ReplayResult::notional_liquidated, true},
      {"fees to fund", &ReplayResult::fees_to_fund, true},
      {"shortfall (below bankruptcy)", &ReplayResult::shortfall, true},
      {"  paid by the fund", &ReplayResult::fund_paid, true},
      {"  absorbed by the backstop", &ReplayResult::backstop_absorbed, true},
      {"  absorbed by ADL", &ReplayResult::adl_absorbed, true},
      {"  bad debt", &ReplayResult::bad_debt, true},
      {"insurance fund at end", &ReplayResult::fund_end, true},
      {"ADL events", &ReplayResult::adl_events, false},
      {"backstop transfers", &ReplayResult::backstop_transfers, false},
      {"breaker activations", &ReplayResult::breaker_activations, false},
      {"margin changes", &ReplayResult::margin_changes, false},
      {"max underwater accounts", &ReplayResult::max_underwater_accounts, false},
      {"max time underwater (ms)", &ReplayResult::max_time_underwater_ms, false},
      {"IOCs with no fill", &ReplayResult::no_fill_iocs, false},
      {"index missed (must be 0)", &ReplayResult::index_missed, false},
  };
  std::fprintf(out, "%-30s", "");
  for (const std::string& l : labels) std::fprintf(out, " %18s", l.c_str());
  std::fprintf(out, "\n");
  for (const Row& row : rows) {
    std::fprintf(out, "%-30s", row.name);
    for (const ReplayResult& r : results) std::fprintf(out, " %18s", grouped(r.*(row.field), quote_dp, row.money).c_str());
    std::fprintf(out, "\n");
  }
  std::fprintf(out, "%-30s", "fund reconciles");
  for (const ReplayResult& r : results) std::fprintf(out, " %18s", r.fund_reconciles ? "yes" : "NO");
  std::fprintf(out, "\n");
}

std::string progress_line(const ReplayStatus& s, const std::vector<std::string>& symbols, int quote_dp) {
  const std::time_t t = static_cast<std::time_t>(s.ts_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%d %H:%M", &tm);
  std::string line = std::string(ts) + "Z  path " + grouped(s.path_close, kPathDp, true) +
                     "  underwater " + std::to_string(s.underwater) + "  flagged " + std::to_string(s.flagged) +
                     "  liquidated " + std::to_string(s.liquidations) + "  fund " +
                     grouped(s.fund_balance, quote_dp, true) + "  breakers";
  for (std::size_t m = 0; m < s.modes.size() && m < symbols.size(); ++m)
    line += " " + symbols[m] + "=" + policy::to_string(s.modes[m]);
  return line;
}

}  // namespace liqd::replay
