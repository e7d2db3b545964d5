#!/usr/bin/env python3
"""End-to-end test of `liqd --config F` against liqd-sim over loopback sockets.

What it checks (issue 8 "Tests", issue 9 item 3), every wait bounded:
  1. start-up: liqd refuses a token file readable by others; with a 0600 token it
     syncs accounts, books and prices from the sim (/readyz turns 200);
  2. admin API: no token and a wrong token get 401, the right one 200; an account
     lookup answers with that account's figures; pause/resume are journaled;
  3. metrics: /metrics passes `promtool check metrics`;
  4. reload: SIGHUP with a broken market file keeps the service up and the old
     config; a valid change is accepted;
  5. a liquidation storm on the Black Thursday path: orders are sent and filled;
     `kill -9` in the middle, restart on the same journal: the restarted process
     reconciles the orders that were in flight, and over both runs no client
     order id is journaled twice, the venue saw no duplicate, every venue fill is
     in the journal exactly once, and the fund's movements reconcile;
  6. SIGTERM drains and exits 0.
Latencies are measured and printed, never asserted.

Usage: service_e2e.py --liqd PATH --sim PATH --config-dir DIR [--keep]
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from liqd_loopback import (Checks, wait_ready, Liqd, MarketTiers, Reference, Sim, crash_marks, e2e_args, e2e_cleanup, http,  # noqa: E402
                           latency_quantiles, free_port, e2e_sim_args, metrics_value, promtool_check, wait_until, write_config, write_token)

check = Checks()



def main():
    a = e2e_args(5000)
    work = tempfile.mkdtemp(prefix="liqd-e2e-")
    journal = os.path.join(work, "journal")
    token = write_token(work)
    dump = os.path.join(work, "population.jsonl")
    sim = Sim(a.sim, e2e_sim_args(a.accounts, dump))
    admin_port, metrics_port = free_port(), free_port()
    cfg = write_config(work, os.path.join(a.config_dir, "markets", "BTC-USD.yaml"), sim, admin_port, metrics_port, journal)
    admin = "http://127.0.0.1:%d" % admin_port
    metrics = "http://127.0.0.1:%d/metrics" % metrics_port
    log = os.path.join(work, "liqd.log")
    procs = []
    try:
        # 1. a token file others can read: refused
        os.chmod(os.path.join(work, "admin.token"), 0o644)
        bad = subprocess.run([a.liqd, "--config", cfg], capture_output=True, text=True, timeout=30)
        check(bad.returncode == 1 and "admin.token_file" in bad.stdout + bad.stderr,
              "refuses to start with a token file readable by others (exit %d)" % bad.returncode)
        os.chmod(os.path.join(work, "admin.token"), 0o600)

        liqd = Liqd(a.liqd, cfg, log)
        procs.append(liqd)
        t0 = time.time()

        check(wait_ready(sim, admin, token), "ready: accounts, books and prices in sync (%.1f s)" % (time.time() - t0))
        code, body = http("GET", admin + "/readyz", token)
        print("     /readyz:", code, body)

        # 2. admin API auth
        check(http("GET", admin + "/healthz")[0] == 401, "/healthz without a token: 401")
        check(http("GET", admin + "/healthz", "wrong")[0] == 401, "/healthz with a wrong token: 401")
        check(http("GET", admin + "/healthz", token)[0] == 200, "/healthz with the token: 200")
        code, body = http("GET", admin + "/v1/accounts/1", token)
        check(code == 200 and '"positions"' in body, "GET /v1/accounts/1: 200 with positions (%d)" % code)
        code, _ = http("GET", admin + "/v1/accounts/999999999", token)
        check(code == 404, "GET /v1/accounts/<unknown>: 404 (%d)" % code)
        code, _ = http("GET", admin + "/v1/accounts/12abc", token)
        check(code == 400, "GET /v1/accounts/12abc: 400 (%d)" % code)
        code, body = http("GET", admin + "/v1/markets/BTC-USD", token)
        mk = json.loads(body) if code == 200 else {}
        check(code == 200 and mk.get("mode") in ("normal", "throttle", "paused", "stale") and mk.get("mark"),
              "GET /v1/markets/BTC-USD: state and mark (%d %s)" % (code, body[:200]))
        check(http("GET", admin + "/v1/markets/NOPE-USD", token)[0] == 404, "GET /v1/markets/<unknown>: 404")
        code, body = http("GET", admin + "/v1/liquidation-map/BTC-USD", token)
        lm = json.loads(body) if code == 200 else {}
        check(code == 200 and len(lm.get("below", [])) == 20 and len(lm.get("above", [])) == 20,
              "GET /v1/liquidation-map/BTC-USD: 20 buckets a side (%d)" % code)
        # dry run: a much stricter BTC-USD file, asked of the running instance, applies nothing
        dry = os.path.join(work, "dry")
        os.makedirs(os.path.join(dry, "markets"), exist_ok=True)
        shutil.copy(cfg, os.path.join(dry, "liqd.yaml"))
        strict = []
        for line in open(os.path.join(work, "markets", "BTC-USD.yaml")):
            if "max_notional" in line and "imr" in line:
                imr = float(re.search(r'imr: "([0-9.]+)"', line).group(1))
                mmr = float(re.search(r'mmr: "([0-9.]+)"', line).group(1))
                line = re.sub(r'imr: "[0-9.]+"', 'imr: "%s"' % max(imr, 0.05), line)
                line = re.sub(r'mmr: "[0-9.]+"', 'mmr: "%s"' % max(mmr, 0.04), line)
            strict.append(line)
        open(os.path.join(dry, "markets", "BTC-USD.yaml"), "w").write("".join(strict))
        dr = subprocess.run([a.liqd, "--check-config", "--dry-run", "--config", os.path.join(dry, "liqd.yaml")],
                            capture_output=True, text=True, timeout=60)
        print("     dry run:", (dr.stdout + dr.stderr).strip()[:300])
        check(dr.returncode == 0 and "would become liquidatable" in dr.stdout, "liqd --check-config --dry-run answers (exit %d)" % dr.returncode)
        code, body = http("GET", admin + "/v1/markets/BTC-USD", token)
        check(code == 200 and json.loads(body).get("maintenance_ratio_in_force") == mk.get("maintenance_ratio_in_force"),
              "dry run applied nothing (margin in force unchanged)")
        code, _ = http("POST", admin + "/v1/pause-all", token)
        check(code == 200, "POST /v1/pause-all: 200 (%d)" % code)
        code, body = http("GET", admin + "/v1/markets/BTC-USD", token)
        check(code == 200 and json.loads(body).get("paused_all") is True, "kill switch visible in /v1/markets")
        code, _ = http("POST", admin + "/v1/resume-all", token)
        check(code == 200, "POST /v1/resume-all: 200 (%d)" % code)
        code, _ = http("POST", admin + "/v1/markets/BTC-USD/pause", token)
        check(code == 200, "POST /v1/markets/BTC-USD/pause: 200 (%d)" % code)
        code, _ = http("POST", admin + "/v1/markets/BTC-USD/resume", token)
        check(code == 200, "POST /v1/markets/BTC-USD/resume: 200 (%d)" % code)

        # 3. metrics
        code, body = http("GET", metrics)
        check(code == 200, "/metrics: 200")
        ok, msg = promtool_check(body)
        if ok is None:
            print("skip", msg)
        else:
            check(ok, "promtool check metrics: " + msg[:300])
        for name in ("liqd_events_total", "liqd_feed_gaps_total", "liqd_feed_staleness_seconds", "liqd_tick_to_decision_seconds_count",
                     "liqd_accounts_monitored", "liqd_accounts_liquidatable", "liqd_liquidations_total",
                     "liqd_notional_liquidated_total", "liqd_insurance_fund_balance", "liqd_bad_debt_total",
                     "liqd_adl_events_total", "liqd_backstop_transfers_total", "liqd_circuit_breaker_state", "liqd_margin_ratio",
                     "liqd_realized_volatility", "liqd_ring_full_total", "liqd_index_missed_total", "liqd_build_info"):
            check(metrics_value(body, name) is not None, "metric " + name + " exported")

        # 4. reload: broken, then valid
        mfile = os.path.join(work, "markets", "BTC-USD.yaml")
        good = open(mfile).read()
        with open(mfile, "w") as f:
            f.write(good.replace('mmr: "0.004"', 'mmr: "-1"'))
        liqd.p.send_signal(signal.SIGHUP)
        check(wait_until(lambda: "reload:" in liqd.text() and "running configuration stays" in liqd.text(), 10) is not None,
              "SIGHUP with a broken market file: error logged, running config kept")
        check(liqd.alive(), "still running after a bad reload")
        with open(mfile, "w") as f:
            f.write(good.replace('mmr: "0.004"', 'mmr: "0.0045"'))
        daemon_text = open(cfg).read()
        with open(cfg, "a") as f:   # a policy section changed too: said, not applied
            f.write("liquidation: {cooldown_ms: 1000}\n")
        liqd.p.send_signal(signal.SIGHUP)
        check(wait_until(lambda: "validated and handed to the core" in liqd.text(), 10) is not None,
              "SIGHUP with a valid change: accepted")
        check("`liquidation` section changed; it is read at start only" in liqd.text(),
              "a changed policy section is reported as needing a restart")
        with open(cfg, "w") as f:
            f.write(daemon_text)

        # 5. the crash, then kill -9 in the middle of it
        # One simulated second per 200/60 ms of wall time: fast, yet the sources stay
        # within their 20 s (event-time) staleness limit on a loaded 2-core machine.
        sim.post("/control/pace?bar_ms=200")
        had_orders = wait_until(lambda: (sim.status().get("orders", {}).get("new_orders", 0) >= 200), 150, 0.2)
        check(had_orders is not None, "liquidation storm: the venue received orders")
        st = sim.status()
        print("     venue before kill -9:", st.get("orders"), "step", st.get("step"))
        code, body = http("GET", metrics)
        n, p50, p99 = latency_quantiles(body, "liqd_tick_to_decision_seconds")
        print("     tick-to-decision over the wire (price received -> order handed to the executor): "
              "%d samples, p50 <= %s s, p99 <= %s s (bucket upper bounds; reported, not asserted)" % (n, p50, p99))
        check(n > 0, "tick-to-decision measured during the storm")
        # The market stands still while liqd is down (the sim pauses), so the reference
        # below can expect every account the path sinks to be liquidated.
        sim.post("/control/pause")
        liqd.p.send_signal(signal.SIGKILL)
        liqd.p.wait(10)
        liqd2 = Liqd(a.liqd, cfg, log)
        procs.append(liqd2)
        check(wait_until(lambda: "records replayed" in liqd2.text().split("signal 9")[-1] or
                         liqd2.text().count("records replayed") >= 2, 20) is not None, "restart replays the journal")
        check(wait_ready(sim, admin, token), "ready again after the restart")
        sim.post("/control/pace?bar_ms=200")
        check(wait_until(lambda: sim.status().get("path_end"), 150, 0.5) is not None,
              "the whole crash path played, and 10 flat minutes after it")
        # None stays liquidatable beyond a bound: the flat tail outlasts the breaker's
        # calm periods; then 20 s of wall time.
        left = wait_until(lambda: metrics_value(http("GET", metrics)[1], "liqd_accounts_liquidatable") == 0, 20, 0.5)
        check(left is not None, "no account still liquidatable after the tail (%s)" %
              metrics_value(http("GET", metrics)[1], "liqd_accounts_liquidatable"))
        code, body = http("GET", metrics)
        print("     metrics after the storm: liquidatable", metrics_value(body, "liqd_accounts_liquidatable"),
              "monitored", metrics_value(body, "liqd_accounts_monitored"),
              "tick-to-decision samples", metrics_value(body, "liqd_tick_to_decision_seconds_count"))
        check(metrics_value(body, "liqd_index_missed_total") == 0, "liqd_index_missed_total stays 0")
        ok, msg = promtool_check(body)
        if ok is not None:
            check(ok, "promtool check metrics after the storm: " + msg[:300])

        # 6. drain
        t_term = time.time()
        liqd2.p.send_signal(signal.SIGTERM)
        try:
            rc = liqd2.p.wait(30)
        except subprocess.TimeoutExpired:
            rc = None
        check(rc == 0, "SIGTERM: drained and exited 0 in %.1f s (rc %s)" % (time.time() - t_term, rc))
        check("journal flushed" in liqd2.text(), "drain flushed the journal")
        sim.post("/control/pause")
        venue = sim.status().get("orders", {})
        summary = json.loads(subprocess.run([a.liqd, "explain", "--journal", journal, "--summary"],
                                            capture_output=True, text=True, timeout=60).stdout)
        print("     journal:", json.dumps(summary))
        print("     venue:  ", json.dumps(venue))
        check(summary["orders"] > 0 and summary["fills"] > 0, "orders sent and filled")
        check(summary["duplicate_orders"] == 0, "no client order id journaled twice")
        check(venue.get("duplicates", -1) == 0, "the venue saw no duplicate order")
        check(summary["orders"] >= venue.get("new_orders", 1 << 60), "every order the venue received is in the journal (%s vs %s)" %
              (summary["orders"], venue.get("new_orders")))
        check(summary["fills"] == venue.get("fills"), "every venue fill is journaled exactly once (%s vs %s)" %
              (summary["fills"], venue.get("fills")))
        check(summary["duplicate_fills"] == 0, "no fill counted twice")
        check(summary["fund"]["reconciles"], "fund movements reconcile (start + fees - shortfalls = end)")
        check(summary["admin_actions"] >= 2, "admin pause/resume journaled")

        # 7. exactly the accounts the reference says the path sinks were liquidated
        tiers = MarketTiers(os.path.join(work, "markets", "BTC-USD.yaml"))  # as reloaded
        low, high = crash_marks(tiers.tick)
        last = crash_marks(tiers.tick, last_only=True)[0]
        ref = Reference(dump, tiers)
        want = ref.liquidatable_along(low, high)      # below MM at some price of the path
        final = ref.liquidatable_at(last)             # still below MM at the last price
        got = set(summary.get("liquidated_accounts", []))
        print("     reference: %d of %d accounts go below maintenance between %s and %s, %d are still below at the "
              "last price %s; liqd liquidated %d" % (len(want), a.accounts, float(low), float(high), len(final),
                                                     float(last), len(got)))
        print("     %d sank and recovered before liqd liquidated them (their low came while the market was paused or "
              "stale: breaker or oracle quorum)" % len(want - got))
        check(len(final) > 0, "the crash sinks accounts for good (reference)")
        check(got <= want, "liqd liquidated no account the path does not sink (extra %s)" % sorted(got - want)[:10])
        check(final <= got, "every account still sunk at the end was liquidated (missing %s)" % sorted(final - got)[:10])
        # Exactly the reference set on an unloaded machine (2995 of 2995 on 2026-12-03);
        # an account whose whole dip fell in a breaker or quorum pause may recover first.
        # Bounded at 1 %, since a loaded CI machine can delay a feed past its staleness.
        check(len(want - got) <= max(5, len(want) // 100),
              "liquidated == reference but for at most 1 %% that recovered during a pause (%d)" % len(want - got))
    finally:
        e2e_cleanup(check, a.keep, work, log, procs, sim, tail=40)
    return check.verdict()


if __name__ == "__main__":
    sys.exit(main())
