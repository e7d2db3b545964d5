#include "feeds/connection/binance_connection.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "feeds/venues/binance_usdm.hpp"

namespace liqd::feeds {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string strip_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

BinanceConnection::BinanceConnection(MarketTable& markets, std::vector<std::string> symbols, std::string ws_base,
                                     std::string rest_base, EventSink& sink, BinanceOptions opts)
    : WsFeedConnection(Venue::BinanceUsdm, markets, sink, std::move(symbols), opts.stale_after_ms,
                       SyncTracker::kBook | SyncTracker::kPrice),
      opts_(std::move(opts)), rest_base_(strip_slash(std::move(rest_base))), rest_(opts_.rest) {
  std::string streams;
  for (const std::string& s : symbols_) {
    const std::string l = lower(s);
    auto add = [&](const std::string& st) {
      if (!streams.empty()) streams += '/';
      streams += l + "@" + st;
    };
    add(opts_.depth_stream);
    add(opts_.mark_stream);
    if (opts_.book_ticker) add("bookTicker");
    if (opts_.agg_trade) add("aggTrade");
  }
  stream_url_ = strip_slash(std::move(ws_base)) + "/stream?streams=" + streams;
  FeedOptions fo = opts_.feed;
  fo.only_symbol.clear();
  fo.snapshot_symbol.clear();
  auto feed = std::make_unique<BinanceUsdmFeed>(markets, sink_tap(), std::move(fo));
  binance_ = feed.get();
  WsOptions ws = opts_.ws;
  ws.url = stream_url_;
  if (ws.name == "ws") ws.name = "binance-usdm";
  init(std::move(feed), std::move(ws));
}

BinanceConnection::~BinanceConnection() { stop(); }

std::string BinanceConnection::on_start_hook() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_fetch_ = false;
    want_.clear();
    pending_.clear();
    ready_.clear();
  }
  fetcher_ = std::thread([this] { fetch_loop(); });
  return "";
}

void BinanceConnection::on_stop_hook() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_fetch_ = true;
  }
  cv_.notify_all();
  if (fetcher_.joinable()) fetcher_.join();  // bounded by RestOptions::timeout_ms
}

void BinanceConnection::request_snapshot(const std::string& symbol, int64_t delay_ms) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (std::find(pending_.begin(), pending_.end(), symbol) != pending_.end()) return;  // already coming
    pending_.push_back(symbol);
    want_.push_back({symbol, mono_ns() + delay_ms * 1'000'000});
  }
  counters_.snapshot_requests.fetch_add(1, std::memory_order_relaxed);
  cv_.notify_all();
}

void BinanceConnection::fetch_loop() {
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    if (stop_fetch_) return;
    if (want_.empty()) {
      cv_.wait(lk);
      continue;
    }
    const int64_t now = mono_ns();
    if (want_.front().not_before_ns > now) {
      cv_.wait_for(lk, std::chrono::nanoseconds(want_.front().not_before_ns - now));
      continue;
    }
    Want w = std::move(want_.front());
    want_.pop_front();
    lk.unlock();
    const std::string url = rest_base_ + "/fapi/v1/depth?symbol=" + w.symbol + "&limit=" + std::to_string(opts_.depth_limit);
    RestResult r = rest_.get(url);
    const int64_t ts = wall_ns();
    if (!r.ok()) {
      counters_.snapshot_fetch_errors.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("binance-usdm: depth snapshot {} failed: {} (status {}); retry in {} ms", w.symbol,
                   r.error.empty() ? r.body.substr(0, 200) : r.error, r.status, opts_.snapshot_retry_ms);
      lk.lock();
      want_.push_back({w.symbol, mono_ns() + opts_.snapshot_retry_ms * 1'000'000});  // stays pending
      continue;
    }
    counters_.snapshots_fetched.fetch_add(1, std::memory_order_relaxed);
    lk.lock();
    ready_.push_back({std::move(w.symbol), std::move(r), ts});
    lk.unlock();
    wake();  // apply on the WebSocket thread
    lk.lock();
  }
}

void BinanceConnection::on_connected_hook() {
  // Every book not synced needs a snapshot; a synced one keeps going if the
  // first delta on this connection continues its pu chain (else: gap -> resync).
  for (size_t i = 0; i < market_ids_.size(); ++i) {
    const BookState* bs = feed_->book_state(market_ids_[i]);
    if (!bs || bs->state != SyncState::Synced) request_snapshot(symbols_[i], 0);
  }
}

void BinanceConnection::on_wake_hook() {
  std::vector<Fetched> got;
  {
    std::lock_guard<std::mutex> lk(mu_);
    got.swap(ready_);
    // No longer pending: a resync raised while applying asks for a new one.
    for (const Fetched& f : got) pending_.erase(std::remove(pending_.begin(), pending_.end(), f.symbol), pending_.end());
  }
  for (const Fetched& f : got) {
    Status st = binance_->on_snapshot(f.symbol, f.result.body, f.local_ts_ns);
    if (!st.ok()) {
      counters_.snapshot_apply_errors.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("binance-usdm: depth snapshot {} refused: {} at {}; retry in {} ms", f.symbol,
                   to_string(st.code), st.where, opts_.snapshot_retry_ms);
      const BookState* bs = feed_->book_state(markets_.find(Venue::BinanceUsdm, f.symbol));
      if (!bs || bs->state == SyncState::AwaitingSnapshot) request_snapshot(f.symbol, opts_.snapshot_retry_ms);
    }
  }
}

void BinanceConnection::on_resync_hook(const ResyncRequest& r) {
  if (r.h.market == kNoMarket) return;
  const std::string sym(markets_.info(r.h.market).symbol());
  // Binance's procedure: hold the deltas (the handler does), fetch a new snapshot.
  request_snapshot(sym, 0);
}

}  // namespace liqd::feeds
