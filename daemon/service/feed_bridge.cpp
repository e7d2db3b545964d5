#include "daemon/service/feed_bridge.hpp"

#include <chrono>
#include <thread>

#include "core/money/int128.hpp"

namespace liqd::service {

namespace {
void bump(std::atomic<uint64_t>& a) { a.fetch_add(1, std::memory_order_relaxed); }
}  // namespace

int64_t rescale_decimal(int64_t v, int from, int to) {
  const i128 r = rescale(v, from, to, Round::HalfAwayFromZero);
  return fits_i64(r) ? static_cast<int64_t>(r) : 0;  // 0: never a usable price
}

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void PriceBridge::push(const PriceInput& in) {
  if (!ring_.try_push(in)) bump(c_.ring_full);  // a newer price follows; counted, visible
}

void PriceBridge::on_price(const feeds::PriceUpdate& p) {
  bump(c_.prices);
  bool routed = false;
  for (const PriceRoute& r : prices_) {
    if (r.feed_market != p.h.market || r.source != p.source) continue;
    PriceInput in;
    in.market = r.market;
    in.source = r.oracle;
    in.kind = PriceKind::Oracle;
    in.price = rescale_decimal(p.price, p.dp, r.price_dp);
    in.conf = p.has_conf ? rescale_decimal(p.conf, p.dp, r.price_dp) : 0;
    in.publish_ms = p.h.exch_ts_ns / 1'000'000;
    in.recv_wall_ns = p.h.local_ts_ns != 0 ? p.h.local_ts_ns : wall_clock_ns();
    push(in);
    routed = true;
  }
  if (!routed) bump(c_.unrouted);
}

const BookRoute* PriceBridge::book_route(feeds::MarketId m) const {
  for (const BookRoute& r : books_)
    if (r.feed_market == m) return &r;
  return nullptr;
}

void PriceBridge::on_book(const feeds::BookUpdated& b, const feeds::L2Book& book) {
  bump(c_.books);
  const BookRoute* r = book_route(b.h.market);
  if (!r || book.empty(feeds::kBid) || book.empty(feeds::kAsk)) return;
  PriceInput in;
  in.market = r->market;
  in.kind = PriceKind::BookMid;
  in.price = rescale_decimal(book.best(feeds::kBid).price, r->feed_price_dp, r->price_dp);
  in.conf = rescale_decimal(book.best(feeds::kAsk).price, r->feed_price_dp, r->price_dp);
  in.publish_ms = b.h.exch_ts_ns / 1'000'000;
  in.recv_wall_ns = b.h.local_ts_ns != 0 ? b.h.local_ts_ns : wall_clock_ns();
  push(in);
}

void PriceBridge::on_trade(const feeds::Trade& t) {
  bump(c_.trades);
  const BookRoute* r = book_route(t.h.market);
  if (!r) return;
  PriceInput in;
  in.market = r->market;
  in.kind = PriceKind::Trade;
  in.price = rescale_decimal(t.price, r->feed_price_dp, r->price_dp);
  in.publish_ms = t.h.exch_ts_ns / 1'000'000;
  in.recv_wall_ns = t.h.local_ts_ns != 0 ? t.h.local_ts_ns : wall_clock_ns();
  push(in);
}

void PriceBridge::on_resync(const feeds::ResyncRequest& rq) {
  bump(c_.resyncs);
  const BookRoute* r = book_route(rq.h.market);
  if (!r) return;
  PriceInput in;
  in.market = r->market;
  in.kind = PriceKind::BookGone;
  in.publish_ms = rq.h.exch_ts_ns / 1'000'000;
  push(in);
}

void PriceBridge::on_stale(const feeds::StaleEvent&) { bump(c_.stale); }

void AccountBridge::push(const AccountInput& in) {
  if (ring_.try_push(in)) return;
  ring_full_.fetch_add(1, std::memory_order_relaxed);
  while (!stop_.load(std::memory_order_relaxed) && !ring_.try_push(in))
    std::this_thread::sleep_for(std::chrono::microseconds(100));
}

void AccountBridge::on_account(const feeds::AccountUpdate& u) {
  updates_.fetch_add(1, std::memory_order_relaxed);
  AccountInput in;
  in.kind = AccountInputKind::Update;
  in.u = u;
  in.recv_wall_ns = wall_clock_ns();
  push(in);
}

void AccountBridge::on_account_resync(const feeds::AccountResyncRequest& r) {
  AccountInput in;
  in.kind = AccountInputKind::Resync;
  in.u.seq = r.got_seq;
  push(in);
}

void AccountBridge::on_account_in_sync(uint64_t seq) {
  AccountInput in;
  in.kind = AccountInputKind::InSync;
  in.u.seq = seq;
  push(in);
}

}  // namespace liqd::service
