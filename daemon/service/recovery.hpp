#pragma once
// Start-up recovery: the journal (daemon/journal) read back into what the
// service needs before it may act: the insurance fund's balance, the next
// liquidation sequence (client order ids never repeat), the orders that were
// sent and have not ended (the executor reconciles them with the venue before
// anything new is sent), the backstop vault's fills and hedges in flight, the
// operator's pauses, and what the core's planner
// needs to go on as before: each liquidation unit's last state and the IOCs its
// rate windows still count.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money/fixed.hpp"
#include "core/policy/breaker/circuit_breaker.hpp"
#include "daemon/service/recovered.hpp"

namespace liqd::service {

struct RecoveredState {
  std::optional<Quote> fund_balance;       // last balance_after; none: start balance applies
  uint32_t next_liquidation_seq = 1;
  uint64_t next_journal_seq = 1;
  std::vector<RecoveredOrder> open_orders;
  std::vector<RecoveredUnit> units;        // last LiquidationUnit per unit
  std::vector<RecoveredIoc> recent_iocs;   // IOCs sent within kIocWindowMs of the last decision
  // Fills journaled whose settlement (fee, shortfall: one group of fund records
  // naming the fill) is not: the process stopped in between. The executor hands
  // them to the core again at start, in journal order, as the outcomes they were.
  std::vector<OrderOutcome> unsettled_fills;
  std::vector<std::string> paused_markets; // manual pauses in force
  // Each market's circuit-breaker mode after its last journaled change (markets
  // with none are absent): the core holds THROTTLE / PAUSED / STALE on (restore()).
  std::vector<std::pair<std::string, policy::MarketMode>> breaker_modes;
  std::vector<RecoveredPriceMemory> price_memory;  // markets with PriceMemory records
  RecoveredVault vault;                    // the vault's fills and hedges in flight
  bool paused_all = false;
  uint64_t records = 0;
  uint64_t fills = 0;
  bool torn_tail_dropped = false;
  std::string error;                       // corruption: refuse to start
};

// How far back the planner's rate windows reach (its per-minute caps; a market
// window longer than this is refilled from this much).
inline constexpr int64_t kIocWindowMs = 10 * 60'000;

// `markets` maps journal market names to indexes (liqd symbols, as journaled).
RecoveredState recover_state(const std::string& dir, const std::vector<std::string>& markets);

}  // namespace liqd::service
