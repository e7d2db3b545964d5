#include "executors/adapters/amm_pool_venue.hpp"

namespace liqd::exec {

void AmmPoolVenue::send_new(const OrderRequest& r) {
  std::string key(r.id.view());
  VenueUpdate u;
  u.id = r.id;
  if (done_.count(key) != 0) { u.kind = UpdateKind::Rejected; outbox_.push_back(u); return; }
  const i128 quote = pool_.total(r.side, r.qty.v);
  if (quote <= 0) { done_[key] = Done{false, Qty(0), Price(0), 0}; u.kind = UpdateKind::Rejected; outbox_.push_back(u); return; }
  // Average price, rounded against the trader; the limit binds the average (min out / max in).
  const i128 avg = div_round(quote, r.qty.v, r.side == Side::Sell ? Round::Floor : Round::Ceil);
  const bool inside = r.side == Side::Sell ? avg >= r.limit.v : avg <= r.limit.v;
  if (!inside) { done_[key] = Done{false, Qty(0), Price(0), 0}; u.kind = UpdateKind::Rejected; outbox_.push_back(u); return; }
  if (r.side == Side::Sell) { pool_.base_reserve += r.qty; pool_.quote_reserve -= quote; }
  else { pool_.base_reserve -= r.qty; pool_.quote_reserve += quote; }
  Done d{true, r.qty, Price(static_cast<int64_t>(avg)), next_fill_id_++};
  done_[key] = d;
  u.kind = UpdateKind::Ack;
  outbox_.push_back(u);
  u.kind = UpdateKind::Fill;
  u.fill_id = d.fill_id;
  u.fill_qty = d.qty;
  u.fill_price = d.avg;
  u.cum_qty = d.qty;
  outbox_.push_back(u);
  u.kind = UpdateKind::Filled;
  outbox_.push_back(u);
}

void AmmPoolVenue::send_query(const ClientOrderId& id) {
  VenueUpdate u;
  u.id = id;
  auto it = done_.find(std::string(id.view()));
  if (it == done_.end()) { u.kind = UpdateKind::NotFound; outbox_.push_back(u); return; }
  if (!it->second.filled) { u.kind = UpdateKind::Rejected; outbox_.push_back(u); return; }
  u.kind = UpdateKind::Fill;
  u.fill_id = it->second.fill_id;
  u.fill_qty = it->second.qty;
  u.fill_price = it->second.avg;
  u.cum_qty = it->second.qty;
  outbox_.push_back(u);
  u.kind = UpdateKind::Filled;
  outbox_.push_back(u);
}

int AmmPoolVenue::poll(UpdateSink& sink) {
  int n = 0;
  while (!outbox_.empty()) { sink.on_update(outbox_.front()); outbox_.pop_front(); ++n; }
  return n;
}

}  // namespace liqd::exec
