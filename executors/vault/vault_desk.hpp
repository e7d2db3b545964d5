#pragma once
// The backstop vault's desk on the executor thread: its books (VaultBook) and
// the hedges of what it takes over (issue 7).
//
// A liquidation transferred to the vault leaves the vault with the position: a
// liquidated long becomes a vault long. The desk books every transfer fill once
// (the caller hands it the fills its OrderTracker counted) and then hedges on
// the external venues declared for that market: the same side as the
// liquidation (the vault received a long, so it sells), routed by the Router
// across the hedge venues' depth, one IOC child per venue, each order followed
// to its end by an OrderTracker per venue. Hedge fills go into the books on the
// hedge venue's contract, so inventory, collateral, PnL and basis are per
// (venue, market) and per (venue, asset).
//
// What is hedged is the market's net exposure, not each transfer: own-contract
// position + every hedge contract's position + hedge quantity still in flight,
// converted into the own contract at the marks, toward zero (never over-hedge).
// A partial or empty hedge therefore needs no reroute: the next pass sees what
// is left. One hedge round per market at a time; after a round that filled
// nothing the market waits `retry_ms`, so a venue without liquidity is not
// hammered.
//
// Units: the router works in the market's scale (hedge venues' lot, min, max
// and depth in the market's price and quantity units, as config/ declares
// them); an order leaves in the hedge venue's contracts (convert_contracts,
// toward zero; whole contracts on a contract-counted venue, i.e. inverse or a
// multiplier other than 1), at the child's limit price.
//
// Client order ids: make_client_order_id(OrderKey{vault account, market,
// liquidation seq of the transfer that opened the round, 0x8000 | round}): the
// high bit keeps them apart from liquidation chunks, and a new transfer (a new
// liquidation seq, which the core never reuses) starts fresh ids.
//
// Write-ahead (HedgeJournal): a round's orders are handed to the journal, all of
// them, before any is sent, and none is sent unless the journal says they are
// durable; every venue update of a hedge is handed over before the tracker
// applies it, except a fill the tracker counted before. After a restart the
// restore_*() calls put back what the journal holds: the books (transfer and
// hedge fills, in journal order), the hedges still in flight (into their
// venue's tracker as unknown: queried, nothing new sent there until each is
// answered, and counted in flight, so the exposure they cover is not hedged
// twice) and each market's round counter (ids never repeat).
//
// Single-threaded. Setup allocates; transfer fills, hedge rounds, venue updates
// and the figures do not (fixed tables sized at construction, the Router's
// scratch likewise). No double anywhere.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "executors/adapters/venue_adapter.hpp"
#include "executors/orders/order_tracker.hpp"
#include "executors/router/router.hpp"
#include "executors/vault/vault_book.hpp"

namespace liqd::exec::vault {

// An external venue as the desk drives it: its order entry and the depth a
// hedge would take there (levels in the market's units, best first).
class HedgeVenue {
 public:
  virtual ~HedgeVenue() = default;
  virtual VenueAdapter& adapter() = 0;
  virtual std::span<const Level> depth(Side side) const = 0;
};

// One order of a hedge round, as the journal records it.
struct HedgeNote {
  uint32_t hedge = 0;              // index into DeskConfig::hedges
  const OrderRequest* req = nullptr;
  uint32_t liquidation_seq = 0;    // the round's: OrderKey::seq
  uint16_t round = 0;              // 0x7fff & OrderKey::chunk
};

// The journal the desk writes ahead of the wire (the executor stage's).
class HedgeJournal {
 public:
  virtual ~HedgeJournal() = default;
  // Every order of one round before any is sent; false: not durable, none is sent.
  virtual bool hedges_placed(std::span<const HedgeNote> round) = 0;
  // A venue update of a hedge order of `hedge` (not a fill counted before).
  virtual void hedge_update(uint32_t hedge, const VenueUpdate& u) = 0;
};

struct DeskMarket {
  ContractSpec own;        // the contract transfers land in (this venue's market)
};

struct DeskHedge {
  uint32_t market = 0;     // index into DeskConfig::markets
  ContractSpec contract;   // kind, multiplier, decimals (price_dp must be the market's)
  VenueInput params;       // taker fee, lot, min, max in the market's units (levels: depth())
  HedgeVenue* venue = nullptr;  // not owned; nullptr: declared but not connected (books, metrics only)
};

struct DeskConfig {
  uint64_t vault_account = 0;        // OrderKey::account of hedge orders
  std::vector<DeskMarket> markets;
  std::vector<DeskHedge> hedges;
  Ratio max_slippage{1'000'000};     // hedge limit: reference price -/+ 1 % (sell/buy)
  int64_t retry_ms = 1'000;          // after a round that filled nothing
  TrackerConfig tracker;             // per hedge venue
  uint32_t max_open = 256;           // hedge orders in flight, all venues
};

enum class HedgeOutcome : uint8_t { Sent, Filled, Partial, NoFill, Refused };
inline constexpr int kHedgeOutcomes = 5;
const char* to_string(HedgeOutcome o);  // "sent", "filled", "partial", "no_fill", "refused"

class VaultDesk {
 public:
  explicit VaultDesk(DeskConfig cfg);
  ~VaultDesk();
  VaultDesk(const VaultDesk&) = delete;
  VaultDesk& operator=(const VaultDesk&) = delete;

  // A transfer fill into the vault on market m, as the vault sees it (the
  // liquidated account sold: the vault bought). Booked at once; the hedge is
  // placed by the next turn().
  VaultError on_transfer_fill(uint32_t m, Side vault_side, Qty qty, Price px, uint32_t liquidation_seq);
  // The market's mark (from the core); hedge venues without a price of their
  // own are marked at it too.
  void set_mark(uint32_t m, Price mark);
  // Sets the vault's collateral on the own venue of market m (start of day).
  void set_own_collateral(uint32_t m, i128 amount);

  // Where hedge orders and updates are journaled (not owned; nullptr: nowhere,
  // e.g. tools and tests without a journal).
  void set_journal(HedgeJournal* j) { journal_ = j; }

  // Restart, before the first turn(), in journal order. A transfer fill as
  // on_transfer_fill(); a hedge fill booked on hedge venue h's contract.
  VaultError restore_transfer_fill(uint32_t m, Side vault_side, Qty qty, Price px, uint32_t liquidation_seq);
  VaultError restore_hedge_fill(uint32_t h, Side side, Qty qty, Price px, i128 fee);
  // A hedge the journal shows sent and not ended, with the fills it holds for it
  // (already restored into the books) and their quote sum (qty x price): into h's
  // tracker without sending anything. False: h has no order entry, or its
  // tracker cannot take it. After the last one, finish_restore() marks every
  // restored hedge unknown (queried before that venue takes anything new).
  bool restore_open_hedge(uint32_t h, const OrderRequest& r, std::span<const uint64_t> fill_ids, Qty filled,
                          i128 filled_quote, int64_t now_ms);
  void finish_restore();
  // The last round journaled for market m: the next round of that liquidation
  // seq gets a new id.
  void restore_round(uint32_t m, uint32_t liquidation_seq, uint16_t round);
  // The hedge venue of (venue name, market), -1 if none.
  int find_hedge(const std::string& venue, uint32_t m) const;
  uint64_t restored_transfer_fills() const { return restored_transfers_; }

  // Polls the hedge venues, runs their timers, ends finished hedges and places
  // a round where exposure is left. Returns the work done.
  int turn(int64_t now_ms);

  const VaultBook& book() const { return book_; }
  const DeskConfig& config() const { return cfg_; }
  int own_contract(uint32_t m) const { return own_[m]; }
  int hedge_contract(std::size_t h) const;
  uint64_t hedge_orders(std::size_t h, HedgeOutcome o) const;
  // Exposure of market m not hedged nor in flight, in own-contract units (signed).
  Qty unhedged(uint32_t m) const;
  uint32_t open_hedges() const { return static_cast<uint32_t>(open_.size()); }
  uint64_t transfer_fills() const { return transfer_fills_; }
  uint64_t errors() const { return errors_; }  // fills the books refused, conversions that overflowed

 private:
  struct Venue;
  struct Open {
    ClientOrderId id;
    uint32_t hedge = 0;
    Side side = Side::Sell;
    int64_t qty = 0;       // hedge contract units
    int64_t filled = 0;
  };
  void on_hedge_fill(uint32_t h, const FillReport& f);
  void end_finished();
  void hedge_market(uint32_t m, int64_t now_ms);
  // What market m's hedge contracts hold plus their open orders, in own units.
  bool hedged_in_own_units(uint32_t m, i128& out) const;
  bool round_open(uint32_t m) const;

  DeskConfig cfg_;
  VaultBook book_;
  Router router_;
  std::vector<int> own_;                     // market -> own contract index
  std::vector<std::unique_ptr<Venue>> hedge_;
  std::vector<Open> open_;                   // reserved to max_open
  struct MarketState {
    uint32_t seq = 0;       // liquidation seq of the last transfer (ids of the next round)
    uint16_t round = 0;     // rounds placed for that seq
    int64_t retry_at = 0;
    bool dirty = false;     // exposure may have changed: look at it next turn
    Price last_px{0};       // last transfer price (the limit's reference before a mark is known)
    uint32_t round_filled_orders = 0;  // of the round in flight: orders that filled something
  };
  std::vector<MarketState> mkt_;
  uint64_t transfer_fills_ = 0, errors_ = 0, restored_transfers_ = 0;
  HedgeJournal* journal_ = nullptr;
};

}  // namespace liqd::exec::vault
