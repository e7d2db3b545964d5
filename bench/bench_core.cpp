// liqd-bench core [--accounts N] [--events N] [--json FILE] [--walk-only]
//
// The health index against a full-scan baseline, in the same run, over 50
// markets: 1–5 positions per account, leverage mostly 2–10x with a tail past
// 50x, ~10 % isolated. Paths: a random walk (σ ≈ 2 bp per event, one market per
// event) and the real crash-day path (tests/data/crash_days) applied to every
// market scaled to its price. Plus a correlated crash: every market −10 % at once.
// Times are per price event (rdtsc around HealthCore::apply, calibrated against
// steady_clock); evaluations per event come from the index's own counter.
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/benches.hpp"
#include "core/engine/health_core.hpp"

namespace liqd::bench {
namespace {

constexpr uint32_t kMarkets = 50;
constexpr const char* kCrashFile = "binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv";

double g_ns_per_cycle = 0;

void calibrate_tsc() {
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t c0 = __rdtsc();
  while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(200)) {}
  const uint64_t c1 = __rdtsc();
  const auto t1 = std::chrono::steady_clock::now();
  g_ns_per_cycle = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()) /
                   static_cast<double>(c1 - c0);
}

MarketRisk make_market(int price_dp, int qty_dp) {
  static const int64_t bounds[] = {50'000, 250'000, 1'000'000, -1};
  static const int64_t mmr_bp[] = {40, 100, 250, 1000};  // 0.4 % .. 10 %
  MarketRisk m{};
  m.scale = Scale{static_cast<int8_t>(price_dp), static_cast<int8_t>(qty_dp), 6};
  m.n_tiers = 4;
  for (int i = 0; i < 4; ++i) {
    m.tiers[i].max_notional = bounds[i] < 0 ? Quote(INT64_MAX) : Quote(bounds[i] * 1'000'000);
    m.tiers[i].mmr = Ratio(mmr_bp[i] * 10'000);
    m.tiers[i].imr = Ratio(mmr_bp[i] * 20'000);
  }
  derive_deductions(m, nullptr, nullptr);
  return m;
}

double mmr_for(double notional_usd) {
  return notional_usd <= 50'000 ? 0.004 : notional_usd <= 250'000 ? 0.01 : notional_usd <= 1e6 ? 0.025 : 0.1;
}

struct World {
  std::vector<MarketRisk> markets;
  std::vector<Price> marks;
  std::vector<double> price_usd;
  uint64_t positions = 0, pool_slots = 0;
};

World make_world(uint64_t seed) {
  World w;
  std::mt19937_64 rng(seed);
  for (uint32_t m = 0; m < kMarkets; ++m) {
    const double usd = std::pow(10.0, std::uniform_real_distribution<double>(-1.0, 4.8)(rng));
    const int price_dp = std::clamp(static_cast<int>(std::ceil(5 - std::log10(usd))), 0, 8);
    const int qty_dp = std::max(2, 8 - price_dp);
    w.markets.push_back(make_market(price_dp, qty_dp));
    w.marks.push_back(Price(std::llround(usd * std::pow(10.0, price_dp))));
    w.price_usd.push_back(usd);
  }
  return w;
}

// Accounts are generated from a seed, so every rebuild is the same population.
std::unique_ptr<HealthCore> build_core(World& w, uint32_t n_accounts, SpscRing<Candidate>* out, double* build_s) {
  std::mt19937_64 rng(1234567 + n_accounts);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::vector<Position>> all(n_accounts);
  std::vector<int64_t> coll(n_accounts);
  uint64_t positions = 0, slots = 0;
  for (uint32_t a = 0; a < n_accounts; ++a) {
    const int k = 1 + static_cast<int>(rng() % 5);
    double cross_margin_usd = 0;
    for (int i = 0; i < k; ++i) {
      uint32_t m;
      do m = static_cast<uint32_t>(rng() % kMarkets);
      while (std::any_of(all[a].begin(), all[a].end(), [m](const Position& p) { return p.market == m; }));
      const double q = u(rng);
      double lev = q < 0.80 ? 2 + 8 * u(rng) : q < 0.95 ? 10 + 40 * u(rng) : 50 + 50 * u(rng);
      const double notional = std::pow(10.0, 2 + 3 * u(rng));  // $100 .. $100k
      lev = std::min(lev, 0.8 / mmr_for(notional));
      const Scale& s = w.markets[m].scale;
      Position p;
      p.market = m;
      int64_t size = std::max<int64_t>(1, std::llround(notional / w.price_usd[m] * std::pow(10.0, s.qty_dp)));
      p.size = Qty(rng() % 2 ? size : -size);
      p.entry = w.marks[m];
      p.isolated = rng() % 10 == 0;
      const int64_t margin = std::llround(notional / lev * 1e6) + 1;
      if (p.isolated) p.isolated_margin = Quote(margin);
      else cross_margin_usd += static_cast<double>(margin);
      all[a].push_back(p);
    }
    coll[a] = static_cast<int64_t>(cross_margin_usd);
    positions += static_cast<uint64_t>(k);
    slots += k <= 4 ? 0 : 8;  // beyond the home block of 4: an overflow block of 8
  }
  w.positions = positions;
  w.pool_slots = slots;
  CoreConfig cfg;
  cfg.max_accounts = n_accounts;
  cfg.position_pool = static_cast<uint32_t>(slots + 64);
  cfg.entry_pool = static_cast<uint32_t>(positions * 3 + 1024);
  cfg.bucket_bits = 14;
  auto core = std::make_unique<HealthCore>(cfg, w.markets, w.marks, out);
  const auto t0 = std::chrono::steady_clock::now();
  for (uint32_t a = 0; a < n_accounts; ++a)
    if (!core->load_account(a, Quote(coll[a]), all[a])) { std::fprintf(stderr, "load failed\n"); std::exit(1); }
  *build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return core;
}

struct Row {
  std::string engine, path;
  uint32_t accounts = 0;
  uint64_t events = 0;
  double p50 = 0, p99 = 0, p999 = 0, eps = 0, evals_mean = 0, evals_p50 = 0, evals_p99 = 0, evals_p999 = 0,
         bytes_per_account = 0;
  uint64_t missed = 0;
};

template <class T>
double pct(std::vector<T> v, double q) {
  if (v.empty()) return 0;
  const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return static_cast<double>(v[k]);
}

void finish_row(Row& r, const std::vector<float>& ns, const std::vector<uint32_t>& evals) {
  r.events = ns.size();
  r.p50 = pct(ns, 0.5);
  r.p99 = pct(ns, 0.99);
  r.p999 = pct(ns, 0.999);
  double total = 0, ev = 0;
  for (float x : ns) total += x;
  for (uint32_t x : evals) ev += x;
  r.eps = total > 0 ? static_cast<double>(ns.size()) / (total * 1e-9) : 0;
  r.evals_mean = ns.empty() ? 0 : ev / static_cast<double>(ns.size());
  r.evals_p50 = pct(evals, 0.5);
  r.evals_p99 = pct(evals, 0.99);
  r.evals_p999 = pct(evals, 0.999);
}

// A price path: a list of (market, mark) events.
struct PathEvent { uint32_t market; int64_t mark; };

std::vector<PathEvent> random_walk(const World& w, uint64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0, 0.0002);  // σ = 2 bp per event
  std::vector<int64_t> px(kMarkets);
  for (uint32_t m = 0; m < kMarkets; ++m) px[m] = w.marks[m].v;
  std::vector<PathEvent> out;
  out.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    const uint32_t m = static_cast<uint32_t>(rng() % kMarkets);
    int64_t p = std::llround(static_cast<double>(px[m]) * (1 + step(rng)));
    if (p == px[m]) p += rng() % 2 ? 1 : -1;
    px[m] = std::max<int64_t>(1, p);
    out.push_back({m, px[m]});
  }
  return out;
}

// Crash-day bars → one point per bar (the close); each point moves every market.
std::vector<double> load_crash_points(const std::string& file) {
  std::ifstream in(file);
  std::vector<double> pts;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    double f[6];
    std::stringstream ss(line);
    std::string cell;
    int i = 0;
    while (i < 6 && std::getline(ss, cell, ',')) f[i++] = std::stod(cell);
    if (i < 5) continue;
    const double o = f[1], h = f[2], l = f[3], c = f[4];
    // One point per bar, the close (the open of the next bar is within 0.5 % of it,
    // and O/H/L/C would quadruple a run that must stay within minutes at 1M accounts).
    (void)o; (void)h; (void)l;
    pts.push_back(c);
  }
  return pts;
}

std::vector<PathEvent> crash_path(const World& w, const std::vector<double>& pts) {
  std::vector<PathEvent> out;
  for (double p : pts)
    for (uint32_t m = 0; m < kMarkets; ++m)
      out.push_back({m, std::max<int64_t>(1, std::llround(static_cast<double>(w.marks[m].v) * p / pts[0]))});
  return out;
}

// The cost of a tick split by how many exact evaluations it did: the median
// per count, and the least-squares slope of time on evaluations (what one
// evaluation plus its re-arm adds, the fixed part of a tick being the intercept).
void print_cost_by_evals(const std::string& name, const std::vector<float>& ns, const std::vector<uint32_t>& evals) {
  constexpr uint32_t kGroups = 6;  // 0 .. 4, then 5+
  std::vector<float> by[kGroups];
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < ns.size(); ++i) {
    by[std::min(evals[i], kGroups - 1)].push_back(ns[i]);
    const double x = evals[i], y = std::min<double>(ns[i], 1e6);  // a preempted tick must not set the slope
    sx += x; sy += y; sxx += x * x; sxy += x * y;
  }
  const double n = static_cast<double>(ns.size());
  const double slope = n * sxx - sx * sx > 0 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0;
  std::printf("  [%s] median ns by evaluations:", name.c_str());
  for (uint32_t g = 0; g < kGroups; ++g)
    if (!by[g].empty()) std::printf(" %u%s: %.0f (%zu)", g, g + 1 == kGroups ? "+" : "", pct(by[g], 0.5), by[g].size());
  std::printf("; per evaluation (slope) %.0f ns, fixed %.0f ns\n", slope, n > 0 ? (sy - slope * sx) / n : 0);
}

Row run_index(HealthCore& core, SpscRing<Candidate>& out, const std::vector<PathEvent>& path, uint32_t n,
              const std::string& name) {
  std::vector<float> ns;
  std::vector<uint32_t> evals;
  const uint64_t v0 = core.index_counters().entries_visited, f0 = core.index_counters().fired;
  ns.reserve(path.size());
  evals.reserve(path.size());
  Candidate c;
  int64_t ts = 0;
  for (const PathEvent& pe : path) {
    const Event e = Event::price(pe.market, Price(pe.mark), Price(pe.mark), Price(pe.mark), ++ts);
    const uint64_t e0 = core.index_counters().evals;
    const uint64_t c0 = __rdtsc();
    core.apply(e);
    const uint64_t c1 = __rdtsc();
    ns.push_back(static_cast<float>(static_cast<double>(c1 - c0) * g_ns_per_cycle));
    evals.push_back(static_cast<uint32_t>(core.index_counters().evals - e0));
    while (out.try_pop(c)) {}  // the planner (not timed)
  }
  core.audit_step(n);  // a full audit pass after the run: must find nothing
  print_cost_by_evals(name, ns, evals);
  Row r;
  r.engine = "index";
  r.path = name;
  r.accounts = n;
  finish_row(r, ns, evals);
  r.bytes_per_account = static_cast<double>(core.bytes()) / n;
  r.missed = core.counters().index_missed;
  std::printf("  [%s] ladder entries visited %.1f and accounts fired %.1f per event\n", name.c_str(),
              static_cast<double>(core.index_counters().entries_visited - v0) / static_cast<double>(path.size()),
              static_cast<double>(core.index_counters().fired - f0) / static_cast<double>(path.size()));
  std::printf("  [%s] compactions %llu, pool grows %llu, re-centres %llu, ladder entries in use %llu\n", name.c_str(),
              static_cast<unsigned long long>(core.index_counters().compactions),
              static_cast<unsigned long long>(core.index_counters().pool_grows),
              static_cast<unsigned long long>(core.index_counters().recenters),
              static_cast<unsigned long long>(core.index_entries_in_use()));
  return r;
}

// Baseline: re-evaluate every account on every tick (what timer-driven
// liquidators do), with the same exact margin arithmetic.
Row run_full_scan(const HealthCore& core, const World& w, const std::vector<PathEvent>& path, uint64_t events,
                  uint32_t n, const std::string& name, std::vector<uint8_t>& flagged) {
  std::vector<Price> marks(core.marks().begin(), core.marks().end());
  std::vector<float> ns;
  std::vector<uint32_t> evals;
  flagged.assign(n, 0);
  for (uint64_t i = 0; i < events && i < path.size(); ++i) {
    const uint64_t c0 = __rdtsc();
    marks[path[i].market] = Price(path[i].mark);
    for (uint32_t a = 0; a < n; ++a)
      flagged[a] = HealthIndex::evaluate(core.store().collateral(a), core.store().positions(a), w.markets, marks).flagged;
    const uint64_t c1 = __rdtsc();
    ns.push_back(static_cast<float>(static_cast<double>(c1 - c0) * g_ns_per_cycle));
    evals.push_back(n);
  }
  Row r;
  r.engine = "full_scan";
  r.path = name;
  r.accounts = n;
  finish_row(r, ns, evals);
  r.bytes_per_account = static_cast<double>(core.store().bytes()) / n;
  r.missed = 0;
  return r;
}

struct CrashRow { uint32_t accounts; double move_pct; uint64_t flagged; double ms; uint64_t evals; double ms_5pct; bool round; };

// What one exact evaluation plus re-arm costs without a tick: an account event
// (deposit, then a withdrawal of the same amount) re-arms only its account.
// `hot`: the same 32 accounts over and over (their data stays in cache: the
// arithmetic alone); `cold`: random accounts (at 1M, every one a cache miss).
struct RearmRow { uint32_t accounts; double hot_ns, cold_ns, positions_mean; };

RearmRow run_rearm(HealthCore& core, SpscRing<Candidate>& out, uint32_t n) {
  // Few enough that the stale entries they leave never make the pool compact
  // (no tick sweeps them here), which would be timed too.
  constexpr uint32_t kHot = 32, kHotRounds = 100;
  const uint32_t kCold = std::min<uint32_t>(200'000, n / 4);
  RearmRow r{n, 0, 0, 0};
  Candidate c;
  auto timed = [&core](AccountId a, int64_t ts) {
    const uint64_t c0 = __rdtsc();
    core.apply(Event::deposit(a, Quote(1), 0, ts));
    core.apply(Event::withdrawal(a, Quote(1), 0, ts));
    return static_cast<double>(__rdtsc() - c0) * g_ns_per_cycle / 2;
  };
  double sum = 0, pos = 0;
  int64_t ts = 1;
  for (uint32_t k = 0; k < kHotRounds; ++k)
    for (AccountId a = 0; a < kHot && a < n; ++a) sum += timed(a, ++ts);
  r.hot_ns = sum / (kHotRounds * std::min(kHot, n));
  std::mt19937_64 rng(3);
  sum = 0;
  for (uint32_t k = 0; k < kCold; ++k) {
    const AccountId a = static_cast<AccountId>(rng() % n);
    sum += timed(a, ++ts);
    pos += static_cast<double>(core.store().positions(a).size());
  }
  r.cold_ns = sum / kCold;
  r.positions_mean = pos / kCold;
  while (out.try_pop(c)) {}
  return r;
}

void print_row(const Row& r) {
  std::printf("%-9s %-10s %8u %-24.24s %8llu  p50 %9.0f  p99 %11.0f  p999 %11.0f ns  %10.0f ev/s  evals %.1f (p50 %.0f p99 %.0f p999 %.0f)  %.0f B/acct  missed %llu\n",
              r.engine.c_str(), "", r.accounts, r.path.c_str(), static_cast<unsigned long long>(r.events), r.p50, r.p99,
              r.p999, r.eps, r.evals_mean, r.evals_p50, r.evals_p99, r.evals_p999, r.bytes_per_account,
              static_cast<unsigned long long>(r.missed));
  std::fflush(stdout);
}

}  // namespace

int run_core(int argc, char** argv) {
  std::vector<uint32_t> sizes = {10'000, 100'000, 1'000'000};
  uint64_t events = 300'000;  // random-walk index events per size (the run stays within ~4 minutes)
  std::string json = std::string(LIQD_SOURCE_DIR) + "/bench/results/core.json";
  bool walk_only = false;  // only the index on the random walk (profiling under valgrind)
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--accounts" && i + 1 < argc) sizes = {static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10))};
    else if (a == "--events" && i + 1 < argc) events = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--json" && i + 1 < argc) json = argv[++i];
    else if (a == "--walk-only") walk_only = true;
    else {
      std::fprintf(stderr, "usage: liqd-bench core [--accounts N] [--events N] [--json FILE] [--walk-only]\n");
      return 2;
    }
  }
  calibrate_tsc();
  const std::vector<double> crash_pts = load_crash_points(std::string(LIQD_SOURCE_DIR) + "/tests/data/crash_days/" + kCrashFile);
  if (crash_pts.empty()) { std::fprintf(stderr, "liqd-bench core: crash-day data not found\n"); return 1; }
  std::vector<Row> rows;
  std::vector<CrashRow> crashes;
  std::vector<RearmRow> rearms;
  for (uint32_t n : sizes) {
    World w = make_world(99);
    SpscRing<Candidate> out(1 << 16);
    double build_s = 0;
    const uint64_t fs_events = std::clamp<uint64_t>(3'000'000 / n, 3, 300);
    std::vector<uint8_t> fs_flagged;
    {
      auto core = build_core(w, n, &out, &build_s);
      std::printf("accounts %u: %llu positions, built and armed in %.2f s, %llu ladder entries\n", n,
                  static_cast<unsigned long long>(w.positions), build_s,
                  static_cast<unsigned long long>(core->index_counters().evals));
      const auto path = random_walk(w, events, 7);
      if (!walk_only) {
        rows.push_back(run_full_scan(*core, w, path, fs_events, n, "random_walk", fs_flagged));
        print_row(rows.back());
      }
      rows.push_back(run_index(*core, out, path, n, "random_walk"));
      print_row(rows.back());
      rearms.push_back(run_rearm(*core, out, n));
      std::printf("  re-arm by account event: %.0f ns with the account in cache, %.0f ns a random account (%.1f positions)\n",
                  rearms.back().hot_ns, rearms.back().cold_ns, rearms.back().positions_mean);
    }
    if (walk_only) continue;
    {
      auto core = build_core(w, n, &out, &build_s);
      const auto path = crash_path(w, crash_pts);
      rows.push_back(run_full_scan(*core, w, path, fs_events, n, kCrashFile, fs_flagged));
      print_row(rows.back());
      rows.push_back(run_index(*core, out, path, n, kCrashFile));
      print_row(rows.back());
      std::printf("  crash-day path: %zu flagged at the end, %llu flagged transitions\n", core->flagged().size(),
                  static_cast<unsigned long long>(core->counters().flagged_total));
    }
    for (const bool round : {false, true}) {
      // Correlated crash: every market −10 % together, timed until all are
      // flagged: 50 price events one after the other, then the same prices as
      // one oracle round (Event::more: each account evaluated once, at all the
      // new marks).
      auto core = build_core(w, n, &out, &build_s);
      const uint64_t e0 = core->index_counters().evals;
      const auto t0 = std::chrono::steady_clock::now();
      double ms_5pct = -1;  // when 5 % of the accounts (the goal's 50k of 1M) were flagged
      for (uint32_t m = 0; m < kMarkets; ++m) {
        const int64_t p = w.marks[m].v * 9 / 10;
        core->apply(Event::price(m, Price(p), Price(p), Price(p), 1, /*more=*/round && m + 1 < kMarkets));
        if (ms_5pct < 0 && core->flagged().size() * 20 >= n)
          ms_5pct = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      }
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      core->audit_step(n);
      crashes.push_back({n, -10.0, core->flagged().size(), ms, core->index_counters().evals - e0, ms_5pct, round});
      std::printf("  crash −10%% (%s): %zu flagged (%.1f %%) in %.2f ms (5 %% of the accounts after %.2f ms), %llu evaluations, out ring full %llu, missed %llu\n",
                  round ? "one oracle round" : "50 events", core->flagged().size(),
                  100.0 * static_cast<double>(core->flagged().size()) / n, ms, ms_5pct,
                  static_cast<unsigned long long>(crashes.back().evals),
                  static_cast<unsigned long long>(core->counters().out_ring_full),
                  static_cast<unsigned long long>(core->counters().index_missed));
      Candidate c;
      while (out.try_pop(c)) {}
    }
  }
  std::FILE* f = std::fopen(json.c_str(), "w");
  if (!f) { std::fprintf(stderr, "liqd-bench core: cannot write %s\n", json.c_str()); return 1; }
  std::fprintf(f, "{\"results\": [\n");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    std::fprintf(f,
                 "  {\"engine\": \"%s\", \"accounts\": %u, \"path\": \"%s\", \"events\": %llu, \"p50_ns\": %.0f, "
                 "\"p99_ns\": %.0f, \"p999_ns\": %.0f, \"events_per_s\": %.0f, \"evals_per_event\": %.2f, "
                 "\"evals_p50\": %.0f, \"evals_p99\": %.0f, \"bytes_per_account\": %.1f, \"missed\": %llu}%s\n",
                 r.engine.c_str(), r.accounts, r.path.c_str(), static_cast<unsigned long long>(r.events), r.p50, r.p99,
                 r.p999, r.eps, r.evals_mean, r.evals_p50, r.evals_p99, r.bytes_per_account,
                 static_cast<unsigned long long>(r.missed), i + 1 < rows.size() ? "," : "");
  }
  std::fprintf(f, "],\n\"crash\": [\n");
  for (std::size_t i = 0; i < crashes.size(); ++i) {
    const CrashRow& c = crashes[i];
    std::fprintf(f, "  {\"accounts\": %u, \"move_pct\": %.1f, \"flagged\": %llu, \"ms\": %.3f, \"ms_to_5pct\": %.3f, "
                 "\"evaluations\": %llu, \"oracle_round\": %s}%s\n",
                 c.accounts, c.move_pct, static_cast<unsigned long long>(c.flagged), c.ms, c.ms_5pct,
                 static_cast<unsigned long long>(c.evals), c.round ? "true" : "false", i + 1 < crashes.size() ? "," : "");
  }
  std::fprintf(f, "],\n\"rearm\": [\n");
  for (std::size_t i = 0; i < rearms.size(); ++i) {
    const RearmRow& r = rearms[i];
    std::fprintf(f, "  {\"accounts\": %u, \"hot_ns\": %.1f, \"cold_ns\": %.1f, \"positions_mean\": %.2f}%s\n", r.accounts,
                 r.hot_ns, r.cold_ns, r.positions_mean, i + 1 < rearms.size() ? "," : "");
  }
  std::fprintf(f, "]}\n");
  std::fclose(f);
  std::printf("wrote %s\n", json.c_str());
  return 0;
}

}  // namespace liqd::bench
