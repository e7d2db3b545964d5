#pragma once
// Binance depth snapshots ({"bids": [["price", "qty"], ...], "asks": [...]}) as
// router levels, and rescaling of several real books to one common mid so that
// different markets can stand in for several venues of one market: every price
// keeps its relative distance from its own mid, every quantity keeps its quote
// notional. Used by tests and benchmarks, not by the decision path.
#include <string>
#include <string_view>
#include <vector>

#include "executors/router/types.hpp"

namespace liqd::exec {

struct DepthSnapshot {
  std::vector<Level> bids;   // best first
  std::vector<Level> asks;   // best first
};

// Parses at the given scale (extra decimals are an error). false + error on bad input.
bool parse_depth_snapshot(std::string_view json, int price_dp, int qty_dp, DepthSnapshot& out, std::string& error);

// p' = p * mid / own_mid, q' = q * own_mid / mid (rounded half away from zero);
// levels that collapse onto the same price after rounding are merged.
DepthSnapshot rescale_to_mid(const DepthSnapshot& s, Price mid);

Price snapshot_mid(const DepthSnapshot& s);

}  // namespace liqd::exec
