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
  // The own venue's book (its own-clob symbol) in the Binance USD-M wire format, for
  // the core's split (daemon/service/core_split.hpp). Empty: the own book is the
  // Binance feed's book of the market's mark (a hedge venue on that book adds no split).
  std::string own_book_ws;        // ws:// or wss:// base
  std::string own_book_rest;      // http:// or https:// base for its depth snapshots
  int64_t stale_after_ms = 5'000; // no update for this long (exchange time): the source is stale
};

struct LoggingSection {
  std::string level = "info";   // trace, debug, info, warn, error, critical, off
  std::string format = "text";  // text or json
  std::string file;             // empty: stderr (journald captures it under systemd)
};

// How the planner closes a flagged account (core/policy/planner/planner.hpp has the
// rules). Amounts are quote units at quote.scale; ratios have 8 decimals. Defaults
// are those `liqd replay` was tuned with (daemon/replay/README.md).
struct LiquidationSection {
  Ratio target_buffer{10'000'000};        // leave liquidation at equity ≥ MM × 1.10
  Quote small_account_notional{-1};       // ≤ this total notional → full close ("1000")
  Ratio deep_underwater_fraction{0};      // equity < f × MM → full close (0: equity < 0)
  Quote large_account_notional{-1};       // > this → chunks and cooldown ("100000")
  Ratio large_chunk_fraction{20'000'000}; // 20 % of a position per chunk
  int64_t cooldown_ms = 30'000;           // between a large account's chunks
  Quote max_order_notional{-1};           // per order, every market ("500000")
  Quote global_cap_per_minute{0};         // liquidated notional per minute, all markets; 0: no cap
  int64_t order_timeout_ms = 10'000;      // an order older than this no longer blocks its market
  int64_t no_fill_backoff_ms = 500;       // wait after an IOC that filled nothing, doubling ...
  int64_t no_fill_backoff_max_ms = 8'000; // ... up to this
  bool operator==(const LiquidationSection&) const = default;
};

// Mark moves that throttle or pause a market, within a window.
struct BreakerBandSection {
  int64_t window_ms = 0;
  Ratio throttle_move{0};   // 0: no THROTTLE stage in this band
  Ratio pause_move{0};      // 0: no PAUSED stage in this band
  bool operator==(const BreakerBandSection&) const = default;
};

// The per-market circuit breaker (core/policy/breaker/circuit_breaker.hpp).
struct CircuitBreakerSection {
  std::vector<BreakerBandSection> bands{{60'000, Ratio(3'000'000), Ratio(8'000'000)}};
  Ratio throttle_divergence{0};           // |mark − book mid| / mark; 0: off
  Ratio pause_divergence{0};
  int64_t calm_ms = 120'000;              // back to NORMAL after this long without a trigger
  Ratio throttle_chunk_scale{50'000'000}; // THROTTLE: chunks × 0.5 ...
  int64_t throttle_cooldown_mult = 2;     // ... and cooldowns × 2
  bool operator==(const CircuitBreakerSection&) const = default;
};

// Volatility-adjusted margin (core/policy/volmargin/vol_margin.hpp): MMR follows
// k × σ over the liquidation horizon, in bounded steps, never below the tiers.
struct DynamicMarginSection {
  bool enabled = false;
  int64_t half_life_ms = 1'800'000;   // EWMA half-life of the variance
  int64_t horizon_ms = 300'000;       // liquidation horizon
  Ratio k{200'000'000};               // 2 σ
  int64_t interval_ms = 60'000;       // at most one change per interval
  Ratio max_step{250'000};            // ≤ 0.25 % per tier per change
  Ratio min_change{0};                // dead band
  Ratio mmr_cap{50'000'000};          // never above 50 %
  int64_t min_samples = 30;           // marks before the first change
  bool operator==(const DynamicMarginSection&) const = default;
};

// The backstop vault (core/policy/backstop/backstop_vault.hpp): a venue account that
// takes a position at its bankruptcy price when the book cannot (an IOC at the
// fillable price found nothing) or the account is below trigger_fraction × MM.
// account 0: no vault. Amounts are quote units at quote.scale.
struct BackstopSection {
  uint64_t account = 0;                    // the venue's id of the vault account
  Ratio trigger_fraction{66'666'667};      // equity < 2/3 × MM → transfer (Hyperliquid)
  Quote max_notional_per_market{-1};       // per market the vault holds ("10000000")
  Quote max_total_notional{-1};            // all markets ("50000000")
  Ratio margin_buffer{10'000'000};         // the vault keeps equity ≥ MM × 1.10
  // Own book or transfer-and-hedge (executors/split): the vault's charge on the
  // hedge notional (risk premium, funding; competes like a fee), and whether the
  // core consults the split at all (it does only where a hedge venue's depth is a
  // book other than the own book's, daemon/service/core_split.hpp).
  Ratio hedge_charge{0};                   // "0.0005"; at most 0.1
  bool split = true;
  bool operator==(const BackstopSection&) const = default;
};

// The executor's order tracker (executors/orders/order_tracker.hpp), per market: how
// many orders it follows at once (open + recently ended) and how long an ended order
// stays (a late or duplicated fill for it is still recognised). An order the tracker
// has no room for is refused before it is journaled and the core re-plans.
struct ExecutorSection {
  int64_t tracker_capacity = 16'384;
  int64_t keep_ended_ms = 5'000;
  bool operator==(const ExecutorSection&) const = default;
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
  LiquidationSection liquidation;
  CircuitBreakerSection circuit_breaker;
  DynamicMarginSection dynamic_margin;
  BackstopSection backstop;
  ExecutorSection executor;
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
