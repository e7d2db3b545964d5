#pragma once
// Tracks every order on one venue connection from request to terminal state.
//
// - submit(): idempotent by client order id; a second submit of the same id
//   sends nothing. Refused while any order is in an unknown state.
// - on_update(): applies acks, fills, terminal states and query answers. A fill
//   is counted iff its fill id is new for that order, so duplicates and
//   out-of-order delivery never double count; each counted fill is reported to
//   the core exactly once. States only move forward (a late ack after a fill
//   changes nothing); fills after a cancel still count, they happened.
// - on_timer(): an order not acknowledged within ack_timeout_ms, or not done
//   within order_timeout_ms, is cancelled; a cancel not confirmed within
//   cancel_timeout_ms turns the order unknown and it is queried.
// - on_disconnect(): every open order becomes unknown. on_reconnect() queries
//   them; nothing new is sent until each is answered. A NotFound answer is only
//   final once the venue can no longer accept the original request
//   (sent + recv_window_ms, the venue's replay window); before that it is asked again.
// - Whenever an order ends with quantity left (rejected, cancelled, expired),
//   the remainder is handed to reroute() once.
// Fixed capacity, no allocation after construction; single-threaded (executor thread).
#include <cstdint>
#include <vector>

#include "executors/orders/order_types.hpp"

namespace liqd::exec {

// Where the tracker's decisions go: the venue adapter, the core's fill ring, the router.
class TrackerOutput {
 public:
  virtual ~TrackerOutput() = default;
  virtual void send_new(const OrderRequest& r) = 0;
  virtual void send_cancel(const ClientOrderId& id) = 0;
  virtual void send_query(const ClientOrderId& id) = 0;
  virtual void fill(const FillReport& f) = 0;
  virtual void reroute(const OrderRequest& r, Qty remaining) = 0;
};

struct TrackerConfig {
  uint32_t capacity = 1024;          // orders tracked at once (open + recent terminal)
  int64_t ack_timeout_ms = 500;
  int64_t order_timeout_ms = 5'000;
  int64_t cancel_timeout_ms = 1'000;
  int64_t recv_window_ms = 5'000;
  int64_t query_retry_ms = 500;
};

enum class SubmitResult : uint8_t { Sent, Duplicate, Blocked, Full, BadOrder };

struct TrackerCounters {
  uint64_t fills = 0, duplicate_fills = 0, late_fills = 0, overfills = 0, unknown_updates = 0;
  uint64_t timeouts = 0, reroutes = 0, reconciled = 0;
};

class OrderTracker {
 public:
  static constexpr int kMaxFillsPerOrder = 64;

  struct Order {
    OrderRequest req;
    OrderState state = OrderState::New;
    bool used = false;
    bool unknown = false;          // state must be confirmed by a query
    bool cancel_sent = false;
    bool rerouted = false;
    int64_t sent_ms = 0, cancel_ms = 0, query_ms = 0;
    Qty filled{0};
    i128 notional = 0;
    uint64_t fill_ids[kMaxFillsPerOrder] = {};
    int n_fills = 0;
  };

  OrderTracker(TrackerConfig cfg, TrackerOutput& out);

  SubmitResult submit(const OrderRequest& r, int64_t now_ms);
  void on_update(const VenueUpdate& u, int64_t now_ms);
  void on_timer(int64_t now_ms);
  // Restart: the fills the journal already holds for a recovered order (their
  // ids and total), so the venue's replay of them is a duplicate, not a new
  // fill reported (and settled) a second time. No output. False: unknown id or
  // more ids than an order remembers.
  bool restore_fills(const ClientOrderId& id, const uint64_t* fill_ids, int n, Qty filled);
  void on_disconnect();
  void on_reconnect(int64_t now_ms);

  // Forget terminal orders older than keep_ms; returns how many. Allocation-free.
  uint32_t compact(int64_t now_ms, int64_t keep_ms);

  const Order* find(const ClientOrderId& id) const;
  // A fill message whose fill id this order has counted already (a venue resend,
  // a duplicated frame): the stage journals only fills that are new.
  bool is_duplicate_fill(const VenueUpdate& u) const;
  bool blocked() const { return n_unknown_ > 0; }
  // Slots another submit() could take (open and recently ended orders share them).
  uint32_t room() const { return cfg_.capacity - n_used_; }
  uint32_t open_orders() const;
  const TrackerCounters& counters() const { return c_; }

 private:
  Order* lookup(const ClientOrderId& id);
  Order* insert(const ClientOrderId& id);
  void advance(Order& o, OrderState s);
  void count_fill(Order& o, const VenueUpdate& u);
  void finish(Order& o, OrderState s);
  void set_unknown(Order& o, bool v);
  uint32_t slot_of(const ClientOrderId& id) const;

  TrackerConfig cfg_;
  TrackerOutput& out_;
  std::vector<Order> table_;   // open addressing, linear probing; terminal orders stay until compact()
  std::vector<Order> spare_;   // same size, for compact()
  uint32_t n_used_ = 0;
  uint32_t n_unknown_ = 0;
  int64_t next_due_ms_ = INT64_MIN;  // on_timer(): nothing is due before this
  void rescan() { next_due_ms_ = INT64_MIN; }
  // compact(): the earliest end_of() among ended, known orders (INT64_MAX: none).
  int64_t oldest_end_ms_ = INT64_MAX;
  static int64_t end_of(const Order& o);
  void note_ended(const Order& o);
  TrackerCounters c_;
};

}  // namespace liqd::exec
