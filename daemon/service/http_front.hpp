#pragma once
// The service's HTTP side: the admin API (loopback, bearer token) and
// Prometheus /metrics, served by the HTTP thread from snapshots and the
// admin request/reply rings only (routes: admin_routes.hpp, /metrics: metrics_text.hpp).
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/daemon_config.hpp"
#include "core/ring/spsc_ring.hpp"
#include "daemon/metrics/histogram.hpp"
#include "daemon/service/messages.hpp"
#include "daemon/service/snapshot.hpp"

namespace liqd::service {

// One feed connection's health, read on the HTTP thread (atomics underneath).
struct FeedHealth {
  std::string source;
  bool connected = false, in_sync = false;
  uint64_t messages = 0, errors = 0, gaps = 0, resyncs = 0, reconnects = 0, ring_full = 0, stale = 0;
};

struct HttpFrontConfig {
  const config::Config* cfg = nullptr;
  std::string token;
  Snapshots* snaps = nullptr;
  SpscRing<AdminRequest>* requests = nullptr;
  SpscRing<AdminReply>* replies = nullptr;
  metrics::LatencyHistogram* tick_to_decision = nullptr;
  std::function<std::string()> ready_reason;               // "" = ready
  std::function<std::vector<FeedHealth>()> feed_status;
  std::function<std::pair<uint64_t, uint64_t>()> reloads;  // (reloads, reload errors)
};

class HttpFront {
 public:
  explicit HttpFront(HttpFrontConfig cfg);
  ~HttpFront();
  std::string start();  // "" or why the listeners could not start
  void stop();
  std::string admin_endpoint() const;
  std::string metrics_endpoint() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace liqd::service
