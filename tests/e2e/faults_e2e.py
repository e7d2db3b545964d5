#!/usr/bin/env python3
"""End-to-end: liqd keeps its promises with each of liqd-sim's fault switches on.

  1. gap on the Binance depth stream (one depthUpdate dropped): liqd counts the gap,
     resyncs from the REST snapshot and is in sync again;
  2. duplicate market data (every Binance, Hyperliquid and Pyth message twice): nothing
     breaks, the market stays normal;
  3. a gap on the account stream (one delta dropped) as the crash starts: liqd detects
     it and resyncs from the account snapshot;
  4. stale oracles (Pyth and Hyperliquid go quiet, connections open) during the crash:
     the market turns `stale` and no new liquidation order goes out while it is stale,
     although accounts are underwater; when the sources come back it resumes (after
     the breaker's calm period) and liquidates them;
  5. duplicate order-entry messages (every ack and fill twice, same fill_id): each fill
     is settled and journaled once (liqd counts the duplicates);
  6. drop on Binance (20 % of messages): gaps detected and resynced, in sync at the
     end; then SIGTERM drains, and the journal has no duplicate order or fill and a
     fund that reconciles.
Every wait is bounded; latencies are not asserted.

Usage: faults_e2e.py --liqd PATH --sim PATH --config-dir DIR [--keep]
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from liqd_loopback import (Checks, wait_ready, Liqd, Sim, e2e_args, e2e_cleanup, e2e_sim_args, free_port, http, metrics_by_label,  # noqa: E402
                           metrics_value, wait_until, write_config, write_token)

check = Checks()



def main():
    a = e2e_args(3000)
    work = tempfile.mkdtemp(prefix="liqd-faults-")
    journal = os.path.join(work, "journal")
    token = write_token(work)
    sim = Sim(a.sim, e2e_sim_args(a.accounts))
    admin_port, metrics_port = free_port(), free_port()
    cfg = write_config(work, os.path.join(a.config_dir, "markets", "BTC-USD.yaml"), sim, admin_port, metrics_port,
                       journal, instance="liqd-faults")
    admin = "http://127.0.0.1:%d" % admin_port
    metrics = "http://127.0.0.1:%d/metrics" % metrics_port
    log = os.path.join(work, "liqd.log")
    liqd = None

    def m():
        return http("GET", metrics)[1]

    def by_source(name):
        return metrics_by_label(m(), name, "source")

    def mode():
        code, body = http("GET", admin + "/v1/markets/BTC-USD", token)
        return json.loads(body).get("mode") if code == 200 else None

    def advance(n):
        """n simulated seconds in bursts of 5, so no feed falls a burst behind."""
        for _ in range(0, n, 5):
            sim.post("/control/step?n=5")
            time.sleep(0.02)
        return True

    def new_orders():
        return sim.status().get("orders", {}).get("new_orders", 0)

    try:
        liqd = Liqd(a.liqd, cfg, log)

        check(wait_ready(sim, admin, token), "ready: accounts, books and prices in sync")
        sources = sorted(by_source("liqd_feed_in_sync"))
        print("     feeds:", sources)

        # 1. one Binance depthUpdate dropped
        gaps0, res0 = by_source("liqd_feed_gaps_total"), by_source("liqd_feed_resyncs_total")
        binance = next((s for s in sources if s.startswith("binance")), "binance")
        check(sim.fault("binance", "gap"), "sim: binance=gap")
        sim.post("/control/step?n=5")
        gap_seen = wait_until(lambda: by_source("liqd_feed_gaps_total").get(binance, 0) > gaps0.get(binance, 0), 15, 0.2)
        check(gap_seen is not None, "binance gap detected (liqd_feed_gaps_total{source=%s})" % binance)
        resynced = wait_until(lambda: (sim.post("/control/step?n=1") and
                                       by_source("liqd_feed_resyncs_total").get(binance, 0) > res0.get(binance, 0) and
                                       by_source("liqd_feed_in_sync").get(binance) == 1), 20, 0.3)
        check(resynced is not None, "binance resynced from the REST snapshot and in sync again")

        # 2. every market-data message twice
        for s in ("binance", "hyperliquid", "pyth"):
            sim.fault(s, "duplicate")
        advance(60)
        time.sleep(1.0)
        check(mode() == "normal", "duplicated market data: market stays normal (%s)" % mode())
        errors = by_source("liqd_feed_errors_total")
        print("     feed errors counted and skipped under duplicates:", errors)
        for s in ("binance", "hyperliquid", "pyth"):
            sim.fault(s, "none")
        check(wait_until(lambda: sim.post("/control/step?n=1") and
                         all(v == 1 for v in by_source("liqd_feed_in_sync").values()), 20, 0.3) is not None,
              "every feed in sync after the duplicates")

        # 3. one account delta dropped
        acc = "accounts"
        ag0, ar0 = by_source("liqd_feed_gaps_total").get(acc, 0), by_source("liqd_feed_resyncs_total").get(acc, 0)
        sim.fault("accounts", "gap")
        # A delta goes out per fill: the crash's first minutes liquidate and fill.
        got_gap = wait_until(lambda: advance(10) and by_source("liqd_feed_gaps_total").get(acc, 0) > ag0, 60, 0.2)
        check(got_gap is not None, "account stream gap detected (%s)" % by_source("liqd_feed_gaps_total"))
        check(wait_until(lambda: advance(5) and by_source("liqd_feed_resyncs_total").get(acc, 0) > ar0 and
                         by_source("liqd_feed_in_sync").get(acc) == 1, 30, 0.3) is not None,
              "account stream resynced from a snapshot and in sync")


        # 4. stale oracles during the crash: pause, no orders, resume
        sim.fault("pyth", "stale")
        sim.fault("hyperliquid", "stale")
        # Binance keeps event time moving: 60 steps = 1 simulated minute.
        went_stale = wait_until(lambda: advance(10) and mode() == "stale", 30, 0.2)
        check(went_stale is not None, "Pyth and Hyperliquid quiet: market goes stale (%s)" % mode())
        time.sleep(1.0)    # orders already in flight end
        before = new_orders()
        liq_before = metrics_value(m(), "liqd_accounts_liquidatable") or 0
        for _ in range(20):  # 20 simulated minutes of the crash while stale
            sim.post("/control/step?n=60")
        time.sleep(1.5)
        liq_during = metrics_value(m(), "liqd_accounts_liquidatable") or 0
        during = new_orders()
        print("     while stale: liquidatable %s -> %s, venue orders %d -> %d" % (liq_before, liq_during, before, during))
        check(mode() == "stale", "still stale while the sources are quiet")
        check(during == before, "no liquidation order while stale (%d new)" % (during - before))
        sim.fault("pyth", "none")
        sim.fault("hyperliquid", "none")
        # After STALE the breaker holds PAUSED for one calm period (120 s of event time).
        check(wait_until(lambda: advance(10) and mode() in ("normal", "throttle"), 60, 0.1) is not None,
              "sources back: market resumes (%s)" % mode())
        check(wait_until(lambda: advance(5) and new_orders() > during, 30, 0.1) is not None,
              "after resuming, the underwater accounts are liquidated (venue orders %d)" % new_orders())

        # 5. every order-entry message twice
        sim.fault("orders", "duplicate")
        dup0 = metrics_value(m(), "liqd_duplicate_fills_total") or 0
        fills0 = sim.status().get("orders", {}).get("fills", 0)
        wait_until(lambda: advance(10) and sim.status().get("orders", {}).get("fills", 0) > fills0 + 20, 40, 0.2)
        dup = wait_until(lambda: (metrics_value(m(), "liqd_duplicate_fills_total") or 0) > dup0, 10, 0.3)
        check(dup is not None, "duplicated fills seen and ignored (liqd_duplicate_fills_total %s)" %
              metrics_value(m(), "liqd_duplicate_fills_total"))
        sim.fault("orders", "none")
        # 6. 20 % of Binance messages dropped for 2 simulated minutes
        g0 = by_source("liqd_feed_gaps_total").get(binance, 0)
        sim.fault("binance", "drop", "&rate=0.2")
        for _ in range(8):
            sim.post("/control/step?n=15")
            time.sleep(0.1)
        sim.fault("binance", "none")
        check(by_source("liqd_feed_gaps_total").get(binance, 0) > g0, "dropped depth updates detected as gaps")
        check(wait_until(lambda: sim.post("/control/step?n=1") and by_source("liqd_feed_in_sync").get(binance) == 1,
                         30, 0.3) is not None, "binance in sync again after the drops")
        check(metrics_value(m(), "liqd_index_missed_total") == 0, "liqd_index_missed_total stays 0")
        check(liqd.alive(), "liqd still running")

        rc = liqd.stop()
        check(rc == 0, "SIGTERM: drained, exit 0 (%s)" % rc)
        sim.post("/control/pause")
        venue = sim.status().get("orders", {})
        summary = json.loads(subprocess.run([a.liqd, "explain", "--journal", journal, "--summary"],
                                            capture_output=True, text=True, timeout=60).stdout)
        summary.pop("liquidated_accounts", None)
        print("     journal:", json.dumps(summary))
        print("     venue:  ", json.dumps(venue))
        check(summary["duplicate_orders"] == 0 and venue.get("duplicates", -1) == 0, "no duplicate order")
        check(summary["duplicate_fills"] == 0, "no fill journaled twice")
        check(summary["fills"] == venue.get("fills"), "every venue fill journaled once (%s vs %s)" %
              (summary["fills"], venue.get("fills")))
        check(summary["fund"]["reconciles"], "fund movements reconcile")
    finally:
        e2e_cleanup(check, a.keep, work, log, [liqd], sim, tail=40)
    return check.verdict()


if __name__ == "__main__":
    sys.exit(main())
