#pragma once
// ExecCommand -> journal records (proto/journal.proto). One function per record
// kind, so the executor thread, recovery and `liqd explain` agree on fields.
#include <string>
#include <vector>

#include "daemon/service/messages.hpp"
#include "executors/orders/order_types.hpp"
#include "proto/journal.pb.h"

namespace liqd::service {

void fill_decision(proto::LiquidationDecision& d, const ExecCommand& c, const std::string& market);
void fill_order(proto::NewOrder& o, const ExecCommand& c, const std::string& venue_symbol);
// A venue's update of an order, as journaled (liquidation orders and hedges).
void fill_order_update(proto::OrderUpdate& ou, const exec::VenueUpdate& u);
// A journaled state after which the venue does nothing more with the order
// (FILLED, REJECTED, CANCELLED, EXPIRED; NOT_FOUND is a query's answer, not an end).
bool ends_order(proto::OrderUpdate::State s);
// The unit state a command carries (has_unit); `symbols` names the market indexes.
void fill_unit(proto::LiquidationUnit& u, const ExecCommand& c, const std::vector<std::string>& symbols);
// Journal-only commands (fund movement, breaker/margin change, admin action, ADL/backstop request).
void fill_note(proto::JournalRecord& rec, const ExecCommand& c, const std::string& market);

// A Settlement command's records, in order: the fee, the shortfall paid, the
// uncovered rest, each naming the fill (client_order_id, fill_id); a fill that
// moved no money gets one "fill_settled" movement of 0. Returns how many (1-3).
int fill_settlement(proto::JournalRecord (&out)[3], const ExecCommand& c, const std::string& market,
                    const std::string& client_order_id);

// A market's price memory, both ways (the core writes it, recovery reads it back).
void fill_price_memory(proto::PriceMemory& r, const PriceMemoryWire& w, const std::string& market);
PriceMemoryWire price_memory_of(const proto::PriceMemory& r);

// Names journaled for AdminOp values ("pause", "resume", "pause_all", ...).
const char* admin_action_name(AdminOp op);

}  // namespace liqd::service
