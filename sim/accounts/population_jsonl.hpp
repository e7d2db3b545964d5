#pragma once
// The generated population as JSON lines, one account per line, exactly as the
// simulator starts (before any fill): what an end-to-end test needs to compute,
// independently of liqd, which accounts a price path must make liquidatable.
//   {"id":7,"collateral":"1234.567890","leverage":12,
//    "positions":[{"symbol":"BTCUSDT","size":"-0.12345","entry":"5741.4",
//                  "isolated":true,"isolated_margin":"98.765432"}]}
// Decimal strings carry each market's own number of decimals (no floating point).
#include <string>
#include <vector>

#include "sim/accounts/population.hpp"
#include "sim/book/market.hpp"

namespace liqd::sim {

// Writes `accounts` to `path`. Returns "" or an error naming the file.
std::string write_population_jsonl(const std::string& path, const std::vector<SimAccount>& accounts,
                                   const std::vector<MarketSpec>& markets);

}  // namespace liqd::sim
