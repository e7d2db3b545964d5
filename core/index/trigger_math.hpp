#pragma once
// Exact trigger arithmetic of the health index (see core/README.md for the proof).
//
// For one margin unit (the cross part of an account, or one isolated position)
// with slack S = equity − MM in quote units and n open positions:
//  - healthy (S ≥ 0): liquidation budget B = S − n;
//  - flagged (S < 0): recovery budget  B = −S − 1 − n.
// A position's adverse move δ (price units) costs at most
//   β = |s|·δ·c / (10^sh · 1e8),  c = 1e8 for a long, 1e8 + mmr_max for a short,
// exact rational, quote units (sh = product_dp − quote_dp). The unit's slack
// cannot change sign while Σβ ≤ B. We give every position the same relative
// move f = B·1e8 / W with W ≥ Σ notional_i·c_i, so Σβ ≤ B; each δ_i rounds down.
#include <cstdint>

#include "core/money/int128.hpp"

namespace liqd {

// 10^n, n in [0, 38], from a table (the hot path must not loop).
inline constexpr auto kPow10Table = [] {
  struct T { i128 v[39]; } t{};
  i128 r = 1;
  for (int i = 0; i < 39; ++i) { t.v[i] = r; if (i < 38) r *= 10; }
  return t;
}();
inline i128 pow10_fast(int n) { return kPow10Table.v[n]; }

// Relative move as a 32.32-ish fixed-point factor: f = floor(B·1e8·2^32 / W),
// capped at 2^62 so P·f fits in 128 bits. B ≥ 0, W > 0.
inline uint64_t relative_move_factor(int64_t budget, i128 weight) {
  const i128 num = static_cast<i128>(budget) * 100'000'000 * (i128{1} << 32);
  const i128 f = num / weight;
  const i128 cap = i128{1} << 62;
  return static_cast<uint64_t>(f > cap ? cap : f);
}

// δ = floor(P·f / 2^32) ≤ P·B·1e8/W.
inline int64_t move_for(int64_t price, uint64_t f) {
  const i128 d = (static_cast<i128>(price) * f) >> 32;
  return d > INT64_MAX ? INT64_MAX : static_cast<int64_t>(d);
}

// Weighted split (used by the index). Position i of a unit gets the relative
// move r_i = f·g_i / 2^42 with f = floor(B·1e8·2^42 / W'), W' = Σ (notional_i + 1)·c_i·g_i,
// so Σ β_i ≤ Σ (notional_i + 1)·c_i·r_i / 1e8 ≤ W'·f / (2^42·1e8) ≤ B for ANY g_i ≥ 1:
// the weights only decide who gets how much room, never whether the bound holds.
// For a random walk a position whose move is r fires after ~(r/σ)² steps, so the
// unit's firing rate Σ σ²/r_i² under Σ w_i·r_i = B is least for r_i ∝ w_i^(−1/3):
// small positions get a larger relative move than big ones (equal relative moves,
// g = 1, cost ≈ 1.6× more firings on the bench's population).
inline constexpr int kSplitFracBits = 42;
// g ≈ 2^10·(w_max / w)^(1/3) from bit lengths (exact in integers, ≤ 2^32):
// `top` is the bit length of the unit's largest notional.
inline uint32_t split_weight(int64_t notional, int top) {
  static constexpr uint32_t kCbrt2[3] = {1024, 1290, 1625};  // 2^10·2^(j/3)
  const int len = notional <= 0 ? 0 : 64 - __builtin_clzll(static_cast<uint64_t>(notional));
  const int e = top > len ? top - len : 0;  // ≤ 63
  return kCbrt2[e % 3] << (e / 3);
}
inline int bit_length(int64_t v) { return v <= 0 ? 0 : 64 - __builtin_clzll(static_cast<uint64_t>(v)); }
// f ≤ floor(min(B, 2^57)·1e8·2^42 / W'), capped at 2^62 (quotient_at_most: exact
// when W' < 2^63, a few parts in 2^40 smaller otherwise). B ≥ 0, W' > 0. (A smaller
// budget is always safe.)
inline uint64_t weighted_move_factor(int64_t budget, i128 weight) {
  const int64_t b = budget < (int64_t{1} << 57) ? budget : (int64_t{1} << 57);
  const i128 num = (static_cast<i128>(b) * 100'000'000) << kSplitFracBits;
  // W' is usually wider than 64 bits: a (slightly) smaller f is always safe.
  return quotient_at_most(static_cast<u128>(num), static_cast<u128>(weight), uint64_t{1} << 62);
}
// δ_i = floor(P·min(f·g, 2^62) / 2^42) ≤ P·f·g / 2^42.
inline int64_t weighted_move_for(int64_t price, uint64_t f, uint32_t g) {
  const u128 fg0 = static_cast<u128>(f) * g;
  const uint64_t fg = fg0 > (u128{1} << 62) ? uint64_t{1} << 62 : static_cast<uint64_t>(fg0);
  const u128 d = (static_cast<u128>(static_cast<uint64_t>(price)) * fg) >> kSplitFracBits;  // price > 0
  return d > INT64_MAX ? INT64_MAX : static_cast<int64_t>(d);
}

// Keys: down fires when mark < down; up fires when mark > up.
inline int64_t down_key(int64_t price, int64_t delta) {
  return delta >= price ? INT64_MIN : price - delta;  // marks are > 0
}
inline int64_t up_key(int64_t price, int64_t delta) {
  return delta > INT64_MAX - price ? INT64_MAX : price + delta;
}

}  // namespace liqd
