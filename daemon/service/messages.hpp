#pragma once
// What the service's threads say to each other. Every record is small and
// trivially copyable and travels through one bounded SPSC ring (core/ring), one
// ring per (producer, consumer) pair:
//
//   feed thread k ──PriceInput──────> core      core ──ExecCommand──> executor
//   account thread ─AccountInput────> core      executor ─OrderOutcome─> core
//   HTTP thread ───AdminRequest────> core      core ──AdminReply───> HTTP thread
//
// The core is the only writer of account, market and fund state; everything
// the HTTP thread shows comes from AdminReply or from the snapshots in
// snapshot.hpp. Times: *_ms fields are event time (the venue's clock, Unix ms),
// never this machine's clock, except where a field says "wall".
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "core/money/fixed.hpp"
#include "core/policy/breaker/circuit_breaker.hpp"
#include "core/policy/oracle/index_oracle.hpp"
#include "core/policy/oracle/mark_price.hpp"
#include "feeds/account/account_feed.hpp"

namespace liqd::service {

inline constexpr std::size_t kMaxMarkets = 16;         // markets one service instance runs
inline constexpr std::size_t kMaxReplyPositions = 16;  // positions shown per account lookup
inline constexpr std::size_t kCallerLen = 48;

// ---- feed thread -> core --------------------------------------------------

enum class PriceKind : uint8_t {
  Oracle,   // one of the market's configured oracle sources (`source` = its index in the market file)
  BookMid,  // mid of the market's reference book (Binance depth), for the mark and the breaker
  Trade,    // last trade price
  // BookMid: price = best bid, conf = best ask (MarkPrice takes both)
  BookGone, // the reference book was dropped (resync): no mid until it is back
};

struct PriceInput {
  uint32_t market = 0;      // index in config::Config::markets
  uint8_t source = 0;
  PriceKind kind = PriceKind::Oracle;
  int64_t price = 0;        // market price units (converted exactly by the feed thread)
  int64_t conf = 0;         // confidence, price units (Pyth), 0 if none
  int64_t publish_ms = 0;   // the source's own time; 0 when it sends none (Hyperliquid allMids):
                            // the core then uses its current event time (never this machine's clock,
                            // which would run ahead of a replayed venue's)
  int64_t recv_wall_ns = 0; // wall clock at receipt (tick-to-decision latency only)
};

// ---- account thread -> core -----------------------------------------------

enum class AccountInputKind : uint8_t { Update, InSync, Resync };

struct AccountInput {
  AccountInputKind kind = AccountInputKind::Update;
  feeds::AccountUpdate u;   // Update; InSync/Resync carry u.seq only
  int64_t recv_wall_ns = 0;
};

// ---- core -> executor -----------------------------------------------------

enum class ExecKind : uint8_t {
  NewOrder,     // send a liquidation order (journal the decision and the order first)
  CancelMarket, // cancel every open order of a market (breaker STALE, pause)
  Journal,      // a record that only goes to the journal (fund movement, breaker change, admin action)
};

enum class NoteKind : uint8_t { Fund, Breaker, Admin, Config, Backstop, Uncovered, Margin, Unit, Settlement, PriceMemory };

// A liquidation unit's planner state as the journal keeps it (LiquidationUnit in
// proto/journal.proto): what a restarted core needs to plan that unit as this
// process would have. Masks are by market index; the executor writes names.
struct UnitWire {
  struct NoFill {
    uint32_t market = 0;
    uint32_t streak = 0;     // 0: a free slot
    int64_t until_ms = 0;
    bool operator==(const NoFill&) const = default;
  };
  bool in_mode = false;
  int64_t last_chunk_ms = 0;
  uint64_t no_liquidity_mask = 0;
  uint64_t backstop_refused_mask = 0;
  std::array<NoFill, 4> no_fill{};
  int64_t settled_shortfall = 0;
  bool operator==(const UnitWire&) const = default;
};

// A market's price memory (PriceMemory in proto/journal.proto).
struct PriceMemoryWire {
  policy::IndexOracle::Memory oracle{};
  policy::MarkPrice::Memory mark{};
  policy::CircuitBreaker::Memory breaker{};
  policy::CircuitBreaker::SlotMemory slot{};
  int64_t book_mid = 0;
};

// The own-book / transfer-and-hedge split behind a NewOrder (daemon/service/core_split.hpp):
// SplitPlanner's figures for the chunk, carried by both orders it gave.
struct SplitWire {
  bool used = false;
  int64_t order_qty = 0;        // the chunk the planner sized (lot units)
  int64_t own_qty = 0;          // closed on the own book (the IOC)
  int64_t transfer_qty = 0;     // transferred to the vault (the transfer)
  int64_t transfer_price = 0;   // price units, inside the fillable bound
  int64_t bound = 0;            // price units: that bound (the IOC's limit; the transfer's own limit is transfer_price)
  int64_t unfilled = 0;         // nothing could take it inside the bound now
  int64_t own_only_filled = 0;  // the own book alone would have closed this much
  i128 objective = 0;           // signed cost, 10^-(price_dp+qty_dp+8) (exec::SplitPlan)
  i128 own_only_objective = 0;  // ... of the own book alone
  i128 vault_charge = 0;        // the vault's charge on the hedge, same units
  bool exact = false;
};

// One decision: everything the journal and `liqd explain` need to say why.
struct ExecCommand {
  ExecKind kind = ExecKind::NewOrder;
  NoteKind note = NoteKind::Fund;
  uint32_t market = 0;
  uint64_t account = 0;       // the venue's account id
  uint32_t liquidation_seq = 0;
  uint16_t chunk = 0;
  bool close_long = true;
  bool reduce_only = true;
  bool ioc = true;
  uint8_t why = 0;            // policy::PlanWhy (orders), BreakerReason, ...
  int64_t qty = 0;            // lot units, > 0
  int64_t limit = 0;          // price units
  int64_t bankruptcy = 0;
  int64_t mark = 0;
  int64_t equity = 0;         // quote units, at decision time
  int64_t mm = 0;
  int64_t delta = 0;          // Fund: signed change; Breaker: from<<8 | to
  int64_t balance_after = 0;  // Fund
  int64_t ts_ms = 0;          // event time of the decision
  int64_t recv_wall_ns = 0;   // wall time the deciding input arrived (latency)
  uint64_t transfer_to = 0;   // NewOrder: a transfer to this venue account at `limit`; 0 = an order on the book
  bool deleverage = false;    // ... to an auto-deleveraged counterparty (else to the backstop vault)
  int64_t fee_rate = 0;       // NewOrder: the market's liquidation fee (Ratio units), charged by the venue
  bool isolated = false;      // NewOrder, Unit: the unit is the isolated position in `market`
  int64_t window_notional = 0; // NewOrder: quote units the planner's rate windows counted (0: none)
  // NewOrder, Fund, Uncovered, Unit: the unit's state after this decision, journaled
  // with it in one group commit (NoteKind::Unit: nothing else is written).
  bool has_unit = false;
  UnitWire unit{};
  // Settlement: everything one venue fill did to the fund, in one command so that
  // its records share one group commit (a restart sees all of them or none):
  // the fee (delta, balance_after), the shortfall paid (paid < 0 is never used:
  // paid >= 0, the fund's balance after it in paid_balance_after) and what was
  // left uncovered; qty and bankruptcy are the fill's. fill_id, liquidation_seq
  // and chunk name the fill.
  uint64_t fill_id = 0;
  int64_t paid = 0;
  int64_t paid_balance_after = 0;
  int64_t uncovered = 0;
  PriceMemoryWire memory{};   // PriceMemory
  SplitWire split{};          // NewOrder: the split that gave it (used = false: none)
  std::array<char, kCallerLen> text{};  // Admin: caller; Fund: reason; Config: summary (truncated)

  void set_text(std::string_view s) {
    const std::size_t n = s.size() < text.size() - 1 ? s.size() : text.size() - 1;
    std::memcpy(text.data(), s.data(), n);
    text[n] = 0;
  }
  std::string_view text_view() const { return {text.data(), ::strnlen(text.data(), text.size())}; }
};

// ---- executor -> core -----------------------------------------------------

enum class OutcomeKind : uint8_t {
  Fill,      // one venue fill (exactly once per fill id)
  Ended,     // the order is terminal: `qty` = total filled
  Refused,   // never sent (tracker full, blocked while reconciling, bad order)
};

struct OrderOutcome {
  OutcomeKind kind = OutcomeKind::Fill;
  bool close_long = true;
  uint32_t market = 0;
  uint64_t account = 0;
  uint32_t liquidation_seq = 0;
  uint16_t chunk = 0;
  uint64_t fill_id = 0;
  int64_t qty = 0;          // lot units (Fill: this fill; Ended: total filled)
  int64_t price = 0;        // price units (Fill)
  int64_t fee = 0;          // quote units the venue charged for the fill (Fill)
  int64_t bankruptcy = 0;   // of the order's decision: the core settles a fill of an order it
                            // no longer knows (sent before a restart) with it
  int64_t ts_ms = 0;
};

// An outcome about the order `c` decided: its identity and the figures the core
// settles it with. The caller adds the fill (fill_id, qty, price, fee) or the total.
inline OrderOutcome outcome_of(const ExecCommand& c, OutcomeKind kind) {
  OrderOutcome o;
  o.kind = kind;
  o.close_long = c.close_long;
  o.market = c.market;
  o.account = c.account;
  o.liquidation_seq = c.liquidation_seq;
  o.chunk = c.chunk;
  o.bankruptcy = c.bankruptcy;
  o.ts_ms = c.ts_ms;
  return o;
}

// ---- HTTP thread <-> core -------------------------------------------------

enum class AdminOp : uint8_t {
  Account,      // GET /v1/accounts/{id}
  Pause,        // POST /v1/markets/{symbol}/pause
  Resume,       // POST /v1/markets/{symbol}/resume
  PauseAll,     // POST /v1/pause-all
  ResumeAll,    // POST /v1/resume-all
  DryRunRisk,   // reload preview: how many accounts a new market risk would flag (risk in AdminRequest::risk)
};

struct AdminRequest {
  uint64_t id = 0;          // echoed in the reply
  AdminOp op = AdminOp::Account;
  uint32_t market = 0;
  uint64_t account = 0;
  int64_t wall_ms = 0;      // when the caller asked (journaled with the action)
  const void* risk = nullptr;  // DryRunRisk: const MarketRisk*, alive until the reply
  std::array<char, kCallerLen> caller{};
};

enum class AdminStatus : uint8_t { Ok, NotFound, BadMarket, Busy };

struct ReplyPosition {
  uint32_t market = 0;
  bool isolated = false;
  int64_t size = 0;             // lot units, signed
  int64_t entry = 0;            // price units
  int64_t liquidation_price = 0;  // price units; 0 when none (no price liquidates it)
  int64_t mm = 0;               // quote units
  uint8_t adl_quantile = 0;     // 1 (last in line) .. 5 (first in line); 0 when not profitable
};

struct AdminReply {
  uint64_t id = 0;
  AdminStatus status = AdminStatus::Ok;
  // Account
  int64_t collateral = 0, equity = 0, mm = 0, im = 0;   // quote units, cross unit
  bool liquidatable = false;
  bool in_liquidation = false;
  uint8_t n_positions = 0;
  std::array<ReplyPosition, kMaxReplyPositions> positions{};
  // DryRunRisk
  uint64_t would_flag = 0;       // accounts liquidatable under the new risk and not now
  std::array<uint64_t, 32> sample{};  // the first of them (venue ids)
  uint8_t n_sample = 0;
};

static_assert(std::is_trivially_copyable_v<PriceInput>);
static_assert(std::is_trivially_copyable_v<AccountInput>);
static_assert(std::is_trivially_copyable_v<ExecCommand>);
static_assert(std::is_trivially_copyable_v<OrderOutcome>);
static_assert(std::is_trivially_copyable_v<AdminRequest>);
static_assert(std::is_trivially_copyable_v<AdminReply>);

}  // namespace liqd::service
