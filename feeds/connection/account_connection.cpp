#include "feeds/connection/account_connection.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

namespace liqd::feeds {

namespace {

std::string split_host_port(const std::string& hp, std::string& host, uint16_t& port) {
  const size_t colon = hp.rfind(':');
  if (colon == std::string::npos || colon + 1 == hp.size()) return "accounts: '" + hp + "' is not host:port";
  host = hp.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return "accounts: '" + hp + "' has no host";
  unsigned v = 0;
  const char* b = hp.data() + colon + 1;
  const char* e = hp.data() + hp.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc{} || p != e || v == 0 || v > 65535) return "accounts: bad port in '" + hp + "'";
  port = static_cast<uint16_t>(v);
  return "";
}

}  // namespace

AccountConnection::AccountConnection(MarketTable& markets, std::string host_port, AccountSink& sink, AccountOptions opts)
    : markets_(markets), host_port_(std::move(host_port)), sink_(sink), opts_(std::move(opts)), feed_(markets_, *this) {}

AccountConnection::~AccountConnection() { stop(); }

std::string AccountConnection::start() {
  if (started_) return "already started";
  FrameOptions fo = opts_.frames;
  if (std::string err = split_host_port(host_port_, fo.host, fo.port); !err.empty()) return err;
  FrameCallbacks cb;
  cb.on_frame = [this](std::string_view b, int64_t ts) { on_frame(b, ts); };
  cb.on_connected = [this] {
    // The venue starts every connection with a full snapshot.
    feed_.restart();
    resync_pending_ = false;
    publish();
  };
  cb.on_disconnected = [this](std::string_view) { publish(); };
  cb.on_tick = [this](int64_t) {
    std::lock_guard<std::mutex> lk(counters_mu_);
    feed_counters_pub_ = feed_.counters();
  };
  frames_ = std::make_unique<FrameClient>(std::move(fo), std::move(cb));
  if (std::string err = frames_->start(); !err.empty()) return err;
  started_ = true;
  return "";
}

void AccountConnection::stop() {
  if (!started_) return;
  frames_->stop();
  in_sync_.store(false, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lk(counters_mu_);
    feed_counters_pub_ = feed_.counters();
  }
  started_ = false;
}

FeedCounters AccountConnection::feed_counters() const {
  std::lock_guard<std::mutex> lk(counters_mu_);
  return feed_counters_pub_;
}

void AccountConnection::publish() {
  in_sync_.store(frames_->connected() && feed_.in_sync() && !resync_pending_, std::memory_order_release);
  last_seq_.store(feed_.last_seq(), std::memory_order_relaxed);
}

void AccountConnection::on_frame(std::string_view bytes, int64_t ts) {
  if (resync_pending_) return;  // the connection is being dropped
  const bool was = feed_.in_sync();
  Status st = feed_.on_message(bytes, ts);
  if (!st.ok() && st.code != FeedError::Gap) counters_.parse_errors.fetch_add(1, std::memory_order_relaxed);
  if (was != feed_.in_sync() || !feed_.in_sync() || (last_seq_.load(std::memory_order_relaxed) & 0xff) == 0) publish();
  else last_seq_.store(feed_.last_seq(), std::memory_order_relaxed);
}

void AccountConnection::on_account_resync(const AccountResyncRequest& r) {
  counters_.resync_requests.fetch_add(1, std::memory_order_relaxed);
  counters_.resync_reconnects.fetch_add(1, std::memory_order_relaxed);
  resync_pending_ = true;
  in_sync_.store(false, std::memory_order_release);
  sink_.on_account_resync(r);
  // This venue resyncs by reconnecting: every connection starts with a full snapshot.
  frames_->reconnect("account stream gap: expected seq " + std::to_string(r.expected_seq) + ", got " +
                     std::to_string(r.got_seq) + "; reconnecting for a snapshot");
}

void AccountConnection::on_account_in_sync(uint64_t seq) {
  snapshots_done_.fetch_add(1, std::memory_order_relaxed);
  sink_.on_account_in_sync(seq);
  publish();
}

}  // namespace liqd::feeds
