#pragma once
// The venue's account stream: a FrameClient (TCP, u32-LE length-prefixed Protobuf
// AccountEvent frames, its own thread) feeding the AccountFeed handler, which
// delivers AccountUpdates to the daemon's AccountSink on that thread.
//
// Resync on this venue is a reconnect: the venue starts every connection with a
// full snapshot (one snapshot event per account, then the end marker) followed by
// deltas. So on every connect the handler is restarted (waits for the snapshot),
// and when the handler detects a gap (or an event it cannot use) the connection
// is dropped at once and re-made after the usual backoff.
//
// in_sync(): connected, the snapshot of this connection is complete, and no gap
// is pending.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "feeds/account/account_feed.hpp"
#include "feeds/connection/connection_counters.hpp"
#include "feeds/transport/frame_client.hpp"

namespace liqd::feeds {

struct AccountOptions {
  FrameOptions frames;  // host/port set by the connection; name "accounts"; tick_ms default 100 (counters)
  AccountOptions() {
    frames.name = "accounts";
    frames.tick_ms = 100;
  }
};

class AccountConnection final : private AccountSink {
 public:
  // host_port: "127.0.0.1:44983" (IPv6: "[::1]:44983"). Markets named in the
  // stream must be registered in `markets` under Venue::Own.
  AccountConnection(MarketTable& markets, std::string host_port, AccountSink& sink, AccountOptions opts = {});
  ~AccountConnection() override;
  AccountConnection(const AccountConnection&) = delete;
  AccountConnection& operator=(const AccountConnection&) = delete;

  std::string start();  // "" or what is wrong (bad host:port)
  void stop();

  // connected() too: the transport drops its flag before the disconnect callback
  // clears in_sync_, and no reader may see "in sync" on a closed connection.
  bool in_sync() const { return connected() && in_sync_.load(std::memory_order_acquire); }
  bool connected() const { return frames_ && frames_->connected(); }
  uint64_t last_seq() const { return last_seq_.load(std::memory_order_relaxed); }
  uint64_t snapshots_completed() const { return snapshots_done_.load(std::memory_order_relaxed); }
  const TransportCounters& transport() const { return frames_->counters(); }
  const ConnectionCounters& counters() const { return counters_; }
  FeedCounters feed_counters() const;  // copy, refreshed every frames.tick_ms

 private:
  void on_account(const AccountUpdate& u) override { sink_.on_account(u); }
  void on_account_resync(const AccountResyncRequest& r) override;
  void on_account_in_sync(uint64_t seq) override;
  void on_frame(std::string_view bytes, int64_t ts);
  void publish();

  MarketTable& markets_;
  std::string host_port_;
  AccountSink& sink_;
  AccountOptions opts_;
  AccountFeed feed_;
  std::unique_ptr<FrameClient> frames_;
  ConnectionCounters counters_;
  std::atomic<bool> in_sync_{false};
  std::atomic<uint64_t> last_seq_{0};
  std::atomic<uint64_t> snapshots_done_{0};
  bool resync_pending_ = false;  // connection thread
  mutable std::mutex counters_mu_;
  FeedCounters feed_counters_pub_;
  bool started_ = false;
};

}  // namespace liqd::feeds
