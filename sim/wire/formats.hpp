#pragma once
// The wire text of every market-data message liqd-sim sends, one function per
// message kind. Pure functions of their arguments, so tests compare exact bytes.
//
// Binance USD-M (https://developers.binance.com/docs/derivatives/usds-margined-futures/
// websocket-market-streams), field names and order as in real captures
// (tests/data: cryptofeed's recordings): combined-stream envelope
// {"stream":"<sym>@<chan>","data":{...}}; prices and quantities as strings with the
// symbol's fixed decimals.
// Hyperliquid (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket):
// {"channel":"l2Book","data":{"coin","time","levels":[[bids],[asks]]}} with levels {px,sz,n},
// {"channel":"allMids","data":{"mids":{coin: px}}}; numbers as minimal decimal strings.
// Pyth Hermes WebSocket (wss://hermes.pyth.network/ws): {"type":"price_update",
// "price_feed":{"id","price":{price,conf,expo,publish_time},"ema_price":{...}}}.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/book/book.hpp"
#include "sim/book/market.hpp"

namespace liqd::sim::wire {

std::string lower(std::string s);

struct DepthEvent {
  int64_t event_ms = 0, tx_ms = 0;
  uint64_t first_id = 0, last_id = 0, prev_last_id = 0;  // U, u, pu
  const std::vector<Level>* bids = nullptr;
  const std::vector<Level>* asks = nullptr;
};

std::string binance_depth_update(const MarketSpec& m, const DepthEvent& e);
std::string binance_book_ticker(const MarketSpec& m, uint64_t update_id, const Level& bid, const Level& ask,
                                int64_t tx_ms, int64_t event_ms);
// Mark and index as 8-decimal strings (as the docs' example), funding rate "0.00010000".
std::string binance_mark_price(const MarketSpec& m, int64_t event_ms, Price mark, Price index,
                               int64_t next_funding_ms);
std::string binance_agg_trade(const MarketSpec& m, int64_t event_ms, uint64_t agg_id, Price px, Qty qty,
                              uint64_t first_trade, uint64_t last_trade, int64_t trade_ms, bool buyer_is_maker);
// REST GET /fapi/v1/depth body.
std::string binance_depth_snapshot(const MarketSpec& m, uint64_t last_update_id, int64_t event_ms, int64_t tx_ms,
                                   const BookSides& book, int limit);

std::string hyperliquid_l2book(const MarketSpec& m, int64_t time_ms, const BookSides& book, uint64_t seed,
                               uint64_t step, int max_levels = 20);
std::string hyperliquid_all_mids(const std::vector<const MarketSpec*>& markets, const std::vector<Price>& mids);

struct PythPrice {
  int64_t price = 0;  // at expo
  uint64_t conf = 0;
  int expo = -8;
  int64_t publish_time = 0;  // seconds
};
std::string pyth_price_update(const std::string& id, const PythPrice& price, const PythPrice& ema);

}  // namespace liqd::sim::wire
