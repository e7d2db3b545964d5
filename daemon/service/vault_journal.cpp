#include "daemon/service/vault_journal.hpp"

#include <spdlog/spdlog.h>

#include "daemon/service/clock.hpp"
#include "daemon/service/journal_text.hpp"

namespace liqd::service {

const std::string& VaultJournal::venue_of(uint32_t hedge) const {
  return desk_.book().spec(desk_.hedge_contract(hedge)).venue;
}

const std::string& VaultJournal::market_of(uint32_t hedge) const {
  static const std::string kNone;
  const uint32_t m = desk_.config().hedges[hedge].market;
  return m < symbols_.size() ? symbols_[m] : kNone;
}

bool VaultJournal::hedges_placed(std::span<const exec::vault::HedgeNote> round) {
  const int64_t ts = wall_ms();
  for (const exec::vault::HedgeNote& n : round) {
    proto::JournalRecord rec;
    rec.set_ts_ms(static_cast<uint64_t>(ts));
    proto::HedgeOrder* h = rec.mutable_hedge_order();
    h->set_venue(venue_of(n.hedge));
    h->set_market(market_of(n.hedge));
    h->set_client_order_id(std::string(n.req->id.view()));
    h->set_buy(n.req->side == exec::Side::Buy);
    h->set_qty(n.req->qty.v);
    h->set_limit_price(n.req->limit.v);
    h->set_liquidation_seq(n.liquidation_seq);
    h->set_round(n.round);
    w_.append(rec);
    ++records_;
  }
  pending_ = 0;   // this commit carries the updates appended before it
  if (w_.commit(static_cast<uint64_t>(now_ms_))) return true;
  ++errors_;
  spdlog::error("journal: {}; hedge orders of this round are not sent", w_.error());
  return false;
}

void VaultJournal::hedge_update(uint32_t hedge, const exec::VenueUpdate& u) {
  proto::JournalRecord rec;
  rec.set_ts_ms(static_cast<uint64_t>(u.ts_ms));
  proto::HedgeUpdate* hu = rec.mutable_hedge_update();
  hu->set_venue(venue_of(hedge));
  hu->set_market(market_of(hedge));
  fill_order_update(*hu->mutable_update(), u);
  w_.append(rec);
  ++records_;
  ++pending_;
}

VaultRestoreStats restore_vault(exec::vault::VaultDesk& desk, const RecoveredVault& rv, int64_t now_ms) {
  VaultRestoreStats s;
  const uint64_t vault = desk.config().vault_account;
  for (const RecoveredVaultFill& f : rv.fills) {
    const exec::Side side = f.buy ? exec::Side::Buy : exec::Side::Sell;
    if (!f.hedge) {
      if (f.transfer_to != vault) continue;   // an account that is not this vault (ADL is not journaled here)
      if (desk.restore_transfer_fill(f.market, side, Qty(f.qty), Price(f.price), f.liquidation_seq) == exec::vault::VaultError::Ok)
        ++s.transfer_fills;
      else
        ++s.skipped;
      continue;
    }
    const int h = desk.find_hedge(f.venue, f.market);
    if (h >= 0 && desk.restore_hedge_fill(static_cast<uint32_t>(h), side, Qty(f.qty), Price(f.price), f.fee) ==
                      exec::vault::VaultError::Ok)
      ++s.hedge_fills;
    else
      ++s.skipped;
  }
  for (const RecoveredRound& r : rv.rounds) desk.restore_round(r.market, r.liquidation_seq, r.round);
  for (const RecoveredHedge& o : rv.open_hedges) {
    const int h = desk.find_hedge(o.venue, o.market);
    exec::OrderRequest r;
    if (h < 0 || !exec::parse_client_order_id(o.client_order_id, r.key)) {
      ++s.skipped;
      spdlog::error("recovery: hedge {} on {} cannot be followed (venue or market no longer configured)", o.client_order_id, o.venue);
      continue;
    }
    r.id = exec::make_client_order_id(r.key);
    r.side = o.buy ? exec::Side::Buy : exec::Side::Sell;
    r.qty = Qty(o.qty);
    r.limit = Price(o.limit);
    r.reduce_only = false;
    r.ioc = true;
    if (!desk.restore_open_hedge(static_cast<uint32_t>(h), r, o.fill_ids, Qty(o.filled), o.filled_quote, now_ms)) {
      ++s.skipped;
      spdlog::error("recovery: hedge {} on {} could not be put back into its tracker", o.client_order_id, o.venue);
      continue;
    }
    ++s.open_hedges;
  }
  desk.finish_restore();
  return s;
}

}  // namespace liqd::service
