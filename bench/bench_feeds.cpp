// liqd-bench feeds: parser throughput on the recorded samples (tests/data/feeds)
// per format, with full JSON validation on (the default) and off, the cost of a
// typical Binance depth update (parse + sequence + apply), and single-level book
// apply latency (p50/p99) replaying real Binance level updates on a 1000-level book.
// Binance is also run with the fast path off (the general simdjson path alone),
// as the same-run baseline. Writes bench/results/feeds.json and feeds.md (or
// --out DIR); --depth-only prints the depthUpdate figures only.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <simdjson.h>

#include "bench/benches.hpp"
#include "core/money/decimal.hpp"
#include "feeds/feed_factory.hpp"
#include "feeds/venues/binance_usdm.hpp"

namespace liqd::bench {

namespace {

using namespace liqd::feeds;
using Clock = std::chrono::steady_clock;

std::string data_dir() { return std::string(LIQD_SOURCE_DIR) + "/tests/data/feeds/"; }

std::string slurp(const std::string& rel) {
  std::ifstream f(data_dir() + rel, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::vector<std::string> lines_of(const std::string& rel) {
  std::ifstream f(data_dir() + rel, std::ios::binary);
  std::vector<std::string> v;
  std::string l;
  while (std::getline(f, l)) if (!l.empty()) v.push_back(l);
  return v;
}

class NullSink final : public EventSink {
 public:
  uint64_t n = 0;
  void on_price(const PriceUpdate&) override { ++n; }
  void on_bbo(const BestBidOffer&) override { ++n; }
  void on_trade(const Trade&) override { ++n; }
  void on_liquidation(const Liquidation&) override { ++n; }
  void on_book(const BookUpdated&, const L2Book&) override { ++n; }
};

double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

Scale sc(int p, int q) {
  Scale s;
  s.price_dp = static_cast<int8_t>(p);
  s.qty_dp = static_cast<int8_t>(q);
  return s;
}

struct Sample {
  const char* format;
  Venue venue;
  std::vector<std::string> msgs;  // replayed in order each pass
  std::vector<std::pair<std::string, Scale>> scales;
  Scale fallback;
  bool sequenced = true;           // needs a fresh handler per pass (sequence numbers)
  std::vector<std::pair<std::string, std::string>> snapshots;  // Binance REST bodies, applied untimed
};

std::vector<Sample> samples() {
  std::vector<Sample> v;
  {
    Sample s{"binance-usdm", Venue::BinanceUsdm, {}, {}, sc(8, 3), true, {}};
    for (const char* sym : {"SUSHIUSDT", "AKROUSDT", "KEEPUSDT", "CTKUSDT"})
      s.snapshots.emplace_back(sym, slurp(std::string("binance_usdm/rest_depth_") + sym + "_limit1000_2021-07-22.json"));
    for (auto& l : lines_of("binance_usdm/ws_combined_stream_2021-07-22.jsonl")) s.msgs.push_back(l);
    s.scales = {{"SUSHIUSDT", sc(4, 0)}, {"AKROUSDT", sc(5, 0)}, {"KEEPUSDT", sc(4, 0)}, {"CTKUSDT", sc(5, 0)}};
    v.push_back(std::move(s));
  }
  v.push_back({"bybit-v5", Venue::BybitV5, lines_of("bybit_v5/ws_linear_BTCUSDT_SOLUSDT_2026-08-09.jsonl"),
               {{"BTCUSDT", sc(2, 3)}, {"SOLUSDT", sc(3, 1)}}, sc(8, 8), true, {}});
  v.push_back({"okx-v5", Venue::OkxV5, lines_of("okx_v5/ws_public_2022-02-27.jsonl"),
               {{"ELON-USDT", sc(11, 0)}, {"PROPS-ETH", sc(8, 8)}, {"ZEN-USDT", sc(2, 6)}, {"UNI-USD-SWAP", sc(3, 0)}}, sc(4, 0), true, {}});
  v.push_back({"dydx-v4", Venue::DydxV4, lines_of("dydx_v4/indexer_ws_v4_orderbook_ETH-USD_sequence.jsonl"),
               {{"ETH-USD", sc(3, 6)}}, sc(8, 8), true, {}});
  {
    std::string l2 = slurp("hyperliquid/info_l2Book_DYDX_2023-07-17.json");
    std::string mids = slurp("hyperliquid/info_allMids_2023-07-17.json");
    v.push_back({"hyperliquid", Venue::Hyperliquid,
                 {"{\"channel\":\"l2Book\",\"data\":" + l2 + "}", "{\"channel\":\"allMids\",\"data\":{\"mids\":" + mids + "}}"},
                 {}, sc(8, 4), false, {}});
  }
  v.push_back({"pyth-hermes", Venue::PythHermes,
               {slurp("pyth/hermes_api_latest_price_feeds_ETHUSD_docs_example_2023-08-15.json")}, {}, sc(8, 0), false, {}});
  return v;
}

struct Throughput {
  std::string format;
  bool validate = true;
  bool fast = true;  // FeedOptions::fast_path
  uint64_t msgs = 0, bytes = 0, errors = 0, events = 0;
  double seconds = 0;
  double ns_per_msg() const { return seconds * 1e9 / static_cast<double>(msgs); }
  double msgs_per_s() const { return static_cast<double>(msgs) / seconds; }
  double mb_per_s() const { return static_cast<double>(bytes) / seconds / 1e6; }
};

Throughput run_throughput(const Sample& s, bool validate, bool fast, double budget_s) {
  Throughput t;
  t.format = s.format;
  t.validate = validate;
  t.fast = fast;
  uint64_t sample_bytes = 0;
  for (auto& m : s.msgs) sample_bytes += m.size();
  // Each pass on a fresh handler (books start from their snapshots); the
  // handler's construction is outside the timed region.
  const uint64_t min_msgs = s.sequenced ? 20000 : 200000;
  while (t.seconds < budget_s || t.msgs < min_msgs) {
    MarketTable markets(256);
    for (auto& [sym, scale] : s.scales) markets.add(s.venue, sym, scale);
    markets.set_default_scale(s.fallback);
    NullSink sink;
    FeedOptions o;
    o.validate_full = validate;
    o.fast_path = fast;
    o.max_message_bytes = 1 << 20;
    auto feed = make_feed(s.venue, markets, sink, o);
    for (auto& [sym, body] : s.snapshots) static_cast<BinanceUsdmFeed*>(feed.get())->on_snapshot(sym, body);
    const uint64_t errors_before = feed->counters().errors_total;
    const uint64_t events_before = sink.n;
    const int reps = s.sequenced ? 1 : 2000;
    // Thread CPU time: the build machine is shared, wall time would count other processes.
    const double c0 = cpu_seconds();
    for (int r = 0; r < reps; ++r)
      for (const std::string& m : s.msgs) feed->on_message(m, 0);
    const double c1 = cpu_seconds();
    t.seconds += c1 - c0;
    t.errors += feed->counters().errors_total - errors_before;
    t.events += sink.n - events_before;
    t.msgs += s.msgs.size() * static_cast<uint64_t>(reps);
    t.bytes += sample_bytes * static_cast<uint64_t>(reps);
    if (t.seconds > budget_s * 4) break;
  }
  return t;
}

double pct(std::vector<double>& v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

struct ApplyStats {
  uint64_t n = 0;
  double p50 = 0, p99 = 0, p999 = 0, mean = 0, timer_p50 = 0;
};

// Real level updates: every b/a level of the SUSHIUSDT depthUpdates that apply
// after the snapshot, in order, replayed on the 1000-level snapshot book.
ApplyStats run_apply() {
  const Scale s = sc(4, 0);
  simdjson::dom::parser p;
  std::string snap = slurp("binance_usdm/rest_depth_SUSHIUSDT_limit1000_2021-07-22.json");
  simdjson::padded_string ps(snap);
  simdjson::dom::element e = p.parse(ps);
  L2Book base(8192);
  auto dec = [](std::string_view v, int dp) { int64_t x = 0; parse_decimal(v, dp, x); return x; };
  for (auto side : {"bids", "asks"})
    for (simdjson::dom::element lv : e[side].get_array())
      base.apply(std::string_view(side) == "bids" ? kBid : kAsk, dec(std::string_view(lv.at(0)), s.price_dp), dec(std::string_view(lv.at(1)), s.qty_dp));
  const uint64_t last_id = uint64_t(e["lastUpdateId"]);
  std::vector<LevelUpdate> ups;
  for (const std::string& l : lines_of("binance_usdm/ws_combined_stream_2021-07-22.jsonl")) {
    simdjson::padded_string lp(l);
    simdjson::dom::element d = p.parse(lp)["data"];
    if (std::string_view(d["e"]) != "depthUpdate" || std::string_view(d["s"]) != "SUSHIUSDT") continue;
    if (uint64_t(d["u"]) < last_id) continue;
    for (auto side : {"b", "a"})
      for (simdjson::dom::element lv : d[side].get_array())
        ups.push_back(LevelUpdate{dec(std::string_view(lv.at(0)), s.price_dp), dec(std::string_view(lv.at(1)), s.qty_dp),
                                  std::string_view(side) == "b" ? kBid : kAsk});
  }
  ApplyStats st;
  std::vector<double> ns;
  ns.reserve(ups.size() * 200);
  L2Book book(8192);
  double sum = 0;
  for (int pass = 0; pass < 200; ++pass) {
    book = base;  // same capacity: no reallocation
    for (const LevelUpdate& u : ups) {
      auto t0 = Clock::now();
      book.apply(u.side, u.price, u.qty);
      auto t1 = Clock::now();
      const double d = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
      ns.push_back(d);
      sum += d;
    }
  }
  std::vector<double> timer;
  for (int i = 0; i < 100000; ++i) {
    auto t0 = Clock::now();
    auto t1 = Clock::now();
    timer.push_back(static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()));
  }
  st.n = ns.size();
  st.mean = sum / static_cast<double>(ns.size());
  st.p50 = pct(ns, 0.50);
  st.p99 = pct(ns, 0.99);
  st.p999 = pct(ns, 0.999);
  st.timer_p50 = pct(timer, 0.5);
  return st;
}

// Parse + sequence + apply of one Binance depthUpdate message (the hot message),
// timed per message on a synced SUSHIUSDT book. The four configurations (fast
// path on/off x validation on/off) take turns pass by pass, so that they see the
// same machine load and their ratios mean something on a shared machine.
struct DepthStats {
  bool fast = true, validate = true;
  uint64_t n = 0, errors = 0;
  double p50 = 0, p99 = 0, mean = 0, avg_bytes = 0;
  double cpu_mean = 0;  // thread CPU time per message, whole loop (no timer inside)
};
constexpr int kDepthConfigs = 4;  // index: (fast ? 0 : 2) + (validate ? 0 : 1)
std::vector<DepthStats> run_depth(int only_config = -1) {
  std::vector<std::string> deltas;
  for (const std::string& l : lines_of("binance_usdm/ws_combined_stream_2021-07-22.jsonl"))
    if (l.find("sushiusdt@depth") != std::string::npos) deltas.push_back(l);
  const std::string snap = slurp("binance_usdm/rest_depth_SUSHIUSDT_limit1000_2021-07-22.json");
  std::vector<DepthStats> st(kDepthConfigs);
  std::vector<std::vector<double>> ns(kDepthConfigs);
  std::vector<double> sum(kDepthConfigs), bytes(kDepthConfigs), cpu(kDepthConfigs);
  std::vector<uint64_t> cpu_n(kDepthConfigs);
  for (int pass = 0; pass < 300; ++pass) {
    for (int c = 0; c < kDepthConfigs; ++c) {
      if (only_config >= 0 && c != only_config) continue;
      st[c].fast = c < 2;
      st[c].validate = c % 2 == 0;
      MarketTable markets(16);
      markets.add(Venue::BinanceUsdm, "SUSHIUSDT", sc(4, 0));
      NullSink sink;
      FeedOptions o;
      o.validate_full = st[c].validate;
      o.fast_path = st[c].fast;
      BinanceUsdmFeed feed(markets, sink, o);
      feed.on_snapshot("SUSHIUSDT", snap);
      if (pass % 2 == 1) {
        // Odd passes: CPU time of the whole loop, no per-message timer.
        const double c0 = cpu_seconds();
        for (const std::string& d : deltas) feed.on_message(d, 0);
        cpu[c] += cpu_seconds() - c0;
        cpu_n[c] += deltas.size();
      } else {
        for (const std::string& d : deltas) {
          auto t0 = Clock::now();
          feed.on_message(d, 0);
          auto t1 = Clock::now();
          const double x = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
          ns[c].push_back(x);
          sum[c] += x;
          bytes[c] += static_cast<double>(d.size());
        }
      }
      st[c].errors += feed.counters().errors_total;
    }
  }
  for (int c = 0; c < kDepthConfigs; ++c) {
    if (ns[c].empty()) continue;
    st[c].n = ns[c].size();
    st[c].mean = sum[c] / static_cast<double>(ns[c].size());
    st[c].avg_bytes = bytes[c] / static_cast<double>(ns[c].size());
    st[c].cpu_mean = cpu[c] * 1e9 / static_cast<double>(cpu_n[c]);
    st[c].p50 = pct(ns[c], 0.5);
    st[c].p99 = pct(ns[c], 0.99);
  }
  return st;
}

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  double a = 0, b = 0, c = 0;
  f >> a >> b >> c;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %.2f %.2f", a, b, c);
  return buf;
}

}  // namespace

int run_feeds(int argc, char** argv) {
  std::string out_dir = std::string(LIQD_SOURCE_DIR) + "/bench/results";
  double budget = 1.0;
  bool depth_only = false;
  bool fast_only = false;  // --fast-only: the default configuration's depthUpdate loop alone (for perf)
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--out") && i + 1 < argc) out_dir = argv[++i];
    else if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) budget = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--depth-only")) depth_only = true;
    else if (!std::strcmp(argv[i], "--fast-only")) depth_only = fast_only = true;
    else {
      std::fprintf(stderr, "usage: liqd-bench feeds [--out DIR] [--seconds S] [--depth-only]\n"
                           "  --depth-only: only the Binance depthUpdate loop, printed, no files written (for profiling)\n"
                           "  --fast-only: the same, default configuration only\n");
      return 2;
    }
  }
  const std::string load_before = load_average();
  if (depth_only) {
    for (const DepthStats& d : run_depth(fast_only ? 0 : -1))
      if (d.n > 0) std::printf("binance depthUpdate (%.0f B avg) fast_path=%d validate=%d: p50 %.0f ns p99 %.0f ns cpu mean %.0f ns (%llu errors)\n",
                  d.avg_bytes, d.fast ? 1 : 0, d.validate ? 1 : 0, d.p50, d.p99, d.cpu_mean, static_cast<unsigned long long>(d.errors));
    return 0;
  }
  std::vector<Throughput> tp;
  for (const Sample& s : samples()) {
    // Binance also through the general path only (fast_path off): the same-run baseline.
    for (bool fast : {true, false}) {
      if (!fast && s.venue != Venue::BinanceUsdm) continue;
      for (bool v : {true, false}) {
        tp.push_back(run_throughput(s, v, fast, budget));
        const Throughput& t = tp.back();
        std::printf("%-13s fast_path=%d validate=%d  %9.0f msg/s  %8.1f ns/msg  %7.1f MB/s  (%llu msgs, %llu errors)\n",
                    t.format.c_str(), fast ? 1 : 0, v ? 1 : 0, t.msgs_per_s(), t.ns_per_msg(), t.mb_per_s(),
                    static_cast<unsigned long long>(t.msgs), static_cast<unsigned long long>(t.errors));
      }
    }
  }
  const std::vector<DepthStats> dep = run_depth();
  for (const DepthStats& d : dep)
    std::printf("binance depthUpdate (parse+seq+apply, %.0f B avg) fast_path=%d validate=%d: p50 %.0f ns p99 %.0f ns cpu mean %.0f ns (%llu errors)\n",
                d.avg_bytes, d.fast ? 1 : 0, d.validate ? 1 : 0, d.p50, d.p99, d.cpu_mean, static_cast<unsigned long long>(d.errors));
  ApplyStats ap = run_apply();
  std::printf("book apply (1 level, 1000-level book, %llu samples): p50 %.0f ns p99 %.0f ns p99.9 %.0f ns mean %.1f ns (timer p50 %.0f ns included)\n",
              static_cast<unsigned long long>(ap.n), ap.p50, ap.p99, ap.p999, ap.mean, ap.timer_p50);
  const std::string load_after = load_average();

  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  const std::string impl = simdjson::builtin_implementation()->name() + " (On-Demand, compile time); stage 1: " +
                           simdjson::get_active_implementation()->name() + " (runtime)";
  std::string json = "{\n  \"date\": \"" + std::string(date) + "\",\n  \"simdjson_kernel\": \"" + impl +
                     "\",\n  \"load_average\": [\"" + load_before + "\", \"" + load_after + "\"],\n  \"throughput\": [\n";
  for (size_t i = 0; i < tp.size(); ++i) {
    const Throughput& t = tp[i];
    char b[512];
    std::snprintf(b, sizeof b,
                  "    {\"format\": \"%s\", \"fast_path\": %s, \"validate_full\": %s, \"messages\": %llu, \"errors\": %llu, \"msgs_per_s\": %.0f, "
                  "\"ns_per_msg\": %.1f, \"mb_per_s\": %.1f}%s\n",
                  t.format.c_str(), t.fast ? "true" : "false", t.validate ? "true" : "false", static_cast<unsigned long long>(t.msgs),
                  static_cast<unsigned long long>(t.errors), t.msgs_per_s(), t.ns_per_msg(), t.mb_per_s(), i + 1 < tp.size() ? "," : "");
    json += b;
  }
  json += "  ],\n  \"binance_depth_update\": [\n";
  for (size_t i = 0; i < dep.size(); ++i) {
    const DepthStats& d = dep[i];
    char b[512];
    std::snprintf(b, sizeof b,
                  "    {\"fast_path\": %s, \"validate_full\": %s, \"avg_bytes\": %.0f, \"p50_ns\": %.0f, \"p99_ns\": %.0f, \"mean_ns\": %.1f, "
                  "\"cpu_mean_ns\": %.1f, \"errors\": %llu}%s\n",
                  d.fast ? "true" : "false", d.validate ? "true" : "false", d.avg_bytes, d.p50, d.p99, d.mean, d.cpu_mean,
                  static_cast<unsigned long long>(d.errors), i + 1 < dep.size() ? "," : "");
    json += b;
  }
  char b[4096];
  std::snprintf(b, sizeof b,
                "  ],\n  \"book_apply\": {\"samples\": %llu, \"book_levels\": 1000, \"p50_ns\": %.0f, \"p99_ns\": %.0f, \"p999_ns\": %.0f, "
                "\"mean_ns\": %.1f, \"timer_overhead_p50_ns\": %.0f}\n}\n",
                static_cast<unsigned long long>(ap.n), ap.p50, ap.p99, ap.p999, ap.mean, ap.timer_p50);
  json += b;
  std::ofstream(out_dir + "/feeds.json") << json;

  std::string md = "# liqd-bench feeds\n\nCommand: `build/bin/liqd-bench feeds` (release preset, g++ 12 -O2), " + std::string(date) +
                   ", load average " + load_before + " before / " + load_after + " after, simdjson kernels: " + impl +
                   ". Input: the recorded samples in tests/data/feeds, replayed from memory "
                   "(each pass on a fresh handler; books start from their snapshots). Throughput is measured in thread CPU time "
                   "(the machine is shared with other builds); the per-message and per-level latencies are wall time, so their "
                   "tails include preemption. validate=on is the default (every value of every message checked); validate=off "
                   "checks only bracket balance and trailing content. fast_path=on is the default: Binance's depthUpdate and "
                   "bookTicker in their usual shape are read and checked in one strict pass over the bytes (feeds/fast_scan.hpp), "
                   "which is full validation too, so validate on/off makes no difference to them; everything else, and fast_path=off "
                   "(the old path, kept as the baseline of this run), goes through simdjson On-Demand.\n\n"
                   "| format | fast_path | validate | msg/s | ns/msg | MB/s | ratio vs validate=off |\n|---|---|---|---:|---:|---:|---:|\n";
  double best_mb = 0;
  std::string best_fmt;
  for (size_t i = 0; i + 1 < tp.size(); i += 2) {
    const Throughput& on = tp[i];
    const Throughput& off = tp[i + 1];
    char r[512];
    std::snprintf(r, sizeof r, "| %s | %s | on | %.0f | %.1f | %.1f | %.2fx |\n| %s | %s | off | %.0f | %.1f | %.1f | 1.00 |\n",
                  on.format.c_str(), on.fast ? "on" : "off", on.msgs_per_s(), on.ns_per_msg(), on.mb_per_s(),
                  on.ns_per_msg() / off.ns_per_msg(), off.format.c_str(), off.fast ? "on" : "off", off.msgs_per_s(),
                  off.ns_per_msg(), off.mb_per_s());
    md += r;
    if (on.fast && on.mb_per_s() > best_mb) { best_mb = on.mb_per_s(); best_fmt = on.format; }
  }
  // Same-run ratio for Binance: general path (old) over default (new), validation on.
  double bin_new = 0, bin_old = 0;
  for (const Throughput& t : tp)
    if (t.format == "binance-usdm" && t.validate) (t.fast ? bin_new : bin_old) = t.ns_per_msg();
  const DepthStats& dn = dep[0];   // fast path, validate on (the default)
  const DepthStats& dnf = dep[1];  // fast path, validate off
  const DepthStats& dov = dep[2];  // general path, validate on (the old default)
  const DepthStats& dof = dep[3];  // general path, validate off
  const double depth_gbps = dn.avg_bytes / dn.cpu_mean;  // bytes per ns = GB/s
  std::snprintf(b, sizeof b,
                "\nbinance-usdm, validation on: the default path takes %.2fx less CPU per message than the general path alone "
                "(%.0f vs %.0f ns/msg, same run).\n\n"
                "Binance depthUpdate, parse + sequence check + apply, per message (%.0f bytes average, SUSHIUSDT, 1000-level book, "
                "~16 level updates per message); the four configurations take turns pass by pass:\n\n"
                "| path | validate | CPU ns/msg (loop, no timers) | wall p50 ns | wall p99 ns |\n|---|---|---:|---:|---:|\n"
                "| fast (default) | on | %.0f | %.0f | %.0f |\n| fast | off | %.0f | %.0f | %.0f |\n"
                "| general (old) | on | %.0f | %.0f | %.0f |\n| general (old) | off | %.0f | %.0f | %.0f |\n\n"
                "Default vs old default (both validating): %.1fx less CPU per depthUpdate, i.e. %.2f GB/s of depthUpdate JSON per core. "
                "Goal <= 200 ns per typical depth update: %s. Goal >= 1 GB/s per core: %s for the depthUpdate (%.2f GB/s); "
                "best format throughput %.0f MB/s (%s, all messages of the sample).\n\n"
                "Book apply, one level update (real SUSHIUSDT updates replayed on the 1000-level snapshot book, %llu samples): "
                "p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns, mean %.1f ns. Each sample includes one steady_clock pair "
                "(p50 %.0f ns measured alone). Goal: <= 100 ns p99.\n\n"
                "Notes: the On-Demand kernel chosen at compile time (fallback) was not what made the general path slow: stage 1 runs "
                "the runtime-selected haswell kernel, and building the feeds code with -march=haswell changed the general path by "
                "less than the run-to-run noise; its time went to the full-validation walk, On-Demand iteration of the level arrays "
                "and decimals, and the book search (see feeds/README.md). "
                "dydx-v4 reports one error per pass: the recording's real message_id gap (12 missing). The machine has "
                "2 vCPUs shared with other builds; compare rows of one run, not runs of different days.\n",
                bin_old / bin_new, bin_new, bin_old, dn.avg_bytes, dn.cpu_mean, dn.p50, dn.p99, dnf.cpu_mean, dnf.p50, dnf.p99,
                dov.cpu_mean, dov.p50, dov.p99, dof.cpu_mean, dof.p50, dof.p99, dov.cpu_mean / dn.cpu_mean, depth_gbps,
                dn.cpu_mean <= 200 ? "met" : "NOT met", depth_gbps >= 1.0 ? "met" : "NOT met", depth_gbps, best_mb,
                best_fmt.c_str(), static_cast<unsigned long long>(ap.n), ap.p50, ap.p99, ap.p999, ap.mean, ap.timer_p50);
  md += b;
  std::ofstream(out_dir + "/feeds.md") << md;
  std::printf("load average %s before, %s after; throughput uses thread CPU time, latencies wall time\n", load_before.c_str(),
              load_after.c_str());
  std::printf("wrote %s/feeds.json and feeds.md\n", out_dir.c_str());
  return 0;
}

}  // namespace liqd::bench
