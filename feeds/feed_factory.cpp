#include "feeds/feed_factory.hpp"

#include "feeds/venues/binance_usdm.hpp"
#include "feeds/venues/bybit_v5.hpp"
#include "feeds/venues/dydx_v4.hpp"
#include "feeds/venues/hyperliquid.hpp"
#include "feeds/venues/okx_v5.hpp"
#include "feeds/venues/pyth_hermes.hpp"

namespace liqd::feeds {

std::optional<Venue> venue_from_name(std::string_view name) {
  for (int v = 0; v < kVenueCount; ++v) {
    const Venue venue = static_cast<Venue>(v);
    if (venue != Venue::Own && name == venue_name(venue)) return venue;
  }
  return std::nullopt;
}

std::unique_ptr<JsonFeed> make_feed(Venue venue, MarketTable& markets, EventSink& sink, FeedOptions opts) {
  switch (venue) {
    case Venue::BinanceUsdm: return std::make_unique<BinanceUsdmFeed>(markets, sink, std::move(opts));
    case Venue::BybitV5: return std::make_unique<BybitV5Feed>(markets, sink, std::move(opts));
    case Venue::OkxV5: return std::make_unique<OkxV5Feed>(markets, sink, std::move(opts));
    case Venue::DydxV4: return std::make_unique<DydxV4Feed>(markets, sink, std::move(opts));
    case Venue::Hyperliquid: return std::make_unique<HyperliquidFeed>(markets, sink, std::move(opts));
    case Venue::PythHermes: return std::make_unique<PythHermesFeed>(markets, sink, std::move(opts));
    case Venue::Own: return nullptr;
  }
  return nullptr;
}

}  // namespace liqd::feeds
