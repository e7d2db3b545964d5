#pragma once
// One interface for every venue protocol: the venue's own order entry
// (Protobuf over TCP), Binance-compatible REST, the backstop vault, an AMM pool
// and the deterministic simulator. The tracker decides, the adapter speaks.
// Calls never block: requests are queued or written asynchronously, and what
// comes back is handed over in poll(), on the executor thread.
#include "executors/orders/order_types.hpp"

namespace liqd::exec {

class UpdateSink {
 public:
  virtual ~UpdateSink() = default;
  virtual void on_update(const VenueUpdate& u) = 0;
};

class VenueAdapter {
 public:
  virtual ~VenueAdapter() = default;
  virtual void send_new(const OrderRequest& r) = 0;
  virtual void send_cancel(const ClientOrderId& id) = 0;
  virtual void send_query(const ClientOrderId& id) = 0;
  // Hands over every update received since the last call; returns how many.
  virtual int poll(UpdateSink& sink) = 0;
  virtual bool connected() const = 0;
  // Connection set-up, for adapters that have one (asynchronous; connected()
  // turns true once done). In-process venues are always connected.
  virtual void connect() {}
  virtual bool connecting() const { return false; }
  // Restart: an order the journal shows in flight, and what it holds of its
  // fills (their quantity, and their quote: qty x price summed, in price x qty
  // units). An adapter that derives fills from the venue's cumulative figures
  // (Binance's executedQty and avgPrice) goes on from there, so a query answer
  // yields only what came after. Venues that name each fill need nothing.
  virtual void restore_order(const ClientOrderId& /*id*/, Qty /*filled*/, i128 /*filled_quote*/) {}
};

}  // namespace liqd::exec
