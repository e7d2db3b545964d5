#pragma once
// The executor thread of `liqd --config F`: the only thread that writes the
// journal and talks to the venue's order entry. Per turn it takes the core's
// commands, journals them (one group commit per batch), and only then sends the
// orders: an order is never on the wire before its decision is durable, so a
// crash can never have sent something the restarted process does not know.
// Venue updates go through one OrderTracker per market (fills counted once by
// fill id, timeouts, reconcile after reconnect); every update is journaled and
// each fill and each order end goes back to the core.
//
// After a restart, orders the journal shows as sent but not ended are handed to
// the trackers as "unknown": they are queried when the venue connection is up,
// and nothing new is sent on that market until each is answered. The vault's
// desk gets its books and hedges in flight back the same way (vault_journal.hpp).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/ring/spsc_ring.hpp"
#include "daemon/journal/journal.hpp"
#include "daemon/metrics/histogram.hpp"
#include "daemon/service/messages.hpp"
#include "daemon/service/recovered.hpp"
#include "daemon/service/snapshot.hpp"
#include "daemon/service/vault_journal.hpp"
#include "executors/adapters/binance/rest_adapter.hpp"
#include "executors/adapters/venue_adapter.hpp"
#include "executors/orders/order_tracker.hpp"
#include "executors/vault/book_hedge_venue.hpp"
#include "executors/vault/hedge_depth.hpp"
#include "executors/vault/vault_desk.hpp"

namespace liqd::service {

struct ExecMarket {
  std::string symbol;        // liqd's market symbol (journal, explain)
  std::string venue_symbol;  // the own venue's instrument name (order entry)
  int price_dp = 0, qty_dp = 0, quote_dp = 0;
};

// A hedge venue with order entry (a market file's venues[i].order_entry): the
// executor builds its adapter and gives it to the vault's desk.
struct HedgeEntry {
  uint32_t hedge = 0;              // index into ExecutorConfig::vault.hedges (and the depth board)
  std::string venue;               // the venue's name in the market file (logs)
  exec::BinanceRestConfig rest;    // host, port, symbol, scale, recv window, timeout (clock: set by the stage)
  std::string api_key_file, secret_file;
  exec::Secret api_key, secret;    // read by load_hedge_keys() before the stage is built
};

struct ExecutorConfig {
  std::vector<ExecMarket> markets;
  std::string venue_host;
  uint16_t venue_port = 0;
  journal::Options journal;
  uint64_t next_journal_seq = 1;
  exec::TrackerConfig tracker = [] {
    exec::TrackerConfig t;
    t.capacity = 16384;
    return t;
  }();
  int64_t keep_ended_ms = 5'000;      // ended orders stay in the tracker this long (late fills)
  std::vector<RecoveredOrder> recovered;
  std::vector<OrderOutcome> unsettled;   // journaled fills to settle again (RecoveredState::unsettled_fills)
  RecoveredVault recovered_vault;        // the vault's fills and hedges in flight (RecoveredState::vault)
  int64_t reconnect_ms = 200;
  int64_t snapshot_every_records = 0;  // 0: no periodic snapshots
  // The venue connection per market (tests: an in-process venue). Empty: the
  // venue's order entry, Protobuf over TCP to venue_host:venue_port.
  std::function<std::unique_ptr<exec::VenueAdapter>(uint32_t market)> make_venue;
  // The backstop vault's books and hedges (vault_account 0: no vault, no desk).
  // Every fill of a transfer to vault_account is booked there once; hedge venues
  // whose `venue` is set are hedged on (the daemon declares them unconnected:
  // executors/README.md says what is wired).
  exec::vault::DeskConfig vault;
  // Hedge venues with order entry, and the board their depth arrives on (written
  // by the feed threads, daemon/service/depth_tap.hpp). No board: the venues
  // have no depth and are never hedged on.
  std::vector<HedgeEntry> hedges;
  const exec::vault::DepthBoard* hedge_depth = nullptr;
  // Tests: the hedge venue's adapter (empty: BinanceRestAdapter from `rest`).
  std::function<std::unique_ptr<exec::VenueAdapter>(HedgeEntry&)> make_hedge_adapter;
};

// Reads every hedge venue's key and secret (mode 0600, never logged). Returns ""
// or an error naming the file and the reason.
std::string load_hedge_keys(ExecutorConfig& cfg);

class ExecutorStage {
 public:
  ExecutorStage(ExecutorConfig cfg, SpscRing<ExecCommand>& commands, SpscRing<OrderOutcome>& outcomes,
                Snapshots& snaps, metrics::LatencyHistogram* tick_to_decision);
  ~ExecutorStage();

  // Opens the journal; returns an error string (empty on success).
  std::string open();
  // The same on the caller's clock (tests that drive turn(now_ms) with their own).
  std::string open(int64_t now_ms);
  // Thread body: returns once `stop` is set, the command ring is empty and every
  // open order ended or `drain_timeout_ms` passed since stop (then open orders
  // are cancelled and the journal is flushed).
  void run(const std::atomic<bool>& stop, int64_t drain_timeout_ms);
  // One turn (tests): returns the work done.
  uint32_t turn(int64_t now_ms);
  uint32_t open_orders() const;
  const ExecStats& stats() const { return stats_; }
  const exec::vault::VaultDesk* vault_desk() const { return desk_.get(); }
  uint32_t open_hedges() const { return desk_ ? desk_->open_hedges() : 0; }

 private:
  struct Venue;
  struct Output;
  void on_command(const ExecCommand& c);
  void journal_note(const ExecCommand& c);
  void journal_unit(const ExecCommand& c);
  void send_order(const ExecCommand& c);
  void refuse(const ExecCommand& c);
  void on_tracker_fill(uint32_t m, const exec::FillReport& f);
  void check_ended(uint32_t m, const exec::ClientOrderId& id);
  void push_outcome(const OrderOutcome& o);
  void publish();
  void publish_vault();
  void seed_vault_collateral();

  ExecutorConfig cfg_;
  SpscRing<ExecCommand>& commands_;
  SpscRing<OrderOutcome>& outcomes_;
  Snapshots& snaps_;
  metrics::LatencyHistogram* latency_;
  journal::Writer journal_;
  std::vector<std::unique_ptr<Venue>> venues_;   // one per market
  std::vector<ExecCommand> to_send_;             // orders of this turn, sent after the commit
  std::vector<OrderOutcome> held_outcomes_;      // outcome ring full: retried
  std::vector<std::string> symbols_;             // market index -> liqd symbol (unit records)
  ExecStats stats_{};
  int64_t now_ms_ = 0;
  std::vector<std::unique_ptr<exec::vault::BookHedgeVenue>> hedge_venues_;  // before desk_: it points at them
  std::unique_ptr<exec::vault::VaultDesk> desk_;  // null without a vault
  std::unique_ptr<VaultJournal> vault_log_;       // the desk's hedges into journal_ (after desk_: it points at it)
  CoreStats core_view_{};                         // the core's marks, read for the vault's figures
  VaultSnapshot vault_snap_{};                    // built here, then stored whole
  int64_t next_vault_publish_ms_ = 0;
  bool vault_collateral_seeded_ = false;
};

}  // namespace liqd::service
