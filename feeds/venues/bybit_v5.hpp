#pragma once
// Bybit v5 public WebSocket (https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook).
//   orderbook.<depth>.<SYM>  type "snapshot" resets the book (also when u == 1 after a
//                            service restart); type "delta" must carry u == previous u + 1,
//                            else gap -> resync. Deltas before the first snapshot are
//                            skipped (Bybit always sends the snapshot first).
//   tickers.<SYM>            markPrice / indexPrice when present -> PriceUpdate
//   publicTrade.<SYM>        -> Trade (S is the taker side)
//   allLiquidation.<SYM>     -> Liquidation; S is the side of the liquidated POSITION
//                            (docs v5/websocket/public/all-liquidation: "Buy" means a long was
//                            liquidated), so the order side is the opposite.
//   subscribe acks, kline    -> ignored
#include "feeds/json_feed.hpp"

namespace liqd::feeds {

class BybitV5Feed final : public JsonFeed {
 public:
  BybitV5Feed(MarketTable& markets, EventSink& sink, FeedOptions opts)
      : JsonFeed(Venue::BybitV5, markets, sink, std::move(opts)) {}

 protected:
  Status handle(od::document& doc) override;

 private:
  Status on_orderbook(od::object& root, bool snapshot, uint64_t ts_ms);
  Status on_tickers(od::object& data, uint64_t ts_ms);
  Status on_trades(od::array& data, bool liquidation);
};

}  // namespace liqd::feeds
