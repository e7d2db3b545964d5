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

// The backstop vault's part of the journal (vault_journal.hpp puts it back into
// the desk). Every fill the vault's books took, in journal order: transfers into
// the vault on the own venue (liquidation orders with transfer_to_account set and
// not deleverage) and hedge fills on external venues.
struct RecoveredVaultFill {
  bool hedge = false;          // false: a transfer fill on the own venue
  std::string venue;           // hedge: the hedge venue's name in the market file
  uint32_t market = 0;
  uint64_t transfer_to = 0;    // transfer: the receiving account (the executor keeps its vault's)
  bool buy = false;            // the vault's side
  int64_t qty = 0;             // transfer: lot units; hedge: the hedge venue's contract units
  int64_t price = 0;
  int64_t fee = 0;             // hedge: what the venue charged, settlement units
  uint32_t liquidation_seq = 0;
};

// A hedge order journaled (HedgeOrder) without a terminal update after it.
struct RecoveredHedge {
  std::string venue;
  uint32_t market = 0;
  std::string client_order_id;
  bool buy = false;
  int64_t qty = 0, limit = 0;
  uint32_t liquidation_seq = 0;
  uint16_t round = 0;
  int64_t filled = 0;
  i128 filled_quote = 0;       // qty x price over its fills
  std::vector<uint64_t> fill_ids;
};

// The last hedge round journaled per market.
struct RecoveredRound {
  uint32_t market = 0;
  uint32_t liquidation_seq = 0;
  uint16_t round = 0;
};

struct RecoveredVault {
  std::vector<RecoveredVaultFill> fills;
  std::vector<RecoveredHedge> open_hedges;
  std::vector<RecoveredRound> rounds;
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
