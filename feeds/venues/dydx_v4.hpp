#pragma once
// dYdX v4 indexer WebSocket, channel v4_orderbook
// (https://docs.dydx.exchange/api_integration-indexer/indexer_websocket).
//   "subscribed"          contents {"bids":[{"price","size"}], "asks":[...]}: snapshot
//   "channel_data"        contents {"bids":[["price","size"]], "asks":[...]}: delta
//   "channel_batch_data"  contents [ {...}, {...} ]: several deltas, applied as one message
// message_id counts every message on the CONNECTION, so any missing id may have been
// one of our book updates: a gap drops every book of this handler and requests a
// resync (resubscribe). Deltas for a book without a snapshot are skipped.
// The indexer book is optimistic and may cross for a moment; a delta that crosses
// removes the opposite levels it would have matched (counted as uncrossed_levels)
// instead of dropping the book. `seq` is message_id.
#include "feeds/json_feed.hpp"

namespace liqd::feeds {

class DydxV4Feed final : public JsonFeed {
 public:
  DydxV4Feed(MarketTable& markets, EventSink& sink, FeedOptions opts)
      : JsonFeed(Venue::DydxV4, markets, sink, std::move(opts)) {}

 protected:
  Status handle(od::document& doc) override;

 private:
  Status gap_all(uint64_t expected, uint64_t got);
  void uncross(BookState& bs, const LevelUpdate& u);
  bool have_last_ = false;
  uint64_t last_message_id_ = 0;
};

}  // namespace liqd::feeds
