#include "feeds/connection/ws_feed_connection.hpp"

#include <spdlog/spdlog.h>

namespace liqd::feeds {

PriceSource sync_price_source(Venue v) {
  switch (v) {
    case Venue::Hyperliquid: return PriceSource::Mid;
    case Venue::PythHermes: return PriceSource::Oracle;
    default: return PriceSource::Mark;
  }
}

WsFeedConnection::WsFeedConnection(Venue venue, MarketTable& markets, EventSink& sink, std::vector<std::string> symbols,
                                   int64_t stale_after_ms, uint8_t need_bits)
    : venue_(venue), markets_(markets), sink_(sink), symbols_(std::move(symbols)),
      stale_after_ns_(stale_after_ms * 1'000'000), need_bits_(need_bits) {}

WsFeedConnection::~WsFeedConnection() { WsFeedConnection::stop(); }

void WsFeedConnection::init(std::unique_ptr<JsonFeed> feed, WsOptions ws) {
  feed_ = std::move(feed);
  WsCallbacks cb;
  cb.on_message = [this](std::string_view m, int64_t ts) { on_message(m, ts); };
  cb.on_connected = [this] {
    tracker_.set_connected(true);
    on_connected_hook();
  };
  cb.on_disconnected = [this](std::string_view) { tracker_.set_connected(false); };
  cb.on_wake = [this] { on_wake_hook(); };
  cb.on_tick = [this](int64_t now) { on_tick(now); };
  ws_ = std::make_unique<WsClient>(std::move(ws), std::move(cb));
}

std::string WsFeedConnection::start() {
  if (started_) return "already started";
  if (symbols_.empty()) return std::string(venue_name(venue_)) + ": no markets to subscribe";
  market_ids_.clear();
  for (const std::string& s : symbols_) {
    MarketId m = markets_.resolve(venue_, s);
    if (m == kNoMarket) return std::string(venue_name(venue_)) + ": market '" + s + "' is not in the market table";
    market_ids_.push_back(m);
  }
  tracker_.init(market_ids_, need_bits_);
  if (std::string err = on_start_hook(); !err.empty()) return err;
  if (std::string err = ws_->start(); !err.empty()) {
    on_stop_hook();
    return err;
  }
  started_ = true;
  return "";
}

void WsFeedConnection::stop() {
  if (!started_) return;
  ws_->stop();
  on_stop_hook();
  tracker_.set_connected(false);
  publish_counters();
  started_ = false;
}

FeedCounters WsFeedConnection::feed_counters() const {
  std::lock_guard<std::mutex> lk(counters_mu_);
  return feed_counters_pub_;
}

void WsFeedConnection::publish_counters() {
  std::lock_guard<std::mutex> lk(counters_mu_);
  feed_counters_pub_ = feed_->counters();
}

void WsFeedConnection::on_message(std::string_view msg, int64_t ts) {
  now_ns_ = mono_ns();
  Status st = feed_->on_message(msg, ts);
  if (!st.ok() && st.code != FeedError::Gap && st.code != FeedError::Crossed)
    counters_.parse_errors.fetch_add(1, std::memory_order_relaxed);
}

void WsFeedConnection::on_tick(int64_t mono_now) {
  tracker_.expire(mono_now, stale_after_ns_);
  publish_counters();
}

void WsFeedConnection::on_price(const PriceUpdate& p) {
  if (p.source == sync_price_source(venue_)) tracker_.set(p.h.market, SyncTracker::kPrice, now_ns_);
  sink_.on_price(p);
}

void WsFeedConnection::on_book(const BookUpdated& u, const L2Book& b) {
  // A Binance REST snapshot only loads the book (SnapshotLoaded); it is synced once
  // a delta applies on it. Hyperliquid's whole-book messages are synced at once.
  const BookState* bs = feed_->book_state(u.h.market);
  if (bs && bs->state == SyncState::Synced) tracker_.set(u.h.market, SyncTracker::kBook, now_ns_);
  sink_.on_book(u, b);
}

void WsFeedConnection::on_resync(const ResyncRequest& r) {
  counters_.resync_requests.fetch_add(1, std::memory_order_relaxed);
  tracker_.clear(r.h.market, SyncTracker::kBook);
  on_resync_hook(r);
  sink_.on_resync(r);
}

void WsFeedConnection::on_stale(const StaleEvent& s) {
  counters_.stale_events.fetch_add(1, std::memory_order_relaxed);
  tracker_.clear(s.h.market, SyncTracker::kBook);
  sink_.on_stale(s);
}

}  // namespace liqd::feeds
