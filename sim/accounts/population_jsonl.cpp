#include "sim/accounts/population_jsonl.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "sim/util/fixed_format.hpp"

namespace liqd::sim {

std::string write_population_jsonl(const std::string& path, const std::vector<SimAccount>& accounts,
                                   const std::vector<MarketSpec>& markets) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "w"), &std::fclose);
  if (!f) return "cannot write " + path + ": " + std::strerror(errno);
  std::string line;
  for (const auto& a : accounts) {
    const int qdp = markets.empty() ? 6 : markets.front().scale.quote_dp;
    line = "{\"id\":" + std::to_string(a.id) + ",\"collateral\":\"";
    append_fixed(line, a.collateral.v, qdp);
    line += "\",\"leverage\":" + std::to_string(a.leverage_x) + ",\"positions\":[";
    for (size_t i = 0; i < a.positions.size(); ++i) {
      const SimPosition& p = a.positions[i];
      const MarketSpec& m = markets.at(p.market);
      if (i) line += ',';
      line += "{\"symbol\":\"" + m.symbol + "\",\"size\":\"";
      append_fixed(line, p.size.v, m.scale.qty_dp);
      line += "\",\"entry\":\"";
      append_fixed(line, p.entry.v, m.scale.price_dp);
      line += std::string("\",\"isolated\":") + (p.isolated ? "true" : "false") + ",\"isolated_margin\":\"";
      append_fixed(line, p.isolated_margin.v, m.scale.quote_dp);
      line += "\"}";
    }
    line += "]}\n";
    if (std::fwrite(line.data(), 1, line.size(), f.get()) != line.size()) return "cannot write " + path + ": short write";
  }
  if (std::fflush(f.get()) != 0) return "cannot write " + path + ": " + std::strerror(errno);
  return {};
}

}  // namespace liqd::sim
