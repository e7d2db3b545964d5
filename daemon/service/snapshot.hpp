#pragma once
// What the core and executor threads publish for the HTTP thread (metrics,
// /v1/markets, /v1/liquidation-map, /readyz): plain structs behind seqlocks
// (core/ring/seqlock.hpp SeqLockOf). The writer stores a whole struct; a reader
// gets a consistent copy or retries. Nothing here is a pointer into live state.
#include <array>
#include <atomic>
#include <cstdint>

#include "core/ring/seqlock.hpp"
#include "daemon/service/messages.hpp"

namespace liqd::service {

inline constexpr std::size_t kMapBuckets = 20;   // per side of the mark
inline constexpr std::size_t kMaxSources = 8;    // oracle sources per market

struct MarketSnapshot {
  int64_t mark = 0, index = 0, book_mid = 0;   // price units; 0 = none yet
  uint8_t mode = 0;              // policy::MarketMode (Normal, Throttle, Paused, Stale)
  uint8_t oracle_stale = 0;      // 1 while the index has no quorum
  uint8_t manual_pause = 0;
  uint8_t n_sources = 0;
  int64_t mmr_in_force = 0;      // first tier's maintenance ratio, Ratio units (1e-8)
  double realized_vol = 0;       // EWMA σ per sqrt(horizon), a statistic (display only)
  uint64_t liquidations = 0;     // orders that filled something
  uint64_t liq_orders = 0;       // orders sent
  uint64_t no_fill = 0;          // orders that ended with nothing filled
  uint64_t refused = 0;          // orders the executor could not take (reconciling, full)
  int64_t notional_liquidated = 0;  // quote units
  uint64_t breaker_changes = 0;
  uint64_t margin_changes = 0;
  int64_t last_price_ms = 0;     // event time of the last price applied
  int64_t vault_size = 0;        // the backstop vault's position, lot units (signed)
  int64_t vault_entry = 0;       // ... and its entry price, price units
  std::array<int64_t, kMaxSources> source_price{};
  std::array<uint64_t, kMaxSources> source_dropped{};
};

struct CoreStats {
  int64_t now_ms = 0;             // event time
  uint64_t events = 0, price_inputs = 0, account_inputs = 0, outcomes = 0, admin_requests = 0;
  uint64_t accounts = 0;          // monitored
  uint64_t positions = 0;
  uint64_t flagged = 0;           // liquidatable now
  uint64_t in_liquidation = 0;    // accounts in liquidation mode
  uint64_t underwater = 0;        // accounts with a unit at equity < 0, as of the last liquidation-map pass
  uint64_t flagged_total = 0;
  uint64_t index_missed = 0;
  uint64_t audited = 0;
  uint64_t rejected_events = 0;
  uint64_t exec_ring_full = 0;    // decisions delayed because the executor ring was full
  uint64_t reply_ring_full = 0;
  int64_t fund_balance = 0;       // quote units
  int64_t fees_to_fund = 0;
  int64_t fund_paid = 0;
  int64_t bad_debt = 0;
  uint64_t adl_events = 0;
  uint64_t backstop_transfers = 0;   // transfers sent to the venue
  uint64_t backstop_refused = 0;     // transfers the vault's limits refused (journaled)
  uint64_t split_consulted = 0;      // chunks SplitPlanner decided (own book vs transfer-and-hedge)
  uint64_t split_transfers = 0;      // ... of which a part went to the vault at the split's price
  uint64_t unbacked_orders = 0;      // IOCs whose worst case the fund could not pay, with nobody in the ADL line
  uint64_t fills = 0;
  bool has_vault = false;         // backstop.account configured and seen on the account stream
  int64_t vault_collateral = 0;   // quote units
  int64_t vault_equity = 0;
  int64_t vault_mm = 0;
  bool accounts_in_sync = false;
  bool prices_in_sync = false;    // every market has a mark
  bool paused_all = false;
  bool draining = false;
  uint8_t n_markets = 0;
  std::array<MarketSnapshot, kMaxMarkets> markets{};
};

// Notional (quote units) that would be liquidated if the mark moved into each
// bucket: below[i] covers [mark × (1 − (i+1)·w), mark × (1 − i·w)), above[i]
// the mirror. Rebuilt by the core in budgeted passes over all accounts.
struct LiquidationMap {
  int64_t mark = 0;               // the mark the pass was computed at (start of the pass)
  int64_t bucket_width = 0;       // Ratio units (1e-8), e.g. 500'000 = 0.5 %
  int64_t computed_ms = 0;        // event time the pass finished
  uint64_t passes = 0;
  std::array<int64_t, kMapBuckets> below{};
  std::array<int64_t, kMapBuckets> above{};
};

// Executor thread's figures.
struct ExecStats {
  uint64_t orders_sent = 0, fills = 0, duplicate_fills = 0, rejected = 0, cancelled = 0, expired = 0;
  uint64_t timeouts = 0, reconciled = 0, refused = 0;
  uint64_t outcome_ring_full = 0;
  uint64_t journal_records = 0, journal_commits = 0, journal_fsyncs = 0, journal_bytes = 0;
  uint64_t journal_errors = 0;
  uint32_t open_orders = 0;
  bool venue_connected = false;
  bool reconciling = false;      // orders from before a restart still being confirmed
};

// The backstop vault's books as the executor keeps them (executors/vault/
// vault_desk.hpp): one row per (venue, market) contract, one per (venue, asset)
// of collateral. Labels are copied in (truncated to fit), so the HTTP thread
// needs nothing but this struct; amounts stay integers in their own units.
inline constexpr std::size_t kMaxVaultContracts = 32;
inline constexpr std::size_t kMaxVaultCollateral = 16;
inline constexpr std::size_t kVaultLabelLen = 32;
inline constexpr std::size_t kVaultHedgeOutcomes = 5;   // vault::HedgeOutcome
using VaultLabel = std::array<char, kVaultLabelLen>;    // NUL-terminated

struct VaultContractRow {
  VaultLabel venue{}, market{}, base{}, settle{};
  bool hedge = false;            // an external venue the vault hedges on
  int8_t qty_dp = 0, price_dp = 0, settle_dp = 0;
  int64_t contracts = 0;         // signed position, 10^-qty_dp contracts
  int64_t base_units = 0;        // base exposure at the mark, 10^-8 base
  int64_t entry_price = 0, mark = 0;    // 10^-price_dp
  int64_t realized = 0, unrealized = 0; // 10^-settle_dp of the settlement asset (saturated)
  int64_t basis = 0;             // mark / this venue's mark - 1, Ratio units (1e-8)
  uint64_t fills = 0;
  std::array<uint64_t, kVaultHedgeOutcomes> hedge_orders{};  // by vault::HedgeOutcome
};

struct VaultCollateralRow {
  VaultLabel venue{}, asset{};
  int8_t dp = 0;
  int64_t amount = 0;            // 10^-dp (saturated)
};

struct VaultSnapshot {
  bool enabled = false;          // backstop.account configured
  uint8_t n_contracts = 0, n_collateral = 0;
  uint32_t open_hedges = 0;
  uint64_t transfer_fills = 0;   // transfer fills booked
  uint64_t errors = 0;           // fills the books refused, conversions that overflowed
  std::array<VaultContractRow, kMaxVaultContracts> contracts{};
  std::array<VaultCollateralRow, kMaxVaultCollateral> collateral{};
};

struct Snapshots {
  SeqLockOf<CoreStats> core;
  std::array<SeqLockOf<LiquidationMap>, kMaxMarkets> maps;
  SeqLockOf<ExecStats> exec;
  SeqLockOf<VaultSnapshot> vault;
};

}  // namespace liqd::service
