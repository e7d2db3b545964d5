#pragma once
// `liqd --config F`: builds every stage from the config, recovers the journal,
// starts the threads (feeds, core, executor, HTTP) and then waits for signals
// on the main thread:
//   SIGHUP   reload the market files: validated first (an invalid change keeps
//            the running config, logged and counted); a valid change of a
//            market's tiers goes to the core, which ramps it when it would flag
//            accounts at once.
//   SIGTERM  drain: no new liquidations, open orders finish or are cancelled
//   SIGINT   within the drain timeout, the journal is flushed, exit 0.
// systemd: READY=1 once every thread runs, STATUS= once a second, WATCHDOG=1
// while the core and executor threads make progress, STOPPING=1 on drain.
#include <string>

#include "config/daemon_config.hpp"

namespace liqd::service {

struct ServiceOptions {
  int64_t drain_timeout_ms = 5'000;
  uint32_t max_accounts = 1u << 20;
};

// Returns the process exit code (0 after a clean drain; 1 when it cannot start).
int run_service(const config::Config& cfg, const std::string& config_path, const ServiceOptions& opts);

}  // namespace liqd::service
