#pragma once
// Internal to liqd_config: the pieces of a market file, each read by its own file.
#include <string>

#include <yaml-cpp/yaml.h>

#include "config/market_config.hpp"
#include "config/yaml_reader.hpp"

namespace liqd::config::detail {

// A ratio at kRatioDp decimals, checked against an interval. `lo_open`: lo excluded.
bool read_ratio(const Ctx& ctx, const YAML::Node& n, const std::string& key, int64_t lo, bool lo_open,
                int64_t hi, bool hi_open, Ratio& out);

// `tiers:` into mc.risk (n_tiers, bounds, ratios, deductions derived or checked).
// Needs mc.risk.scale.quote_dp. Returns false on any error.
bool read_tiers(const Ctx& ctx, const YAML::Node& n, MarketConfig& mc);

// `oracles:` and `venues:`. `scale_ok` false: the market's lot is unknown, so
// quantity checks that depend on it are skipped (the lot error is reported already).
bool read_oracles(const Ctx& ctx, const YAML::Node& n, MarketConfig& mc);
bool read_venues(const Ctx& ctx, const YAML::Node& n, bool scale_ok, MarketConfig& mc);

// `venues[i].order_entry:` of an external venue of kind `kind`. Paths are
// resolved against the folder of ctx.file. Returns false on any error.
bool read_order_entry(const Ctx& ctx, const YAML::Node& n, const std::string& key, const std::string& kind,
                      OrderEntryConfig& out);

// A market file into `out` even when it has errors (the symbol is then still
// known, for duplicate checks). Returns true when the file had no error.
bool load_market_partial(const YAML::Node& doc, const std::string& name, const MarketDefaults& defaults,
                         Diagnostics& diag, MarketConfig& out);

}  // namespace liqd::config::detail
