#include "executors/orders/order_tracker.hpp"

#include <cassert>

namespace liqd::exec {

const char* to_string(OrderState s) {
  switch (s) {
    case OrderState::New: return "new";
    case OrderState::Acknowledged: return "acknowledged";
    case OrderState::PartiallyFilled: return "partially_filled";
    case OrderState::Filled: return "filled";
    case OrderState::Rejected: return "rejected";
    case OrderState::Cancelled: return "cancelled";
    case OrderState::Expired: return "expired";
  }
  return "?";
}

OrderTracker::OrderTracker(TrackerConfig cfg, TrackerOutput& out) : cfg_(cfg), out_(out) {
  // Twice the capacity keeps probe sequences short.
  table_.resize(static_cast<size_t>(cfg_.capacity) * 2);
  spare_.resize(table_.size());
}

uint32_t OrderTracker::slot_of(const ClientOrderId& id) const {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (int i = 0; i < ClientOrderId::kLen && id.s[i]; ++i) { h ^= static_cast<uint8_t>(id.s[i]); h *= 1099511628211ull; }
  return static_cast<uint32_t>(h % table_.size());
}

OrderTracker::Order* OrderTracker::lookup(const ClientOrderId& id) {
  uint32_t n = static_cast<uint32_t>(table_.size());
  for (uint32_t k = 0, i = slot_of(id); k < n; ++k, i = (i + 1) % n) {
    if (!table_[i].used) return nullptr;
    if (table_[i].req.id == id) return &table_[i];
  }
  return nullptr;
}

const OrderTracker::Order* OrderTracker::find(const ClientOrderId& id) const {
  return const_cast<OrderTracker*>(this)->lookup(id);
}

bool OrderTracker::is_duplicate_fill(const VenueUpdate& u) const {
  if (u.fill_qty.v <= 0) return false;
  const Order* o = find(u.id);
  if (o == nullptr) return false;
  for (int i = 0; i < o->n_fills; ++i)
    if (o->fill_ids[i] == u.fill_id) return true;
  return false;
}

OrderTracker::Order* OrderTracker::insert(const ClientOrderId& id) {
  if (n_used_ >= cfg_.capacity) return nullptr;
  uint32_t n = static_cast<uint32_t>(table_.size());
  for (uint32_t k = 0, i = slot_of(id); k < n; ++k, i = (i + 1) % n) {
    if (!table_[i].used) {
      table_[i] = Order{};
      table_[i].used = true;
      ++n_used_;
      return &table_[i];
    }
  }
  return nullptr;
}

uint32_t OrderTracker::open_orders() const {
  uint32_t n = 0;
  for (const Order& o : table_) n += (o.used && !is_terminal(o.state)) ? 1 : 0;
  return n;
}

SubmitResult OrderTracker::submit(const OrderRequest& r, int64_t now_ms) {
  if (r.id.empty() || r.qty.v <= 0 || r.limit.v <= 0) return SubmitResult::BadOrder;
  if (lookup(r.id) != nullptr) return SubmitResult::Duplicate;   // never send an id twice
  if (blocked()) return SubmitResult::Blocked;                   // reconcile first
  Order* o = insert(r.id);
  if (o == nullptr) return SubmitResult::Full;
  o->req = r;
  o->state = OrderState::New;
  o->sent_ms = now_ms;
  rescan();
  out_.send_new(o->req);
  return SubmitResult::Sent;
}

void OrderTracker::set_unknown(Order& o, bool v) {
  if (o.unknown == v) return;
  o.unknown = v;
  if (v) ++n_unknown_; else --n_unknown_;
  if (v) rescan(); else note_ended(o);
}

void OrderTracker::advance(Order& o, OrderState s) {
  // Forward only: New < Acknowledged < PartiallyFilled < terminal.
  if (is_terminal(o.state)) return;
  if (static_cast<int>(s) > static_cast<int>(o.state)) o.state = s;
}

void OrderTracker::finish(Order& o, OrderState s) {
  if (!is_terminal(o.state)) o.state = s;
  set_unknown(o, false);
  note_ended(o);
  if (o.filled < o.req.qty && !o.rerouted && o.state != OrderState::Filled) {
    o.rerouted = true;
    ++c_.reroutes;
    out_.reroute(o.req, o.req.qty - o.filled);
  }
}

void OrderTracker::count_fill(Order& o, const VenueUpdate& u) {
  for (int i = 0; i < o.n_fills; ++i)
    if (o.fill_ids[i] == u.fill_id) { ++c_.duplicate_fills; return; }
  if (u.fill_qty.v <= 0) return;
  if (o.n_fills == kMaxFillsPerOrder) {
    // More fills than we can remember ids for: stop trusting messages, ask the venue.
    set_unknown(o, true);
    return;
  }
  o.fill_ids[o.n_fills++] = u.fill_id;
  if (is_terminal(o.state)) ++c_.late_fills;
  o.filled += u.fill_qty;
  o.notional += static_cast<i128>(u.fill_qty.v) * u.fill_price.v;
  if (o.filled > o.req.qty) ++c_.overfills;   // a venue bug; reported, never hidden
  ++c_.fills;
  out_.fill(FillReport{o.req.id, o.req.key, u.fill_id, o.req.side, u.fill_qty, u.fill_price, u.fee});
  if (o.filled >= o.req.qty) {
    if (!is_terminal(o.state)) o.state = OrderState::Filled;
    note_ended(o);
  } else {
    advance(o, OrderState::PartiallyFilled);
  }
}

bool OrderTracker::restore_fills(const ClientOrderId& id, const uint64_t* fill_ids, int n, Qty filled) {
  Order* o = lookup(id);
  if (o == nullptr || n > kMaxFillsPerOrder) return false;
  for (int i = 0; i < n; ++i) o->fill_ids[i] = fill_ids[i];
  o->n_fills = n;
  o->filled = filled;
  if (filled.v > 0 && filled < o->req.qty) advance(*o, OrderState::PartiallyFilled);
  return true;
}

void OrderTracker::on_update(const VenueUpdate& u, int64_t now_ms) {
  Order* o = lookup(u.id);
  if (o == nullptr) { ++c_.unknown_updates; return; }
  switch (u.kind) {
    case UpdateKind::Ack:
      advance(*o, OrderState::Acknowledged);
      // An "open" answer to a query (cum_qty given) that matches the fills we
      // counted settles an unknown order; if the venue counted more, fills are
      // still on their way and the order stays unknown.
      if (o->unknown && u.cum_qty.v >= 0) {
        if (u.cum_qty == o->filled) { set_unknown(*o, false); ++c_.reconciled; }
        else o->query_ms = now_ms;
      }
      break;
    case UpdateKind::Fill:
      count_fill(*o, u);
      // Completely filled: nothing more can happen to it, whatever we did not know.
      if (o->state == OrderState::Filled && o->filled >= o->req.qty) set_unknown(*o, false);
      break;
    case UpdateKind::Filled:
      // Terminal "all filled" (a query answer): fills arrive as their own messages;
      // if the venue's cumulative quantity is ahead of what we counted, a fill is
      // still in flight or lost, so the order stays unknown and is asked again.
      if (u.cum_qty.v >= 0 && u.cum_qty > o->filled) { set_unknown(*o, true); o->query_ms = now_ms; break; }
      if (o->unknown) ++c_.reconciled;
      finish(*o, OrderState::Filled);
      break;
    case UpdateKind::Rejected:
    case UpdateKind::Cancelled:
    case UpdateKind::Expired: {
      if (u.cum_qty.v >= 0 && u.cum_qty > o->filled) { set_unknown(*o, true); o->query_ms = now_ms; break; }
      if (o->unknown) ++c_.reconciled;
      OrderState s = u.kind == UpdateKind::Rejected ? OrderState::Rejected
                   : u.kind == UpdateKind::Cancelled ? OrderState::Cancelled : OrderState::Expired;
      finish(*o, s);
      break;
    }
    case UpdateKind::NotFound:
      // The venue has not seen it. It may still be in flight until the venue's
      // replay window has passed; only then can it never execute.
      if (now_ms >= o->sent_ms + cfg_.recv_window_ms) {
        if (o->unknown) ++c_.reconciled;
        finish(*o, OrderState::Expired);
      } else {
        set_unknown(*o, true);
        o->query_ms = now_ms;  // ask again after query_retry_ms
      }
      break;
  }
}

// The table is scanned only when the earliest deadline found by the last scan
// has come, or when something since could have brought one earlier (a new order,
// an order turned unknown: rescan()). Otherwise an idle executor turn would read
// the whole table (capacity x ~700 bytes) for nothing.
void OrderTracker::on_timer(int64_t now_ms) {
  if (now_ms < next_due_ms_) return;
  int64_t next = INT64_MAX;
  auto due = [&next](int64_t t) { next = t < next ? t : next; };
  for (Order& o : table_) {
    if (!o.used) continue;
    if (o.unknown) {
      if (now_ms >= o.query_ms + cfg_.query_retry_ms) { o.query_ms = now_ms; out_.send_query(o.req.id); }
      due(o.query_ms + cfg_.query_retry_ms);
      continue;
    }
    if (is_terminal(o.state)) continue;
    if (o.cancel_sent) {
      if (now_ms >= o.cancel_ms + cfg_.cancel_timeout_ms) {
        ++c_.timeouts;
        set_unknown(o, true);
        o.query_ms = now_ms;
        out_.send_query(o.req.id);
        due(o.query_ms + cfg_.query_retry_ms);
      } else {
        due(o.cancel_ms + cfg_.cancel_timeout_ms);
      }
      continue;
    }
    const int64_t ack_due = o.state == OrderState::New ? o.sent_ms + cfg_.ack_timeout_ms : INT64_MAX;
    const int64_t end_due = o.sent_ms + cfg_.order_timeout_ms;
    if (now_ms >= ack_due || now_ms >= end_due) {
      ++c_.timeouts;
      o.cancel_sent = true;
      o.cancel_ms = now_ms;
      out_.send_cancel(o.req.id);
      due(o.cancel_ms + cfg_.cancel_timeout_ms);
    } else {
      due(ack_due < end_due ? ack_due : end_due);
    }
  }
  next_due_ms_ = next;  // the scan saw every order, those it turned unknown included
}

// The time from which an order's keep period runs once it has ended.
int64_t OrderTracker::end_of(const Order& o) { return o.cancel_ms > o.sent_ms ? o.cancel_ms : o.sent_ms; }

void OrderTracker::note_ended(const Order& o) {
  if (is_terminal(o.state) && !o.unknown && end_of(o) < oldest_end_ms_) oldest_end_ms_ = end_of(o);
}

uint32_t OrderTracker::compact(int64_t now_ms, int64_t keep_ms) {
  // Nothing old enough to forget (the oldest ended order's keep period runs):
  // the rebuild, a copy of the whole table, would change nothing.
  if (oldest_end_ms_ == INT64_MAX || now_ms - keep_ms < oldest_end_ms_) return 0;
  // Rebuild the table without terminal orders older than keep_ms. Old ids are
  // forgotten here, so keep_ms must exceed the time in which a retry of the same
  // chunk can arrive (the journal keeps them for restarts).
  spare_.swap(table_);
  for (Order& o : table_) o.used = false;
  n_used_ = 0;
  oldest_end_ms_ = INT64_MAX;
  uint32_t dropped = 0;
  for (Order& o : spare_) {
    if (!o.used) continue;
    if (is_terminal(o.state) && !o.unknown && now_ms >= end_of(o) + keep_ms) { ++dropped; o.used = false; continue; }
    Order* n = insert(o.req.id);
    assert(n != nullptr);
    *n = o;
    note_ended(*n);
    o.used = false;
  }
  return dropped;
}

void OrderTracker::on_disconnect() {
  for (Order& o : table_)
    if (o.used && !is_terminal(o.state)) set_unknown(o, true);
}

void OrderTracker::on_reconnect(int64_t now_ms) {
  for (Order& o : table_)
    if (o.used && o.unknown) { o.query_ms = now_ms; out_.send_query(o.req.id); }
}

}  // namespace liqd::exec
