#pragma once
// A hedge venue as the daemon wires it: an order-entry adapter it owns and the
// depth of the venue's book as liqd's own feed keeps it (a DepthSlot written by
// the feed thread). refresh() copies the slot once per executor turn, so both
// sides the desk reads in that turn come from the same book state; without a
// slot (no feed carries the venue's book) the depth is empty, and the router
// places nothing there: a hedge is never sent blind.
#include <memory>

#include "executors/adapters/venue_adapter.hpp"
#include "executors/vault/hedge_depth.hpp"
#include "executors/vault/vault_desk.hpp"

namespace liqd::exec::vault {

class BookHedgeVenue final : public HedgeVenue {
 public:
  BookHedgeVenue(std::unique_ptr<VenueAdapter> adapter, const DepthSlot* depth)
      : adapter_(std::move(adapter)), slot_(depth) {}

  // Takes the latest page; keeps the previous one when the writer kept the
  // seqlock busy (a page a few microseconds old is as good).
  // An unchanged slot is not copied again (most executor turns see no book update).
  void refresh() {
    if (!slot_ || slot_->version() == seen_) return;
    const uint64_t v = slot_->version();
    DepthPage p;
    if (slot_->load(p)) {
      page_ = p;
      seen_ = v;   // taken before the load: a store in between is copied next turn
    }
  }
  VenueAdapter& adapter() override { return *adapter_; }
  // A sell hedge takes the bids, a buy the asks.
  std::span<const Level> depth(Side side) const override {
    return side == Side::Sell ? std::span<const Level>(page_.bids.data(), page_.n_bids)
                              : std::span<const Level>(page_.asks.data(), page_.n_asks);
  }
  const DepthPage& page() const { return page_; }

 private:
  std::unique_ptr<VenueAdapter> adapter_;
  const DepthSlot* slot_;
  DepthPage page_{};
  uint64_t seen_ = 0;   // slot version of page_ (0: never stored; an odd one is never kept)
};

}  // namespace liqd::exec::vault
