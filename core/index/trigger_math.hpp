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

// Keys: down fires when mark < down; up fires when mark > up.
inline int64_t down_key(int64_t price, int64_t delta) {
  return delta >= price ? INT64_MIN : price - delta;  // marks are > 0
}
inline int64_t up_key(int64_t price, int64_t delta) {
  return delta > INT64_MAX - price ? INT64_MAX : price + delta;
}

}  // namespace liqd
