#!/usr/bin/env python3
"""End-to-end: who absorbs the crash's losses, `liqd --config F` against liqd-sim.

The venue runs a backstop vault account (liqd-sim --backstop-account) and liqd's daemon
file names it (`backstop:`); the insurance fund starts small (250,000 USDT), so on
Black Thursday it runs dry and auto-deleveraging has to take over. Checks, every wait
bounded:
  1. backstop: liqd sends transfers (NewOrder.transfer_to_account) and the venue fills
     them; every transfer fill is at exactly its limit, the bankruptcy price (journal);
     the vault's position on the venue equals the sum of the transfers in liqd's journal;
  2. ADL: once the fund cannot pay an IOC's worst case, positions are closed against
     ranked profitable opposite positions at the bankruptcy price (NewOrder.deleverage)
     and the venue fills them; liqd's ADL fill count equals the venue's deleverage count;
  3. the fund never goes below zero and its movements reconcile; it receives exactly the
     fees the venue charged; liqd's shortfalls (fund paid + bad debt) match the losses the
     venue left on flat accounts;
     bad debt (a shortfall
     the fund could not pay, journaled as uncovered) appears only after an IOC was sent
     unbacked: the fund could not pay its worst case and nobody was left in the ADL line;
  4. the accounts liquidated are the accounts the reference says the path sinks;
  5. SIGTERM exits 0;
  6. hedges: the vault's desk hedges what it took over on the external venue
     (`binance`, Binance USD-M REST order entry that liqd-sim serves on its binance
     port, filled on the hedge venue's own book, 4x the own book's depth, that port
     publishes; liqd reads the own book from the sim's own port): hedge orders sent and filled;
     the venue's count of orders that filled == liqd's hedge fills; the vault's
     inventory on the hedge venue (liqd_vault_inventory_contracts{venue=binance}) ==
     the position the venue booked, and its cost (position x entry - realised) the
     venue's exact cost within a tick per BTC traded; no client order id twice; the
     net base exposure left at the end is less than one hedge lot (0.001 BTC);
  7. the split: with two books the core splits chunks between the own book and a
     transfer to the vault at the split's price: split decisions and split transfers
     > 0 (metrics, and the journal's split transfers == liqd_split_transfers_total),
     every split transfer priced inside the fillable bound (a sell at or above the
     IOC's limit, a buy at or below it), some of them not at the bankruptcy price.

Usage: absorb_e2e.py --liqd PATH --sim PATH --config-dir DIR [--accounts N] [--keep]
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from liqd_loopback import (HEDGE_BOOK_ARGS, Checks, wait_ready, Liqd, MarketTiers, Reference, Sim, crash_marks, e2e_args, e2e_cleanup,  # noqa: E402
                           free_port, e2e_sim_args, http, metrics_sum, metrics_value, promtool_check, wait_until, write_config, write_token,
                           write_hedge_keys)

check = Checks()
VAULT = 900000001
VAULT_CAP = 30_000_000          # USDT notional per market and in total, at the mark (config below)
HEDGE_LOT_UNITS = 100           # the binance venue's lot_size 0.001 in the market's 0.00001 units



def main():
    a = e2e_args(3000)
    work = tempfile.mkdtemp(prefix="liqd-absorb-")
    journal = os.path.join(work, "journal")
    token = write_token(work)
    dump = os.path.join(work, "population.jsonl")
    sim = Sim(a.sim, e2e_sim_args(a.accounts, dump) + HEDGE_BOOK_ARGS +
              ["--seed", "7", "--backstop-account", str(VAULT), "--backstop-collateral", "60000000"] + write_hedge_keys(work))
    admin_port, metrics_port = free_port(), free_port()
    cfg = write_config(work, os.path.join(a.config_dir, "markets", "BTC-USD.yaml"), sim, admin_port, metrics_port, journal,
                       instance="liqd-absorb")
    with open(cfg, "a") as f:
        f.write("liquidation: {no_fill_backoff_ms: 20000, no_fill_backoff_max_ms: 240000, order_timeout_ms: 600000}\n"
                "backstop: {account: %d, max_notional_per_market: \"%d\", max_total_notional: \"%d\"}\n"
                % (VAULT, VAULT_CAP, VAULT_CAP))
    admin = "http://127.0.0.1:%d" % admin_port
    metrics = "http://127.0.0.1:%d/metrics" % metrics_port
    log = os.path.join(work, "liqd.log")
    liqd = None
    try:
        liqd = Liqd(a.liqd, cfg, log)

        check(wait_ready(sim, admin, token), "ready: accounts (with the vault), books and prices in sync")
        sim.post("/control/pace?bar_ms=200")
        check(wait_until(lambda: sim.status().get("path_end"), 200, 0.5) is not None,
              "the whole crash path played, and 10 flat minutes after it")
        wait_until(lambda: metrics_value(http("GET", metrics)[1], "liqd_accounts_liquidatable") == 0, 20, 0.5)
        sim.post("/control/pause")

        # The market stands still now; what liqd counted settles on what the venue did.
        # The desk hedges what is left within a second of a round (retry_ms): wait
        # until no hedge is open and the exposure is below one hedge lot.
        def settled():
            b, st_ = http("GET", metrics)[1], sim.status()
            o, h = st_.get("orders", {}), st_.get("hedge", {})
            net = metrics_sum(b, "liqd_vault_net_base_exposure", 'base="BTC"')
            return (metrics_sum(b, "liqd_backstop_transfers_total") == o.get("transfers") and
                    metrics_sum(b, "liqd_adl_events_total") == o.get("deleverages") and
                    metrics_sum(b, "liqd_vault_transfer_fills_total") == o.get("transfers") and
                    metrics_value(b, "liqd_vault_hedges_open") == 0 and
                    metrics_sum(b, "liqd_vault_hedge_orders_total", 'outcome="sent"') == h.get("orders") and
                    net is not None and abs(round(net * 1e5)) < HEDGE_LOT_UNITS)
        wait_until(settled, 30, 0.2)
        body = http("GET", metrics)[1]
        liqd.p.send_signal(signal.SIGTERM)
        try:
            rc = liqd.p.wait(30)
        except subprocess.TimeoutExpired:
            rc = None
        check(rc == 0, "SIGTERM: exited 0 (rc %s)" % rc)
        st = sim.status()
        venue, vault = st.get("orders", {}), st.get("backstop", {})
        summary = json.loads(subprocess.run([a.liqd, "explain", "--journal", journal, "--summary"],
                                            capture_output=True, text=True, timeout=60).stdout)
        tr = summary.get("transfers", {})
        print("     venue:", json.dumps(venue))
        print("     vault:", json.dumps(vault))
        print("     journal transfers:", json.dumps(tr), "uncovered shortfalls:", summary.get("uncovered_shortfalls"),
              "backstop refusals:", summary.get("backstop_refusals"))

        # 1. backstop
        check(venue.get("transfers", 0) > 0, "the venue filled backstop transfers (%s)" % venue.get("transfers"))
        check(metrics_sum(body, "liqd_backstop_transfers_total") == venue.get("transfers"),
              "liqd's transfer fills == the venue's (%s vs %s)" % (metrics_sum(body, "liqd_backstop_transfers_total"),
                                                                   venue.get("transfers")))
        check(tr.get("off_price", -1) == 0, "every transfer filled at exactly its limit, the bankruptcy price")
        pos = {p["market"]: p for p in vault.get("positions", [])}
        units = pos.get("BTCUSDT", {}).get("size_units", 0)
        check(units == tr.get("vault_units"), "vault position on the venue == the transfers in liqd's journal (%s vs %s)" %
              (units, tr.get("vault_units")))
        ok, msg = promtool_check(body)
        if ok is not None:
            check(ok, "promtool check metrics (with the vault gauges): " + msg[:300])
        mv = metrics_value(body, "liqd_backstop_vault_position")
        check(mv is not None and round(mv * 1e5) == units,
              "liqd_backstop_vault_position == the venue's vault position (%s vs %s units)" % (mv, units))
        # The executor's own books of the vault (VaultDesk): every transfer fill booked once,
        # the same position as the venue's.
        own = 'venue="own-book"'
        check(metrics_sum(body, "liqd_vault_transfer_fills_total") == venue.get("transfers") and
              metrics_sum(body, "liqd_vault_fills_total", own) == venue.get("transfers"),
              "liqd_vault_fills_total{venue=own-book} == the venue's transfers (%s vs %s)" %
              (metrics_sum(body, "liqd_vault_fills_total", own), venue.get("transfers")))
        vinv = metrics_sum(body, "liqd_vault_inventory_contracts", own)
        check(vinv is not None and round(vinv * 1e5) == units,
              "liqd_vault_inventory_contracts{venue=own-book} == the venue's vault position (%s vs %s units)" % (vinv, units))
        check((metrics_sum(body, "liqd_vault_errors_total") or 0) == 0, "no vault booking errors")

        # 6. hedges on the external venue
        hedge = st.get("hedge", {})
        hpos = {p["market"]: p for p in hedge.get("positions", [])}.get("BTCUSDT", {})
        bn = 'venue="binance"'
        sent = metrics_sum(body, "liqd_vault_hedge_orders_total", bn + ',outcome="sent"') or 0
        filled = sum(metrics_sum(body, "liqd_vault_hedge_orders_total", bn + ',outcome="%s"' % o) or 0 for o in ("filled", "partial"))
        nofill = metrics_sum(body, "liqd_vault_hedge_orders_total", bn + ',outcome="no_fill"') or 0
        refused = metrics_sum(body, "liqd_vault_hedge_orders_total", bn + ',outcome="refused"') or 0
        hfills = metrics_sum(body, "liqd_vault_fills_total", bn) or 0
        hinv = metrics_sum(body, "liqd_vault_inventory_contracts", bn)
        vbase = metrics_sum(body, "liqd_vault_net_base_exposure", 'base="BTC"')
        print("     hedges (liqd): sent %d, filled or partial %d, no fill %d, refused %d, fills booked %d, inventory %s BTC, "
              "net exposure %s BTC; venue: %s" % (sent, filled, nofill, refused, hfills, hinv, vbase, json.dumps(hedge)))
        check(sent > 0 and filled > 0, "hedge orders sent and filled (%d sent, %d filled)" % (sent, filled))
        check(sent == hedge.get("orders") and hedge.get("rejected") == 0,
              "every hedge order reached the venue, signed and accepted (%d sent, venue %s, refused %s)" %
              (sent, hedge.get("orders"), hedge.get("rejected")))
        check(hedge.get("duplicates") == 0, "no hedge client order id twice")
        check(hfills == hpos.get("orders_filled") and sent == filled + nofill,
              "liqd's hedge fills == the venue's orders that filled (%s vs %s), every sent order ended" %
              (hfills, hpos.get("orders_filled")))
        check(hinv is not None and round(hinv * 1e5) == hpos.get("size_units"),
              "liqd_vault_inventory_contracts{venue=binance} == the venue's hedge position (%s vs %s units)" %
              (hinv, hpos.get("size_units")))
        # The journal holds every hedge once (what a restart rebuilds the books from).
        hj = summary.get("hedges", {})
        check(hj.get("orders") == sent and hj.get("duplicate_orders") == 0 and hj.get("open") == 0,
              "journal: every hedge order once, none left open (%s)" % json.dumps(hj))
        check(hj.get("duplicate_fills") == 0 and hj.get("filled_units") == hpos.get("size_units"),
              "journal: the hedge fills add up to the venue's hedge position (%s vs %s units)" %
              (hj.get("filled_units"), hpos.get("size_units")))
        # Prices: the venue's exact signed Σ qty × price against liqd's books, where it
        # is position × entry − realised PnL (buy 1 @ 100, sell 1 @ 110: −10 = 0 − 10).
        # liqd prices each order's fill at avgPrice rounded to the 0.1 tick, and its
        # entry to the tick: at most one tick per BTC traded apart.
        hentry = metrics_sum(body, "liqd_vault_entry_price", bn) or 0.0
        hreal = metrics_sum(body, "liqd_vault_realized_pnl", bn) or 0.0
        hvol = hpos.get("volume_units", 0) / 1e5
        hcost = float(hpos.get("cost", "0"))
        lcost = (hinv or 0.0) * hentry - hreal
        check(hvol > 0 and abs(lcost - hcost) <= 0.1 * hvol + 1e-6,
              "hedge notional: liqd's position x entry - realised == the venue's booked cost within a tick per BTC "
              "traded (%.6f vs %.6f, %.3f BTC traded)" % (lcost, hcost, hvol))
        check(vbase is not None and round(vbase * 1e5) == units + hpos.get("size_units", 0),
              "net base exposure == own position + hedge position (%s vs %s units)" % (vbase, units + hpos.get("size_units", 0)))
        check(vbase is not None and abs(round(vbase * 1e5)) < HEDGE_LOT_UNITS,
              "net base exposure after the path is below one hedge lot (%s BTC)" % vbase)
        print("     vault books (liqd): collateral %s USDT, entry %s, unrealised %s, realised %s USDT (venue: collateral %s)" %
              (metrics_sum(body, "liqd_vault_collateral", own), metrics_sum(body, "liqd_vault_entry_price", own),
               metrics_sum(body, "liqd_vault_unrealized_pnl", own), metrics_sum(body, "liqd_vault_realized_pnl", own),
               vault.get("collateral")))
        # The books start from the account stream's collateral, then move it by realised
        # PnL: a seed skipped (a transfer booked first) shows the realised PnL alone. Both
        # sides price the same fills; 1e-4 of the balance leaves room for per-fill rounding.
        lcoll = metrics_sum(body, "liqd_vault_collateral", own)
        vcoll = float(vault.get("collateral", "0"))
        check(lcoll is not None and abs(lcoll - vcoll) <= 1e-4 * abs(vcoll),
              "the vault's own-venue collateral in liqd's books == the venue's within 1e-4 (%s vs %s)" % (lcoll, vcoll))
        accs = st.get("accounts", {})
        print("     accounts underwater: liqd %s (last map pass, at the mark), venue %s (at the mid); venue: %s flat "
              "accounts with a negative balance, %s USDT in all" % (metrics_value(body, "liqd_accounts_underwater"),
                                                                   accs.get("underwater"), accs.get("negative_balance"),
                                                                   accs.get("negative_total")))
        check(float(vault.get("collateral", "-1")) >= 0, "the vault's collateral stays >= 0 (%s)" % vault.get("collateral"))

        # 7. the split
        sp = summary.get("split", {})
        sdec = metrics_sum(body, "liqd_split_decisions_total") or 0
        strans = metrics_sum(body, "liqd_split_transfers_total") or 0
        print("     split: decisions %d, transfers %d (journal: %s); hedges sent %d, filled %d; net exposure %s BTC" %
              (sdec, strans, json.dumps(sp), sent, filled, vbase))
        check(sdec > 0 and strans > 0, "the split ran: %d decisions, %d transfers to the vault at the split's price" %
              (sdec, strans))
        check(sp.get("transfers") == strans, "every split transfer is journaled once (%s vs %s)" % (sp.get("transfers"), strans))
        check(sp.get("outside_bound", -1) == 0 and sp.get("no_bound", -1) == 0,
              "every split transfer priced inside its fillable bound (%s outside)" % sp.get("outside_bound"))
        check(sp.get("transfers", 0) > sp.get("at_bankruptcy", 0),
              "split transfers priced at the split's price, not only at bankruptcy (%s of %s at bankruptcy)" %
              (sp.get("at_bankruptcy"), sp.get("transfers")))

        # 2. ADL
        check(venue.get("deleverages", 0) > 0, "the fund ran dry and the venue filled deleverages (%s)" % venue.get("deleverages"))
        check(metrics_sum(body, "liqd_adl_events_total") == venue.get("deleverages"),
              "liqd's ADL fills == the venue's deleverages (%s vs %s)" % (metrics_sum(body, "liqd_adl_events_total"),
                                                                          venue.get("deleverages")))
        check(tr.get("adl_fills") == venue.get("deleverages"), "every deleverage is in the journal once")

        # 3. money
        fund = summary.get("fund", {})
        check(fund.get("reconciles") is True and fund.get("end", -1) >= 0, "fund reconciles and ends >= 0 (%s)" % fund.get("end"))
        bad = metrics_sum(body, "liqd_bad_debt_total") or 0.0
        liquidated = metrics_sum(body, "liqd_notional_liquidated_total") or 0.0
        print("     bad debt %.0f USDT over %.0f USDT liquidated; %s uncovered shortfalls journaled" %
              (bad, liquidated, summary.get("uncovered_shortfalls")))
        unbacked = metrics_sum(body, "liqd_unbacked_orders_total") or 0
        # Bad debt has one source: an IOC the fund could not back with nobody left in the
        # ADL line (the sim's population is 65 % long, so its shorts can run out; on a
        # venue long and short open interest are equal).
        check(bad == 0 or unbacked > 0, "bad debt only after unbacked orders (bad %.0f, unbacked %d)" % (bad, unbacked))
        check((summary.get("uncovered_shortfalls") or 0) == 0 or unbacked > 0,
              "an uncovered shortfall is journaled only after an unbacked order")
        # The venue's own ledger: it charges each fill's liquidation fee (NewOrder.fee_rate)
        # and leaves every loss below zero on the flat account. The fund receives exactly
        # the fees the venue took, and liqd's shortfalls (fund paid + bad debt) match the
        # venue's negative balances and isolated losses (rounding units per account closed in chunks).
        paid, fees = fund.get("shortfalls_paid", 0) / 1e6, fund.get("fees", 0) / 1e6
        venue_loss = float(accs.get("negative_total", "0")) + float(accs.get("isolated_losses", "0"))
        print("     shortfalls: liqd %.6f (fund %.6f + bad debt %.6f), venue negative balances %.6f; fees: fund %.6f, "
              "venue %s" % (paid + bad, paid, bad, venue_loss, fees, venue.get("fees")))
        check(round(fees * 1e6) == round(float(venue.get("fees", "-1")) * 1e6),
              "the fund's fees == the fees the venue charged (%.6f vs %s)" % (fees, venue.get("fees")))
        # 0.009 % apart on an idle machine; 1.1 % under load while the planner's order
        # timeout was 10 s of event time (50 ms of wall time at this pace: the next chunk
        # was planned before the last one's fill was settled); 0.07-0.2 % with two runs
        # at once since it is 10 min. Double-charging every chunk, the bug this guards,
        # was 375 % off.
        check(abs(paid + bad - venue_loss) <= 0.025 * venue_loss + 1,
              "liqd's shortfalls match the venue's negative balances within 2.5 %% (%.6f vs %.6f, %.3f %%)" %
              (paid + bad, venue_loss, 100.0 * abs(paid + bad - venue_loss) / max(venue_loss, 1)))
        check(summary.get("duplicate_fills") == 0 and summary.get("duplicate_orders") == 0, "no duplicate order or fill")
        check(summary.get("fills") == venue.get("fills"), "every venue fill journaled once (%s vs %s)" %
              (summary.get("fills"), venue.get("fills")))

        # 4. the reference
        tiers = MarketTiers(os.path.join(work, "markets", "BTC-USD.yaml"))
        low, high = crash_marks(tiers.tick)
        want = Reference(dump, tiers).liquidatable_along(low, high)
        got = set(summary.get("liquidated_accounts", [])) - {VAULT}
        check(len(want) > 0 and got <= want and len(want - got) <= max(5, len(want) // 100),
              "liquidated == reference but for at most 1 %% (%d of %d, %d extra)" % (len(got & want), len(want), len(got - want)))
    finally:
        e2e_cleanup(check, a.keep, work, log, [liqd], sim, tail=30)
    return check.verdict()


if __name__ == "__main__":
    sys.exit(main())
