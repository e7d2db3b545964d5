#include "executors/adapters/order_entry/proto_tcp_adapter.hpp"

#include <memory>

namespace liqd::exec {

namespace asio = boost::asio;
using asio::ip::tcp;

ProtoTcpAdapter::ProtoTcpAdapter(std::string host, uint16_t port, uint64_t account_id, std::string market)
    : sock_(io_), host_(std::move(host)), port_(port), account_(account_id), market_(std::move(market)) {}

void ProtoTcpAdapter::connect() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host_, ec);
  if (ec || connecting_ || connected_) return;
  connecting_ = true;
  decoder_.reset();
  sock_ = tcp::socket(io_);
  const uint64_t g = ++gen_;
  sock_.async_connect(tcp::endpoint(addr, port_), [this, g](const boost::system::error_code& e) {
    if (g != gen_) return;
    connecting_ = false;
    if (e) return;
    sock_.set_option(tcp::no_delay(true));
    connected_ = true;
    if (!pending_.empty()) { outq_.push_back(std::move(pending_)); pending_.clear(); }
    start_read();
    start_write();
  });
}

void ProtoTcpAdapter::drop() {
  if (!connected_) return;
  connected_ = false;
  ++disconnects_;
  boost::system::error_code ec;
  sock_.close(ec);
  outq_.clear();
  writing_ = false;
  ++gen_;  // every handler still queued for this socket is now stale
}

void ProtoTcpAdapter::send(const proto::OrderEntryMessage& m) {
  std::string payload;
  m.SerializeToString(&payload);
  std::string frame;
  proto_framing::append_frame(frame, payload);
  if (!connected_) { pending_ += frame; return; }   // sent once connected (tracker blocks new orders while unknown)
  outq_.push_back(std::move(frame));
  start_write();
}

void ProtoTcpAdapter::start_write() {
  if (writing_ || outq_.empty() || !connected_) return;
  writing_ = true;
  // The handler owns the bytes in flight: drop() may clear the queue (and a new
  // connection start) before a write on the old socket completes. Handlers of an
  // older connection (gen) do nothing.
  auto bytes = std::make_shared<std::string>(std::move(outq_.front()));
  outq_.pop_front();
  const uint64_t g = gen_;
  asio::async_write(sock_, asio::buffer(*bytes), [this, g, bytes](const boost::system::error_code& e, size_t) {
    if (g != gen_) return;
    writing_ = false;
    if (e) { drop(); return; }
    start_write();
  });
}

void ProtoTcpAdapter::start_read() {
  const uint64_t g = gen_;
  sock_.async_read_some(asio::buffer(rbuf_), [this, g](const boost::system::error_code& e, size_t n) {
    if (g != gen_) return;
    if (e) { drop(); return; }
    decoder_.feed(rbuf_.data(), n);
    std::string_view frame;
    while (decoder_.next(frame) == proto_framing::FrameStatus::Complete) {
      proto::OrderEntryMessage m;
      if (!m.ParseFromArray(frame.data(), static_cast<int>(frame.size())) || m.body_case() != proto::OrderEntryMessage::kUpdate) { ++malformed_; continue; }
      VenueUpdate u[2];
      int k = to_updates(m.update(), u);
      if (k == 0) ++malformed_;
      for (int i = 0; i < k; ++i) inbox_.push_back(u[i]);
    }
    if (decoder_.failed()) { ++malformed_; drop(); return; }
    start_read();
  });
}

int ProtoTcpAdapter::to_updates(const proto::OrderUpdate& m, VenueUpdate out[2]) {
  if (m.client_order_id().empty() || m.client_order_id().size() > static_cast<size_t>(ClientOrderId::kLen)) return 0;
  VenueUpdate u;
  u.id = client_order_id_from(m.client_order_id());
  u.cum_qty = Qty(m.cum_qty());
  u.ts_ms = static_cast<int64_t>(m.ts_ms());
  int n = 0;
  if (m.fill_id() != 0) {   // a fill, whatever state it brings
    if (m.fill_qty() <= 0 || m.fill_price() <= 0) return 0;
    VenueUpdate f = u;
    f.kind = UpdateKind::Fill;
    f.fill_id = m.fill_id();
    f.fill_qty = Qty(m.fill_qty());
    f.fill_price = Price(m.fill_price());
    f.fee = Quote(m.fee() > 0 ? m.fee() : 0);
    out[n++] = f;
  }
  switch (m.state()) {
    case proto::OrderUpdate::ACKNOWLEDGED: u.kind = UpdateKind::Ack; break;
    case proto::OrderUpdate::PARTIALLY_FILLED: return n;   // the fill says it all
    case proto::OrderUpdate::FILLED: u.kind = UpdateKind::Filled; break;
    case proto::OrderUpdate::REJECTED: u.kind = UpdateKind::Rejected; break;
    case proto::OrderUpdate::CANCELLED: u.kind = UpdateKind::Cancelled; break;
    case proto::OrderUpdate::EXPIRED: u.kind = UpdateKind::Expired; break;
    case proto::OrderUpdate::NOT_FOUND: u.kind = UpdateKind::NotFound; break;
    default: return n;
  }
  out[n++] = u;
  return n;
}

void ProtoTcpAdapter::send_new(const OrderRequest& r) {
  proto::OrderEntryMessage m;
  auto* o = m.mutable_new_order();
  o->set_client_order_id(std::string(r.id.view()));
  o->set_account_id(r.key.account != 0 ? r.key.account : account_);  // a liquidation trades the liquidated account
  o->set_market(market_);
  o->set_side(r.side == Side::Sell ? proto::SELL : proto::BUY);
  o->set_qty(r.qty.v);
  o->set_limit_price(r.limit.v);
  o->set_reduce_only(r.reduce_only);
  o->set_immediate_or_cancel(r.ioc);
  o->set_transfer_to_account(r.transfer_to);
  o->set_deleverage(r.deleverage);
  o->set_fee_rate(r.fee_rate.v);
  o->set_bankruptcy_price(r.bankruptcy.v);
  send(m);
}

void ProtoTcpAdapter::send_cancel(const ClientOrderId& id) {
  proto::OrderEntryMessage m;
  m.mutable_cancel()->set_client_order_id(std::string(id.view()));
  send(m);
}

void ProtoTcpAdapter::send_query(const ClientOrderId& id) {
  proto::OrderEntryMessage m;
  m.mutable_query()->set_client_order_id(std::string(id.view()));
  send(m);
}

int ProtoTcpAdapter::poll(UpdateSink& sink) {
  io_.poll();
  io_.restart();
  int n = 0;
  while (!inbox_.empty()) { sink.on_update(inbox_.front()); inbox_.pop_front(); ++n; }
  return n;
}

}  // namespace liqd::exec
