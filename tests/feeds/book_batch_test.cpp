// L2Book::apply_all and L2Book::assign against apply() level by level, the
// reference they promise to equal: same levels on both sides, same counts of
// DroppedFull and DeleteMissing, on random messages built to hit every path
// (monotone runs both ways, runs longer than one merge chunk, mixed sides,
// repeated prices, deletes of missing levels, a side filling to capacity).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "feeds/book/l2_book.hpp"
#include "feeds/book/l2_book_search.hpp"
#include "tests/support/sanitized.hpp"

using namespace liqd;
using namespace liqd::feeds;

namespace {

std::vector<Level> side_levels(const L2Book& b, Side s) {
  std::vector<Level> v;
  for (uint32_t i = 0; i < b.depth(s); ++i) v.push_back(b.level(s, i));
  return v;
}

bool same_book(const L2Book& a, const L2Book& b) {
  for (Side s : {kBid, kAsk}) {
    const auto x = side_levels(a, s), y = side_levels(b, s);
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i].price != y[i].price || x[i].qty != y[i].qty) return false;
  }
  return true;
}

ApplyCounts one_by_one(L2Book& b, const std::vector<LevelUpdate>& ups) {
  ApplyCounts c;
  for (const LevelUpdate& u : ups) {
    const L2Book::ApplyResult r = b.apply(u.side, u.price, u.qty);
    c.dropped_full += r == L2Book::ApplyResult::DroppedFull;
    c.delete_missing += r == L2Book::ApplyResult::DeleteMissing;
  }
  return c;
}

// One random message: a few runs, each on one side, each either strictly
// monotone (either direction, sometimes longer than the 64-level merge chunk)
// or in random order (with repeats); a quarter of the quantities are deletes.
std::vector<LevelUpdate> random_message(std::mt19937_64& rng, int64_t span) {
  std::vector<LevelUpdate> ups;
  const int runs = 1 + static_cast<int>(rng() % 4);
  for (int r = 0; r < runs; ++r) {
    const Side side = (rng() & 1) ? kBid : kAsk;
    const uint32_t len = 1 + static_cast<uint32_t>(rng() % (rng() % 8 == 0 ? 150 : 20));
    std::vector<int64_t> px;
    for (uint32_t i = 0; i < len; ++i)
      px.push_back(side == kBid ? 10000 - 1 - static_cast<int64_t>(rng() % span)
                                : 10000 + 1 + static_cast<int64_t>(rng() % span));
    switch (rng() % 3) {
      case 0:
        std::sort(px.begin(), px.end());
        px.erase(std::unique(px.begin(), px.end()), px.end());
        break;
      case 1:
        std::sort(px.begin(), px.end(), std::greater<>());
        px.erase(std::unique(px.begin(), px.end()), px.end());
        break;
      default: break;  // random order, repeats allowed
    }
    for (int64_t p : px) ups.push_back({p, rng() % 4 == 0 ? 0 : 1 + static_cast<int64_t>(rng() % 1000), side});
  }
  return ups;
}

// Sanitized builds check a fifth of the messages (tests/support/sanitized.hpp).
constexpr int kMessages = test::kSanitized ? 4000 : 20000;
constexpr int kSnapshots = test::kSanitized ? 600 : 3000;

}  // namespace

TEST(L2BookBatch, ApplyAllEqualsApplyLevelByLevel) {
  std::mt19937_64 rng(20261207);
  for (uint32_t cap : {4096u, 96u}) {  // 96: sides fill up, DroppedFull and the fallback path
    L2Book batch(cap), ref(cap);
    ApplyCounts total;
    for (int msg = 0; msg < kMessages; ++msg) {
      const std::vector<LevelUpdate> ups = random_message(rng, cap == 96 ? 400 : 1500);
      const ApplyCounts got = batch.apply_all(ups.data(), static_cast<uint32_t>(ups.size()));
      const ApplyCounts want = one_by_one(ref, ups);
      ASSERT_EQ(got.dropped_full, want.dropped_full) << "cap " << cap << " message " << msg;
      ASSERT_EQ(got.delete_missing, want.delete_missing) << "cap " << cap << " message " << msg;
      ASSERT_TRUE(batch.check_invariants()) << "cap " << cap << " message " << msg;
      ASSERT_TRUE(same_book(batch, ref)) << "cap " << cap << " message " << msg;
      total.dropped_full += got.dropped_full;
      total.delete_missing += got.delete_missing;
    }
    // The generator reached the paths the counts come from.
    EXPECT_GT(total.delete_missing, 0u) << cap;
    if (cap == 96) {
      EXPECT_GT(total.dropped_full, 0u);
    }
    EXPECT_GT(batch.depth(kBid), 0u);
  }
}

TEST(L2BookBatch, AssignEqualsClearThenApply) {
  std::mt19937_64 rng(77);
  for (int snap = 0; snap < kSnapshots; ++snap) {
    const uint32_t cap = snap % 5 == 0 ? 64 : 1024;
    L2Book batch(cap), ref(cap);
    // Start from a non-empty book: assign must replace it, not merge into it.
    const std::vector<LevelUpdate> before = random_message(rng, 300);
    batch.apply_all(before.data(), static_cast<uint32_t>(before.size()));
    one_by_one(ref, before);
    std::vector<LevelUpdate> ups;
    const int kind = snap % 4;  // 0: best first, 1: worst first, 2: shuffled, 3: with deletes/repeats
    const uint32_t per_side = 1 + static_cast<uint32_t>(rng() % 200);
    for (Side side : {kBid, kAsk}) {
      std::vector<int64_t> px;
      for (uint32_t i = 0; i < per_side; ++i) px.push_back(side == kBid ? 9999 - 2 * i : 10001 + 2 * i);  // best first
      if (kind == 1) std::reverse(px.begin(), px.end());
      if (kind >= 2) std::shuffle(px.begin(), px.end(), rng);
      if (kind == 3 && px.size() > 2) px[1] = px[0];
      for (int64_t p : px)
        ups.push_back({p, kind == 3 && rng() % 5 == 0 ? 0 : 1 + static_cast<int64_t>(rng() % 1000), side});
    }
    const ApplyCounts got = batch.assign(ups.data(), static_cast<uint32_t>(ups.size()));
    ref.clear();
    const ApplyCounts want = one_by_one(ref, ups);
    ASSERT_EQ(got.dropped_full, want.dropped_full) << "snapshot " << snap;
    ASSERT_EQ(got.delete_missing, want.delete_missing) << "snapshot " << snap;
    ASSERT_TRUE(batch.check_invariants()) << "snapshot " << snap;
    ASSERT_TRUE(same_book(batch, ref)) << "snapshot " << snap;
  }
}

// The batched apply's search (lower_bound_near: four levels one by one below n,
// then the gallop) against std::lower_bound, on both sides' key order, for every
// length from 0 to 40 and every key from below the lowest to above the highest
// (so every distance of the answer from n, including none and all of them).
template <bool IsBid>
void check_near(std::mt19937_64& rng) {
  for (uint32_t n = 0; n <= 40; ++n) {
    std::vector<int64_t> keys;
    int64_t k = -50;
    for (uint32_t i = 0; i < n; ++i) keys.push_back(k += 1 + static_cast<int64_t>(rng() % 3));
    std::vector<Level> d;
    for (int64_t key : keys) d.push_back(Level{IsBid ? key : -key, 1});
    for (int64_t q = -52; q <= k + 2; ++q) {
      const auto want = static_cast<uint32_t>(std::lower_bound(keys.begin(), keys.end(), q) - keys.begin());
      ASSERT_EQ(book_detail::lower_bound_near<IsBid>(d.data(), n, q), want) << "n " << n << " key " << q;
      ASSERT_EQ(book_detail::lower_bound_key<IsBid>(d.data(), n, q), want) << "n " << n << " key " << q;
    }
  }
}

TEST(L2BookBatch, NearSearchEqualsLowerBound) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    check_near<true>(rng);
    check_near<false>(rng);
  }
}
