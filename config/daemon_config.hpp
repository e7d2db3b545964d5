#pragma once
// The daemon file (config/liqd.yaml): one mapping per concern. Each section has a
// reader registered in daemon_sections.cpp, so a later issue adds a section (planner,
// breaker, oracle, dynamic margin ...) by adding one struct here and one reader there;
// a key that no reader claims is an error, never silently ignored.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.hpp"
#include "config/market_config.hpp"
#include "core/money/fixed.hpp"

namespace liqd::config {

struct QuoteSection {
  std::string asset = "USDC";
  int quote_dp = 6;            // from `scale: "0.000001"`
};

// Where the market files are: every *.yaml in `dir`, or the listed `files`.
// Relative paths are relative to the daemon file's folder.
struct MarketsSection {
  std::string dir;
  std::vector<std::string> files;
};

struct InsuranceFundSection {
  Quote start_balance{0};
};

enum class FsyncPolicy : uint8_t { Always, Batch, Interval, Never };
const char* to_string(FsyncPolicy p);

struct JournalSection {
  std::string dir;
  FsyncPolicy fsync = FsyncPolicy::Batch;
  int64_t fsync_interval_ms = 0;          // only with Interval
  int64_t segment_mb = 256;               // a segment file is rolled past this size
};

struct ListenAddress {
  std::string host;   // "127.0.0.1", "::1", "0.0.0.0", "localhost"
  int port = 0;
  std::string str() const;
};

struct AdminSection {
  ListenAddress listen{"127.0.0.1", 9470};
  std::string token_file;
};

struct MetricsSection {
  ListenAddress listen{"127.0.0.1", 9469};
};

// CPU pinning: -1 = not pinned. Hot threads (core shards, executor) must not share a CPU.
struct ThreadsSection {
  int64_t core_shards = 1;
  std::vector<int> core_cpus;   // empty, or one per core shard
  std::vector<int> feed_cpus;   // feed threads are spread over these
  int executor_cpu = -1;
  int http_cpu = -1;
};

// The venue liqd protects: its account stream and its order entry (Protobuf
// frames over TCP, proto/account.proto and proto/order.proto).
struct VenueSection {
  ListenAddress account_stream;   // host:port to connect to
  ListenAddress order_entry;      // host:port to connect to
  uint64_t order_account = 0;     // the venue account liqd's own orders (hedges) trade from; 0: none
};

// Market-data endpoints per source kind. Empty: that source is not connected
// (markets whose oracles need it then lack that source).
struct FeedsSection {
  std::string binance_ws;         // ws:// or wss:// base, e.g. wss://fstream.binance.com
  std::string binance_rest;       // http:// or https:// base for depth snapshots
  std::string hyperliquid_ws;     // e.g. wss://api.hyperliquid.xyz/ws
  std::string pyth_ws;            // e.g. wss://hermes.pyth.network/ws
  int64_t stale_after_ms = 5'000; // no update for this long (exchange time): the source is stale
};

struct LoggingSection {
  std::string level = "info";   // trace, debug, info, warn, error, critical, off
  std::string format = "text";  // text or json
  std::string file;             // empty: stderr (journald captures it under systemd)
};

struct DaemonConfig {
  std::string file;             // the daemon file as given
  std::string instance = "liqd";
  QuoteSection quote;
  MarketsSection markets;
  InsuranceFundSection insurance_fund;
  JournalSection journal;
  AdminSection admin;
  MetricsSection metrics;
  ThreadsSection threads;
  LoggingSection logging;
  std::optional<VenueSection> venue;   // absent: nothing to connect to (checks, tools)
  FeedsSection feeds;
};

// The daemon file and every market it names, validated together.
struct Config {
  DaemonConfig daemon;
  std::vector<MarketConfig> markets;      // in file-name order; only markets without errors
  std::vector<std::string> market_files;  // every market file that was read
};

// Loads `path` and its market files. Returns the config when there is no error;
// every error in every file is in `diag` (sorted by file, then line) either way.
std::optional<Config> load_config(const std::string& path, Diagnostics& diag);

// The daemon file alone (markets are listed, not loaded). For tests and tools.
std::optional<DaemonConfig> load_daemon_string(const std::string& text, const std::string& name, Diagnostics& diag);

}  // namespace liqd::config
