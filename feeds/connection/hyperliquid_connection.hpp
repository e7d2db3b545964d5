#pragma once
// Hyperliquid market data for a set of coins: one WebSocket on its own thread
// subscribed to l2Book per coin (a whole top-20 book per message) and allMids,
// pinging with {"method":"ping"} (the server closes connections silent for 60 s).
// in_sync(): connected, and for every coin an l2Book and a mid arrived since the
// last (re)connect (and, with stale_after_ms, neither is older than that).
#include "feeds/connection/ws_feed_connection.hpp"

namespace liqd::feeds {

struct HyperliquidOptions {
  bool all_mids = true;          // subscribe allMids and require a mid per coin for in_sync()
  WsOptions ws;                  // url/subscribe set by the connection; ping_text defaults to {"method":"ping"}
  FeedOptions feed;
  int64_t stale_after_ms = 0;    // > 0: a book or mid older than this (local time) is out of sync
  HyperliquidOptions() {
    ws.ping_interval_ms = 20000;
    ws.ping_text = R"({"method":"ping"})";
  }
};

class HyperliquidConnection final : public WsFeedConnection {
 public:
  // coins: "BTC", ... registered in `markets` under Venue::Hyperliquid.
  // ws_url: "wss://api.hyperliquid.xyz/ws".
  HyperliquidConnection(MarketTable& markets, std::vector<std::string> coins, std::string ws_url, EventSink& sink,
                        HyperliquidOptions opts = {});
  ~HyperliquidConnection() override;
};

}  // namespace liqd::feeds
