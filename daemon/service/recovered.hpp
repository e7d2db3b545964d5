#pragma once
// What start-up recovery (recovery.hpp) hands to the core and executor stages:
// the journal's view of orders still open and of each liquidation unit's planner
// state. Plain data; the stages turn it back into their own state.
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/service/messages.hpp"

namespace liqd::service {

// An order the journal shows sent and not ended.
struct RecoveredOrder {
  ExecCommand cmd;           // the decision as journaled
  int64_t filled = 0;        // fills journaled so far
  int64_t unsettled_qty = 0; // of them, not settled yet (RecoveredState::unsettled_fills)
  std::vector<uint64_t> fill_ids;
};

// One liquidation unit's last journaled state (LiquidationUnit).
struct RecoveredUnit {
  uint64_t account = 0;      // the venue's account id
  uint32_t market = 0;       // the isolated position's market (cross: 0)
  bool isolated = false;
  UnitWire state;
};

// An order the planner's rate windows counted (an IOC, or the ADL transfer one
// became), sent within the windows' reach.
struct RecoveredIoc {
  uint32_t market = 0;
  int64_t sent_ms = 0;
  int64_t qty = 0;
  int64_t notional = 0;      // what the windows counted (LiquidationDecision.window_notional)
  int64_t filled = 0;
  bool ended = false;
};

// A market's price memory as the journal last had it (PriceMemory records): the
// newest record's state and the breaker slots of every record within its window.
struct RecoveredPriceMemory {
  std::string market;        // liqd's symbol, as journaled
  uint32_t market_index = 0; // set by whoever maps symbols to the configured markets
  PriceMemoryWire memory{};
  std::vector<policy::CircuitBreaker::SlotMemory> slots;  // ascending id
};

}  // namespace liqd::service
