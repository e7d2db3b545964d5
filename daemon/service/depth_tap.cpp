#include "daemon/service/depth_tap.hpp"

#include "daemon/service/feed_bridge.hpp"

namespace liqd::service {

void DepthTap::on_book(const feeds::BookUpdated& b, const feeds::L2Book& book) {
  inner_.on_book(b, book);
  for (const DepthRoute& r : routes_) {
    if (r.feed_market != b.h.market || r.slot >= board_.size()) continue;
    auto copy = [&](feeds::Side fs, std::array<exec::Level, exec::vault::kHedgeDepthLevels>& out, uint32_t& n) {
      n = 0;
      const uint32_t d = book.depth(fs);
      for (uint32_t i = 0; i < d && n < exec::vault::kHedgeDepthLevels; ++i) {
        const feeds::Level l = book.level(fs, i);
        const int64_t px = rescale_decimal(l.price, r.feed_price_dp, r.price_dp);
        const int64_t q = rescale_decimal(l.qty, r.feed_qty_dp, r.qty_dp);
        if (px <= 0 || q <= 0) continue;   // a level that does not survive the rescale is not depth
        out[n++] = exec::Level{Price(px), Qty(q)};
      }
    };
    copy(feeds::kBid, page_.bids, page_.n_bids);
    copy(feeds::kAsk, page_.asks, page_.n_asks);
    ++page_.updates;
    board_.slot(r.slot).store(page_);
  }
}

void DepthTap::on_resync(const feeds::ResyncRequest& rq) {
  inner_.on_resync(rq);
  for (const DepthRoute& r : routes_) {
    if (r.feed_market != rq.h.market || r.slot >= board_.size()) continue;
    page_.n_bids = page_.n_asks = 0;
    ++page_.updates;
    board_.slot(r.slot).store(page_);
  }
}

}  // namespace liqd::service
