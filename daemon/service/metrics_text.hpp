#pragma once
// The service's /metrics page: every figure an operator watches, built at
// scrape time on the HTTP thread from the core's and executor's snapshots
// (seqlocks), the feed connections' atomics and the tick-to-decision
// histogram, through a fresh metrics::Registry (names checked there: liqd_*,
// counters _total, histograms in seconds). Money and prices are shown in their
// asset's units as doubles: display only, no decision reads them.
#include <string>

#include "daemon/service/http_front.hpp"

namespace liqd::service {

struct HttpCounters {
  uint64_t admin_requests = 0, admin_bad_requests = 0, metrics_requests = 0;
};

std::string render_metrics(const HttpFrontConfig& cfg, const HttpCounters& http);

}  // namespace liqd::service
