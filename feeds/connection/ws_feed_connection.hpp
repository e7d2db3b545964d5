#pragma once
// Shared machinery of a JSON venue connection: one WsClient (its own thread), one
// JsonFeed handler fed on that thread, a SyncTracker for in_sync(), and a tap
// between the handler and the daemon's EventSink that keeps the tracker current.
// Every EventSink call reaches the daemon's sink on the connection thread, in the
// order the handler emits them. Venue classes (BinanceConnection, ...) derive
// from it and add their subscriptions and resync logic.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "feeds/connection/connection_counters.hpp"
#include "feeds/connection/sync_tracker.hpp"
#include "feeds/event_sink.hpp"
#include "feeds/json_feed.hpp"
#include "feeds/transport/ws_client.hpp"

namespace liqd::feeds {

class WsFeedConnection : protected EventSink {
 public:
  ~WsFeedConnection() override;
  WsFeedConnection(const WsFeedConnection&) = delete;
  WsFeedConnection& operator=(const WsFeedConnection&) = delete;

  // Starts the connection thread; "" or what is wrong (bad URL, unknown market).
  // The MarketTable must not change after start(): the handler reads it unlocked.
  std::string start();
  // Stops and joins the connection thread (and any helper thread). Idempotent.
  void stop();

  // Thread-safe views.
  // The transport drops its connected flag before the disconnect callback clears
  // the tracker on the connection thread; asking both keeps "in sync implies
  // connected" true at every instant for readers on other threads.
  bool in_sync() const { return connected() && tracker_.in_sync(); }
  bool connected() const { return ws_ && ws_->connected(); }
  uint32_t markets_in_sync() const { return tracker_.markets_complete(); }
  uint32_t markets_total() const { return tracker_.markets_total(); }
  const TransportCounters& transport() const { return ws_->counters(); }
  const ConnectionCounters& counters() const { return counters_; }
  // A copy of the handler's counters (errors, gaps, resyncs, skew exchange-local),
  // refreshed on the connection thread every tick (WsOptions::tick_ms).
  FeedCounters feed_counters() const;
  Venue venue() const { return venue_; }
  const std::vector<MarketId>& markets() const { return market_ids_; }

 protected:
  WsFeedConnection(Venue venue, MarketTable& markets, EventSink& sink, std::vector<std::string> symbols,
                   int64_t stale_after_ms, uint8_t need_bits);
  // Called by the derived constructor: the handler (built on sink_tap()) and the
  // WebSocket options (url, subscribe messages, timers).
  void init(std::unique_ptr<JsonFeed> feed, WsOptions ws);
  EventSink& sink_tap() { return *this; }

  // Hooks on the connection thread.
  virtual void on_connected_hook() {}
  virtual void on_wake_hook() {}
  virtual void on_resync_hook(const ResyncRequest&) {}
  virtual std::string on_start_hook() { return ""; }  // before the connection thread starts
  virtual void on_stop_hook() {}                      // after it stopped
  void wake() { ws_->wake(); }

  Venue venue_;
  MarketTable& markets_;
  EventSink& sink_;
  std::vector<std::string> symbols_;
  std::vector<MarketId> market_ids_;  // resolved at start()
  int64_t stale_after_ns_;
  uint8_t need_bits_;
  std::unique_ptr<JsonFeed> feed_;
  std::unique_ptr<WsClient> ws_;
  SyncTracker tracker_;
  ConnectionCounters counters_;

 private:
  // EventSink: forward to the daemon's sink, keep the tracker current.
  void on_price(const PriceUpdate& p) override;
  void on_bbo(const BestBidOffer& b) override { sink_.on_bbo(b); }
  void on_trade(const Trade& t) override { sink_.on_trade(t); }
  void on_liquidation(const Liquidation& l) override { sink_.on_liquidation(l); }
  void on_book(const BookUpdated& u, const L2Book& b) override;
  void on_resync(const ResyncRequest& r) override;
  void on_stale(const StaleEvent& s) override;

  void on_message(std::string_view msg, int64_t ts);
  void on_tick(int64_t mono_now);
  void publish_counters();

  int64_t now_ns_ = 0;  // monotonic time of the message being handled
  mutable std::mutex counters_mu_;
  FeedCounters feed_counters_pub_;
  bool started_ = false;
};

// The price source that counts as "the market's price" for in_sync().
PriceSource sync_price_source(Venue v);

}  // namespace liqd::feeds
