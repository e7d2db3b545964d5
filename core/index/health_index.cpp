#include "core/index/health_index.hpp"

#include <algorithm>
#include <cassert>

#include "core/index/trigger_math.hpp"

namespace liqd {

namespace {

constexpr int64_t kOne = kRatioOne;  // 1e8

// Highest price with |s|·P ≤ bound·10^sh (product scale), saturated.
int64_t price_at_bound(Quote bound, int shift, int64_t abs_size) {
  const i128 v = static_cast<i128>(bound.v) * pow10_fast(shift) / abs_size;
  return v > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v);
}

}  // namespace

HealthIndex::HealthIndex(uint32_t max_accounts, uint32_t entry_pool, int bucket_bits)
    : pool_(entry_pool), gen_(max_accounts, 0), bucket_bits_(bucket_bits) {
  assert(max_accounts <= kMaxIndexedAccounts);
}

void HealthIndex::set_market(uint32_t m, const MarketRisk& risk, Price mark) {
  if (m >= info_.size()) {
    info_.resize(m + 1);
    down_.resize(m + 1);
    up_.resize(m + 1);
    down_[m].init(bucket_bits_, mark.v);
    up_[m].init(bucket_bits_, mark.v);
  }
  MarketInfo& mi = info_[m];
  mi.c_short = kOne + risk.max_mmr().v;
  mi.discontinuous = false;
  for (int i = 0; i + 1 < risk.n_tiers; ++i)
    if (mm_jump_at_boundary(risk, i) != 0) mi.discontinuous = true;
  mi.shift = risk.scale.product_dp() - risk.scale.quote_dp;
  mi.eq_shift = kEquityDp - risk.scale.product_dp();
  assert(mi.shift >= 0 && mi.eq_shift >= 0);
  mi.fm.init(risk);
}

AccountHealth HealthIndex::evaluate(Quote collateral, std::span<const Position> positions,
                                    std::span<const MarketRisk> markets, std::span<const Price> marks) {
  AccountHealth h{};
  const MarginSummary cross = cross_margin(collateral, positions, markets, marks);
  h.equity = cross.equity;
  h.mm = cross.mm;
  h.open_positions = cross.open_positions;
  if (cross.liquidatable()) h.flagged = true;
  for (const Position& p : positions) {
    if (!p.isolated || p.size.v == 0) continue;
    ++h.open_positions;
    if (h.flagged) continue;
    const MarginSummary iso = isolated_margin(p, markets[p.market], marks[p.market]);
    if (iso.liquidatable()) {
      h.flagged = true;
      h.isolated = true;
      h.market = p.market;
      h.equity = iso.equity;
      h.mm = iso.mm;
    }
  }
  return h;
}

inline void HealthIndex::insert(uint32_t m, bool up, int64_t key, AccountId a, uint32_t gen) {
  uint32_t i = pool_.alloc();
  if (i == kNil) [[unlikely]] i = alloc_after_compaction();
  LadderEntry& e = pool_[i];
  e.key = key;
  e.set(a, gen);
  (up ? up_[m] : down_[m]).push(pool_, i);
}

// Out of room: drop stale entries; if live ones fill most of the pool, enlarge
// it so the next compaction is far away (amortised O(1) per entry). Kept out
// of line so the insert on the hot path stays a few instructions.
__attribute__((noinline)) uint32_t HealthIndex::alloc_after_compaction() {
  compact_all();
  if (pool_.free_count() < pool_.capacity() / 4) {
    pool_.grow(pool_.capacity() / 2 + 1024);
    ++counters_.pool_grows;
  }
  const uint32_t i = pool_.alloc();
  assert(i != kNil);
  return i;
}

void HealthIndex::compact_all() {
  auto gen_of = [this](uint32_t a) { return gen_[a]; };
  for (std::size_t m = 0; m < info_.size(); ++m) {
    down_[m].compact(pool_, gen_of);
    up_[m].compact(pool_, gen_of);
  }
  ++counters_.compactions;
}

void HealthIndex::arm_unit(AccountId a, uint32_t gen, std::span<const Position> pos, const uint8_t* idx,
                           const int64_t* notional, const uint8_t* tier, int n, int64_t slack,
                           std::span<const MarketRisk> markets, std::span<const Price> marks) {
  const bool healthy = slack >= 0;
  const int64_t budget = healthy ? slack - n : -slack - 1 - n;
  uint64_t f = 0;
  uint32_t g[kMaxPositionsPerAccount];
  if (budget >= 0 && n > 1) {
    // Weighted split (trigger_math.hpp): small positions get more relative room.
    int top = 0;
    for (int k = 0; k < n; ++k) top = std::max(top, bit_length(notional[k]));
    i128 w = 0;
    for (int k = 0; k < n; ++k) {
      const Position& p = pos[idx[k]];
      g[k] = split_weight(notional[k], top);
      w += static_cast<i128>(notional[k] + 1) * (p.size.v > 0 ? kOne : info_[p.market].c_short) * g[k];
    }
    f = weighted_move_factor(budget, w);
  }
  for (int k = 0; k < n; ++k) {
    const Position& p = pos[idx[k]];
    const uint32_t m = p.market;
    const MarketInfo& mi = info_[m];
    const int64_t price = marks[m].v;
    const bool is_long = p.size.v > 0;
    const int64_t abs_size = is_long ? p.size.v : -p.size.v;
    bool has_down = false, has_up = false;
    int64_t kd = INT64_MIN, ku = INT64_MAX;
    if (budget < 0) {
      // Too little room for even the rounding reserve: any move is a look.
      has_down = has_up = true;
      kd = ku = price;
    } else {
      int64_t delta;
      if (n == 1) {
        // One position: the largest δ with |s|·δ·c ≤ B·10^sh·1e8.
        const int64_t c = is_long ? kOne : mi.c_short;
        const int64_t b = std::min<int64_t>(budget, static_cast<int64_t>(
                                                        std::min<i128>(INT64_MAX, pow10_fast(std::max(0, 28 - mi.shift)))));
        // Exact when |s|·c < 2^63 (quotient_at_most), otherwise a hair smaller: still safe.
        delta = static_cast<int64_t>(quotient_at_most(static_cast<u128>(b) * static_cast<u128>(pow10_fast(mi.shift)) * kOne,
                                                      static_cast<u128>(abs_size) * static_cast<uint64_t>(c), INT64_MAX));
      } else {
        delta = weighted_move_for(price, f, g[k]);
      }
      // Healthy long and flagged short watch the way down; the others the way up.
      if (healthy == is_long) { has_down = true; kd = down_key(price, delta); }
      else { has_up = true; ku = up_key(price, delta); }
    }
    if (mi.discontinuous) {
      // Margin jumps at tier bounds: never let a safe range leave the current tier.
      const MarketRisk& r = markets[m];
      const int t = tier[k];
      if (t < r.n_tiers && !r.tiers[t].unbounded()) {
        ku = std::min(ku, price_at_bound(r.tiers[t].max_notional, mi.shift, abs_size));
        has_up = true;
      }
      if (t > 0) {
        const int64_t lo = price_at_bound(r.tiers[t - 1].max_notional, mi.shift, abs_size);
        kd = std::max(kd, lo == INT64_MAX ? INT64_MAX : lo + 1);
        has_down = true;
      }
    }
    if (has_down) insert(m, false, kd, a, gen);
    if (has_up) insert(m, true, ku, a, gen);
  }
}

AccountHealth HealthIndex::arm(AccountId a, const AccountStore& store, std::span<const MarketRisk> markets,
                               std::span<const Price> marks) {
  ++counters_.evals;
  const uint32_t gen = ++gen_[a];
  const std::span<const Position> pos = store.positions(a);
  AccountHealth h{};
  if (pos.empty()) return h;

  // Cross unit: the same arithmetic as cross_margin (core/margin), with the
  // per-position notional and tier kept for the budget split.
  uint8_t idx[kMaxPositionsPerAccount];
  int64_t notional[kMaxPositionsPerAccount];
  uint8_t tier[kMaxPositionsPerAccount];
  int n = 0;
  const int quote_dp = markets[0].scale.quote_dp;
  i128 equity_e = static_cast<i128>(store.collateral(a).v) * pow10_fast(kEquityDp - quote_dp);
  int64_t mm = 0;
  for (std::size_t i = 0; i < pos.size(); ++i) {
    const Position& p = pos[i];
    if (p.isolated || p.size.v == 0) continue;
    const FastMarket& fm = info_[p.market].fm;
    equity_e += fm.pnl_equity(p.size, marks[p.market], p.entry);
    const u128 nt = FastMarket::notional(p.size, marks[p.market]);
    const int t = fm.tier(nt);
    mm += fm.mm(nt, t);
    idx[n] = static_cast<uint8_t>(i);
    notional[n] = fm.notional_upper(nt) - 1;  // arm_unit adds the 1 back
    tier[n] = static_cast<uint8_t>(t);
    ++n;
  }
  if (n > 0) {
    const int64_t equity = static_cast<int64_t>(div_floor(equity_e, pow10_fast(kEquityDp - quote_dp)));
    h.equity = Quote(equity);
    h.mm = Quote(mm);
    h.open_positions = n;
    h.flagged = equity < mm;
    arm_unit(a, gen, pos, idx, notional, tier, n, equity - mm, markets, marks);
  }
  // Isolated units, each judged alone (isolated_margin is the reference).
  for (std::size_t i = 0; i < pos.size(); ++i) {
    const Position& p = pos[i];
    if (!p.isolated || p.size.v == 0) continue;
    // isolated_margin(): equity = floor((margin·10^sh + pnl) / 10^sh), MM as above.
    const FastMarket& fm = info_[p.market].fm;
    const u128 nt = FastMarket::notional(p.size, marks[p.market]);
    const int tt = fm.tier(nt);
    const int64_t iso_mm = fm.mm(nt, tt);
    // margin·10^sh is a multiple of the divisor: floor(...) = margin + floor(pnl / 10^sh).
    const int64_t iso_eq =
        p.isolated_margin.v + static_cast<int64_t>(div_floor(FastMarket::pnl(p.size, marks[p.market], p.entry), fm.pow_sh));
    ++h.open_positions;
    if (iso_eq < iso_mm && !h.flagged) {
      h.flagged = true;
      h.isolated = true;
      h.market = p.market;
      h.equity = Quote(iso_eq);
      h.mm = Quote(iso_mm);
    }
    uint8_t one = static_cast<uint8_t>(i);
    uint8_t t = static_cast<uint8_t>(tt);
    int64_t no_notional = 0;
    arm_unit(a, gen, pos, &one, &no_notional, &t, 1, iso_eq - iso_mm, markets, marks);
  }
  return h;
}

void HealthIndex::on_tick(uint32_t m, int64_t p0, int64_t p1, std::vector<AccountId>& fired,
                          const AccountStore* store) {
  // The first accounts' records and home blocks are fetched as soon as their
  // key fires, in parallel with the generation check (a big batch is sorted
  // and prefetched by the caller instead).
  constexpr uint32_t kPrefetchFirst = 32;
  const std::size_t before = fired.size();
  uint32_t hinted = 0;
  auto gen_of = [this](uint32_t a) { return gen_[a]; };
  auto hint = [store, &hinted](uint32_t a) {
    if (store && hinted < kPrefetchFirst) { store->prefetch(a); ++hinted; }
  };
  auto on_fire = [this, &fired](uint32_t a) {
    ++gen_[a];  // its other keys are stale from now: reported once
    fired.push_back(a);
  };
  if (p1 < p0) counters_.entries_visited += down_[m].fire_down(pool_, p0, p1, gen_of, hint, on_fire);
  else if (p1 > p0) counters_.entries_visited += up_[m].fire_up(pool_, p0, p1, gen_of, hint, on_fire);
  counters_.fired += fired.size() - before;
  if (down_[m].maybe_recenter(pool_, p1, gen_of)) ++counters_.recenters;
  if (up_[m].maybe_recenter(pool_, p1, gen_of)) ++counters_.recenters;
}

void HealthIndex::collect_market(uint32_t m, std::vector<AccountId>& out) {
  auto gen_of = [this](uint32_t a) { return gen_[a]; };
  auto on_live = [this, &out](uint32_t a) {
    ++gen_[a];
    out.push_back(a);
  };
  down_[m].for_each_live(pool_, gen_of, on_live);
  up_[m].for_each_live(pool_, gen_of, on_live);
}

std::size_t HealthIndex::bytes() const {
  std::size_t b = pool_.bytes() + gen_.capacity() * sizeof(uint32_t) + info_.capacity() * sizeof(MarketInfo);
  for (const Ladder& l : down_) b += l.bytes();
  for (const Ladder& l : up_) b += l.bytes();
  return b;
}

}  // namespace liqd
