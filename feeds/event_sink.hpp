#pragma once
// Where a feed handler delivers normalized events. The daemon's sink pushes
// them into the SPSC ring to core/; `liqd parse` prints them as JSONL; tests
// record them. One virtual call per event; default implementations ignore.
#include "feeds/book/l2_book.hpp"
#include "feeds/events.hpp"
#include "feeds/feed_error.hpp"

namespace liqd::feeds {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_price(const PriceUpdate&) {}
  virtual void on_bbo(const BestBidOffer&) {}
  virtual void on_trade(const Trade&) {}
  virtual void on_liquidation(const Liquidation&) {}
  // After one venue message was applied to `book` (which is consistent).
  virtual void on_book(const BookUpdated&, const L2Book&) {}
  virtual void on_resync(const ResyncRequest&) {}
  virtual void on_stale(const StaleEvent&) {}
};

}  // namespace liqd::feeds
