#pragma once
// Order life cycle vocabulary shared by the tracker and the adapters.
//   New -> Acknowledged -> PartiallyFilled -> Filled
//                       \-> Rejected | Cancelled | Expired
// States only move forward; fills are counted by fill id, in any order, once.
#include <cstdint>

#include "core/money/fixed.hpp"
#include "executors/orders/client_order_id.hpp"
#include "executors/router/types.hpp"

namespace liqd::exec {

enum class OrderState : uint8_t { New, Acknowledged, PartiallyFilled, Filled, Rejected, Cancelled, Expired };

constexpr bool is_terminal(OrderState s) {
  return s == OrderState::Filled || s == OrderState::Rejected || s == OrderState::Cancelled || s == OrderState::Expired;
}
const char* to_string(OrderState s);

// What we ask a venue to do.
struct OrderRequest {
  ClientOrderId id;
  OrderKey key;
  Side side = Side::Sell;
  Qty qty{0};
  Price limit{0};
  bool reduce_only = true;
  bool ioc = true;
  uint64_t transfer_to = 0;  // own venue only: a transfer at exactly `limit` (proto NewOrder.transfer_to_account)
  bool deleverage = false;   // ... to an auto-deleveraged counterparty (proto NewOrder.deleverage)
  Ratio fee_rate{0};         // liquidation fee the venue charges per fill (proto NewOrder.fee_rate)
  Price bankruptcy{0};       // the fee's cap: nothing below this price (proto NewOrder.bankruptcy_price)
};

// What a venue tells us. One message kind for acks, fills, terminal states and
// query answers, mirroring proto OrderUpdate.
enum class UpdateKind : uint8_t { Ack, Fill, Rejected, Cancelled, Expired, NotFound, Filled };
struct VenueUpdate {
  ClientOrderId id;
  UpdateKind kind = UpdateKind::Ack;
  uint64_t fill_id = 0;    // Fill: unique per fill on this venue
  Qty fill_qty{0};
  Price fill_price{0};
  Quote fee{0};            // Fill: what the venue charged for it (proto OrderUpdate.fee)
  Qty cum_qty{-1};         // venue's cumulative filled qty if it sent one, else -1
  int64_t ts_ms = 0;
};

// Reported to the core through its ring, exactly once per venue fill.
struct FillReport {
  ClientOrderId id;
  OrderKey key;
  uint64_t fill_id = 0;
  Side side = Side::Sell;
  Qty qty{0};
  Price price{0};
  Quote fee{0};
};

}  // namespace liqd::exec
