#pragma once
// Output of `liqd replay`: the JSON document (fixed key order, decimals printed from
// fixed point, so the same run gives the same bytes), the human summary table, and
// the per-minute progress line.
#include <cstdio>
#include <string>
#include <vector>

#include "daemon/replay/replay_engine.hpp"

namespace liqd::replay {

std::string result_json(const ReplayResult& r, int quote_dp, const std::string& policy, std::size_t accounts,
                        std::size_t bars);
// One or more labelled results side by side (columns), e.g. static and dynamic.
void print_summary(FILE* out, const std::vector<std::string>& labels, const std::vector<ReplayResult>& results,
                   int quote_dp);
std::string progress_line(const ReplayStatus& s, const std::vector<std::string>& symbols, int quote_dp);

}  // namespace liqd::replay
