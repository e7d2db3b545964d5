#pragma once
// The backstop vault's desk and the journal (issue 7: a restart loses no hedge).
//
// Writing: VaultJournal is the desk's HedgeJournal on the executor thread. A
// round's orders become HedgeOrder records and are committed (one group commit,
// fsynced per the journal's policy) before the desk sends any of them; each
// venue update of a hedge becomes a HedgeUpdate record, committed by the stage
// at the end of the turn, like the own venue's updates.
//
// Reading back: restore_vault() puts what recovery found (RecoveredVault) into a
// new desk before its first turn: every fill of a transfer into this vault and
// every hedge fill, in journal order, into the books (so inventory, entry,
// realised PnL and the hedge venues' collateral are what they were); each hedge
// that had not ended into its venue's tracker as unknown, with the fills the
// journal holds (queried before that venue takes anything new, and counted as in
// flight, so the exposure it covers is not hedged twice); and each market's last
// round, so new hedge ids do not repeat old ones.
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/journal/journal.hpp"
#include "daemon/service/recovered.hpp"
#include "executors/vault/vault_desk.hpp"

namespace liqd::service {

class VaultJournal final : public exec::vault::HedgeJournal {
 public:
  // `symbols`: market index -> liqd's symbol. `records`, `errors`: the stage's
  // counters. `now_ms`: the stage's clock (the commit's fsync interval).
  VaultJournal(journal::Writer& w, const exec::vault::VaultDesk& desk, std::vector<std::string> symbols,
               uint64_t& records, uint64_t& errors, const int64_t& now_ms)
      : w_(w), desk_(desk), symbols_(std::move(symbols)), records_(records), errors_(errors), now_ms_(now_ms) {}

  bool hedges_placed(std::span<const exec::vault::HedgeNote> round) override;
  void hedge_update(uint32_t hedge, const exec::VenueUpdate& u) override;
  // Updates appended since the last call (the stage commits them).
  uint32_t take_pending() {
    const uint32_t n = pending_;
    pending_ = 0;
    return n;
  }

 private:
  const std::string& venue_of(uint32_t hedge) const;
  const std::string& market_of(uint32_t hedge) const;
  journal::Writer& w_;
  const exec::vault::VaultDesk& desk_;
  std::vector<std::string> symbols_;
  uint64_t& records_;
  uint64_t& errors_;
  const int64_t& now_ms_;
  uint32_t pending_ = 0;
};

struct VaultRestoreStats {
  uint64_t transfer_fills = 0, hedge_fills = 0, open_hedges = 0;
  uint64_t skipped = 0;   // fills or hedges of a venue or market no longer configured, or refused by the books
};

// Before the desk's first turn. `now_ms`: the executor's clock.
VaultRestoreStats restore_vault(exec::vault::VaultDesk& desk, const RecoveredVault& rv, int64_t now_ms);

}  // namespace liqd::service
