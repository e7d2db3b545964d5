#pragma once
// Binance USD-M futures market streams (combined-stream envelopes
// {"stream","data"} or bare payloads) and the REST depth snapshot.
//   depthUpdate     -> L2 book, synced by the documented procedure
//                      (https://developers.binance.com/docs/derivatives/usds-margined-futures/
//                       websocket-market-streams/How-to-manage-a-local-order-book-correctly):
//                      buffer events, take a snapshot, drop events with u < lastUpdateId, the
//                      first applied event has U <= lastUpdateId <= u, then every event's pu
//                      must equal the previous u (else: gap -> resync).
//   bookTicker      -> BestBidOffer
//   markPriceUpdate -> PriceUpdate mark (p) and index (i)
//   aggTrade        -> Trade (m = buyer is maker, so the taker sold)
//   forceOrder      -> Liquidation (order side S, average price ap, filled qty z)
//   {"lastUpdateId", "bids", "asks"} (REST GET /fapi/v1/depth body) -> snapshot of
//                      options.snapshot_symbol (the stream carries no symbol for it).
#include <string>
#include <vector>

#include "feeds/fast_scan.hpp"
#include "feeds/json_feed.hpp"

namespace liqd::feeds {

class BinanceUsdmFeed final : public JsonFeed {
 public:
  BinanceUsdmFeed(MarketTable& markets, EventSink& sink, FeedOptions opts);
  // A REST snapshot body for `symbol` (overrides options.snapshot_symbol once).
  Status on_snapshot(std::string_view symbol, std::string_view body, int64_t local_ts_ns = 0);

 protected:
  Status handle(od::document& doc) override;
  bool handle_fast(std::string_view raw, Status& st) override;
  void after_message() override;

 private:
  Status on_event(od::object& o, std::string_view event_type);
  struct DepthHead {
    uint64_t E = 0, U = 0, u = 0, pu = 0;
  };
  Status on_depth(od::object& o);
  Status depth_apply(MarketId m, const DepthHead& h, od::object* o, uint32_t parsed);
  Status on_rest_snapshot(od::object& o);
  Status on_book_ticker(od::object& o);
  Status emit_bbo(MarketId m, BestBidOffer& ev, uint64_t u, uint64_t E);
  // Fast path (handle_fast), after the envelope and the event type.
  MarketId fast_market(std::string_view sym) const;
  bool fast_depth(FastScan& c, bool envelope, Status& st);
  bool fast_book_ticker(FastScan& c, bool envelope, Status& st);
  Status on_mark_price(od::object& o);
  Status on_agg_trade(od::object& o);
  Status on_force_order(od::object& o);
  void hold(MarketId m);

  std::vector<std::vector<std::string>> held_;  // deltas before the snapshot, by market
  size_t held_bytes_ = 0;
  MarketId replay_market_ = kNoMarket;
  std::string snapshot_symbol_override_;
};

}  // namespace liqd::feeds
