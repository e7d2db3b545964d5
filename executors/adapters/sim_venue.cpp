#include "executors/adapters/sim_venue.hpp"

namespace liqd::exec {

void SimVenue::emit(const VenueUpdate& u) {
  if (up_) outbox_.push_back(u);
}

VenueUpdate SimVenue::status(const SimOrder& o) const {
  VenueUpdate u;
  u.id = o.req.id;
  u.cum_qty = o.cum;
  u.kind = o.final_kind == UpdateKind::Ack ? UpdateKind::Ack : o.final_kind;
  return u;
}

void SimVenue::send_new(const OrderRequest& r) {
  if (!up_) return;   // lost on the wire
  ++received_;
  std::string key(r.id.view());
  if (orders_.count(key) != 0) {
    VenueUpdate u;
    u.id = r.id;
    u.kind = UpdateKind::Rejected;   // duplicate client order id: never executed twice
    emit(u);
    return;
  }
  SimOrder& o = orders_[key];
  o.req = r;
  if (faults.reject_new) {
    o.final_kind = UpdateKind::Rejected;
    emit(status(o));
    return;
  }
  if (!faults.hold_acks) {
    VenueUpdate ack;
    ack.id = r.id;
    ack.kind = UpdateKind::Ack;
    emit(ack);
  }
  if (faults.rest_orders) return;
  // Match against the book inside the limit.
  int64_t left = r.qty.v;
  for (Level& l : book_) {
    if (left == 0) break;
    bool inside = r.side == Side::Sell ? l.px >= r.limit : l.px <= r.limit;
    if (!inside) break;
    int64_t t = l.qty.v < left ? l.qty.v : left;
    if (t == 0) continue;
    l.qty.v -= t;
    left -= t;
    o.cum.v += t;
    VenueUpdate f;
    f.id = r.id;
    f.kind = UpdateKind::Fill;
    f.fill_id = next_fill_id_++;
    f.fill_qty = Qty(t);
    f.fill_price = l.px;
    f.cum_qty = o.cum;
    o.fills.push_back(f);
  }
  std::vector<VenueUpdate> out = o.fills;
  if (faults.reverse_fills) out.assign(o.fills.rbegin(), o.fills.rend());
  for (const VenueUpdate& f : out)
    for (int k = 0; k <= faults.duplicate_fills; ++k) emit(f);
  if (r.ioc || left == 0) {
    o.final_kind = left == 0 ? UpdateKind::Filled : UpdateKind::Expired;  // IOC remainder expires
    emit(status(o));
  }
}

void SimVenue::send_cancel(const ClientOrderId& id) {
  if (!up_ || faults.ignore_cancels) return;
  auto it = orders_.find(std::string(id.view()));
  VenueUpdate u;
  u.id = id;
  if (it == orders_.end()) { u.kind = UpdateKind::NotFound; emit(u); return; }
  SimOrder& o = it->second;
  if (o.final_kind == UpdateKind::Ack) o.final_kind = UpdateKind::Cancelled;
  emit(status(o));
}

void SimVenue::send_query(const ClientOrderId& id) {
  if (!up_) return;
  auto it = orders_.find(std::string(id.view()));
  VenueUpdate u;
  u.id = id;
  if (it == orders_.end()) { u.kind = UpdateKind::NotFound; emit(u); return; }
  // Like a venue's order + trades query: every fill again, then the status.
  for (const VenueUpdate& f : it->second.fills) emit(f);
  emit(status(it->second));
}

void SimVenue::fill_resting(const ClientOrderId& id, Qty qty, Price px) {
  auto it = orders_.find(std::string(id.view()));
  if (it == orders_.end()) return;
  SimOrder& o = it->second;
  o.cum += qty;
  VenueUpdate f;
  f.id = id;
  f.kind = UpdateKind::Fill;
  f.fill_id = next_fill_id_++;
  f.fill_qty = qty;
  f.fill_price = px;
  f.cum_qty = o.cum;
  o.fills.push_back(f);
  emit(f);
  if (o.cum >= o.req.qty && o.final_kind == UpdateKind::Ack) {
    o.final_kind = UpdateKind::Filled;
    emit(status(o));
  }
}

Qty SimVenue::executed(const ClientOrderId& id) const {
  auto it = orders_.find(std::string(id.view()));
  return it == orders_.end() ? Qty(0) : it->second.cum;
}

int SimVenue::poll(UpdateSink& sink) {
  int n = 0;
  while (!outbox_.empty()) {
    VenueUpdate u = outbox_.front();
    outbox_.pop_front();
    sink.on_update(u);
    ++n;
  }
  return n;
}

}  // namespace liqd::exec
