#pragma once
// liqd-sim's engine: one io_context thread owns everything (price driver, books,
// matching, accounts, every session), so the simulator needs no locks and the
// same seed + the same command sequence gives the same bytes. Other threads talk
// to it only through post() (the control methods below wait for the answer).
#include <boost/asio/io_context.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sim/accounts/population.hpp"
#include "sim/book/market.hpp"
#include "sim/path/price_path.hpp"
#include "sim/server/faults.hpp"

namespace liqd::sim {

struct SimConfig {
  std::string path_file;                 // 1-minute OHLCV CSV
  int steps_per_bar = 10;
  int tail_minutes = 0;                  // flat minutes at the last close after the path (time goes on)
  // Wall milliseconds per bar: 500 = one minute of market per 0.5 s; 0 = as fast as the
  // slowest WebSocket client reads; negative = paused (advance with step()/control).
  int64_t bar_wall_ms = 500;
  WalkOrder walk = WalkOrder::LowFirstOnDown;
  std::vector<MarketSpec> markets;       // empty: BTCUSDT at the path's own prices
  PopulationParams population;
  uint64_t seed = 1;
  std::string bind_address = "127.0.0.1";
  uint16_t binance_port = 0, hyperliquid_port = 0, pyth_port = 0, order_port = 0, account_port = 0,
           control_port = 0, own_port = 0;   // 0: pick a free port
  // The external hedge venue's book (the binance port's): 0 = none, the binance port
  // serves the own book as the own port does; N = an independent book, N times as
  // deep as the own book at every level, that the hedge venue's orders fill against.
  int hedge_depth_multiple = 0;
  uint32_t order_latency_ms = 0;
  uint32_t reject_ppm = 0;               // random rejects, parts per million
  FaultSetting faults[kStreamCount];
  std::string dump_accounts;             // non-empty: write the population here (JSONL) at start
  // The backstop vault: 0 = none. Otherwise one extra account with this id (it must not
  // be one of the generated ids 1..N), this collateral (quote units, quote_dp 6) and no
  // positions; a NewOrder with transfer_to_account = this id moves a position to it.
  uint64_t backstop_account = 0;
  Quote backstop_collateral{0};
  // The external hedge venue's order entry (Binance USD-M POST /fapi/v1/order on
  // the binance port): the API key and the HMAC secret requests must be signed
  // with. Empty: the endpoint refuses every request (-2015).
  std::string hedge_api_key, hedge_secret;
};

struct Ports {
  uint16_t binance = 0, hyperliquid = 0, pyth = 0, orders = 0, accounts = 0, control = 0,
           own = 0;   // the own venue's book in the Binance USD-M format (WebSocket + REST depth)
};

class Simulator {
 public:
  explicit Simulator(SimConfig cfg);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Loads the path, generates accounts, binds every port and starts the io thread.
  // Returns "" or an error.
  std::string start();
  void stop();
  Ports ports() const { return ports_; }
  // {"event":"ready",...}: ports, markets, steps. One line, no newline.
  std::string ready_json() const;
  // Called on the io thread for notable events ({"event":"path_end",...}); set before start().
  std::function<void(const std::string&)> on_event;

  // Thread-safe control between start() and stop(); each waits until the io thread has
  // done it. Before start() a fault or pace only changes the configuration; after stop()
  // step() does nothing.
  void step(int n);                                 // advance n steps now (any pacing)
  void set_fault(StreamId s, const FaultSetting& f);
  void set_pacing(int64_t bar_wall_ms);             // as SimConfig::bar_wall_ms
  std::string status_json();                        // what GET /control/status returns
  uint64_t steps_done();
  uint64_t total_steps() const { return total_steps_; }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  Ports ports_;
  uint64_t total_steps_ = 0;
  bool started_ = false;
};

}  // namespace liqd::sim
