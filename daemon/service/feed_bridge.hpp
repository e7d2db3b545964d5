#pragma once
// From a feed connection's normalized events to the core's PriceInput ring
// (and from the account stream to the AccountInput ring). One bridge per feed
// connection, called on that connection's thread; the only shared things are
// the SPSC ring it produces into and its relaxed-atomic counters.
//
// Routing: each (feed market id, price source) a connection can emit is mapped
// at start-up to (core market index, oracle source index) from the market files'
// `oracles:` lists; a book is mapped to the market whose mark it informs.
#include <atomic>
#include <cstdint>
#include <vector>

#include "core/ring/spsc_ring.hpp"
#include "daemon/service/messages.hpp"
#include "feeds/account/account_feed.hpp"
#include "feeds/event_sink.hpp"

namespace liqd::service {

struct PriceRoute {
  feeds::MarketId feed_market = feeds::kNoMarket;
  feeds::PriceSource source = feeds::PriceSource::Mark;
  uint32_t market = 0;   // core market
  uint8_t oracle = 0;    // index in the market's oracles
  int price_dp = 0;      // the core market's price decimals
};

struct BookRoute {
  feeds::MarketId feed_market = feeds::kNoMarket;
  uint32_t market = 0;
  int price_dp = 0;
  int feed_price_dp = 0; // decimals of the book's prices (the feed market table's scale)
};

struct BridgeCounters {
  std::atomic<uint64_t> prices{0}, books{0}, trades{0}, resyncs{0}, stale{0}, unrouted{0}, ring_full{0};
};

// Exact rescale of a decimal with `from` decimals to `to` decimals (half away from zero).
int64_t rescale_decimal(int64_t v, int from, int to);

int64_t wall_clock_ns();

class PriceBridge final : public feeds::EventSink {
 public:
  PriceBridge(SpscRing<PriceInput>& ring, std::vector<PriceRoute> prices, std::vector<BookRoute> books)
      : ring_(ring), prices_(std::move(prices)), books_(std::move(books)) {}

  void on_price(const feeds::PriceUpdate& p) override;
  void on_book(const feeds::BookUpdated& b, const feeds::L2Book& book) override;
  void on_trade(const feeds::Trade& t) override;
  void on_resync(const feeds::ResyncRequest& r) override;
  void on_stale(const feeds::StaleEvent& s) override;

  const BridgeCounters& counters() const { return c_; }

 private:
  void push(const PriceInput& in);
  const BookRoute* book_route(feeds::MarketId m) const;

  SpscRing<PriceInput>& ring_;
  std::vector<PriceRoute> prices_;
  std::vector<BookRoute> books_;
  BridgeCounters c_;
};

// The account stream: never drops. A full ring makes the account thread wait
// (TCP back-pressure on the venue's stream), counted, until `stop` is set.
class AccountBridge final : public feeds::AccountSink {
 public:
  AccountBridge(SpscRing<AccountInput>& ring, const std::atomic<bool>& stop) : ring_(ring), stop_(stop) {}
  void on_account(const feeds::AccountUpdate& u) override;
  void on_account_resync(const feeds::AccountResyncRequest& r) override;
  void on_account_in_sync(uint64_t seq) override;
  uint64_t ring_full() const { return ring_full_.load(std::memory_order_relaxed); }
  uint64_t updates() const { return updates_.load(std::memory_order_relaxed); }

 private:
  void push(const AccountInput& in);
  SpscRing<AccountInput>& ring_;
  const std::atomic<bool>& stop_;
  std::atomic<uint64_t> ring_full_{0}, updates_{0};
};

}  // namespace liqd::service
