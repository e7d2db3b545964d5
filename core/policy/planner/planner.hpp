#pragma once
// Liquidation planner (issue 5, item 1): for one flagged account, what to do now.
//
// Order of decisions in plan():
//   1. Liquidation mode with hysteresis (Drift): an account enters when equity < MM
//      and leaves only when equity ≥ MM × (1 + target_buffer).
//   2. Resting orders are cancelled first (their margin counts until they are gone).
//   3. Backstop: equity < trigger × MM (2/3, Hyperliquid), or the last IOC in a market
//      found no liquidity within the fillable price → transfer at the bankruptcy price
//      (the caller applies the vault's own limits, backstop_vault.hpp).
//   4. Full close when the account is small (total notional ≤ small_account_notional)
//      or deeply underwater (equity < deep_underwater_fraction × MM); otherwise the
//      smallest partial close that restores equity ≥ MM × (1 + target_buffer) after
//      the worst-case fill (the fillable price) and the liquidation fee; when even a
//      full close of the position cannot reach it (a fee that eats the surplus),
//      the position is closed fully.
//   5. Positions are taken riskiest first (largest maintenance margin), each sized on
//      the state projected after the orders already in this plan.
//   6. Every order is bounded: max notional per order (× the breaker's chunk scale),
//      a per-market capacity per window (Synthetix), a global notional cap per minute,
//      and for large accounts (Hyperliquid) a fraction of the position per chunk and a
//      cooldown between chunks (× the breaker's cooldown multiplier).
//   7. At most one order in flight per (account, market); markets the breaker pauses
//      are skipped.
//   8. After an IOC that filled nothing, that (account, market) waits no_fill_backoff_ms,
//      doubling with each further empty fill up to no_fill_backoff_max_ms: an empty
//      book is not hammered with one order per tick (a vault, when configured, takes
//      the position at once instead, rule 3).
// Orders are reduce-only IOC with limit = the fillable price. Deposits, trades and
// funding that arrive while an order is in flight are applied by the caller to the
// account, and the next plan() sees them; revalidate() re-plans just before dispatch.
// Everything is fixed point and uses only the timestamps passed in.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/margin/margin.hpp"
#include "core/policy/backstop/backstop_vault.hpp"
#include "core/policy/breaker/circuit_breaker.hpp"
#include "core/policy/common.hpp"
#include "core/policy/planner/sliding_sum.hpp"

namespace liqd::policy {

inline constexpr int kMaxPlanOrders = 16;
inline constexpr int kMaxInFlight = 16;
inline constexpr int kMaxAccountPositions = 64;
inline constexpr int kMaxPlannerMarkets = 64;  // masks are 64-bit

struct MarketLiqConfig {
  Quote max_order_notional{INT64_MAX};
  Qty window_capacity{0};     // size liquidatable per window; 0 = unlimited
  TimeMs window_ms = 60'000;
};

// Synthetix v3 perps: the size liquidatable per window is
//   (maker fee + taker fee) × skew scale × liquidation limit scalar.
Qty synthetix_window_capacity(Ratio maker_fee, Ratio taker_fee, Qty skew_scale, Ratio limit_scalar);

struct PlannerConfig {
  Ratio target_buffer{10'000'000};           // target and mode exit: equity ≥ MM × 1.10
  Quote small_account_notional{0};           // ≤ this total notional → full close
  Ratio deep_underwater_fraction{0};         // equity < f × MM → full close (0: equity < 0)
  Quote large_account_notional{INT64_MAX};   // > this → chunk fraction and cooldown
  Ratio large_chunk_fraction{20'000'000};    // 20 % of a position per chunk
  TimeMs cooldown_ms = 30'000;
  Quote global_cap_per_minute{INT64_MAX};    // liquidated notional, all markets
  TimeMs order_timeout_ms = 10'000;          // an in-flight order older than this no longer blocks
  TimeMs no_fill_backoff_ms = 500;           // wait after an IOC that filled nothing (0: none)
  TimeMs no_fill_backoff_max_ms = 8'000;     // the doubling stops here
};

enum class OrderKind : uint8_t { Ioc, BackstopTransfer };

enum class PlanWhy : uint8_t {
  Healthy,
  LeftLiquidationMode,
  RestingOrders,
  Partial,
  FullSmallAccount,
  FullDeepUnderwater,
  FullTargetUnreachable,
  BackstopEquity,
  BackstopNoLiquidity,
  WaitInFlight,
  WaitCooldown,
  WaitMarketPaused,
  WaitMarketCapacity,
  WaitGlobalCap,
  WaitNoFillBackoff,
  SplitTransfer,     // the split's transfer to the vault (daemon/service/core_split.hpp); appended: journals keep their numbers
};
const char* to_string(PlanWhy w);

struct LiqOrder {
  uint32_t market = 0;
  OrderKind kind = OrderKind::Ioc;
  bool close_long = true;   // true: sell to close a long
  bool reduce_only = true;
  bool ioc = true;
  bool full_close = false;
  Qty qty;                  // > 0, whole lots
  Price limit;              // IOC: fillable price; transfer: bankruptcy price
  Price bankruptcy;
  Quote notional;           // qty × limit, rounded up: what the caps count
  PlanWhy why = PlanWhy::Partial;
};

enum class PlanAction : uint8_t { None, ExitMode, CancelOrders, Orders, Wait };

struct Plan {
  PlanAction action = PlanAction::None;
  PlanWhy why = PlanWhy::Healthy;   // for None / ExitMode / CancelOrders / Wait
  bool entered_mode = false;
  Quote equity;
  Quote mm;
  uint8_t n_orders = 0;
  std::array<LiqOrder, kMaxPlanOrders> orders{};
};

struct InFlightOrder {
  bool active = false;
  uint32_t market = 0;
  OrderKind kind = OrderKind::Ioc;
  Qty qty;
  Price limit;
  Quote notional;
  TimeMs sent_ms = 0;
};

// Back-off after empty IOC fills in one market; streak 0 = a free slot.
struct NoFillBackoff {
  uint32_t market = 0;
  uint32_t streak = 0;   // consecutive IOCs that filled nothing
  TimeMs until = 0;      // no new IOC in this market before this
};
inline constexpr int kNoFillSlots = 4;  // markets an account backs off in at once (oldest slot reused)

// Per-account liquidation state, kept by the caller next to the account.
struct AccountLiqState {
  bool in_mode = false;
  TimeMs last_chunk_ms = INT64_MIN / 2;
  uint64_t no_liquidity_mask = 0;     // bit m: the last IOC in market m filled nothing
  uint64_t backstop_refused_mask = 0; // bit m: the vault could not take all of it
  std::array<InFlightOrder, kMaxInFlight> in_flight{};
  std::array<NoFillBackoff, kNoFillSlots> no_fill{};
  // Orders that ended with fills the account stream has not shown yet (the caller's
  // bookkeeping, CoreStage): until the unit's position in that market differs from
  // its size when the order was sent, or `until_ms` passes, the position the caller
  // plans with still holds what was sold, so no new order goes to that market.
  struct FillConfirm {
    bool used = false;
    uint32_t market = 0;
    int64_t size_at_send = 0;
    TimeMs until_ms = 0;
  };
  std::array<FillConfirm, kMaxInFlight> awaiting{};
  // Shortfalls below bankruptcy already settled for this unit (paid by the fund or
  // left as bad debt) while it is being closed. The venue books fills only, so its
  // collateral still carries them; the caller adds this to the collateral it plans
  // with, or the next chunk's bankruptcy price would charge the same loss again.
  Quote settled_shortfall{0};
};

struct AccountView {
  uint64_t id = 0;
  Quote collateral;
  std::span<const Position> positions;  // the cross part; present an isolated position as its own view
  uint32_t resting_orders = 0;
};

struct MarketsView {
  std::span<const MarketRisk> risk;
  std::span<const Price> marks;
  std::span<const BreakerEffects> effects;
};

class Planner {
 public:
  // `backstop` may be null (no vault configured).
  Planner(const PlannerConfig& cfg, std::span<const MarketLiqConfig> markets, const BackstopConfig* backstop);

  // What to do for this account now. Updates st.in_mode (enter / leave).
  Plan plan(const AccountView& a, AccountLiqState& st, const MarketsView& mv, TimeMs now) const;

  // Re-plan just before dispatch: the order still wanted, clipped to the new plan
  // (qty = min, limit = the new one); false when it is no longer wanted.
  bool revalidate(LiqOrder& o, const AccountView& a, AccountLiqState& st, const MarketsView& mv,
                  TimeMs now) const;

  // The order left for the venue: in flight, capacity and cooldown consumed.
  void on_dispatched(AccountLiqState& st, const LiqOrder& o, TimeMs now);
  // It ended (filled, partly filled, cancelled, timed out): `filled` ≤ qty sent.
  void on_order_end(AccountLiqState& st, uint32_t market, Qty filled, TimeMs now);
  // The same for the order of that kind (a split has an IOC and a transfer in one market).
  void on_order_end(AccountLiqState& st, uint32_t market, OrderKind kind, Qty filled, TimeMs now);

  int64_t market_window_used(uint32_t market, TimeMs now) const { return window_[market].total(now); }
  int64_t global_minute_used(TimeMs now) const { return global_.total(now); }

 private:
  PlannerConfig cfg_;
  std::vector<MarketLiqConfig> mcfg_;
  std::vector<SlidingSum> window_;  // per market, size
  SlidingSum global_{60'000};       // notional, quote units
  const BackstopConfig* backstop_ = nullptr;
  void end_order(AccountLiqState& st, uint32_t market, const OrderKind* kind, Qty filled, TimeMs now);
};

}  // namespace liqd::policy
