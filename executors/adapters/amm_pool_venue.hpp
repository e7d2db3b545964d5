#pragma once
// AMM pool venue (constant product): an order swaps against the pool's curve in
// one atomic step, filling completely if the average price is inside the limit
// and rejected otherwise (a swap with a minimum-out / maximum-in bound). Reserves
// move with every fill, so the next depth derivation sees the new curve.
#include <deque>
#include <string>
#include <unordered_map>

#include "executors/adapters/venue_adapter.hpp"
#include "executors/amm/constant_product.hpp"

namespace liqd::exec {

class AmmPoolVenue final : public VenueAdapter {
 public:
  explicit AmmPoolVenue(ConstantProductPool pool) : pool_(pool) {}

  void send_new(const OrderRequest& r) override;
  void send_cancel(const ClientOrderId& id) override { send_query(id); }   // swaps are atomic
  void send_query(const ClientOrderId& id) override;
  int poll(UpdateSink& sink) override;
  bool connected() const override { return true; }

  const ConstantProductPool& pool() const { return pool_; }

 private:
  struct Done { bool filled; Qty qty; Price avg; uint64_t fill_id; };
  ConstantProductPool pool_;
  uint64_t next_fill_id_ = 1;
  std::unordered_map<std::string, Done> done_;
  std::deque<VenueUpdate> outbox_;
};

}  // namespace liqd::exec
