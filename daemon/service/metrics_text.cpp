#include "daemon/service/metrics_text.hpp"

#include <cmath>

#include "core/policy/breaker/circuit_breaker.hpp"
#include "daemon/metrics/registry.hpp"
#include "daemon/service/metrics_vault.hpp"
#include "daemon/version.hpp"

namespace liqd::service {

namespace {

double units(int64_t v, int dp) { return static_cast<double>(v) / std::pow(10.0, dp); }

}  // namespace

std::string render_metrics(const HttpFrontConfig& cfg, const HttpCounters& http) {
  CoreStats cs;
  ExecStats es;
  const bool have_core = cfg.snaps->core.try_load(cs);
  const bool have_exec = cfg.snaps->exec.try_load(es);
  const int qdp = cfg.cfg->daemon.quote.quote_dp;
  const std::string& quote = cfg.cfg->daemon.quote.asset;
  metrics::Registry r;

  r.gauge("liqd_build_info", "Build of this liqd; the value is always 1.",
          {{"version", kVersion}, {"instance", cfg.cfg->daemon.instance}}).set(1);
  r.gauge("liqd_up", "1 while the core and executor publish snapshots.").set(have_core && have_exec ? 1 : 0);
  r.gauge("liqd_ready", "1 when accounts, books and prices are all in sync (/readyz).").set(cfg.ready_reason().empty() ? 1 : 0);

  // Inputs, by source and type.
  const char* kEvents = "liqd_events_total";
  const char* kEventsHelp = "Events received, by source and type.";
  r.counter(kEvents, kEventsHelp, {{"source", "core"}, {"type", "price"}}).inc(static_cast<double>(cs.price_inputs));
  r.counter(kEvents, kEventsHelp, {{"source", "core"}, {"type", "account"}}).inc(static_cast<double>(cs.account_inputs));
  r.counter(kEvents, kEventsHelp, {{"source", "core"}, {"type", "order_outcome"}}).inc(static_cast<double>(cs.outcomes));
  r.counter(kEvents, kEventsHelp, {{"source", "core"}, {"type", "admin"}}).inc(static_cast<double>(cs.admin_requests));
  const std::vector<FeedHealth> feeds = cfg.feed_status ? cfg.feed_status() : std::vector<FeedHealth>{};
  for (const FeedHealth& f : feeds) {
    const metrics::Labels src{{"source", f.source}};
    r.counter(kEvents, kEventsHelp, {{"source", f.source}, {"type", "message"}}).inc(static_cast<double>(f.messages));
    r.counter("liqd_feed_errors_total", "Messages a feed handler counted and skipped (malformed, unknown, out of order).", src)
        .inc(static_cast<double>(f.errors));
    r.counter("liqd_feed_gaps_total", "Sequence gaps detected per feed (each starts a resync).", src).inc(static_cast<double>(f.gaps));
    r.counter("liqd_feed_resyncs_total", "Resyncs from a snapshot per feed (gap, checksum, crossed book).", src)
        .inc(static_cast<double>(f.resyncs));
    r.counter("liqd_feed_reconnects_total", "Transport reconnects per feed.", src).inc(static_cast<double>(f.reconnects));
    r.counter("liqd_feed_stale_total", "Times a feed went quiet for longer than feeds.stale_after_ms.", src)
        .inc(static_cast<double>(f.stale));
    r.gauge("liqd_feed_connected", "1 while the feed's connection is up.", src).set(f.connected ? 1 : 0);
    r.gauge("liqd_feed_in_sync", "1 while the feed's books/sequence are in sync.", src).set(f.in_sync ? 1 : 0);
    r.counter("liqd_ring_full_total", "Times a producer found its SPSC ring full (the item waited or was counted).",
              {{"ring", "feed_" + f.source}})
        .inc(static_cast<double>(f.ring_full));
  }
  r.counter("liqd_ring_full_total", "", {{"ring", "core_to_executor"}}).inc(static_cast<double>(cs.exec_ring_full));
  r.counter("liqd_ring_full_total", "", {{"ring", "core_to_admin"}}).inc(static_cast<double>(cs.reply_ring_full));
  r.counter("liqd_ring_full_total", "", {{"ring", "executor_to_core"}}).inc(static_cast<double>(es.outcome_ring_full));
  r.counter("liqd_rejected_events_total", "Account events the core refused (inconsistent with its state; counted, resync).")
      .inc(static_cast<double>(cs.rejected_events));

  // Decisions.
  if (cfg.tick_to_decision)
    r.histogram_view("liqd_tick_to_decision_seconds",
                     "Wall time from receiving the input that made an account liquidatable to handing its order to the executor.",
                     *cfg.tick_to_decision);
  r.gauge("liqd_accounts_monitored", "Accounts the core watches.").set(static_cast<double>(cs.accounts));
  r.gauge("liqd_positions_open", "Open positions across monitored accounts.").set(static_cast<double>(cs.positions));
  r.gauge("liqd_accounts_liquidatable", "Accounts below maintenance margin now.").set(static_cast<double>(cs.flagged));
  r.gauge("liqd_accounts_in_liquidation", "Accounts in liquidation mode (hysteresis: until equity >= MM x (1 + buffer)).")
      .set(static_cast<double>(cs.in_liquidation));
  r.gauge("liqd_accounts_underwater", "Accounts with equity below zero (cross, or an isolated position), as of the last liquidation-map pass.")
      .set(static_cast<double>(cs.underwater));
  r.counter("liqd_accounts_flagged_total", "Times an account entered the liquidatable set.").inc(static_cast<double>(cs.flagged_total));
  r.counter("liqd_index_missed_total", "Accounts the background audit found liquidatable that the index had not flagged (must stay 0).")
      .inc(static_cast<double>(cs.index_missed));
  r.counter("liqd_index_audited_total", "Accounts re-checked by the background audit.").inc(static_cast<double>(cs.audited));

  // Money, in the quote asset.
  const metrics::Labels q{{"asset", quote}};
  r.gauge("liqd_insurance_fund_balance", "Insurance fund balance, in the quote asset.", q).set(units(cs.fund_balance, qdp));
  r.counter("liqd_insurance_fund_fees_total", "Liquidation fees paid into the fund, in the quote asset.", q)
      .inc(units(cs.fees_to_fund, qdp));
  r.counter("liqd_insurance_fund_paid_total", "Shortfalls below bankruptcy paid by the fund, in the quote asset.", q)
      .inc(units(cs.fund_paid, qdp));
  r.counter("liqd_bad_debt_total", "Shortfalls below bankruptcy the insurance fund could not cover, in the quote asset (ADL had nobody left in line; each is journaled as uncovered).", q)
      .inc(units(cs.bad_debt, qdp));
  r.counter("liqd_adl_events_total", "Auto-deleveraging fills: a bankrupt position closed against a ranked profitable opposite position at its bankruptcy price.").inc(static_cast<double>(cs.adl_events));
  r.counter("liqd_backstop_transfers_total", "Backstop transfer fills (a position moved to the vault at its bankruptcy price).").inc(static_cast<double>(cs.backstop_transfers));
  r.counter("liqd_unbacked_orders_total",
            "IOC orders sent although the fund could not pay their worst case and nobody was left in the ADL line (the only source of bad debt).")
      .inc(static_cast<double>(cs.unbacked_orders));
  r.counter("liqd_backstop_refused_total", "Backstop transfers the vault's own limits refused (the position stays with IOC orders).")
      .inc(static_cast<double>(cs.backstop_refused));
  r.counter("liqd_split_decisions_total", "Chunks the split planner decided between the own book and transfer-and-hedge.")
      .inc(static_cast<double>(cs.split_consulted));
  r.counter("liqd_split_transfers_total", "Split decisions that sent part of a chunk to the vault at the split's transfer price.")
      .inc(static_cast<double>(cs.split_transfers));
  r.counter("liqd_fills_total", "Liquidation fills settled by the core.").inc(static_cast<double>(cs.fills));
  if (cs.has_vault) {
    r.gauge("liqd_backstop_vault_collateral", "The backstop vault's collateral, in the quote asset.", q).set(units(cs.vault_collateral, qdp));
    r.gauge("liqd_backstop_vault_equity", "The backstop vault's equity at the marks, in the quote asset.", q).set(units(cs.vault_equity, qdp));
    r.gauge("liqd_backstop_vault_maintenance_margin", "The backstop vault's maintenance margin at the marks, in the quote asset.", q)
        .set(units(cs.vault_mm, qdp));
  }

  VaultSnapshot vs;
  if (cfg.snaps->vault.try_load(vs)) add_vault_metrics(r, vs);

  // Per market.
  for (uint32_t m = 0; m < cs.n_markets && m < cfg.cfg->markets.size(); ++m) {
    const config::MarketConfig& mc = cfg.cfg->markets[m];
    const MarketSnapshot& s = cs.markets[m];
    const metrics::Labels mk{{"market", mc.symbol}};
    const int pdp = mc.risk.scale.price_dp;
    const char* kLiq = "liqd_liquidations_total";
    const char* kLiqHelp = "Liquidation orders by market and outcome (decided: handed to the executor; filled: filled something; no_fill: ended empty; refused: the executor could not take it, not sent).";
    r.counter(kLiq, kLiqHelp, {{"market", mc.symbol}, {"outcome", "decided"}}).inc(static_cast<double>(s.liq_orders));
    r.counter(kLiq, kLiqHelp, {{"market", mc.symbol}, {"outcome", "filled"}}).inc(static_cast<double>(s.liquidations));
    r.counter(kLiq, kLiqHelp, {{"market", mc.symbol}, {"outcome", "no_fill"}}).inc(static_cast<double>(s.no_fill));
    r.counter(kLiq, kLiqHelp, {{"market", mc.symbol}, {"outcome", "refused"}}).inc(static_cast<double>(s.refused));
    r.counter("liqd_notional_liquidated_total", "Notional liquidated (fills at their price), in the quote asset.",
              {{"market", mc.symbol}, {"asset", quote}})
        .inc(units(s.notional_liquidated, qdp));
    r.gauge("liqd_circuit_breaker_state", "Market mode: 0 normal, 1 throttle, 2 paused, 3 stale (no liquidations in 2 and 3).", mk)
        .set(s.mode);
    r.gauge("liqd_market_manual_pause", "1 while an operator pause is in force.", mk).set(s.manual_pause);
    if (cs.has_vault) {
      r.gauge("liqd_backstop_vault_position", "The backstop vault's position in the market (signed, base units).", mk)
          .set(units(s.vault_size, mc.risk.scale.qty_dp));
      r.gauge("liqd_backstop_vault_entry_price", "The backstop vault's entry price in the market (0 when flat).", mk)
          .set(units(s.vault_entry, pdp));
    }
    r.gauge("liqd_oracle_stale", "1 while the market's index has no quorum of fresh sources.", mk).set(s.oracle_stale);
    r.counter("liqd_circuit_breaker_changes_total", "Breaker state changes.", mk).inc(static_cast<double>(s.breaker_changes));
    r.counter("liqd_margin_changes_total", "Margin changes applied to the index (reload ramps, volatility margin).", mk)
        .inc(static_cast<double>(s.margin_changes));
    r.gauge("liqd_margin_ratio", "Maintenance margin ratio in force for the market's first tier.", mk)
        .set(units(s.mmr_in_force, kRatioDp));
    r.gauge("liqd_realized_volatility", "EWMA realized volatility of the mark over the liquidation horizon.", mk).set(s.realized_vol);
    r.gauge("liqd_mark_price", "Mark price the index uses.", mk).set(units(s.mark, pdp));
    r.gauge("liqd_index_price", "Index price (median of fresh oracle sources).", mk).set(units(s.index, pdp));
    r.gauge("liqd_feed_staleness_seconds", "Event time since the market's last applied price.", mk)
        .set(s.last_price_ms > 0 && cs.now_ms >= s.last_price_ms ? static_cast<double>(cs.now_ms - s.last_price_ms) / 1e3 : 0);
    for (std::size_t k = 0; k < mc.oracles.size() && k < kMaxSources; ++k)
      r.counter("liqd_oracle_dropped_total", "Oracle readings dropped (stale, deviating, too wide a confidence).",
                {{"market", mc.symbol}, {"source", mc.oracles[k].name}})
          .inc(static_cast<double>(s.source_dropped[k]));
  }
  r.gauge("liqd_paused_all", "1 while the global kill switch is on.").set(cs.paused_all ? 1 : 0);
  r.gauge("liqd_draining", "1 after SIGTERM: no new liquidations.").set(cs.draining ? 1 : 0);

  // Executor and journal.
  r.counter("liqd_orders_sent_total", "Orders written to the journal and sent to the venue.").inc(static_cast<double>(es.orders_sent));
  r.counter("liqd_order_fills_total", "Venue fills received (each once).").inc(static_cast<double>(es.fills));
  r.counter("liqd_duplicate_fills_total", "Fill messages seen again and ignored.").inc(static_cast<double>(es.duplicate_fills));
  r.counter("liqd_orders_rejected_total", "Orders the venue rejected.").inc(static_cast<double>(es.rejected));
  r.counter("liqd_orders_cancelled_total", "Orders cancelled.").inc(static_cast<double>(es.cancelled));
  r.counter("liqd_orders_expired_total", "Orders that expired (IOC remainder).").inc(static_cast<double>(es.expired));
  r.counter("liqd_order_timeouts_total", "Orders that timed out and were cancelled.").inc(static_cast<double>(es.timeouts));
  r.counter("liqd_orders_reconciled_total", "Orders from before a restart confirmed with the venue.").inc(static_cast<double>(es.reconciled));
  r.gauge("liqd_orders_open", "Orders not yet ended.").set(es.open_orders);
  r.gauge("liqd_venue_connected", "1 while order entry is connected.").set(es.venue_connected ? 1 : 0);
  r.gauge("liqd_reconciling", "1 while orders from before a restart are being confirmed (nothing new is sent).").set(es.reconciling ? 1 : 0);
  r.counter("liqd_journal_records_total", "Journal records written.").inc(static_cast<double>(es.journal_records));
  r.counter("liqd_journal_commits_total", "Journal group commits.").inc(static_cast<double>(es.journal_commits));
  r.counter("liqd_journal_fsyncs_total", "Journal fsync calls.").inc(static_cast<double>(es.journal_fsyncs));
  r.counter("liqd_journal_bytes_total", "Journal bytes written.").inc(static_cast<double>(es.journal_bytes));
  r.counter("liqd_journal_errors_total", "Journal write errors.").inc(static_cast<double>(es.journal_errors));

  // Service.
  if (cfg.reloads) {
    const auto [reloads, errors] = cfg.reloads();
    r.counter("liqd_config_reloads_total", "SIGHUP reloads attempted.").inc(static_cast<double>(reloads));
    r.counter("liqd_config_reload_errors_total", "Reloads refused (the running configuration stayed).").inc(static_cast<double>(errors));
  }
  r.counter("liqd_http_requests_total", "Requests served, by listener.", {{"listener", "admin"}}).inc(static_cast<double>(http.admin_requests));
  r.counter("liqd_http_requests_total", "", {{"listener", "metrics"}}).inc(static_cast<double>(http.metrics_requests));
  r.counter("liqd_http_bad_requests_total", "Malformed admin requests answered 400.").inc(static_cast<double>(http.admin_bad_requests));
  return r.render();
}

}  // namespace liqd::service
