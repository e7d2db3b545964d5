#pragma once
// Deterministic simulated venue for tests and replay. It matches orders against
// a fixed book (taking the side the order takes), remembers every client order
// id it has seen (a second order with a known id is rejected, as real venues do)
// and can misbehave on request: hold acks, duplicate or reorder fills, reject,
// drop the connection, lose updates. No clocks, no randomness: the same calls
// give the same messages.
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "executors/adapters/venue_adapter.hpp"

namespace liqd::exec {

class SimVenue final : public VenueAdapter {
 public:
  struct Faults {
    bool hold_acks = false;          // never acknowledge (ack timeout path)
    bool ignore_cancels = false;     // cancel requests get no answer
    bool reject_new = false;         // reject every new order
    int duplicate_fills = 0;         // send every fill this many extra times
    bool reverse_fills = false;      // deliver an order's fills last-first
    bool rest_orders = false;        // do not match: orders rest until cancelled
  };

  explicit SimVenue(std::vector<Level> book) : book_(std::move(book)) {}

  void send_new(const OrderRequest& r) override;
  void send_cancel(const ClientOrderId& id) override;
  void send_query(const ClientOrderId& id) override;
  int poll(UpdateSink& sink) override;
  bool connected() const override { return up_; }

  // Fault control.
  Faults faults;
  void disconnect() { up_ = false; outbox_.clear(); }   // in-flight updates are lost
  void reconnect() { up_ = true; }
  // Fill a resting order now (a counterparty arrived), qty at price.
  void fill_resting(const ClientOrderId& id, Qty qty, Price px);

  // What the venue executed, for assertions.
  Qty executed(const ClientOrderId& id) const;
  int orders_received() const { return received_; }

 private:
  struct SimOrder {
    OrderRequest req;
    UpdateKind final_kind = UpdateKind::Ack;   // Ack = still open
    Qty cum{0};
    std::vector<VenueUpdate> fills;
  };
  void emit(const VenueUpdate& u);
  VenueUpdate status(const SimOrder& o) const;

  std::vector<Level> book_;
  std::unordered_map<std::string, SimOrder> orders_;
  std::deque<VenueUpdate> outbox_;
  uint64_t next_fill_id_ = 1;
  bool up_ = true;
  int received_ = 0;
};

}  // namespace liqd::exec
