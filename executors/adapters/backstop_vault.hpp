#pragma once
// Backstop vault: an internal transfer of the position to the vault at a price
// inside the fillable bound (the order's limit). No market is touched, so the
// transfer fills completely at the bound price, or is rejected when the vault
// lacks capacity. The vault's inventory (signed base quantity) and the quote it
// paid are tracked; hedging that inventory on external venues is the router's
// next job (an ordinary routed order with the vault as account).
#include <deque>
#include <string>
#include <unordered_map>

#include "executors/adapters/venue_adapter.hpp"

namespace liqd::exec {

class BackstopVault final : public VenueAdapter {
 public:
  explicit BackstopVault(Qty capacity) : capacity_(capacity) {}

  void send_new(const OrderRequest& r) override;
  void send_cancel(const ClientOrderId& id) override;
  void send_query(const ClientOrderId& id) override;
  int poll(UpdateSink& sink) override;
  bool connected() const override { return true; }

  // Signed base inventory: a liquidated long (we sell) becomes vault long inventory.
  Qty inventory() const { return inventory_; }
  i128 quote_paid() const { return quote_paid_; }   // units 10^-(price_dp+qty_dp)

 private:
  struct Done { UpdateKind kind; Qty qty; Price px; uint64_t fill_id; };
  Qty capacity_;
  Qty inventory_{0};
  i128 quote_paid_ = 0;
  uint64_t next_fill_id_ = 1;
  std::unordered_map<std::string, Done> done_;
  std::deque<VenueUpdate> outbox_;
};

}  // namespace liqd::exec
