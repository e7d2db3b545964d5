#pragma once
// The core thread of `liqd --config F`: the one writer of accounts, markets and
// the insurance fund. Per loop turn it drains its input rings (order outcomes
// first, then account changes, prices, admin requests), keeps the health index
// exact (HealthCore), turns source prices into index and mark (IndexOracle,
// MarkPrice), runs each market's circuit breaker and (optionally) volatility
// margin, plans liquidations for every flagged account (Planner) and hands each
// order to the executor ring. It never blocks, never reads the wall clock for a
// decision (time is the newest event time seen) and never does I/O: journal
// records leave as ExecCommand::Journal for the executor thread to write.
//
// Start-up gate: no account is loaded before every market has a mark (the index
// needs prices), and no liquidation is planned before the account stream has
// delivered its snapshot and every market's prices are fresh.
//
// Restart: the journal gives back each unit's planner state (LiquidationUnit
// records, written whenever it changes, in the group commit of the decision or
// fund movement that changed it), the orders still open and the IOCs the rate
// windows count (core_recovery.cpp). A unit's state is seeded when its account
// first arrives, so dense ids keep the account stream's order.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/engine/health_core.hpp"
#include "core/policy/adl/adl.hpp"
#include "core/policy/backstop/backstop_vault.hpp"
#include "core/policy/breaker/circuit_breaker.hpp"
#include "core/policy/fund/insurance_fund.hpp"
#include "core/policy/oracle/index_oracle.hpp"
#include "core/policy/oracle/mark_price.hpp"
#include "core/policy/planner/planner.hpp"
#include "core/policy/volmargin/vol_margin.hpp"
#include "core/ring/spsc_ring.hpp"
#include "daemon/metrics/histogram.hpp"
#include "daemon/service/account_map.hpp"
#include "daemon/service/core_split.hpp"
#include "daemon/service/messages.hpp"
#include "daemon/service/recovered.hpp"
#include "daemon/service/snapshot.hpp"

namespace liqd::service {

struct CoreMarket {
  std::string symbol;
  MarketRisk risk;
  policy::OracleConfig oracle;
};

struct CoreStageConfig {
  std::vector<CoreMarket> markets;
  policy::PlannerConfig planner;
  std::vector<policy::MarketLiqConfig> market_liq;  // one per market
  policy::BreakerConfig breaker;
  policy::MarkConfig mark;
  policy::VolMarginConfig vol;
  bool dynamic_margin = false;
  policy::BackstopConfig backstop;  // account 0: no vault (the planner never plans a transfer)
  SplitSettings split;              // own book or transfer-and-hedge (enabled only with a vault)
  Quote fund_balance{0};           // start balance, or the journal's last balance_after
  uint32_t max_accounts = 1 << 20;
  uint32_t liquidation_seq = 1;    // next liquidation sequence (after the journal's last)
  uint32_t audit_budget = 64;      // accounts audited per idle turn
  uint32_t map_budget = 256;       // accounts per idle turn for the liquidation map
  Ratio map_bucket_width{500'000}; // 0.5 %
  std::vector<uint32_t> paused_markets;  // manual pauses recovered from the journal
  bool paused_all = false;
  std::vector<std::pair<uint32_t, policy::MarketMode>> breaker_modes;  // journaled, per market index
  std::vector<RecoveredPriceMemory> price_memory;  // by market_index; supersedes breaker_modes there
  std::vector<RecoveredUnit> recovered_units;    // the journal's last state per unit
  std::vector<RecoveredOrder> recovered_orders;  // sent, not ended: in flight for the planner
  std::vector<RecoveredIoc> recovered_iocs;      // for the planner's rate windows
};

// A market-risk change from a reload (main thread -> core). ramp_steps > 1: the
// core walks the tiers' ratios there in that many steps, one per ramp_step_ms of
// event time, so a tightening never flags a crowd at once.
struct RiskCommand {
  uint32_t market = 0;
  int ramp_steps = 1;
  int64_t ramp_step_ms = 60'000;
  bool check_flags = false;  // ramp only when the change would flag accounts at once (reload)
  MarketRisk risk;
};

struct CoreRings {
  std::vector<SpscRing<PriceInput>*> prices;  // one per feed thread
  SpscRing<AccountInput>* accounts = nullptr;
  SpscRing<OrderOutcome>* outcomes = nullptr;
  SpscRing<AdminRequest>* requests = nullptr;
  SpscRing<ExecCommand>* commands = nullptr;
  SpscRing<AdminReply>* replies = nullptr;
  SpscRing<RiskCommand>* risk_changes = nullptr;  // reload (main thread)
};

class CoreStage {
 public:
  CoreStage(CoreStageConfig cfg, CoreRings rings, Snapshots& snaps, metrics::LatencyHistogram* tick_to_decision);
  ~CoreStage();

  // Thread body: returns when `stop` is set and every input ring is empty.
  void run(const std::atomic<bool>& stop, const std::atomic<bool>& drain);

  // One turn (tests drive it directly): returns the number of inputs handled.
  uint32_t turn();
  void publish();

  // State for tests (core thread only).
  const HealthCore* core() const { return core_.get(); }
  const policy::InsuranceFund& fund() const { return fund_; }
  const CoreStats& stats() const { return stats_; }
  std::optional<uint32_t> dense_id(uint64_t venue_id) const { return ids_.find(venue_id); }

 private:
  struct MarketState;
  static constexpr uint32_t kUnresolved = UINT32_MAX;  // a recovered order's account not seen yet
  static constexpr std::size_t kInFlightSlots = 1 << 14;  // liquidation seqs in flight at once (modulo)
  struct InFlight {
    bool used = false;
    uint32_t account = 0;     // dense id (kUnresolved: recovered, account not loaded yet)
    uint32_t market = 0;
    uint32_t seq = 0;
    bool close_long = true;
    bool isolated = false;
    Price bankruptcy;
    Qty filled;
    int64_t reserved = 0;     // fund held back for this IOC's worst-case shortfall
    uint8_t via = 0;          // 0 an IOC on the book, 1 a backstop transfer, 2 auto-deleveraging
    uint32_t counterparty = 0;  // via 2: dense id of the deleveraged account
    int64_t sent = 0;         // qty sent
    int64_t size_at_send = 0; // the unit's position then, as the account stream showed it
    uint64_t venue_account = 0;        // the account's venue id (resolves kUnresolved)
    uint64_t venue_counterparty = 0;   // via 2: the counterparty's venue id
  };
  // How long (event time) an ended order's fills may take to show in the account
  // stream before the unit is planned on the size it still shows.
  static constexpr int64_t kFillConfirmMs = 2'000;
  bool awaiting_fills(policy::AccountLiqState& ls, AccountId a, bool isolated, uint32_t m) const;
  Qty unit_size(AccountId a, uint32_t m, bool isolated) const;
  // Auto-deleveraging line of one (market, side): the profitable positions on the
  // side opposite a bankrupt one, best ADL score first (adl_rank), rebuilt by a full
  // scan when older than kAdlLineMs of event time or used up.
  struct AdlLine {
    int64_t built_ms = INT64_MIN / 2;  // "never": now - built_ms must not overflow
    std::vector<AccountId> who;
    std::size_t cursor = 0;
  };
  static constexpr int64_t kAdlLineMs = 1'000;

  // Restart (core_recovery.cpp).
  void restore_recovered();
  void seed_account(AccountId a);
  bool resolve(InFlight& slot);
  static UnitWire wire_of(const policy::AccountLiqState& ls);
  static void apply_wire(policy::AccountLiqState& ls, const UnitWire& w);
  ExecCommand unit_note(AccountId a, bool isolated, uint32_t m, const policy::AccountLiqState& ls) const;
  void on_price(const PriceInput& p);
  void remember_prices(uint32_t m);
  void on_account(const AccountInput& in);
  void on_outcome(const OrderOutcome& o);
  void on_request(const AdminRequest& r);
  void on_risk_change(const RiskCommand& rc);
  void apply_risk(uint32_t m, const MarketRisk& r, NoteKind why);
  void ramp_step(uint32_t m);
  void start_core();
  void reprice(uint32_t m, int64_t recv_wall_ns);
  void plan_all();
  void plan_one(AccountId a);
  bool plan_unit(AccountId a, bool isolated, uint32_t iso_market, Quote collateral, std::span<const Position> positions);
  bool may_liquidate() const;
  void note(ExecCommand c);
  // Settles one venue fill (fee in, shortfall paid, the rest uncovered) and
  // journals it as one Settlement command. `unit` (the
  // order's unit, if known) takes the shortfall into its settled shortfall,
  // journaled with the settlement.
  void settle_fill(const OrderOutcome& o, const InFlight* unit);
  void flush_commands();
  void note_breaker(uint32_t m, const policy::BreakerChange& ch);
  void account_reply(const AdminRequest& r, AdminReply& out);
  uint8_t adl_quantile(AccountId a, const Position& p) const;
  void dry_run_reply(const AdminRequest& r, AdminReply& out);
  void map_step();
  policy::AccountLiqState& liq_state(AccountId a, bool isolated, uint32_t market);
  ExecCommand decision(ExecKind kind, const policy::LiqOrder& o, const policy::Plan& p, AccountId a) const;
  bool send(AccountId a, bool isolated, policy::AccountLiqState& ls, const policy::Plan& p, const policy::LiqOrder& o,
            uint8_t via, int64_t reserve, AccountId counterparty, const SplitWire& split, UnitWire& journaled);
  enum class SplitStep : uint8_t { NotUsed, Split, AllTransferred, NoSlot };
  SplitStep split_step(AccountId a, bool isolated, policy::AccountLiqState& ls, const policy::Plan& p,
                       policy::LiqOrder& o, SplitWire& split, UnitWire& journaled);
  Qty vault_take(AccountId a, const policy::LiqOrder& o);
  Qty position_size(AccountId a, uint32_t m) const;
  policy::AdlPosition adl_position(AccountId b, const Position& q) const;
  enum class AdlPick : uint8_t { Found, Busy, Nobody };
  AdlPick adl_next(uint32_t m, bool close_long, AccountId bankrupt, Qty want, AccountId& who, Qty& take);

  CoreStageConfig cfg_;
  CoreRings rings_;
  Snapshots& snaps_;
  metrics::LatencyHistogram* latency_;
  std::vector<MarketRisk> risk_;
  std::vector<Price> marks_;
  std::vector<policy::BreakerEffects> effects_;
  std::vector<std::unique_ptr<MarketState>> mk_;
  std::unique_ptr<HealthCore> core_;
  std::unique_ptr<policy::Planner> planner_;
  std::unique_ptr<CoreSplit> split_;            // null: no split (no vault, or backstop.split off)
  std::unique_ptr<exec::SplitPlan> split_plan_; // its answer, reused (no allocation per decision)
  policy::InsuranceFund fund_;
  AccountMap ids_;
  std::vector<uint64_t> venue_id_;                  // dense -> venue id
  std::vector<int32_t> liq_slot_;                   // dense -> index into liq_, −1
  std::vector<std::unique_ptr<policy::AccountLiqState>> liq_;
  std::unordered_map<uint64_t, std::unique_ptr<policy::AccountLiqState>> iso_liq_;  // (dense << 8 | market)
  std::vector<InFlight> in_flight_;                 // by liquidation seq modulo size
  std::vector<AccountId> engaged_, cand_;
  std::vector<ExecCommand> pending_;                // commands waiting for executor ring space (bounded)
  std::vector<MarketRisk> dry_risk_;                // dry-run scratch
  std::vector<AdlLine> adl_lines_;                  // [2m + 1]: shorts in line for bankrupt longs, [2m]: longs
  int64_t fund_reserved_ = 0;                       // Σ reserved over IOCs in flight
  std::unordered_map<AccountId, int64_t> adl_pending_;  // deleveraged account -> qty in flight against it
  // One backstop transfer at a time, and the next only once the account stream shows
  // the last one in the vault's position (or kVaultSettleMs of event time passed):
  // the vault's limits are checked on a state that includes every transfer.
  struct VaultWait {
    bool busy = false;        // a transfer is in flight
    bool settling = false;    // it ended; waiting for the vault's position to show it
    uint32_t market = 0;
    int64_t size_before = 0;  // the vault's size in `market` when it was sent
    int64_t expect = 0;       // ... and what it must become
    int64_t until_ms = 0;
  } vault_;
  bool price_round_ = false;  // turn(): the prices being applied are one oracle round
  policy::BackstopVault vault_scratch_;  // vault_take's view of the vault, reused (no allocation per decision)
  static constexpr int64_t kVaultSettleMs = 2'000;
  uint32_t next_seq_;
  int64_t now_ms_ = 0;
  int64_t last_input_wall_ns_ = 0;
  int64_t last_plan_ms_ = 0;
  bool accounts_in_sync_ = false;
  bool paused_all_ = false;
  bool draining_ = false;
  bool dirty_ = false;
  // Liquidation map pass
  uint32_t map_cursor_ = 0;
  uint64_t map_passes_ = 0;
  uint64_t map_underwater_ = 0;  // accounts with a unit below zero equity, this pass so far
  std::vector<LiquidationMap> map_work_;
  CoreStats stats_{};
  // Recovered state waiting for its account (venue id -> what to seed).
  std::unordered_map<uint64_t, std::vector<RecoveredUnit>> recovered_units_;
  struct RecoveredFlight {
    uint32_t seq = 0;
    policy::InFlightOrder order;  // the planner's view of it, given to its unit on first sight
  };
  std::vector<RecoveredFlight> recovered_flight_;
};

}  // namespace liqd::service
