#pragma once
// Pyth Hermes price updates (https://docs.pyth.network/price-feeds/how-pyth-works/hermes):
//   legacy GET /api/latest_price_feeds: [ {"id", "price": {...}, "ema_price": {...}} ]
//   v2 GET /v2/updates/price/latest and the SSE stream: {"binary": ..., "parsed": [ ... ]},
//   SSE lines may keep their "data:" prefix; a single feed object is accepted too.
//   Hermes WebSocket: {"type":"price_update","price_feed":{...}}; {"type":"response",...} acks are
//   ignored, a response with status "error" is a VenueError.
// price {"price": "184136023127", "conf": "177166324", "expo": -8, "publish_time": 1692110601}
// means 1841.36023127 +- 1.77166324 at 2023-08-15T14:43:21Z. It is converted exactly to
// the market's price scale (TooPrecise if expo is finer than the scale). The market is
// the feed id. price -> source oracle, ema_price -> source oracle_ema.
#include "feeds/json_feed.hpp"

namespace liqd::feeds {

class PythHermesFeed final : public JsonFeed {
 public:
  PythHermesFeed(MarketTable& markets, EventSink& sink, FeedOptions opts)
      : JsonFeed(Venue::PythHermes, markets, sink, std::move(opts)) {
    strip_prefix_ = "data:";
  }

 protected:
  Status handle(od::document& doc) override;

 private:
  Status on_feeds(od::array& arr);
  Status on_feed(od::object& o);
};

}  // namespace liqd::feeds
