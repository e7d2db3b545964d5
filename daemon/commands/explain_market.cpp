// `liqd explain --journal DIR --market SYMBOL`: every event the journal holds for one
// market, in order: breaker mode changes with their reason and measure (why the
// market stopped liquidating and when it started again), margin changes and reloads.
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "daemon/commands/commands.hpp"
#include "daemon/journal/journal.hpp"

namespace liqd::cmd {

int explain_market(const std::string& dir, const std::string& market, FILE* out) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    std::fprintf(stderr, "liqd explain: %s: not a journal directory\n", dir.c_str());
    return 1;
  }
  uint64_t lines = 0;
  std::map<std::string, uint64_t> by_reason;  // "from->to reason": count
  auto res = journal::read_all(dir, [&](const proto::JournalRecord& r) {
    if (r.body_case() != proto::JournalRecord::kMarketEvent) return;
    const auto& e = r.market_event();
    if (e.market() != market) return;
    ++lines;
    std::fprintf(out, "#%llu t=%llu %s %s -> %s (%s, measure %lld)\n", static_cast<unsigned long long>(r.seq()),
                 static_cast<unsigned long long>(r.ts_ms()), e.kind().c_str(), e.from().c_str(), e.to().c_str(),
                 e.reason().c_str(), static_cast<long long>(e.measure()));
    ++by_reason[e.kind() + " " + e.from() + " -> " + e.to() + " (" + e.reason() + ")"];
  });
  if (!res.error.empty()) {
    std::fprintf(stderr, "liqd explain: %s\n", res.error.c_str());
    return 1;
  }
  if (lines == 0) {
    std::fprintf(out, "no market events for %s in %s\n", market.c_str(), dir.c_str());
    return 0;
  }
  std::fprintf(out, "-- %llu events; by change and reason:\n", static_cast<unsigned long long>(lines));
  for (const auto& [k, n] : by_reason) std::fprintf(out, "%8llu  %s\n", static_cast<unsigned long long>(n), k.c_str());
  return 0;
}

}  // namespace liqd::cmd
