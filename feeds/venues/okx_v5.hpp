#pragma once
// OKX v5 public WebSocket (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel).
//   books, books-l2-tbt, books50-l2-tbt  action "snapshot" resets, "update" applies. After
//        applying, the CRC-32 of the top 25 levels ("bidPx:bidSz:askPx:askSz:..." interleaved,
//        as the venue's decimal strings) must equal `checksum` (signed 32-bit), else resync.
//        Messages from 2023 on carry seqId/prevSeqId: an update's prevSeqId must equal the
//        previous seqId, else gap -> resync. `seq` is seqId, or ts where the feed has none.
//   books5, bbo-tbt (no action)          each message is a whole snapshot
//   mark-price -> PriceUpdate mark; index-tickers -> PriceUpdate index
//   trades -> Trade; liquidation-orders -> Liquidation (details[].side is the order side)
//   {"event": ...}                       subscribe acks ignored; "error" counted as VenueError
#include <array>

#include "feeds/json_feed.hpp"

namespace liqd::feeds {

class OkxV5Feed final : public JsonFeed {
 public:
  OkxV5Feed(MarketTable& markets, EventSink& sink, FeedOptions opts)
      : JsonFeed(Venue::OkxV5, markets, sink, std::move(opts)) {}

  // CRC-32 of the book's top 25 levels in OKX's layout, as a signed int (the wire form).
  static int32_t checksum(const L2Book& book, const Scale& sc);
  // units * 10^-dp as the checksum's text (minimal decimal, as format_decimal
  // writes it) into out (at least 48 bytes); returns its length.
  static size_t format_units(int64_t units, int dp, char* out);

 protected:
  Status handle(od::document& doc) override;

 private:
  Status on_books(MarketId m, od::array& data, bool snapshot);
  Status on_prices(od::array& data, std::string_view key, PriceSource src);
  Status on_trades(od::array& data);
  Status on_liquidations(od::array& data);
};

}  // namespace liqd::feeds
