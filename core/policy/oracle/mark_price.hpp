#pragma once
// Mark price of one market from its index (issue 5, item 5).
//
//   mark = median(index + EMA basis, book mid, last trade)
//
// when all three are available; when the book mid or the last trade is missing
// or older than its age limit, mark = index + EMA basis. The book mid and the last
// trade are each clamped to index ± max_basis × index before the median (they
// usually come from the same book, which would otherwise own two of three votes),
// so |mark − index| ≤ max_basis × index always: no single book, and no run of our
// own liquidation fills through it, moves the mark further than that.
//
// The basis (mid − index) is clamped to ±max_basis × index before it enters the
// EMA, and the EMA takes one sample per basis_sample_ms of event time with weight
// basis_alpha, all in integers, so a replay reproduces the mark to the unit.
// While the index is STALE no mark is produced (valid = false).
#include <cstdint>

#include "core/policy/common.hpp"
#include "core/policy/oracle/index_oracle.hpp"

namespace liqd::policy {

struct MarkConfig {
  Ratio basis_alpha{10'000'000};  // 0.1 per sample
  TimeMs basis_sample_ms = 1000;
  Ratio max_basis{500'000};       // 0.5 % of the index
  TimeMs book_max_age_ms = 2000;
  TimeMs trade_max_age_ms = 5000;
  bool use_book_mid = true;
  bool use_last_trade = true;
};

struct MarkResult {
  bool valid = false;  // false while the index is STALE
  Price mark;
  Price index;
  Price basis_ema;     // current EMA of the clamped basis
  uint8_t inputs = 0;  // 1 (index + basis only) or 3 (median of three)
};

class MarkPrice {
 public:
  explicit MarkPrice(const MarkConfig& cfg) : cfg_(cfg) {}

  void on_book(Price best_bid, Price best_ask, TimeMs ts);
  void on_trade(Price px, TimeMs ts);

  // Mark at event time `now` from this tick's index result.
  MarkResult compute(const IndexResult& idx, TimeMs now);

  Price basis_ema() const { return m_.basis_ema; }

  // What the mark remembers (last book and trade, the basis EMA and its sampling
  // grid), for a restart to go on exactly (restore; journaled as PriceMemory).
  struct Memory {
    Price bid, ask, last;
    TimeMs book_ts = 0, trade_ts = 0;
    bool has_book = false, has_trade = false;
    Price basis_ema;
    TimeMs last_sample = 0;
    bool sampled = false;
  };
  Memory memory() const { return m_; }
  void restore(const Memory& m) { m_ = m; }

 private:
  bool book_fresh(TimeMs now) const {
    return m_.has_book && now - m_.book_ts <= cfg_.book_max_age_ms && m_.bid.v > 0 && m_.ask > m_.bid;
  }
  bool trade_fresh(TimeMs now) const {
    return m_.has_trade && now - m_.trade_ts <= cfg_.trade_max_age_ms && m_.last.v > 0;
  }
  MarkConfig cfg_;
  Memory m_;  // all it remembers of past inputs
};

}  // namespace liqd::policy
