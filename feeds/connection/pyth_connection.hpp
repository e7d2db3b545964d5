#pragma once
// Pyth Hermes price feeds over WebSocket: one connection on its own thread,
// {"type":"subscribe","ids":[...]} after each connect, price_update messages into
// the PythHermesFeed handler (price and ema_price with conf, exact in the market's
// scale). in_sync(): connected, and for every id a price arrived since the last
// (re)connect (and, with stale_after_ms, not older than that in local time).
#include "feeds/connection/ws_feed_connection.hpp"

namespace liqd::feeds {

struct PythOptions {
  WsOptions ws;                  // url/subscribe set by the connection
  FeedOptions feed;
  int64_t stale_after_ms = 0;    // > 0: a price older than this (local time) is out of sync
  bool verbose = false;          // Hermes "verbose" subscription flag
};

class PythConnection final : public WsFeedConnection {
 public:
  // ids: price feed ids as Hermes sends them (64 hex digits, no 0x), registered in
  // `markets` under Venue::PythHermes. ws_url: "wss://hermes.pyth.network/ws".
  PythConnection(MarketTable& markets, std::vector<std::string> ids, std::string ws_url, EventSink& sink,
                 PythOptions opts = {});
  ~PythConnection() override;
};

}  // namespace liqd::feeds
