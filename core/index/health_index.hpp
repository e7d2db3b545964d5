#pragma once
// The health index: per (account, market) exposure one or two trigger keys in
// the market's two ladders, chosen so that while every market stays on the safe
// side of an account's keys, no margin unit of the account can change between
// "liquidatable" and "not liquidatable" (see trigger_math.hpp, core/README.md).
//
// `arm` evaluates an account exactly (the arithmetic of core/margin's
// cross_margin / isolated_margin, precomputed per market in FastMarket and
// tested against them) and re-arms all its
// keys under a fresh generation. `on_tick` pops the keys a mark move crossed and
// reports each affected account once (its generation is bumped at once, so its
// other keys, in any ladder, are stale from then on).
#include <cstdint>
#include <span>
#include <vector>

#include "core/index/fast_margin.hpp"
#include "core/index/ladder.hpp"
#include "core/margin/margin.hpp"
#include "core/store/account_store.hpp"
#include "core/store/huge_alloc.hpp"

namespace liqd {

// What an exact evaluation found (the numbers behind a flag).
struct AccountHealth {
  bool flagged = false;
  bool isolated = false;   // the first liquidatable unit is an isolated position
  uint32_t market = 0;     // its market, when isolated
  Quote equity;            // of that unit (or of the cross unit when healthy)
  Quote mm;
  int open_positions = 0;
};

struct IndexCounters {
  uint64_t evals = 0;            // exact account evaluations
  uint64_t entries_visited = 0;  // ladder entries touched by ticks
  uint64_t fired = 0;            // accounts reported by ticks
  uint64_t compactions = 0;
  uint64_t pool_grows = 0;       // entries allocated past the reserved pool
  uint64_t recenters = 0;
};

class HealthIndex {
 public:
  HealthIndex(uint32_t max_accounts, uint32_t entry_pool, int bucket_bits);

  // Markets are set before accounts are armed; set_market again on a risk change
  // (the caller then re-arms the market's accounts, see collect_market).
  void set_market(uint32_t m, const MarketRisk& risk, Price mark);
  uint32_t markets() const { return static_cast<uint32_t>(info_.size()); }

  AccountHealth arm(AccountId a, const AccountStore& store, std::span<const MarketRisk> markets,
                    std::span<const Price> marks);
  // Exact evaluation only (no re-arm) with core/margin's own cross_margin and
  // isolated_margin: the audit uses it as the independent reference.
  static AccountHealth evaluate(Quote collateral, std::span<const Position> positions,
                                std::span<const MarketRisk> markets, std::span<const Price> marks);

  // Mark of market m moved p0 → p1: every account with a crossed key is appended
  // to `fired` (once). The caller must arm each of them before the next event.
  // With `store`, the records of the first fired accounts are prefetched as they
  // fire (the arm that follows then starts from cache).
  void on_tick(uint32_t m, int64_t p0, int64_t p1, std::vector<AccountId>& fired,
               const AccountStore* store = nullptr);
  // Every account with an exposure in market m (once); they must be re-armed.
  void collect_market(uint32_t m, std::vector<AccountId>& out);
  // Forget an account's keys (it has no positions any more).
  void disarm(AccountId a) { ++gen_[a]; }
  void prefetch(AccountId a) const { __builtin_prefetch(&gen_[a]); }
  // The ladder entries the re-arms after the next one will fill (a big batch).
  void prefetch_entries() const { pool_.prefetch_free(8, 4); }

  const IndexCounters& counters() const { return counters_; }
  std::size_t bytes() const;
  uint64_t entries_in_use() const { return pool_.in_use(); }

 private:
  struct MarketInfo {
    int64_t c_short = 0;      // 1e8 + mmr_max: a short's adverse-move cost factor
    bool discontinuous = false;  // some tier boundary has a margin jump
    int shift = 0;            // product_dp − quote_dp
    int eq_shift = 0;         // kEquityDp − product_dp
    FastMarket fm;            // precomputed margin arithmetic
  };
  void insert(uint32_t m, bool up, int64_t key, AccountId a, uint32_t gen);
  uint32_t alloc_after_compaction();
  void compact_all();
  // Arm one unit: positions `idx[0..n)` of `pos`, slack S, healthy or not.
  void arm_unit(AccountId a, uint32_t gen, std::span<const Position> pos, const uint8_t* idx,
                const int64_t* notional, const uint8_t* tier, int n, int64_t slack,
                std::span<const MarketRisk> markets, std::span<const Price> marks);

  std::vector<MarketInfo> info_;
  std::vector<Ladder> down_;  // per market
  std::vector<Ladder> up_;
  EntryPool pool_;
  HugeVector<uint32_t> gen_;  // per account
  int bucket_bits_;
  IndexCounters counters_;
};

}  // namespace liqd
