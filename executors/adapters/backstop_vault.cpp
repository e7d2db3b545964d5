#include "executors/adapters/backstop_vault.hpp"

namespace liqd::exec {

void BackstopVault::send_new(const OrderRequest& r) {
  std::string key(r.id.view());
  VenueUpdate u;
  u.id = r.id;
  if (done_.count(key) != 0) { u.kind = UpdateKind::Rejected; outbox_.push_back(u); return; }  // never twice
  // The vault takes the other side: our sell adds to its long inventory.
  const int64_t signed_qty = r.side == Side::Sell ? r.qty.v : -r.qty.v;
  const int64_t after = inventory_.v + signed_qty;
  if ((after < 0 ? -after : after) > capacity_.v) {
    done_[key] = Done{UpdateKind::Rejected, Qty(0), Price(0), 0};
    u.kind = UpdateKind::Rejected;
    outbox_.push_back(u);
    return;
  }
  inventory_ = Qty(after);
  quote_paid_ += static_cast<i128>(signed_qty) * r.limit.v;
  Done d{UpdateKind::Filled, r.qty, r.limit, next_fill_id_++};
  done_[key] = d;
  u.kind = UpdateKind::Ack;
  outbox_.push_back(u);
  u.kind = UpdateKind::Fill;
  u.fill_id = d.fill_id;
  u.fill_qty = r.qty;
  u.fill_price = r.limit;   // transfer at the bound
  u.cum_qty = r.qty;
  outbox_.push_back(u);
  u.kind = UpdateKind::Filled;
  outbox_.push_back(u);
}

void BackstopVault::send_cancel(const ClientOrderId& id) { send_query(id); }   // transfers are instant

void BackstopVault::send_query(const ClientOrderId& id) {
  VenueUpdate u;
  u.id = id;
  auto it = done_.find(std::string(id.view()));
  if (it == done_.end()) { u.kind = UpdateKind::NotFound; outbox_.push_back(u); return; }
  if (it->second.kind == UpdateKind::Filled) {
    u.kind = UpdateKind::Fill;
    u.fill_id = it->second.fill_id;
    u.fill_qty = it->second.qty;
    u.fill_price = it->second.px;
    u.cum_qty = it->second.qty;
    outbox_.push_back(u);
  }
  u.kind = it->second.kind;
  outbox_.push_back(u);
}

int BackstopVault::poll(UpdateSink& sink) {
  int n = 0;
  while (!outbox_.empty()) { sink.on_update(outbox_.front()); outbox_.pop_front(); ++n; }
  return n;
}

}  // namespace liqd::exec
