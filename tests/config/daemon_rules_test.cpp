// Every rejection rule of the daemon file, with its exact `file:line: key: reason`.
#include <gtest/gtest.h>

#include "config/daemon_config.hpp"
#include "config/daemon_sections.hpp"
#include "test_util.hpp"

namespace liqd::config {
namespace {

using test::insert_after;
using test::with_line;
using V = std::vector<std::string>;

// The smallest valid daemon file. Lines: 1-3 quote, 4-5 markets, 6-7 journal, 8-10 admin.
const std::string kGood = R"(quote:
  asset: USDC
  scale: "0.000001"
markets:
  dir: markets
journal:
  dir: /var/lib/liqd/journal
admin:
  listen: 127.0.0.1:9470
  token_file: /etc/liqd/admin.token
)";

V errors(const std::string& text) {
  Diagnostics diag;
  std::optional<DaemonConfig> d = load_daemon_string(text, "d.yaml", diag);
  EXPECT_EQ(d.has_value(), diag.ok());
  diag.sort();
  return test::strings(diag);
}

DaemonConfig load_ok(const std::string& text) {
  Diagnostics diag;
  std::optional<DaemonConfig> d = load_daemon_string(text, "d.yaml", diag);
  EXPECT_TRUE(d.has_value()) << (diag.ok() ? "" : diag.errors()[0].str());
  return d.value_or(DaemonConfig{});
}

TEST(DaemonConfig, MinimalFileGetsTheDocumentedDefaults) {
  DaemonConfig d = load_ok(kGood);
  EXPECT_EQ(d.instance, "liqd");
  EXPECT_EQ(d.quote.asset, "USDC");
  EXPECT_EQ(d.quote.quote_dp, 6);
  EXPECT_EQ(d.markets.dir, "markets");
  EXPECT_EQ(d.insurance_fund.start_balance.v, 0);
  EXPECT_EQ(d.journal.fsync, FsyncPolicy::Batch);
  EXPECT_EQ(d.journal.segment_mb, 256);
  EXPECT_EQ(d.admin.listen.str(), "127.0.0.1:9470");
  EXPECT_EQ(d.metrics.listen.str(), "127.0.0.1:9469");
  EXPECT_EQ(d.threads.core_shards, 1);
  EXPECT_EQ(d.threads.executor_cpu, -1);
  EXPECT_EQ(d.logging.level, "info");
  EXPECT_EQ(d.logging.format, "text");
}

TEST(DaemonConfig, MissingSectionAndUnknownKeys) {
  EXPECT_EQ(errors(kGood.substr(kGood.find("markets:"))), V{"d.yaml:1: quote: missing field"});
  EXPECT_EQ(errors(insert_after(kGood, 10, "planner: {}")), V{"d.yaml:11: planner: unknown key"});
  EXPECT_EQ(errors(insert_after(kGood, 7, "  colour: blue")), V{"d.yaml:8: journal.colour: unknown key"});
  EXPECT_EQ(errors(with_line(kGood, 10, "  token: x")),
            (V{"d.yaml:9: admin.token_file: missing field", "d.yaml:10: admin.token: unknown key"}));
  EXPECT_EQ(errors(with_line(with_line(kGood, 6, "journal: /var/lib/liqd"), 7, "")),
            (V{"d.yaml:6: journal: expected a mapping, got a scalar"}));
}

TEST(DaemonConfig, QuoteAndInsuranceFund) {
  EXPECT_EQ(errors(with_line(kGood, 3, R"(  scale: "0.5")")),
            V{"d.yaml:3: quote.scale: '0.5' must be a power of ten such as 0.000001"});
  EXPECT_EQ(errors(with_line(kGood, 2, "  asset: usdc")),
            V{"d.yaml:2: quote.asset: 'usdc' must be 1-12 capital letters or digits"});
  EXPECT_EQ(errors(insert_after(kGood, 10, "insurance_fund:\n  start_balance: \"-1\"")),
            V{"d.yaml:12: insurance_fund.start_balance: must not be negative, got -1"});
  EXPECT_EQ(errors(insert_after(kGood, 10, "insurance_fund:\n  start_balance: \"1.0000001\"")),
            V{"d.yaml:12: insurance_fund.start_balance: '1.0000001' has more than 6 decimal places"});
  EXPECT_EQ(load_ok(insert_after(kGood, 10, "insurance_fund:\n  start_balance: 2500000.5")).insurance_fund.start_balance.v,
            2'500'000'500'000);
}

TEST(DaemonConfig, Markets) {
  EXPECT_EQ(errors(insert_after(kGood, 5, "  files: [a.yaml]")),
            V{"d.yaml:5: markets: give exactly one of dir or files"});
  EXPECT_EQ(errors(with_line(with_line(kGood, 4, "markets: {}"), 5, "")),
            V{"d.yaml:4: markets: give exactly one of dir or files"});
  EXPECT_EQ(errors(with_line(with_line(kGood, 4, "markets: {files: [a.yaml, b.yaml, a.yaml]}"), 5, "")),
            V{"d.yaml:4: markets.files[2]: 'a.yaml' is listed twice"});
  DaemonConfig d = load_ok(with_line(with_line(kGood, 4, "markets: {files: [a.yaml, b.yaml]}"), 5, ""));
  EXPECT_EQ(d.markets.files, (std::vector<std::string>{"a.yaml", "b.yaml"}));
}

TEST(DaemonConfig, Journal) {
  EXPECT_EQ(errors(insert_after(kGood, 7, "  fsync: sometimes")),
            V{"d.yaml:8: journal.fsync: 'sometimes' is not one of always, batch, interval or never"});
  EXPECT_EQ(errors(insert_after(kGood, 7, "  fsync: interval")),
            V{"d.yaml:8: journal.fsync_interval_ms: missing field (fsync is interval)"});
  EXPECT_EQ(errors(insert_after(kGood, 7, "  fsync_interval_ms: 5")),
            V{"d.yaml:8: journal.fsync_interval_ms: only allowed with fsync: interval"});
  EXPECT_EQ(errors(insert_after(kGood, 7, "  fsync: interval\n  fsync_interval_ms: 0")),
            V{"d.yaml:9: journal.fsync_interval_ms: 0 is out of range [1, 10000]"});
  DaemonConfig d = load_ok(insert_after(kGood, 7, "  fsync: interval\n  fsync_interval_ms: 5"));
  EXPECT_EQ(d.journal.fsync, FsyncPolicy::Interval);
  EXPECT_EQ(d.journal.fsync_interval_ms, 5);
}

TEST(DaemonConfig, AdminListensOnLoopbackOnly) {
  EXPECT_EQ(errors(with_line(kGood, 9, "  listen: 0.0.0.0:9470")),
            V{"d.yaml:9: admin.listen: '0.0.0.0' is not a loopback address (the admin API must not be reachable "
              "from outside)"});
  EXPECT_EQ(errors(with_line(kGood, 9, "  listen: \"[2001:db8::1]:9470\"")),
            V{"d.yaml:9: admin.listen: '2001:db8::1' is not a loopback address (the admin API must not be reachable "
              "from outside)"});
  EXPECT_EQ(errors(with_line(kGood, 9, "  listen: 127.0.0.1:70000")),
            V{"d.yaml:9: admin.listen: port '70000' is not in [1, 65535]"});
  EXPECT_EQ(errors(with_line(kGood, 9, "  listen: 127.0.0.1")),
            V{"d.yaml:9: admin.listen: '127.0.0.1' is not host:port or [ipv6]:port"});
  EXPECT_EQ(errors(with_line(kGood, 9, "  listen: example.com:80")),
            V{"d.yaml:9: admin.listen: 'example.com' is not an IPv4 address or localhost"});
  EXPECT_EQ(load_ok(with_line(kGood, 9, "  listen: \"[::1]:9470\"")).admin.listen.str(), "[::1]:9470");
  EXPECT_EQ(load_ok(with_line(kGood, 9, "  listen: localhost:9470")).admin.listen.host, "localhost");
  EXPECT_EQ(load_ok(with_line(kGood, 9, "  listen: 127.0.0.2:9470")).admin.listen.port, 9470);
}

TEST(DaemonConfig, MetricsPortMustDifferFromAdmin) {
  EXPECT_EQ(errors(insert_after(kGood, 10, "metrics:\n  listen: 0.0.0.0:9470")),
            V{"d.yaml:8: admin.listen: port 9470 is also metrics.listen's"});
  EXPECT_EQ(load_ok(insert_after(kGood, 10, "metrics:\n  listen: 0.0.0.0:9469")).metrics.listen.str(), "0.0.0.0:9469");
}

TEST(DaemonConfig, Threads) {
  EXPECT_EQ(errors(insert_after(kGood, 10, "threads:\n  core_shards: 2\n  core_cpus: [3]")),
            V{"d.yaml:13: threads.core_cpus: 1 CPUs for 2 core shards (give one per shard)"});
  EXPECT_EQ(errors(insert_after(kGood, 10, "threads:\n  core_shards: 2\n  core_cpus: [3, 3]")),
            V{"d.yaml:13: threads.core_cpus[1]: CPU 3 is given to two core shards"});
  EXPECT_EQ(errors(insert_after(kGood, 10, "threads:\n  core_cpus: [3]\n  executor_cpu: 3")),
            V{"d.yaml:13: threads.executor_cpu: CPU 3 is also a core shard's (hot threads need their own CPU)"});
  EXPECT_EQ(errors(insert_after(kGood, 10, "threads:\n  executor_cpu: 2000")),
            V{"d.yaml:12: threads.executor_cpu: 2000 is out of range [0, 1023]"});
  EXPECT_EQ(errors(insert_after(kGood, 10, "threads:\n  core_shards: 0")),
            V{"d.yaml:12: threads.core_shards: 0 is out of range [1, 64]"});
  DaemonConfig d = load_ok(insert_after(kGood, 10, "threads:\n  core_shards: 2\n  core_cpus: [2, 3]\n  feed_cpus: [4, 5]"));
  EXPECT_EQ(d.threads.core_cpus, (std::vector<int>{2, 3}));
  EXPECT_EQ(d.threads.feed_cpus, (std::vector<int>{4, 5}));
}

TEST(DaemonConfig, LoggingAndInstance) {
  EXPECT_EQ(errors(insert_after(kGood, 10, "logging:\n  level: verbose")),
            V{"d.yaml:12: logging.level: 'verbose' is not one of trace, debug, info, warn, error, critical or off"});
  EXPECT_EQ(errors(insert_after(kGood, 10, "instance: a b")),
            V{"d.yaml:11: instance: 'a b' must be 1-64 letters, digits, '-', '_' or '.'"});
}

TEST(DaemonConfig, VenueAndFeeds) {
  DaemonConfig d = load_ok(insert_after(kGood, 10,
                                        "venue:\n  account_stream: 127.0.0.1:7101\n  order_entry: localhost:7102\n"
                                        "feeds:\n  binance_ws: ws://127.0.0.1:1\n  binance_rest: http://127.0.0.1:1\n"
                                        "  pyth_ws: wss://hermes.pyth.network/ws\n  stale_after_ms: 250"));
  ASSERT_TRUE(d.venue.has_value());
  EXPECT_EQ(d.venue->account_stream.str(), "127.0.0.1:7101");
  EXPECT_EQ(d.venue->order_entry.port, 7102);
  EXPECT_EQ(d.feeds.binance_rest, "http://127.0.0.1:1");
  EXPECT_EQ(d.feeds.pyth_ws, "wss://hermes.pyth.network/ws");
  EXPECT_TRUE(d.feeds.hyperliquid_ws.empty());
  EXPECT_EQ(d.feeds.stale_after_ms, 250);
  EXPECT_FALSE(load_ok(kGood).venue.has_value());
  EXPECT_EQ(errors(insert_after(kGood, 10, "venue:\n  account_stream: 127.0.0.1")),
            (V{"d.yaml:12: venue.account_stream: '127.0.0.1' is not host:port or [ipv6]:port",
               "d.yaml:12: venue.order_entry: missing field"}));
  EXPECT_EQ(errors(insert_after(kGood, 10, "feeds:\n  pyth_ws: http://x")),
            V{"d.yaml:12: feeds.pyth_ws: 'http://x' must start with ws:// or wss://"});
  EXPECT_EQ(errors(insert_after(kGood, 10, "feeds:\n  binance_ws: ws://x")),
            V{"d.yaml:12: feeds: give both binance_ws and binance_rest (depth needs REST snapshots) or neither"});
}

TEST(DaemonConfig, OwnBookFeed) {
  DaemonConfig d = load_ok(insert_after(kGood, 10,
                                        "feeds:\n  own_book_ws: ws://127.0.0.1:2\n  own_book_rest: http://127.0.0.1:2\n"));
  EXPECT_EQ(d.feeds.own_book_ws, "ws://127.0.0.1:2");
  EXPECT_EQ(d.feeds.own_book_rest, "http://127.0.0.1:2");
  EXPECT_TRUE(load_ok(kGood).feeds.own_book_ws.empty());
  EXPECT_EQ(errors(insert_after(kGood, 10, "feeds:\n  own_book_rest: http://x")),
            V{"d.yaml:12: feeds: give both own_book_ws and own_book_rest (depth needs REST snapshots) or neither"});
  EXPECT_EQ(errors(insert_after(kGood, 10, "feeds:\n  own_book_ws: http://x")),
            V{"d.yaml:12: feeds.own_book_ws: 'http://x' must start with ws:// or wss://"});
}

TEST(DaemonConfig, EverySectionHasAReader) {
  // The section table is what makes the file extensible; its required rows are
  // exactly the sections the minimal file gives.
  V required;
  for (const detail::Section& s : detail::daemon_sections())
    if (s.required) required.push_back(std::string(s.name));
  EXPECT_EQ(required, (V{"quote", "markets", "journal", "admin"}));
}

// The policy sections: absent keys keep the replay's tuning (amounts scaled to
// quote.scale); every key is range-checked with its location.
TEST(DaemonConfig, PolicySectionsDefaultsAndValues) {
  DaemonConfig d = load_ok(kGood);
  EXPECT_EQ(d.liquidation.target_buffer.v, 10'000'000);
  EXPECT_EQ(d.liquidation.small_account_notional.v, 1'000'000'000);     // 1000 at 6 decimals
  EXPECT_EQ(d.liquidation.large_account_notional.v, 100'000'000'000);   // 100000
  EXPECT_EQ(d.liquidation.max_order_notional.v, 500'000'000'000);       // 500000
  EXPECT_EQ(d.liquidation.global_cap_per_minute.v, 0);
  EXPECT_EQ(d.liquidation.no_fill_backoff_ms, 500);
  EXPECT_EQ(d.liquidation.no_fill_backoff_max_ms, 8'000);
  ASSERT_EQ(d.circuit_breaker.bands.size(), 1u);
  EXPECT_EQ(d.circuit_breaker.bands[0].window_ms, 60'000);
  EXPECT_EQ(d.circuit_breaker.bands[0].pause_move.v, 8'000'000);
  EXPECT_EQ(d.circuit_breaker.calm_ms, 120'000);
  EXPECT_FALSE(d.dynamic_margin.enabled);
  EXPECT_EQ(d.dynamic_margin.k.v, 200'000'000);
  // quote.scale 0.01: the same defaults in cents.
  DaemonConfig cents = load_ok(with_line(kGood, 3, R"(  scale: "0.01")"));
  EXPECT_EQ(cents.liquidation.small_account_notional.v, 100'000);

  DaemonConfig v = load_ok(kGood + R"(liquidation:
  target_buffer: "0.25"
  small_account_notional: "50"
  large_account_notional: "2500000.5"
  max_order_notional: 1000000
  global_cap_per_minute: "20000000"
  no_fill_backoff_ms: 250
  no_fill_backoff_max_ms: 4000
circuit_breaker:
  bands:
    - {window_ms: 10000, pause_move: "0.05"}
    - {window_ms: 300000, throttle_move: "0.1", pause_move: "0.2"}
  pause_divergence: "0.02"
  calm_ms: 30000
dynamic_margin:
  enabled: true
  k: "3"
  min_samples: 10
)");
  EXPECT_EQ(v.liquidation.target_buffer.v, 25'000'000);
  EXPECT_EQ(v.liquidation.small_account_notional.v, 50'000'000);
  EXPECT_EQ(v.liquidation.large_account_notional.v, 2'500'000'500'000);
  EXPECT_EQ(v.liquidation.max_order_notional.v, 1'000'000'000'000);
  EXPECT_EQ(v.liquidation.global_cap_per_minute.v, 20'000'000'000'000);
  EXPECT_EQ(v.liquidation.no_fill_backoff_ms, 250);
  ASSERT_EQ(v.circuit_breaker.bands.size(), 2u);
  EXPECT_EQ(v.circuit_breaker.bands[0].throttle_move.v, 0);
  EXPECT_EQ(v.circuit_breaker.bands[0].pause_move.v, 5'000'000);
  EXPECT_EQ(v.circuit_breaker.bands[1].window_ms, 300'000);
  EXPECT_EQ(v.circuit_breaker.pause_divergence.v, 2'000'000);
  EXPECT_EQ(v.circuit_breaker.calm_ms, 30'000);
  EXPECT_TRUE(v.dynamic_margin.enabled);
  EXPECT_EQ(v.dynamic_margin.k.v, 300'000'000);
  EXPECT_EQ(v.dynamic_margin.min_samples, 10);
  EXPECT_EQ(d.backstop.account, 0u);  // no vault unless configured
  EXPECT_EQ(d.backstop.trigger_fraction.v, 66'666'667);
  EXPECT_EQ(d.backstop.max_notional_per_market.v, 10'000'000'000'000);  // 10M at 6 decimals
  EXPECT_EQ(d.backstop.max_total_notional.v, 50'000'000'000'000);
  DaemonConfig b = load_ok(kGood + "backstop:\n  account: 900000001\n  trigger_fraction: \"0.5\"\n"
                                   "  max_notional_per_market: \"2500.5\"\n  margin_buffer: \"0.25\"\n");
  EXPECT_EQ(b.backstop.account, 900'000'001u);
  EXPECT_EQ(b.backstop.trigger_fraction.v, 50'000'000);
  EXPECT_EQ(b.backstop.max_notional_per_market.v, 2'500'500'000);
  EXPECT_EQ(b.backstop.max_total_notional.v, 50'000'000'000'000);
  EXPECT_EQ(b.backstop.margin_buffer.v, 25'000'000);
  EXPECT_EQ(d.backstop.hedge_charge.v, 0);   // the split: on, no charge, unless configured
  EXPECT_TRUE(d.backstop.split);
  DaemonConfig h = load_ok(kGood + "backstop:\n  account: 900000001\n  hedge_charge: \"0.0003\"\n  split: false\n");
  EXPECT_EQ(h.backstop.hedge_charge.v, 30'000);
  EXPECT_FALSE(h.backstop.split);
  EXPECT_EQ(d.executor.tracker_capacity, 16'384);
  EXPECT_EQ(d.executor.keep_ended_ms, 5'000);
  DaemonConfig e = load_ok(kGood + "executor:\n  tracker_capacity: 4096\n  keep_ended_ms: 750\n");
  EXPECT_EQ(e.executor.tracker_capacity, 4'096);
  EXPECT_EQ(e.executor.keep_ended_ms, 750);
}

TEST(DaemonConfig, PolicySectionErrorsNameTheKey) {
  // kGood has 10 lines: the section starts at line 11.
  EXPECT_EQ(errors(kGood + "liquidation:\n  target_buffer: \"-0.1\"\n"),
            V{"d.yaml:12: liquidation.target_buffer: -0.1 is outside [0, 10]"});
  EXPECT_EQ(errors(kGood + "liquidation:\n  large_chunk_fraction: \"0\"\n"),
            V{"d.yaml:12: liquidation.large_chunk_fraction: 0 is outside (0, 1]"});
  EXPECT_EQ(errors(kGood + "liquidation:\n  small_account_notional: \"-5\"\n"),
            V{"d.yaml:12: liquidation.small_account_notional: must not be negative, got -5"});
  EXPECT_EQ(errors(kGood + "liquidation:\n  max_order_notional: 0\n"),
            V{"d.yaml:12: liquidation.max_order_notional: must be positive (it bounds every order)"});
  EXPECT_EQ(errors(kGood + "liquidation:\n  no_fill_backoff_ms: 2000\n  no_fill_backoff_max_ms: 1000\n"),
            V{"d.yaml:13: liquidation.no_fill_backoff_max_ms: 1000 is below no_fill_backoff_ms (2000)"});
  EXPECT_EQ(errors(kGood + "liquidation:\n  small_account_notional: 5000\n  large_account_notional: 4000\n"),
            V{"d.yaml:13: liquidation.large_account_notional: is below small_account_notional (a large account "
              "would be closed in one order)"});
  EXPECT_EQ(errors(kGood + "liquidation:\n  cooldown: 5\n"), V{"d.yaml:12: liquidation.cooldown: unknown key"});
  EXPECT_EQ(errors(kGood + "backstop:\n  account: 1\n  hedge_charge: \"0.2\"\n"),
            V{"d.yaml:13: backstop.hedge_charge: 0.2 is outside [0, 0.1]"});
  EXPECT_EQ(errors(kGood + "backstop:\n  split: maybe\n"), V{"d.yaml:12: backstop.split: expected true or false, got 'maybe'"});
  EXPECT_EQ(errors(kGood + "circuit_breaker:\n  bands:\n    - {window_ms: 60000}\n"),
            V{"d.yaml:13: circuit_breaker.bands[0]: give throttle_move, pause_move or both"});
  EXPECT_EQ(errors(kGood + "circuit_breaker:\n  bands:\n    - {window_ms: 60000, throttle_move: 0.05, pause_move: 0.05}\n"),
            V{"d.yaml:13: circuit_breaker.bands[0].pause_move: must be above throttle_move (PAUSED is the stronger stage)"});
  EXPECT_EQ(errors(kGood + "circuit_breaker:\n  bands:\n    - {window_ms: 10, pause_move: 0.05}\n"),
            V{"d.yaml:13: circuit_breaker.bands[0].window_ms: 10 is out of range [1000, 3600000]"});
  EXPECT_EQ(errors(kGood + "circuit_breaker:\n  bands: []\n"),
            V{"d.yaml:12: circuit_breaker.bands: must not be empty"});
  EXPECT_EQ(errors(kGood + "circuit_breaker:\n  throttle_divergence: 0.02\n  pause_divergence: 0.01\n"),
            V{"d.yaml:13: circuit_breaker.pause_divergence: must be above throttle_divergence (PAUSED is the stronger stage)"});
  EXPECT_EQ(errors(kGood + "dynamic_margin:\n  enabled: yes\n"),
            V{"d.yaml:12: dynamic_margin.enabled: expected true or false, got 'yes'"});
  EXPECT_EQ(errors(kGood + "dynamic_margin:\n  k: 0\n"), V{"d.yaml:12: dynamic_margin.k: 0 is outside (0, 20]"});
  EXPECT_EQ(errors(kGood + "backstop:\n  account: -1\n"),
            V{"d.yaml:12: backstop.account: -1 is out of range [0, 9223372036854775807]"});
  EXPECT_EQ(errors(kGood + "backstop:\n  trigger_fraction: 1.5\n"),
            V{"d.yaml:12: backstop.trigger_fraction: 1.5 is outside [0, 1]"});
  EXPECT_EQ(errors(kGood + "backstop:\n  vault: 7\n"), V{"d.yaml:12: backstop.vault: unknown key"});
  EXPECT_EQ(errors(kGood + "executor:\n  keep_ended_ms: 10\n"),
            V{"d.yaml:12: executor.keep_ended_ms: 10 is out of range [100, 600000]"});
}

}  // namespace
}  // namespace liqd::config
