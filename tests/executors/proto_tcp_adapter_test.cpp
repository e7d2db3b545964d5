// The venue's own order entry (proto over TCP, length-prefixed) against a
// loopback peer written here with Boost.Asio. Single-threaded: the test pumps
// both io_contexts, so the exchange is deterministic.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "executors/adapters/order_entry/proto_tcp_adapter.hpp"
#include "executors/orders/order_tracker.hpp"

namespace liqd::exec {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// proto/framing.hpp, the framing the simulator's venue speaks too.
TEST(Framing, LittleEndianLengthThenPayload) {
  std::string wire;
  proto_framing::append_frame(wire, "hello");
  proto_framing::append_frame(wire, std::string(300, 'x'));
  ASSERT_EQ(wire.size(), 4u + 5u + 4u + 300u);
  EXPECT_EQ(wire.substr(0, 4), std::string("\x05\x00\x00\x00", 4));
  EXPECT_EQ(wire.substr(9, 4), std::string("\x2c\x01\x00\x00", 4));   // 300 = 0x012c
}

TEST(Framing, DecoderTakesFramesFromBytesInAnyPieces) {
  std::string wire;
  proto_framing::append_frame(wire, "hello");
  proto_framing::append_frame(wire, "");   // an empty message is a legal frame
  proto_framing::append_frame(wire, std::string(300, 'x'));
  // One byte at a time, and all at once: the same three frames.
  for (size_t piece : {size_t{1}, wire.size()}) {
    proto_framing::FrameDecoder d;
    std::string_view f;
    std::vector<std::string> got;
    for (size_t off = 0; off < wire.size(); off += piece) {
      d.feed(wire.data() + off, std::min(piece, wire.size() - off));
      while (d.next(f) == proto_framing::FrameStatus::Complete) got.emplace_back(f);
    }
    ASSERT_EQ(got.size(), 3u) << piece;
    EXPECT_EQ(got[0], "hello");
    EXPECT_EQ(got[1], "");
    EXPECT_EQ(got[2], std::string(300, 'x'));
    EXPECT_EQ(d.buffered(), 0u);
    EXPECT_FALSE(d.failed());
  }
}

TEST(Framing, OversizedLengthFailsForGood) {
  proto_framing::FrameDecoder bad(ProtoTcpAdapter::kMaxFrame);
  std::string wire;
  const uint32_t n = ProtoTcpAdapter::kMaxFrame + 1;
  for (int i = 0; i < 4; ++i) wire.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  std::string_view f;
  bad.feed(wire.data(), wire.size());
  EXPECT_EQ(bad.next(f), proto_framing::FrameStatus::TooLarge);
  EXPECT_TRUE(bad.failed());
  std::string good;
  proto_framing::append_frame(good, "ok");
  bad.feed(good.data(), good.size());   // the stream cannot be resynchronised
  EXPECT_EQ(bad.next(f), proto_framing::FrameStatus::TooLarge);
  bad.reset();
  bad.feed(good.data(), good.size());
  ASSERT_EQ(bad.next(f), proto_framing::FrameStatus::Complete);
  EXPECT_EQ(f, "ok");
  // Exactly the limit is accepted (it waits for the payload).
  proto_framing::FrameDecoder at_limit(ProtoTcpAdapter::kMaxFrame);
  const uint32_t m = ProtoTcpAdapter::kMaxFrame;
  std::string hdr;
  for (int i = 0; i < 4; ++i) hdr.push_back(static_cast<char>((m >> (8 * i)) & 0xff));
  at_limit.feed(hdr.data(), hdr.size());
  EXPECT_EQ(at_limit.next(f), proto_framing::FrameStatus::NeedMore);
}

// A minimal venue: fills every new order in two fills (the first one sent twice),
// answers queries, writes its replies one byte per write.
class LoopbackVenue {
 public:
  explicit LoopbackVenue(asio::io_context& io) : acc_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), sock_(io) {
    acc_.async_accept(sock_, [this](const boost::system::error_code& e) { if (!e) read(); });
  }
  uint16_t port() const { return acc_.local_endpoint().port(); }
  std::vector<proto::OrderEntryMessage> received;
  bool send_garbage_next = false;

  void send_raw(const std::string& bytes) {
    for (char c : bytes) out_.push_back(std::string(1, c));
    write();
  }

 private:
  void reply(const proto::OrderUpdate& u) {
    proto::OrderEntryMessage m;
    *m.mutable_update() = u;
    std::string payload, frame;
    m.SerializeToString(&payload);
    proto_framing::append_frame(frame, payload);
    send_raw(frame);
  }
  void on_message(const proto::OrderEntryMessage& m) {
    received.push_back(m);
    if (send_garbage_next) { send_raw(std::string("\xff\xff\xff\xff", 4)); return; }
    if (m.has_new_order()) {
      const auto& o = m.new_order();
      proto::OrderUpdate u;
      u.set_client_order_id(o.client_order_id());
      u.set_state(proto::OrderUpdate::ACKNOWLEDGED);
      reply(u);
      const int64_t first = o.qty() / 2;
      u.set_state(proto::OrderUpdate::PARTIALLY_FILLED);
      u.set_fill_id(next_fill_);
      u.set_fill_qty(first);
      u.set_fill_price(o.limit_price() + 5);
      u.set_cum_qty(first);
      reply(u);
      reply(u);   // duplicate
      u.set_state(proto::OrderUpdate::FILLED);
      u.set_fill_id(next_fill_ + 1);
      u.set_fill_qty(o.qty() - first);
      u.set_fill_price(o.limit_price());
      u.set_cum_qty(o.qty());
      reply(u);
      next_fill_ += 2;
      known_[o.client_order_id()] = o.qty();
    } else if (m.has_query()) {
      proto::OrderUpdate u;
      u.set_client_order_id(m.query().client_order_id());
      auto it = known_.find(m.query().client_order_id());
      if (it == known_.end()) {
        u.set_state(proto::OrderUpdate::NOT_FOUND);
      } else {
        u.set_state(proto::OrderUpdate::FILLED);
        u.set_cum_qty(it->second);
      }
      reply(u);
    }
  }
  void read() {
    sock_.async_read_some(asio::buffer(buf_), [this](const boost::system::error_code& e, size_t n) {
      if (e) return;
      dec_.feed(buf_, n);
      std::string_view f;
      while (dec_.next(f) == proto_framing::FrameStatus::Complete) {
        proto::OrderEntryMessage m;
        if (m.ParseFromArray(f.data(), static_cast<int>(f.size()))) on_message(m);
      }
      read();
    });
  }
  void write() {
    if (writing_ || out_.empty()) return;
    writing_ = true;
    asio::async_write(sock_, asio::buffer(out_.front()), [this](const boost::system::error_code& e, size_t) {
      writing_ = false;
      if (e) return;
      out_.pop_front();
      write();
    });
  }

  tcp::acceptor acc_;
  tcp::socket sock_;
  char buf_[4096];
  proto_framing::FrameDecoder dec_;
  std::deque<std::string> out_;
  bool writing_ = false;
  uint64_t next_fill_ = 100;
  std::map<std::string, int64_t> known_;
};

struct Session : TrackerOutput, UpdateSink {
  ProtoTcpAdapter& a;
  OrderTracker tracker;
  std::vector<FillReport> fills;
  explicit Session(ProtoTcpAdapter& ad) : a(ad), tracker(TrackerConfig{}, *this) {}
  void send_new(const OrderRequest& r) override { a.send_new(r); }
  void send_cancel(const ClientOrderId& id) override { a.send_cancel(id); }
  void send_query(const ClientOrderId& id) override { a.send_query(id); }
  void fill(const FillReport& f) override { fills.push_back(f); }
  void reroute(const OrderRequest&, Qty) override {}
  void on_update(const VenueUpdate& u) override { tracker.on_update(u, 0); }
};

// Pumps both sides until `done` or a generous safety bound (not a timing assertion).
void pump(asio::io_context& peer, ProtoTcpAdapter& a, Session& s, const std::function<bool()>& done) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < until) {
    peer.poll();
    peer.restart();
    a.poll(s);
  }
}

OrderRequest order(uint16_t chunk) {
  OrderRequest r;
  r.key = OrderKey{5, 3, 900, chunk};
  r.id = make_client_order_id(r.key);
  r.side = Side::Sell;
  r.qty = Qty(10);
  r.limit = Price(12345);
  return r;
}

TEST(ProtoTcpAdapter, OrderAckFillsOverLoopback) {
  asio::io_context peer_io;
  LoopbackVenue venue(peer_io);
  ProtoTcpAdapter adapter("127.0.0.1", venue.port(), 5, "ETH-PERP");
  Session s(adapter);
  adapter.connect();
  auto r = order(0);
  // Sent before the connection is up: queued, then delivered once.
  ASSERT_EQ(s.tracker.submit(r, 0), SubmitResult::Sent);
  pump(peer_io, adapter, s, [&] { return s.tracker.find(r.id)->state == OrderState::Filled; });
  ASSERT_EQ(s.tracker.find(r.id)->state, OrderState::Filled);
  ASSERT_EQ(venue.received.size(), 1u);
  const auto& sent = venue.received[0].new_order();
  EXPECT_EQ(sent.client_order_id(), std::string(r.id.view()));
  EXPECT_EQ(sent.account_id(), 5u);
  EXPECT_EQ(sent.market(), "ETH-PERP");
  EXPECT_EQ(sent.side(), proto::SELL);
  EXPECT_EQ(sent.qty(), 10);
  EXPECT_EQ(sent.limit_price(), 12345);
  EXPECT_TRUE(sent.immediate_or_cancel());
  // 5 @ 123.50 and 5 @ 123.45; the duplicate fill was dropped.
  ASSERT_EQ(s.fills.size(), 2u);
  EXPECT_EQ(s.fills[0].qty, Qty(5));
  EXPECT_EQ(s.fills[0].price, Price(12350));
  EXPECT_EQ(s.fills[1].price, Price(12345));
  EXPECT_EQ(s.tracker.counters().duplicate_fills, 1u);
  EXPECT_EQ(adapter.malformed(), 0u);
  // Reconciliation query for an id the venue never saw.
  auto ghost = order(7);
  adapter.send_query(ghost.id);
  struct Probe : UpdateSink { std::vector<VenueUpdate> got; void on_update(const VenueUpdate& u) override { got.push_back(u); } } probe;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (probe.got.empty() && std::chrono::steady_clock::now() < until) { peer_io.poll(); peer_io.restart(); adapter.poll(probe); }
  ASSERT_EQ(probe.got.size(), 1u);
  EXPECT_EQ(probe.got[0].kind, UpdateKind::NotFound);
  EXPECT_TRUE(probe.got[0].id == ghost.id);
}

TEST(ProtoTcpAdapter, BrokenFramingDropsTheConnection) {
  asio::io_context peer_io;
  LoopbackVenue venue(peer_io);
  ProtoTcpAdapter adapter("127.0.0.1", venue.port(), 5, "ETH-PERP");
  Session s(adapter);
  adapter.connect();
  pump(peer_io, adapter, s, [&] { return adapter.connected(); });
  ASSERT_TRUE(adapter.connected());
  venue.send_garbage_next = true;
  s.tracker.submit(order(1), 0);
  pump(peer_io, adapter, s, [&] { return !adapter.connected(); });
  EXPECT_FALSE(adapter.connected());
  EXPECT_EQ(adapter.malformed(), 1u);
  EXPECT_EQ(adapter.disconnects(), 1u);
}

TEST(ProtoTcpAdapter, DecodesUpdates) {
  proto::OrderUpdate m;
  VenueUpdate u[2];
  EXPECT_EQ(ProtoTcpAdapter::to_updates(m, u), 0);   // no id: malformed
  m.set_client_order_id("L00");
  m.set_state(proto::OrderUpdate::CANCELLED);
  m.set_cum_qty(3);
  ASSERT_EQ(ProtoTcpAdapter::to_updates(m, u), 1);
  EXPECT_EQ(u[0].kind, UpdateKind::Cancelled);
  EXPECT_EQ(u[0].cum_qty, Qty(3));
  m.set_fill_id(9);
  m.set_fill_qty(0);
  EXPECT_EQ(ProtoTcpAdapter::to_updates(m, u), 0);   // a fill of nothing
}

}  // namespace
}  // namespace liqd::exec
