#pragma once
// The books of hedge venues, from the feed thread that keeps them to the
// executor: a feed connection's events go through the tap to its PriceBridge
// unchanged, and after each book update of a market the tap knows (a hedge
// venue's instrument on that feed), the top levels go into that venue's
// DepthSlot (executors/vault/hedge_depth.hpp). A resync empties the slot until
// the book is whole again, so the desk never hedges on a book the feed dropped.
// Called on the feed thread only; no allocation after construction.
#include <vector>

#include "executors/vault/hedge_depth.hpp"
#include "feeds/event_sink.hpp"

namespace liqd::service {

// Which feed connection keeps a book (feed market ids are per connection).
enum class DepthFeed : uint8_t {
  Binance,   // feeds.binance_ws: the marks' books and the Binance hedge venues'
  OwnBook,   // feeds.own_book_ws: the own venue's books
};

struct DepthRoute {
  feeds::MarketId feed_market = feeds::kNoMarket;
  uint32_t slot = 0;       // DepthBoard slot = the desk's hedge index
  int feed_price_dp = 0;   // the feed table's price decimals for this book
  int price_dp = 0;        // the market's (the desk's units)
  int feed_qty_dp = 0, qty_dp = 0;
  DepthFeed feed = DepthFeed::Binance;
};

class DepthTap final : public feeds::EventSink {
 public:
  DepthTap(feeds::EventSink& inner, exec::vault::DepthBoard& board, std::vector<DepthRoute> routes)
      : inner_(inner), board_(board), routes_(std::move(routes)) {}

  void on_price(const feeds::PriceUpdate& p) override { inner_.on_price(p); }
  void on_bbo(const feeds::BestBidOffer& b) override { inner_.on_bbo(b); }
  void on_trade(const feeds::Trade& t) override { inner_.on_trade(t); }
  void on_liquidation(const feeds::Liquidation& l) override { inner_.on_liquidation(l); }
  void on_book(const feeds::BookUpdated& b, const feeds::L2Book& book) override;
  void on_resync(const feeds::ResyncRequest& r) override;
  void on_stale(const feeds::StaleEvent& s) override { inner_.on_stale(s); }

 private:
  feeds::EventSink& inner_;
  exec::vault::DepthBoard& board_;
  std::vector<DepthRoute> routes_;
  exec::vault::DepthPage page_{};   // scratch, rebuilt per update
};

}  // namespace liqd::service
