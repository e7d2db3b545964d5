#include "feeds/connection/hyperliquid_connection.hpp"

#include "feeds/venues/hyperliquid.hpp"

namespace liqd::feeds {

HyperliquidConnection::HyperliquidConnection(MarketTable& markets, std::vector<std::string> coins, std::string ws_url,
                                             EventSink& sink, HyperliquidOptions opts)
    : WsFeedConnection(Venue::Hyperliquid, markets, sink, std::move(coins), opts.stale_after_ms,
                       opts.all_mids ? SyncTracker::kBook | SyncTracker::kPrice : SyncTracker::kBook) {
  WsOptions ws = std::move(opts.ws);
  ws.url = std::move(ws_url);
  if (ws.name == "ws") ws.name = "hyperliquid";
  ws.subscribe.clear();
  // Coin names are plain tickers ("BTC", "kPEPE"): no JSON escaping needed, but refuse quotes.
  for (const std::string& c : symbols_)
    if (c.find_first_of("\"\\") == std::string::npos)
      ws.subscribe.push_back(R"({"method":"subscribe","subscription":{"type":"l2Book","coin":")" + c + "\"}}");
  if (opts.all_mids) ws.subscribe.push_back(R"({"method":"subscribe","subscription":{"type":"allMids"}})");
  init(std::make_unique<HyperliquidFeed>(markets, sink_tap(), std::move(opts.feed)), std::move(ws));
}

HyperliquidConnection::~HyperliquidConnection() { stop(); }

}  // namespace liqd::feeds
