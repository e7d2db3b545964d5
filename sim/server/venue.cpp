// The venue: order entry (OrderEntryMessage frames) with the IOC matching model,
// and the account stream (AccountEvent frames): snapshot on connect, then deltas.
//
// Order life cycle: every NewOrder waits `order_latency_ms`, then, in arrival order:
//   REJECTED  duplicate client_order_id (any id seen before, whatever became of it),
//             invalid fields, non-IOC, reduce-only that would not reduce, or a random
//             reject (--reject-rate, seeded);
//   ACKNOWLEDGED, then one PARTIALLY_FILLED/FILLED per level taken (unique fill_id),
//   then EXPIRED for an unfilled IOC remainder (cum_qty says how much filled).
// A NewOrder with transfer_to_account != 0 is a backstop transfer, not a book order:
// same latency queue and client_order_id rules, then REJECTED (reason names the field)
// for an unknown market, a missing side, qty not a positive lot multiple, limit_price
// not > 0 (any price unit: it is the exact bankruptcy price, not rounded to the tick;
// refused only when the notional would not leave int64 room for the sums),
// reduce_only not set, transfer_to_account not the configured backstop account, or an
// account_id that is unknown, is the backstop itself, or holds no position `side`
// reduces (never a random reject); otherwise ACKNOWLEDGED, one fill at exactly
// limit_price of min(qty, |position|) (FILLED, or PARTIALLY_FILLED then EXPIRED
// "reduce_only: clipped to the position"). account_id gets the fill (a SELL reduces a
// long), the backstop account the opposite fill at the same price (it takes over the
// position); both publish account events like any fill. A backstop transfer with a
// fee_rate (liqd's split transfers, priced inside the fillable bound) charges account_id
// the liquidation fee as a book fill does (capped above bankruptcy_price), reported on
// the fill; the receiver pays nothing. A deleverage never charges one. No aggTrade, no depthUpdate:
// the book is untouched.
// A CancelOrder acts on arrival: an order still waiting out its latency is cancelled
// (CANCELLED, and its id counts as used); otherwise it is REJECTED ("unknown order":
// IOC orders never rest).
// A QueryOrder is answered on arrival: every update sent for that id so far, in
// order (fills with their fill ids, then the final state), ACKNOWLEDGED (cum_qty 0)
// for an order still in its latency, or NOT_FOUND for an id never seen.
#include <algorithm>

#include "proto/framing.hpp"
#include "sim/server/impl.hpp"
#include "sim/wire/formats.hpp"

namespace liqd::sim {

namespace {

net::Msg framed(const google::protobuf::MessageLite& m) {
  std::string payload;
  m.SerializeToString(&payload);
  auto out = std::make_shared<std::string>();
  out->reserve(payload.size() + 4);
  liqd::proto_framing::append_frame(*out, payload);
  return out;
}

void fill_position(proto::PositionState& ps, const SimPosition& p, const MarketSpec& m) {
  ps.set_market(m.symbol);
  ps.set_size(p.size.v);
  ps.set_entry_price(p.entry.v);
  ps.set_isolated(p.isolated);
  ps.set_isolated_margin(p.isolated_margin.v);
}

}  // namespace

int Simulator::Impl::market_index(const std::string& symbol) const {
  for (size_t i = 0; i < markets.size(); ++i)
    if (markets[i].spec.symbol == symbol) return static_cast<int>(i);
  return -1;
}

void Simulator::Impl::on_order_frame(net::FrameSession& s, std::string_view payload) {
  proto::OrderEntryMessage msg;
  if (!msg.ParseFromArray(payload.data(), static_cast<int>(payload.size())) ||
      (!msg.has_new_order() && !msg.has_cancel() && !msg.has_query())) {
    ++venue.bad_messages;  // counted and skipped
    return;
  }
  if (!msg.has_query()) ++venue.received;
  std::weak_ptr<net::FrameSession> who;
  for (auto& fs : frame_sessions)
    if (fs.get() == &s) who = fs;
  if (msg.has_query()) {
    ++venue.queries;
    const std::string& id = msg.query().client_order_id();
    if (auto it = order_history.find(id); it != order_history.end()) {
      for (const proto::OrderUpdate& u : it->second) send_update(who, u, false);
      return;
    }
    proto::OrderUpdate u;
    u.set_client_order_id(id);
    const bool waiting = std::any_of(pending.begin(), pending.end(),
                                     [&](const PendingOrder& p) { return p.msg.new_order().client_order_id() == id; });
    u.set_state(waiting ? proto::OrderUpdate::ACKNOWLEDGED : proto::OrderUpdate::NOT_FOUND);
    u.set_cum_qty(0);
    send_update(who, std::move(u), false);
    return;
  }
  if (msg.has_cancel()) {
    // Cancels take effect on arrival: they can catch an order still in its latency.
    proto::OrderUpdate u;
    u.set_client_order_id(msg.cancel().client_order_id());
    bool found = false;
    for (auto it = pending.begin(); it != pending.end(); ++it) {
      if (it->msg.new_order().client_order_id() == msg.cancel().client_order_id()) {
        seen_client_ids.insert(it->msg.new_order().client_order_id());
        pending.erase(it);
        found = true;
        break;
      }
    }
    u.set_state(found ? proto::OrderUpdate::CANCELLED : proto::OrderUpdate::REJECTED);
    if (found) {
      ++venue.cancelled;
    } else {
      ++venue.rejected;
      u.set_reason("unknown order (IOC orders never rest)");
    }
    send_update(who, std::move(u));
    return;
  }
  ++venue.new_orders;
  const bool was_empty = pending.empty();
  pending.push_back({Clock::now() + std::chrono::milliseconds(cfg.order_latency_ms), who, std::move(msg)});
  if (cfg.order_latency_ms == 0) {
    process_due_orders();
  } else if (was_empty) {
    arm_order_timer();
  }
}

void Simulator::Impl::arm_order_timer() {
  if (pending.empty()) return;
  order_timer->expires_at(pending.front().due);
  order_timer->async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    process_due_orders();
    arm_order_timer();
  });
}

void Simulator::Impl::process_due_orders() {
  const auto now = Clock::now();
  while (!pending.empty() && pending.front().due <= now) {
    PendingOrder po = std::move(pending.front());
    pending.pop_front();
    execute(po.session, po.msg.new_order());
  }
}

void Simulator::Impl::send_update(const std::weak_ptr<net::FrameSession>& to, proto::OrderUpdate u, bool record) {
  if (record) {
    u.set_ts_ms(static_cast<uint64_t>(sim_ms));
    order_history[u.client_order_id()].push_back(u);
  }
  proto::OrderEntryMessage m;
  *m.mutable_update() = std::move(u);
  publish(StreamId::Orders, {}, framed(m), true, to);
}

const SimAccount* Simulator::Impl::find_account(uint64_t id) const {
  if (id >= 1 && id <= population_size) return &accounts[id - 1];
  if (id != 0 && id == cfg.backstop_account && accounts.size() > population_size) return &accounts.back();
  return nullptr;
}

SimAccount* Simulator::Impl::find_account(uint64_t id) {
  return const_cast<SimAccount*>(static_cast<const Impl*>(this)->find_account(id));
}

void Simulator::Impl::reject_order(const std::weak_ptr<net::FrameSession>& to, const proto::NewOrder& o,
                                   const std::string& why, bool record) {
  proto::OrderUpdate u;
  u.set_client_order_id(o.client_order_id());
  u.set_state(proto::OrderUpdate::REJECTED);
  u.set_reason(why);
  ++venue.rejected;
  ++venue.reject_reasons[why.substr(0, why.find(':'))];
  send_update(to, std::move(u), record);  // a duplicate's reject must not rewrite the original's history
}

namespace {

// The liquidation fee of one fill (NewOrder.fee_rate, bankruptcy_price): floor(floor(q ×
// px) × rate / 1e8), capped at what the fill leaves above the bankruptcy price (floored),
// nothing when it leaves nothing. The venue's side of the contract in proto/order.proto.
Quote liquidation_fee(const MarketSpec& spec, bool sell, Qty q, Price px, int64_t rate, int64_t bankruptcy) {
  if (rate <= 0 || bankruptcy <= 0) return Quote(0);
  const int64_t diff = sell ? px.v - bankruptcy : bankruptcy - px.v;  // a sell closes a long
  if (diff <= 0) return Quote(0);
  const Quote surplus = mul_qty_price(q, Price(diff), spec.scale, Round::Floor);
  const Quote fee = mul_quote_ratio(mul_qty_price(q, px, spec.scale, Round::Floor), Ratio(rate), Round::Floor);
  return fee < surplus ? fee : surplus;
}

}  // namespace

void Simulator::Impl::fill_account(SimAccount& acc, uint32_t mi, Qty signed_qty, Price px, Quote fee) {
  const MarketSpec& spec = markets[mi].spec;
  FillEffect fx = apply_fill(acc, mi, spec, signed_qty, px);
  if (fee.v > 0) {  // charged where the fill's PnL went: the isolated margin while open, else collateral
    SimPosition* pos = nullptr;
    for (SimPosition& p : acc.positions)
      if (p.market == mi) pos = &p;
    if (pos && pos->isolated && pos->size.v != 0) {
      pos->isolated_margin -= fee;
      fx.position.isolated_margin = pos->isolated_margin;
    } else {
      acc.collateral -= fee;
      fx.collateral_delta -= fee;
    }
    venue.fees += fee.v;
  }
  venue.isolated_losses += fx.isolated_loss.v;
  proto::AccountEvent ev;
  ev.set_account_id(acc.id);
  ev.set_reason(proto::AccountEvent::FILL);
  fill_position(*ev.mutable_position(), fx.position, spec);
  publish_account_event(ev);
  if (fx.collateral_delta.v != 0) {
    proto::AccountEvent cev;
    cev.set_account_id(acc.id);
    cev.set_reason(proto::AccountEvent::FILL);
    cev.set_collateral_delta(fx.collateral_delta.v);
    publish_account_event(cev);
  }
}

void Simulator::Impl::execute(const std::weak_ptr<net::FrameSession>& to, const proto::NewOrder& o) {
  auto reject = [&](const std::string& why, bool record = true) { reject_order(to, o, why, record); };
  if (o.client_order_id().empty()) return reject("client_order_id: empty");
  if (!seen_client_ids.insert(o.client_order_id()).second) {
    ++venue.duplicates;
    return reject("client_order_id: duplicate", false);
  }
  const int mi = market_index(o.market());
  if (mi < 0) return reject("market: unknown '" + o.market() + "'");
  MarketState& m = markets[static_cast<size_t>(mi)];
  if (o.side() != proto::BUY && o.side() != proto::SELL) return reject("side: unspecified");
  if (o.qty() <= 0 || o.qty() % m.spec.lot != 0) return reject("qty: must be a positive multiple of the lot");
  if (o.transfer_to_account() != 0) return execute_transfer(to, o, static_cast<uint32_t>(mi));
  if (o.limit_price() <= 0 || o.limit_price() % m.spec.tick != 0) return reject("limit_price: must be a positive multiple of the tick");
  if (!o.immediate_or_cancel()) return reject("immediate_or_cancel: only IOC orders are supported");
  SimAccount* acc = find_account(o.account_id());
  int64_t qty = o.qty();
  if (o.reduce_only()) {
    if (!acc) return reject("account_id: unknown account for a reduce-only order");
    int64_t pos = 0;
    for (auto& p : acc->positions)
      if (p.market == static_cast<uint32_t>(mi)) pos = p.size.v;
    const bool reduces = (o.side() == proto::SELL && pos > 0) || (o.side() == proto::BUY && pos < 0);
    if (!reduces) return reject("reduce_only: order would not reduce the position");
    qty = std::min(qty, std::abs(pos));  // clipped to the position, never flips it
  }
  if (cfg.reject_ppm > 0 && reject_rng.chance_ppm(cfg.reject_ppm)) return reject("simulated reject");

  proto::OrderUpdate ack;
  ack.set_client_order_id(o.client_order_id());
  ack.set_state(proto::OrderUpdate::ACKNOWLEDGED);
  ++venue.acked;
  send_update(to, ack);

  const OrderSide side = o.side() == proto::BUY ? OrderSide::Buy : OrderSide::Sell;
  // The own venue's order matches the own book (the hedge venue has its own, hedge_rest.cpp).
  const BookSides before = m.own.book;
  std::vector<Fill> fills;
  const Qty filled = match_ioc(m.own.book, side, Qty(qty), Price(o.limit_price()), fills);
  int64_t cum = 0;
  for (const Fill& f : fills) {
    cum += f.qty.v;
    proto::OrderUpdate u;
    u.set_client_order_id(o.client_order_id());
    u.set_state(cum == o.qty() ? proto::OrderUpdate::FILLED : proto::OrderUpdate::PARTIALLY_FILLED);
    u.set_fill_id(++next_fill_id);
    u.set_fill_qty(f.qty.v);
    u.set_fill_price(f.px.v);
    u.set_cum_qty(cum);
    const Quote fee = acc ? liquidation_fee(m.spec, side == OrderSide::Sell, f.qty, f.px, o.fee_rate(), o.bankruptcy_price())
                          : Quote(0);
    u.set_fee(fee.v);
    ++venue.fills;
    send_update(to, std::move(u));
    if (acc) fill_account(*acc, static_cast<uint32_t>(mi), side == OrderSide::Buy ? f.qty : -f.qty, f.px, fee);
  }
  if (filled.v == o.qty()) {
    ++venue.filled;
  } else {
    // The unfilled rest of an IOC order expires; cum_qty says how much filled.
    proto::OrderUpdate u;
    u.set_client_order_id(o.client_order_id());
    u.set_state(proto::OrderUpdate::EXPIRED);
    u.set_cum_qty(filled.v);
    u.set_reason(filled.v == qty ? "reduce_only: clipped to the position"
                 : filled.v == 0 ? "IOC: nothing within the limit" : "IOC: remainder expired");
    ++venue.expired;
    send_update(to, std::move(u));
  }
  // The fills as aggTrades, the book they left behind as a depthUpdate on the id chain.
  publish_fills(m, m.own, before, fills, side == OrderSide::Sell);
}

void Simulator::Impl::execute_transfer(const std::weak_ptr<net::FrameSession>& to, const proto::NewOrder& o, uint32_t mi) {
  auto reject = [&](const std::string& why) { reject_order(to, o, why); };
  if (o.limit_price() <= 0) return reject("limit_price: must be positive (the bankruptcy price)");
  if (!o.reduce_only()) return reject("reduce_only: a backstop transfer must be reduce-only");
  const bool adl = o.deleverage();
  if (!adl && (cfg.backstop_account == 0 || o.transfer_to_account() != cfg.backstop_account))
    return reject(cfg.backstop_account == 0 ? "transfer_to_account: not the backstop account (this venue has none)"
                                            : "transfer_to_account: not the backstop account");
  if (!adl && o.account_id() == cfg.backstop_account) return reject("account_id: the backstop account cannot transfer to itself");
  SimAccount* acc = find_account(o.account_id());
  if (!acc) return reject("account_id: unknown account for a backstop transfer");
  auto position_in = [mi](const SimAccount& a) {
    int64_t pos = 0;
    for (const SimPosition& p : a.positions)
      if (p.market == mi) pos = p.size.v;
    return pos;
  };
  const int64_t pos = position_in(*acc);
  const bool reduces = (o.side() == proto::SELL && pos > 0) || (o.side() == proto::BUY && pos < 0);
  if (!reduces) return reject("reduce_only: transfer would not reduce the position");
  int64_t moved = std::min(o.qty(), std::abs(pos));  // clipped to the position, never flips it
  SimAccount* receiver = adl ? find_account(o.transfer_to_account()) : find_account(cfg.backstop_account);
  if (adl) {
    // Auto-deleveraging: the counterparty's opposite position is reduced too, never
    // flipped, so the move is clipped to the smaller of the two.
    if (!receiver) return reject("transfer_to_account: unknown account for a deleverage");
    if (receiver == acc) return reject("transfer_to_account: the bankrupt account itself");
    const int64_t rpos = position_in(*receiver);
    if (rpos == 0 || (rpos > 0) == (pos > 0)) return reject("deleverage: the counterparty holds no opposite position");
    moved = std::min(moved, std::abs(rpos));
  }
  // Any positive price is taken as it is, so bound it where it enters: the notional must
  // leave room for PnL and collateral sums in int64 quote units.
  const MarketSpec& spec = markets[mi].spec;
  if (rescale(static_cast<i128>(moved) * o.limit_price(), spec.scale.product_dp(), spec.scale.quote_dp, Round::Ceil) >
      static_cast<i128>(INT64_MAX / 4))
    return reject("limit_price: notional out of range");

  proto::OrderUpdate ack;
  ack.set_client_order_id(o.client_order_id());
  ack.set_state(proto::OrderUpdate::ACKNOWLEDGED);
  ++venue.acked;
  ++(adl ? venue.deleverages : venue.transfers);
  send_update(to, ack);

  const Price px(o.limit_price());
  proto::OrderUpdate u;
  u.set_client_order_id(o.client_order_id());
  u.set_state(moved == o.qty() ? proto::OrderUpdate::FILLED : proto::OrderUpdate::PARTIALLY_FILLED);
  u.set_fill_id(++next_fill_id);
  u.set_fill_qty(moved);
  u.set_fill_price(px.v);
  u.set_cum_qty(moved);
  const Quote fee = adl ? Quote(0)
                        : liquidation_fee(spec, o.side() == proto::SELL, Qty(moved), px, o.fee_rate(), o.bankruptcy_price());
  u.set_fee(fee.v);
  ++venue.fills;
  send_update(to, std::move(u));
  // The liquidated account sells (or buys back) what moved; the backstop (or the
  // deleveraged counterparty, whose opposite position shrinks) takes the other side
  // at the same price. Off the book: no aggTrade, no depthUpdate.
  const Qty q(o.side() == proto::BUY ? moved : -moved);
  fill_account(*acc, mi, q, px, fee);
  fill_account(*receiver, mi, -q, px);
  if (moved == o.qty()) {
    ++venue.filled;
  } else {
    proto::OrderUpdate e;
    e.set_client_order_id(o.client_order_id());
    e.set_state(proto::OrderUpdate::EXPIRED);
    e.set_cum_qty(moved);
    e.set_reason("reduce_only: clipped to the position");
    ++venue.expired;
    send_update(to, std::move(e));
  }
}

void Simulator::Impl::publish_account_event(proto::AccountEvent& ev) {
  ev.set_seq(++account_seq);
  ev.set_ts_ms(static_cast<uint64_t>(sim_ms));
  publish(StreamId::Accounts, {}, framed(ev), true);
}

void Simulator::Impl::on_account_connect(const std::shared_ptr<net::FrameSession>& s) {
  // A new connection gets the state of every account as of the current seq S (each
  // snapshot message carries seq S), then an end-of-snapshot marker (account_id 0,
  // reason SNAPSHOT, no body, seq S), then the deltas S+1, S+2, ... (gap-free unless a
  // fault switch says otherwise). A stale stream sends nothing, snapshot included; a
  // connection made while stale gets its snapshot when the switch is cleared.
  if (gates[static_cast<int>(StreamId::Accounts)].setting().mode == FaultMode::Stale) {
    s->needs_snapshot = true;  // sent when the switch leaves stale (set_fault)
    return;
  }
  s->needs_snapshot = false;
  auto out = std::make_shared<std::string>();
  out->reserve(accounts.size() * 64 + 16);
  proto::AccountEvent ev;
  std::string payload;
  for (const SimAccount& a : accounts) {
    ev.Clear();
    ev.set_seq(account_seq);
    ev.set_ts_ms(static_cast<uint64_t>(sim_ms));
    ev.set_account_id(a.id);
    ev.set_reason(proto::AccountEvent::SNAPSHOT);
    auto* snap = ev.mutable_snapshot();
    snap->set_account_id(a.id);
    snap->set_collateral(a.collateral.v);
    for (const SimPosition& p : a.positions)
      if (p.size.v != 0) fill_position(*snap->add_positions(), p, markets[p.market].spec);
    payload.clear();
    ev.SerializeToString(&payload);
    liqd::proto_framing::append_frame(*out, payload);
  }
  ev.Clear();
  ev.set_seq(account_seq);
  ev.set_ts_ms(static_cast<uint64_t>(sim_ms));
  ev.set_account_id(0);
  ev.set_reason(proto::AccountEvent::SNAPSHOT);
  payload.clear();
  ev.SerializeToString(&payload);
  liqd::proto_framing::append_frame(*out, payload);
  s->send(out);
}

}  // namespace liqd::sim
