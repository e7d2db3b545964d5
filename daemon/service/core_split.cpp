#include "daemon/service/core_split.hpp"

namespace liqd::service {

CoreSplit::CoreSplit(SplitSettings s) : s_(std::move(s)) {}

bool CoreSplit::active(uint32_t m) const {
  return s_.enabled && s_.own && s_.hedge && m < s_.markets.size() && !s_.markets[m].hedges.empty();
}

bool CoreSplit::read(const exec::vault::DepthSlot& slot, exec::vault::DepthPage& page) {
  return slot.load(page) && page.updates > 0;
}

bool CoreSplit::plan(uint32_t m, bool close_long, Qty qty, Price limit, Qty vault_max, exec::SplitPlan& out) {
  if (!active(m) || qty.v <= 0 || limit.v <= 0 || vault_max.v <= 0) return false;
  const SplitMarket& sm = s_.markets[m];
  // A liquidated long is sold into bids, on the own book and by the vault's hedge.
  const auto side = [close_long](const exec::vault::DepthPage& p) {
    return close_long ? std::span<const exec::Level>(p.bids.data(), p.n_bids)
                      : std::span<const exec::Level>(p.asks.data(), p.n_asks);
  };
  int n_ext = 0;
  for (const SplitHedgeVenue& h : sm.hedges) {
    if (n_ext >= exec::kMaxVenues || h.slot >= s_.hedge->size()) break;
    exec::vault::DepthPage& page = hedge_pages_[n_ext];
    if (!read(s_.hedge->slot(h.slot), page) || side(page).empty()) continue;
    ext_[n_ext] = h.venue;
    ext_[n_ext].levels = side(page);
    ++n_ext;
  }
  if (n_ext == 0) return false;   // no hedge depth: the vault could not hedge what it took
  own_[0] = sm.own;
  own_[0].levels = m < s_.own->size() && read(s_.own->slot(m), own_page_) ? side(own_page_) : std::span<const exec::Level>{};

  exec::SplitInput in;
  in.order = exec::RouteOrder{close_long ? exec::Side::Sell : exec::Side::Buy, qty, limit, exec::Urgency::High};
  in.own = std::span<const exec::VenueInput>(own_, 1);
  in.external = std::span<const exec::VenueInput>(ext_, static_cast<std::size_t>(n_ext));
  in.vault = exec::VaultLimits{true, vault_max, s_.charge};
  return planner_.plan(in, out) == exec::RouteError::Ok;
}

}  // namespace liqd::service
