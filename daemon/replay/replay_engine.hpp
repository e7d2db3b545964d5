#pragma once
// The replay simulation behind `liqd replay` (issue 5, item 8): a crash-day price
// path drives every configured market (scaled to its reference price) through the
// real HealthCore (the health index flags accounts), the circuit breaker, optional
// volatility-adjusted margin, the planner, a deterministic book fill model, the
// insurance fund, the backstop vault and auto-deleveraging. Single thread, event
// time only, fixed point for every decision: the same inputs give the same result.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/margin/margin.hpp"
#include "core/policy/breaker/circuit_breaker.hpp"
#include "core/policy/planner/planner.hpp"
#include "core/policy/volmargin/vol_margin.hpp"
#include "daemon/replay/accounts_file.hpp"
#include "daemon/replay/price_path.hpp"
#include "daemon/replay/replay_oracles.hpp"

namespace liqd::replay {

struct ReplayMarket {
  std::string symbol;
  MarketRisk risk;   // from the daemon config (config/markets/*.yaml)
  Price reference;   // the path's first open maps to this price
  policy::OracleConfig oracle{};     // its sources' limits (service::oracle_config_from); none: path = mark
  std::vector<std::string> sources;  // their names, in config order (--oracle-fault)
};

// Everything the daemon YAML does not (yet) configure, with the replay's defaults
// (daemon/replay/README.md explains each).
struct ReplayOptions {
  bool dynamic = false;               // --policy dynamic: volatility-adjusted margin
  int substeps = 1;                   // each leg of a bar's walk cut into this many steps
  Quote fund_start{0};                // insurance_fund.start_balance
  Quote book_depth_per_pct{0};        // quote per 1 % of price, per market and step; 0: derived below
  Ratio book_depth_oi{1'000'000};     // derived depth per 1 % = this × the market's open interest at start (1 %)
  Ratio half_spread{20'000};          // 2 bp
  Quote vault_collateral{1'000'000'000'000};    // 1M
  Quote vault_max_notional{2'000'000'000'000};  // per market, 2M
  int check_every_bars = 1;           // brute-force scan of the flagged set every N bar ends (0 = never)
  policy::PlannerConfig planner{};
  policy::MarketLiqConfig market_liq{};
  policy::BreakerConfig breaker{};
  policy::VolMarginConfig vol{};
  std::vector<OracleFault> oracle_faults;  // --oracle-fault
  ReplayOptions();
};

// Totals in quote units (1e-quote_dp); counts are plain.
struct ReplayResult {
  int64_t liquidations = 0;         // orders that closed something (IOC fills and vault transfers)
  int64_t notional_liquidated = 0;  // Σ |qty| × fill price of IOC fills and transfers
  int64_t fees_to_fund = 0;
  int64_t shortfall = 0;            // loss below bankruptcy before any absorber
  int64_t fund_paid = 0;
  int64_t backstop_absorbed = 0;    // vault transfers at bankruptcy below the mark
  int64_t adl_absorbed = 0;         // closed against counterparties at bankruptcy
  int64_t bad_debt = 0;             // what fund, vault and ADL could not absorb
  int64_t adl_events = 0;           // ADL fills (counterparty reductions)
  int64_t backstop_transfers = 0;
  int64_t breaker_activations = 0;  // escalations (NORMAL→THROTTLE, →PAUSED, →STALE), all markets
  int64_t max_underwater_accounts = 0;  // accounts with equity < 0 at one step
  int64_t max_time_underwater_ms = 0;   // longest time one account stayed underwater
  // Checks and diagnostics (the tests assert on them; also in the JSON "checks").
  int64_t fund_end = 0;
  bool fund_reconciles = false;     // journal and balance = start + fees − paid, exactly
  int64_t limit_violations = 0;     // fills beyond their limit price (must be 0)
  int64_t adl_without_short = 0;    // ADL while the fund could pay (must be 0)
  int64_t index_checks = 0;         // brute-force scans done
  int64_t index_missed = 0;         // scan disagreements + core audit misses (must be 0)
  int64_t no_fill_iocs = 0;
  int64_t margin_changes = 0;
  int64_t steps = 0;
  int64_t flagged_total = 0;
  int64_t oracle_stale_steps = 0;   // (market, walk point) pairs with no trusted index
  int64_t oracle_source_drops = 0;  // sources left out of an index (stale, deviating, ...)
};

// One status per simulated minute (after each bar).
struct ReplayStatus {
  int64_t ts_ms = 0;                 // end of the bar
  int64_t path_close = 0;            // at kPathDp
  int64_t underwater = 0;
  int64_t flagged = 0;
  int64_t liquidations = 0;
  int64_t fund_balance = 0;
  std::vector<policy::MarketMode> modes;  // per market
};

class ReplayEngine {
 public:
  ReplayEngine(std::vector<ReplayMarket> markets, const ReplayOptions& opt);
  // Runs the whole path over the population. `progress` (may be empty) is called after each bar.
  ReplayResult run(const std::vector<Bar>& bars, const std::vector<ReplayAccount>& accounts,
                   const std::function<void(const ReplayStatus&)>& progress);

 private:
  std::vector<ReplayMarket> markets_;
  ReplayOptions opt_;
};

}  // namespace liqd::replay
