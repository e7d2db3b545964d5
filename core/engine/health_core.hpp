#pragma once
// The health-monitor core: one writer thread applies events in order, keeps the
// account store and the health index exact after every event, and keeps every
// liquidatable account in its own flagged set. Candidates leave through an SPSC
// ring; a full ring delays dispatch (counted) but never loses an account, because
// the set, not the ring, is the record. No locks, no allocation after
// construction (except the counted index-pool growth), no system calls, no clock.
#include <cstdint>
#include <span>
#include <vector>

#include "core/engine/events.hpp"
#include "core/index/health_index.hpp"
#include "core/ring/seqlock.hpp"
#include "core/ring/spsc_ring.hpp"
#include "core/store/account_store.hpp"
#include "core/store/huge_alloc.hpp"

namespace liqd {

struct CoreConfig {
  uint32_t max_accounts = 0;
  uint32_t position_pool = 0;   // Position slots beyond every account's home block of 4 (overflow blocks of 8 .. 64)
  uint32_t entry_pool = 0;      // ladder entries reserved up front
  int bucket_bits = 14;         // buckets per ladder = 2^bucket_bits
};

enum class ApplyStatus : uint8_t {
  Ok, BadMarket, BadAccount, BadPrice, BadAmount, BadRisk, DuplicateSeq, NoSuchPosition, ModeConflict, StoreFull,
};
const char* to_string(ApplyStatus s);

struct CoreCounters {
  uint64_t events = 0;
  uint64_t price_events = 0;
  uint64_t account_events = 0;
  uint64_t market_events = 0;
  uint64_t rejected = 0;         // malformed or impossible events (skipped)
  uint64_t seq_gaps = 0;         // account stream: sequence numbers skipped
  uint64_t seq_duplicates = 0;   // account stream: replays (skipped)
  uint64_t flagged_total = 0;    // transitions into the set
  uint64_t recovered_total = 0;  // transitions out of it without liquidation
  uint64_t dispatched = 0;       // candidates pushed to the out ring
  uint64_t out_ring_full = 0;    // pushes refused (dispatch delayed, not lost)
  uint64_t audited = 0;          // accounts checked by the audit
  uint64_t index_missed = 0;     // audit found the set wrong (must stay 0)
  uint64_t market_rearms = 0;    // accounts re-armed by market-wide events
};

// Snapshot words: [0] events [1] event time [2] flagged now [3] flagged_total
// [4] out_ring_full [5] index_missed [6] evals [7] markets, then per market
// (mark, index, last) for up to kSnapshotMarkets markets.
inline constexpr std::size_t kSnapshotMarkets = 64;
inline constexpr std::size_t kSnapshotWords = 8 + 3 * kSnapshotMarkets;
using CoreSnapshot = SeqLock<kSnapshotWords>;

class HealthCore {
 public:
  HealthCore(const CoreConfig& cfg, std::span<const MarketRisk> markets, std::span<const Price> marks,
             SpscRing<Candidate>* out);

  // Bulk load (start-up, before events): set an account's collateral and
  // positions and arm it. Returns false if the store is full or input is bad.
  bool load_account(AccountId a, Quote collateral, std::span<const Position> positions);

  ApplyStatus apply(const Event& e);

  // Budgeted audit: exact evaluation of the next `budget` accounts (round
  // robin); a disagreement with the set counts index_missed and is repaired.
  uint64_t audit_step(uint32_t budget);
  // Prices of an oracle round applied (Event::more) and their accounts not yet
  // evaluated: the next event that is not one of the round's prices ends it.
  bool round_open() const { return round_open_; }

  // Retry delayed dispatch (the loop calls it when idle; apply() calls it too).
  void flush_dispatch() { if (pending_count_ > 0) drain_pending(); }

  // Test hook: drop an account's keys without re-arming it, as a bug in the
  // index would; only the audit can then notice the account (tests use it).
  void forget_keys_for_test(AccountId a) { index_.disarm(a); }

  bool is_flagged(AccountId a) const { return (state_[a] & kFlagged) != 0; }
  std::span<const AccountId> flagged() const { return set_; }
  std::size_t pending_dispatch() const { return pending_count_; }

  const CoreCounters& counters() const { return counters_; }
  const IndexCounters& index_counters() const { return index_.counters(); }
  uint64_t index_entries_in_use() const { return index_.entries_in_use(); }
  const AccountStore& store() const { return store_; }
  std::span<const MarketRisk> markets() const { return markets_; }
  std::span<const Price> marks() const { return marks_; }
  int64_t now_ns() const { return now_; }

  void publish(CoreSnapshot& snap) const;
  // Resident bytes of the store, the index and the core's per-account arrays.
  std::size_t bytes() const;

 private:
  static constexpr uint8_t kFlagged = 1, kQueued = 2, kDispatched = 4;

  ApplyStatus apply_price(const Event& e);
  ApplyStatus apply_account(const Event& e);
  ApplyStatus apply_market_risk(const Event& e);
  ApplyStatus apply_market_funding(const Event& e);
  void rearm(AccountId a);
  void rearm_batch();
  void close_round();
  void set_status(AccountId a, const AccountHealth& h);
  void notify(AccountId a, const AccountHealth* h);
  bool try_dispatch(AccountId a, const AccountHealth* h);
  void drain_pending();

  AccountStore store_;
  HealthIndex index_;
  std::vector<MarketRisk> markets_;
  std::vector<Price> marks_, index_prices_, last_prices_;
  bool round_open_ = false;  // prices of an oracle round applied, their accounts not yet re-armed (Event::more)
  SpscRing<Candidate>* out_;

  HugeVector<uint8_t> state_;      // per account: kFlagged | kQueued | kDispatched
  HugeVector<uint32_t> set_pos_;   // per account: position in set_
  HugeVector<AccountId> set_;      // the flagged set (reserved to max_accounts)
  HugeVector<AccountId> pending_;  // FIFO of accounts awaiting dispatch (ring of max_accounts)
  std::size_t pending_head_ = 0, pending_count_ = 0;
  std::vector<AccountId> scratch_;  // fired / collected accounts (reserved)

  uint64_t last_seq_ = 0;
  int64_t now_ = 0;
  uint32_t audit_cursor_ = 0;
  CoreCounters counters_;
};

}  // namespace liqd
