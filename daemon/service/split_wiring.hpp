#pragma once
// What `liqd --config F` gives the core's split (core_split.hpp): per market the
// own-clob venue's fee and lots, and the hedge venues whose depth a feed carries
// (DepthTap routes) and whose book is not the own book's (another connection, or
// another market on the same one). Built once at start.
#include <vector>

#include "config/daemon_config.hpp"
#include "daemon/service/core_split.hpp"
#include "daemon/service/depth_tap.hpp"

namespace liqd::service {

// A market file's venue as the router sees it (levels empty: filled per decision).
exec::VenueInput venue_input_of(const config::VenueConfig& v);

// hedge_routes: slot = hedge index, numbered as the desk numbers its hedges (every
// venue but own-clob and backstop-vault, market by market); own_routes: slot = market.
SplitSettings split_settings_from(const config::Config& cfg, const std::vector<DepthRoute>& hedge_routes,
                                  const std::vector<DepthRoute>& own_routes, const exec::vault::DepthBoard& own,
                                  const exec::vault::DepthBoard& hedge);

// One start-up line per market: split on (with which venues) or why not.
void log_split(const config::Config& cfg, const SplitSettings& s);

}  // namespace liqd::service
