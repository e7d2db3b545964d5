#pragma once
// Hyperliquid WebSocket (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket),
// {"channel": ..., "data": ...} envelopes or the bare payloads (the shapes of the
// POST /info responses):
//   l2Book   data {"coin","time","levels":[[bids {px,sz,n}], [asks]]}: every message is a
//            whole (top 20) book, so it replaces the book; seq = time.
//   allMids  data {"mids": {"BTC": "30135.0", ...}} (bare /info form: the map itself)
//            -> one PriceUpdate (source mid) per coin; no timestamp on the wire.
//   trades   data [{"coin","side":"A"|"B","px","sz","time","tid"}] -> Trade (B = buy taker)
//   subscriptionResponse, pong -> ignored; error -> VenueError
#include "feeds/json_feed.hpp"

namespace liqd::feeds {

class HyperliquidFeed final : public JsonFeed {
 public:
  HyperliquidFeed(MarketTable& markets, EventSink& sink, FeedOptions opts)
      : JsonFeed(Venue::Hyperliquid, markets, sink, std::move(opts)) {}

 protected:
  Status handle(od::document& doc) override;

 private:
  Status on_l2book(od::object& o);
  Status on_mids(od::object& mids);
  Status on_trades(od::array& arr);
};

}  // namespace liqd::feeds
