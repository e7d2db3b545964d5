#pragma once
// The depth of an external hedge venue, handed from the feed thread that keeps
// its book to the executor thread that hedges there: the top kHedgeDepthLevels
// levels a side, in the market's units, behind a seqlock. One writer per slot
// (the feed connection that carries that venue's book), any number of readers;
// neither side allocates or locks after construction.
//
// Twenty levels: a hedge round is capped by the venue's max_qty and the 1 %
// slippage limit, and on the books liqd follows twenty levels reach past 1 %
// (a deeper hedge simply leaves the rest for the next round).
#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "core/ring/seqlock.hpp"
#include "executors/router/types.hpp"

namespace liqd::exec::vault {

inline constexpr uint32_t kHedgeDepthLevels = 20;

struct DepthPage {
  uint32_t n_bids = 0, n_asks = 0;
  uint64_t updates = 0;        // pages stored so far (0: the book was never seen)
  std::array<Level, kHedgeDepthLevels> bids{};   // best first
  std::array<Level, kHedgeDepthLevels> asks{};   // best first
};

class DepthSlot {
 public:
  void store(const DepthPage& p) { lock_.store(p); }
  bool load(DepthPage& out) const { return lock_.try_load(out); }
  uint64_t version() const { return lock_.version(); }   // changes with every store

 private:
  SeqLockOf<DepthPage> lock_;
};

// One slot per hedge venue (index = DeskConfig::hedges index), made once.
class DepthBoard {
 public:
  explicit DepthBoard(std::size_t n) : n_(n), slots_(std::make_unique<DepthSlot[]>(n)) {}
  std::size_t size() const { return n_; }
  DepthSlot& slot(std::size_t i) { return slots_[i]; }
  const DepthSlot& slot(std::size_t i) const { return slots_[i]; }

 private:
  std::size_t n_;
  std::unique_ptr<DepthSlot[]> slots_;
};

}  // namespace liqd::exec::vault
