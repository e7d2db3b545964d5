// liqd-sim: a loopback exchange for liqd's demo and end-to-end tests. Prints one
// JSON line {"event":"ready",...} with every port on stdout when it serves, one
// {"event":"path_end",...} line when the crash path is done, and exits 0 on
// SIGTERM/SIGINT.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>

#include "core/money/decimal.hpp"
#include "executors/adapters/secret_file.hpp"
#include "sim/server/simulator.hpp"

namespace {

std::mutex g_out_mutex;

void print_line(const std::string& s) {
  std::lock_guard<std::mutex> lk(g_out_mutex);
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace liqd::sim;
  SimConfig cfg;
  cfg.path_file = std::string(LIQD_SIM_DATA_DIR) + "/binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv";
  CLI::App app{"liqd-sim: loopback exchange simulator (Binance USD-M / Hyperliquid / Pyth market data, "
               "Protobuf order entry and account stream) driven by a real crash-day path"};
  std::vector<std::string> market_specs, fault_specs;
  std::string walk = "low-first-on-down";
  double reject_rate = 0;
  bool paused = false;
  app.add_option("--path", cfg.path_file, "1-minute OHLCV CSV (ts_ms,open,high,low,close,volume)")->check(CLI::ExistingFile);
  app.add_option("--steps-per-bar", cfg.steps_per_bar, "price steps per 1-minute bar (1 or 4..60000)")->default_val(10);
  app.add_option("--bar-ms", cfg.bar_wall_ms, "wall milliseconds per bar (500 = 1 min of market per 0.5 s); 0 = as fast as clients read")->default_val(500);
  app.add_option("--tail-minutes", cfg.tail_minutes, "flat minutes at the last close after the path, time moving on")->default_val(0)->check(CLI::Range(0, 10000));
  app.add_flag("--paused", paused, "start paused; advance with POST /control/step?n=K");
  app.add_option("--walk", walk, "bar walk: low-first-on-down (O-L-H-C on down bars) or high-first-on-down")->default_val(walk);
  app.add_option("--market", market_specs, "SYMBOL[:ref=P][:tick=T][:lot=L], repeatable (default BTCUSDT:tick=0.1:lot=0.001 at the path's prices)");
  app.add_option("--accounts", cfg.population.accounts, "generated accounts")->default_val(200000);
  app.add_option("--max-leverage", cfg.population.max_leverage, "leverage tail cap")->default_val(100);
  app.add_option("--seed", cfg.seed, "seed for depth jitter, population, rejects and faults")->default_val(1);
  int depth_levels = 20, spread_bps_x100 = 100, step_bps_x100 = 200, growth_pct = 25;
  int64_t top_notional = 50'000;
  app.add_option("--depth-levels", depth_levels, "book levels per side")->default_val(20);
  app.add_option("--spread-bp100", spread_bps_x100, "spread in 1/100 bp of the reference price")->default_val(100);
  app.add_option("--level-step-bp100", step_bps_x100, "distance between levels in 1/100 bp")->default_val(200);
  app.add_option("--top-notional", top_notional, "quote notional at the best level")->default_val(50000);
  app.add_option("--depth-growth-pct", growth_pct, "each deeper level holds this much more")->default_val(25);
  app.add_option("--order-latency-ms", cfg.order_latency_ms, "order entry latency")->default_val(0);
  app.add_option("--reject-rate", reject_rate, "share of orders rejected at random (0..1, seeded)")->default_val(0.0)->check(CLI::Range(0.0, 1.0));
  app.add_option("--fault", fault_specs, "stream=mode[:rate=R][:ms=N]; streams binance, hyperliquid, pyth, orders, accounts, own; modes none, drop, delay, duplicate, gap, stale");
  app.add_option("--bind", cfg.bind_address, "listen address (loopback)")->default_val("127.0.0.1");
  app.add_option("--binance-port", cfg.binance_port, "Binance USD-M WebSocket + REST (0 = free port)");
  app.add_option("--hyperliquid-port", cfg.hyperliquid_port, "Hyperliquid WebSocket");
  app.add_option("--pyth-port", cfg.pyth_port, "Pyth Hermes WebSocket");
  app.add_option("--order-port", cfg.order_port, "order entry (Protobuf over TCP)");
  app.add_option("--account-port", cfg.account_port, "account stream (Protobuf over TCP)");
  app.add_option("--control-port", cfg.control_port, "control HTTP");
  app.add_option("--own-port", cfg.own_port, "the own venue's book: Binance USD-M WebSocket + REST depth (0 = free port)");
  app.add_option("--hedge-depth-multiple", cfg.hedge_depth_multiple,
                 "0: the binance port serves the own book; N: its own hedge-venue book, N times as deep at every level, "
                 "that POST /fapi/v1/order fills against")->default_val(0)->check(CLI::Range(0, 1000));
  app.add_option("--dump-accounts", cfg.dump_accounts, "write the generated population (JSON lines, as it starts) to this file");
  std::string backstop_collateral;
  app.add_option("--backstop-account", cfg.backstop_account,
                 "id of the backstop vault account (0 = none; must be above the generated ids 1..N)")->default_val(0);
  auto* bc = app.add_option("--backstop-collateral", backstop_collateral,
                            "the backstop account's collateral, a decimal in the quote asset (e.g. 50000000)");
  std::string hedge_key_file, hedge_secret_file;
  app.add_option("--hedge-api-key-file", hedge_key_file,
                 "file (mode 0600) with the API key the hedge venue's REST orders (POST /fapi/v1/order on the binance port) must carry");
  app.add_option("--hedge-secret-file", hedge_secret_file, "file (mode 0600) with the HMAC secret they must be signed with");
  CLI11_PARSE(app, argc, argv);

  if (hedge_key_file.empty() != hedge_secret_file.empty()) {
    std::cerr << "liqd-sim: --hedge-api-key-file and --hedge-secret-file go together\n";
    return 2;
  }
  if (!hedge_key_file.empty()) {
    // The same rules as liqd's (mode 0600, first line): the two sides read the same files.
    liqd::exec::Secret key, secret;
    std::string err;
    if (!liqd::exec::read_secret_file(hedge_key_file, key, err) || !liqd::exec::read_secret_file(hedge_secret_file, secret, err)) {
      std::cerr << "liqd-sim: " << err << "\n";
      return 2;
    }
    cfg.hedge_api_key = std::string(key.reveal());
    cfg.hedge_secret = std::string(secret.reveal());
  }

  if (paused) cfg.bar_wall_ms = -1;
  if (walk == "low-first-on-down") cfg.walk = WalkOrder::LowFirstOnDown;
  else if (walk == "high-first-on-down") cfg.walk = WalkOrder::HighFirstOnDown;
  else { std::cerr << "liqd-sim: --walk must be low-first-on-down or high-first-on-down\n"; return 2; }
  if (bc->count() > 0) {
    if (cfg.backstop_account == 0) {
      std::cerr << "liqd-sim: --backstop-collateral needs --backstop-account\n";
      return 2;
    }
    int64_t units = 0;  // exact, quote_dp 6 like the population
    const liqd::DecimalError de = liqd::parse_decimal(backstop_collateral, 6, units);
    if (de != liqd::DecimalError::Ok || units < 0) {
      std::cerr << "liqd-sim: --backstop-collateral '" << backstop_collateral << "': "
                << (de != liqd::DecimalError::Ok ? liqd::to_string(de) : "negative")
                << " (expected a non-negative decimal quote amount, at most 6 decimals)\n";
      return 2;
    }
    cfg.backstop_collateral = liqd::Quote(units);
  }
  // The rate is a command-line convenience; it becomes integer ppm once, here.
  cfg.reject_ppm = static_cast<uint32_t>(reject_rate * 1e6 + 0.5);
  for (const auto& s : market_specs) {
    MarketSpec m;
    if (auto e = parse_market_spec(s, m); !e.empty()) { std::cerr << "liqd-sim: " << e << "\n"; return 2; }
    cfg.markets.push_back(m);
  }
  if (cfg.markets.empty()) {
    MarketSpec m;
    parse_market_spec("BTCUSDT:tick=0.1:lot=0.001", m);
    cfg.markets.push_back(m);
  }
  for (auto& m : cfg.markets) {
    m.depth.levels = depth_levels;
    m.depth.spread_bps_x100 = spread_bps_x100;
    m.depth.step_bps_x100 = step_bps_x100;
    m.depth.top_notional = top_notional;
    m.depth.growth_pct = growth_pct;
  }
  for (const auto& f : fault_specs) {
    StreamId s;
    FaultSetting fs;
    if (auto e = parse_fault_spec(f, s, fs); !e.empty()) { std::cerr << "liqd-sim: " << e << "\n"; return 2; }
    cfg.faults[static_cast<int>(s)] = fs;
  }

  // Block the signals before any thread starts, then wait for them on this thread.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  Simulator sim(cfg);
  sim.on_event = print_line;
  if (auto e = sim.start(); !e.empty()) {
    std::cerr << "liqd-sim: " << e << "\n";
    return 1;
  }
  print_line(sim.ready_json());
  int sig = 0;
  sigwait(&set, &sig);
  sim.stop();
  print_line(std::string("{\"event\":\"stopped\",\"signal\":") + std::to_string(sig) + "}");
  return 0;
}
