#include "daemon/service/split_wiring.hpp"

#include <spdlog/spdlog.h>

#include <string>

namespace liqd::service {

exec::VenueInput venue_input_of(const config::VenueConfig& v) {
  exec::VenueInput in;
  in.taker_fee = v.taker_fee;
  in.lot = v.lot.v > 0 ? v.lot : Qty(1);
  in.min_qty = v.min_qty;
  in.max_qty = v.max_qty ? *v.max_qty : Qty(INT64_MAX);
  return in;
}

SplitSettings split_settings_from(const config::Config& cfg, const std::vector<DepthRoute>& hedge_routes,
                                  const std::vector<DepthRoute>& own_routes, const exec::vault::DepthBoard& own,
                                  const exec::vault::DepthBoard& hedge) {
  SplitSettings s;
  s.enabled = cfg.daemon.backstop.account != 0 && cfg.daemon.backstop.split;
  s.charge = cfg.daemon.backstop.hedge_charge;
  s.own = &own;
  s.hedge = &hedge;
  s.markets.resize(cfg.markets.size());
  uint32_t h = 0;   // the desk's hedge index (service.cpp numbers the depth slots so)
  for (uint32_t m = 0; m < cfg.markets.size(); ++m) {
    const config::MarketConfig& mc = cfg.markets[m];
    const DepthRoute* own_route = nullptr;
    for (const DepthRoute& r : own_routes)
      if (r.slot == m) own_route = &r;
    for (const config::VenueConfig& vc : mc.venues) {
      if (vc.kind == "own-clob") {
        s.markets[m].own = venue_input_of(vc);
        continue;
      }
      if (vc.kind == "backstop-vault") continue;
      const uint32_t slot = h++;
      const DepthRoute* route = nullptr;
      for (const DepthRoute& r : hedge_routes)
        if (r.slot == slot) route = &r;
      if (!route || !own_route) continue;   // no feed carries its book, or no own book to compare with
      // The own book itself (one connection, one market): not more liquidity.
      if (route->feed == own_route->feed && route->feed_market == own_route->feed_market) continue;
      if (s.markets[m].hedges.size() >= static_cast<std::size_t>(exec::kMaxVenues)) continue;
      s.markets[m].hedges.push_back(SplitHedgeVenue{slot, venue_input_of(vc)});
    }
  }
  return s;
}

void log_split(const config::Config& cfg, const SplitSettings& s) {
  if (cfg.daemon.backstop.account == 0) return;
  if (!s.enabled) {
    spdlog::info("split: backstop.split is false: transfers only by the backstop rules (equity, no liquidity)");
    return;
  }
  for (uint32_t m = 0; m < cfg.markets.size() && m < s.markets.size(); ++m) {
    if (s.markets[m].hedges.empty()) {
      spdlog::info("{}: split off: no hedge venue with depth of its own (a hedge venue whose book is the own book's "
                   "adds no liquidity; feeds.own_book_ws gives the own book a feed of its own); transfers only by the "
                   "backstop rules",
                   cfg.markets[m].symbol);
      continue;
    }
    std::string slots;
    for (const SplitHedgeVenue& v : s.markets[m].hedges) slots += (slots.empty() ? "" : ",") + std::to_string(v.slot);
    spdlog::info("{}: split on: own book vs transfer-and-hedge on hedge slot(s) {}, vault charge {} (1e-8)",
                 cfg.markets[m].symbol, slots, s.charge.v);
  }
}

}  // namespace liqd::service
