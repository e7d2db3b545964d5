#pragma once
// Format name ("binance-usdm", "bybit-v5", "okx-v5", "dydx-v4", "hyperliquid",
// "pyth-hermes") -> handler.
#include <memory>
#include <optional>
#include <string_view>

#include "feeds/json_feed.hpp"

namespace liqd::feeds {

std::optional<Venue> venue_from_name(std::string_view name);
// nullptr for an unknown format or a venue without a JSON handler.
std::unique_ptr<JsonFeed> make_feed(Venue venue, MarketTable& markets, EventSink& sink, FeedOptions opts);

}  // namespace liqd::feeds
