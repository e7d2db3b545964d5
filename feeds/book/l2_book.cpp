#include "feeds/book/l2_book.hpp"

#include <cassert>
#include <cstring>

#include "feeds/book/l2_book_search.hpp"

namespace liqd::feeds {

L2Book::L2Book(uint32_t capacity_per_side) : cap_(capacity_per_side) {
  assert(cap_ > 0);
  bids_.resize(cap_);
  asks_.resize(cap_);
}

void L2Book::clear() { nb_ = na_ = 0; }

Level L2Book::level(Side side, uint32_t i) const {
  assert(i < depth(side));
  return side_data(side)[depth(side) - 1 - i];
}

bool L2Book::crossed() const {
  return nb_ > 0 && na_ > 0 && best(kBid).price >= best(kAsk).price;
}

L2Book::ApplyResult L2Book::apply(Side side, int64_t price, int64_t qty) {
  assert(qty >= 0);
  Level* d = side_data(side);
  uint32_t& n = side_size(side);
  const int64_t k = key(side, price);
  const uint32_t lo = book_detail::lower_bound_key(side, d, n, k);
  const bool found = lo < n && d[lo].price == price;
  if (qty == 0) {
    if (!found) return ApplyResult::DeleteMissing;
    std::memmove(d + lo, d + lo + 1, (n - lo - 1) * sizeof(Level));
    --n;
    return ApplyResult::Deleted;
  }
  if (found) {
    d[lo].qty = qty;
    return ApplyResult::Updated;
  }
  if (n == cap_) {
    // Full: keep the best cap_ levels. The worst level is d[0].
    if (lo == 0) return ApplyResult::DroppedFull;
    std::memmove(d, d + 1, (lo - 1) * sizeof(Level));
    d[lo - 1] = Level{price, qty};
    return ApplyResult::Inserted;
  }
  std::memmove(d + lo + 1, d + lo, (n - lo) * sizeof(Level));
  d[lo] = Level{price, qty};
  ++n;
  return ApplyResult::Inserted;
}

int64_t L2Book::depth_within_bp(Side side, int64_t bp) const {
  if (nb_ == 0 || na_ == 0) return 0;
  // mid = (bb + ba) / 2; compare 2 * 10000 * px with (bb + ba) * (10000 -/+ bp).
  const i128 two_mid = static_cast<i128>(best(kBid).price) + best(kAsk).price;
  const i128 bound = two_mid * (side == kBid ? 10000 - bp : 10000 + bp);
  int64_t sum = 0;
  const uint32_t n = depth(side);
  for (uint32_t i = 0; i < n; ++i) {
    Level l = level(side, i);
    const i128 lhs = static_cast<i128>(l.price) * 20000;
    if (side == kBid ? lhs < bound : lhs > bound) break;
    sum += l.qty;
  }
  return sum;
}

FillCost L2Book::cost_to_fill(Side taker, int64_t qty) const {
  // A taker sell hits the bids; a taker buy lifts the asks.
  const Side book_side = taker == Side::Sell ? kBid : kAsk;
  FillCost r;
  int64_t left = qty;
  const uint32_t n = depth(book_side);
  for (uint32_t i = 0; i < n && left > 0; ++i) {
    Level l = level(book_side, i);
    int64_t take = l.qty < left ? l.qty : left;
    r.notional += static_cast<i128>(take) * l.price;
    r.filled_qty += take;
    r.worst_price = l.price;
    left -= take;
  }
  r.complete = left == 0;
  return r;
}

Quote L2Book::quote_to_fill(Side taker, int64_t qty, const Scale& s, FillCost* detail) const {
  FillCost c = cost_to_fill(taker, qty);
  if (detail) *detail = c;
  const Round mode = taker == Side::Sell ? Round::Floor : Round::Ceil;
  return Quote(static_cast<int64_t>(rescale(c.notional, s.product_dp(), s.quote_dp, mode)));
}

bool L2Book::check_invariants() const {
  for (Side side : {kBid, kAsk}) {
    const Level* d = side_data(side);
    const uint32_t n = depth(side);
    if (n > cap_) return false;
    for (uint32_t i = 0; i < n; ++i) {
      if (d[i].qty <= 0) return false;
      if (i > 0 && key(side, d[i - 1].price) >= key(side, d[i].price)) return false;
    }
  }
  return true;
}

}  // namespace liqd::feeds
