#pragma once
// The account population for `liqd replay`: JSONL as `liqd gen-accounts` writes it,
// one `liqd risk` account object plus "id" per line:
//   {"id":7,"collateral":"123.45","positions":[{"market":"BTC-USD","size":"0.0015","entry_price":"50000.1"}]}
// A position with "isolated_margin" is isolated (judged and liquidated alone, as
// `liqd risk` reads it); at most one cross and one isolated position per market.
// Every refusal names the file and line.
#include <cstdint>
#include <string>
#include <vector>

#include "core/margin/margin.hpp"

namespace liqd::replay {

struct ReplayAccount {
  uint64_t id = 0;          // as in the file (ids must be unique)
  Quote collateral;
  std::vector<Position> positions;  // Position::market indexes `symbols`
};

// `symbols[m]` and `markets[m]` give each market's name and decimals.
bool parse_accounts(const std::string& text, const std::string& name, const std::vector<std::string>& symbols,
                    const std::vector<MarketRisk>& markets, std::vector<ReplayAccount>& out, std::string& err);
bool load_accounts(const std::string& path, const std::vector<std::string>& symbols,
                   const std::vector<MarketRisk>& markets, std::vector<ReplayAccount>& out, std::string& err);

}  // namespace liqd::replay
