#pragma once
// Binance USD-M futures market data for a set of symbols: one combined-stream
// WebSocket (<sym>@depth@100ms, <sym>@markPrice@1s, <sym>@bookTicker, and
// <sym>@aggTrade) on its own thread, the BinanceUsdmFeed handler, and REST depth
// snapshots (GET <rest_base>/fapi/v1/depth?symbol=X&limit=N) fetched by a helper
// thread so the WebSocket thread never waits on HTTP.
//
// Book sync is Binance's documented procedure, done by the handler: deltas that
// arrive before the snapshot are held, the snapshot is applied, older deltas are
// dropped, then every delta's pu must equal the previous u. The connection asks
// for a snapshot of every symbol whose book is not synced when the stream
// connects, and again whenever the handler requests a resync (gap, crossed book,
// held-delta overflow); a failed fetch or a snapshot the handler refuses is
// retried after snapshot_retry_ms. The fetched body is handed back to the
// WebSocket thread (wake()) and applied there, so the handler has one thread.
//
// in_sync(): connected, and for every symbol: the book is synced and has applied
// a delta since the last (re)connect, and a mark price arrived since then (and,
// with stale_after_ms, neither is older than that in local time).
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "feeds/connection/ws_feed_connection.hpp"
#include "feeds/transport/rest_client.hpp"

namespace liqd::feeds {

class BinanceUsdmFeed;

struct BinanceOptions {
  int depth_limit = 1000;               // REST snapshot depth (Binance: 5..1000)
  std::string depth_stream = "depth@100ms";
  std::string mark_stream = "markPrice@1s";
  bool book_ticker = true;
  bool agg_trade = true;
  WsOptions ws;                         // url/subscribe are set by the connection; timers etc. as given
  RestOptions rest;
  FeedOptions feed;                     // snapshot_symbol / only_symbol are not used
  int64_t snapshot_retry_ms = 1000;     // after a failed or refused snapshot
  int64_t stale_after_ms = 0;           // > 0: a book or mark older than this (local time) is out of sync
};

class BinanceConnection final : public WsFeedConnection {
 public:
  // symbols: venue symbols ("BTCUSDT"), registered in `markets` under
  // Venue::BinanceUsdm. ws_base: "wss://fstream.binance.com" (the connection adds
  // /stream?streams=...). rest_base: "https://fapi.binance.com".
  BinanceConnection(MarketTable& markets, std::vector<std::string> symbols, std::string ws_base, std::string rest_base,
                    EventSink& sink, BinanceOptions opts = {});
  ~BinanceConnection() override;

  const std::string& stream_url() const { return stream_url_; }

 private:
  struct Fetched {
    std::string symbol;
    RestResult result;
    int64_t local_ts_ns = 0;
  };
  struct Want {
    std::string symbol;
    int64_t not_before_ns = 0;  // monotonic
  };

  void on_connected_hook() override;
  void on_wake_hook() override;
  void on_resync_hook(const ResyncRequest& r) override;
  std::string on_start_hook() override;
  void on_stop_hook() override;

  void request_snapshot(const std::string& symbol, int64_t delay_ms);  // any thread
  void fetch_loop();

  BinanceOptions opts_;
  std::string rest_base_;
  std::string stream_url_;
  BinanceUsdmFeed* binance_ = nullptr;  // feed_, typed
  RestClient rest_;

  std::thread fetcher_;
  std::mutex mu_;                  // guards everything below (snapshot path only)
  std::condition_variable cv_;
  bool stop_fetch_ = false;
  std::deque<Want> want_;
  std::vector<std::string> pending_;  // queued or in flight, by symbol
  std::vector<Fetched> ready_;
};

}  // namespace liqd::feeds
