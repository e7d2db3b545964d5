#!/usr/bin/env python3
"""`kill -9` in the middle of a liquidation storm, restart, and compare with an
uninterrupted run (issue 8 "Tests"): no order sent twice, no fill lost, the same fund
balance.

Runs on the same seed, population and path, each with its own sim and journal:
  A, A2  uninterrupted (A2 shows how far two runs without a crash are apart);
  B      liqd killed with SIGKILL while the venue holds orders of the storm,
         restarted on the same journal, then the rest of the path.
Every run drives the paused sim in lock step, ONE step at a time, and after each
step waits (bounded) until liqd is quiescent, so that each liqd sees the same event
sequence in the same grouping. Larger advances are not comparable: with several
steps in flight the three price streams reach the core at different speeds, the
event clock runs ahead of the slower sources and the index goes STALE for a
while (and for how long depends on thread timing). Quiescent means:
  - the venue holds no order in its latency queue (new_orders = acked + rejected + cancelled);
  - liqd has no open order and every venue fill reached its core (liqd_order_fills_total
    of this process = venue fills since it started);
  - every message the sim published on each stream reached liqd's feed handler
    (liqd_events_total{type="message"} per source = the sim's `sent` per stream, less
    the offset measured when liqd became ready: subscription replies, the account
    snapshot; a frame the sim does not count, such as a pong, moves it for good);
  - the core's input counters and the counters that move on a decision stand still
    over two polls.
Start-up is aligned too: liqd is started against the paused sim, and the sim is
stepped once only when liqd holds every stream, then once per readiness poll round.

The path is the first PATH_BARS bars of Black Thursday (the population starts
leveraged into it: a third of it becomes liquidatable within 22 minutes), 20 steps
per bar (3 s of event time per step, inside the sources' 20 s staleness limit).

Compared: the journal's fund balance at the end, the set of liquidated accounts, the
venue's fill count; in B no client order id journaled twice, none the venue saw twice,
every venue fill in the journal exactly once, the fund reconciling with the journal.

Usage: restart_e2e.py --liqd PATH --sim PATH --config-dir config/demo [--keep] [--runs-only]

Not in CI yet: A and A2 liquidate the same accounts but end with different fund
balances (README, "Limits"): within one step the price streams, order outcomes and
account updates reach the core in thread-timing order, and the core plans each turn.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from liqd_loopback import (BTC_MARKET_ARGS, CRASH_PATH, Checks, Liqd, Sim, e2e_cleanup, free_port, http,  # noqa: E402
                           metrics_by_label, metrics_value, wait_until, write_config, write_token)

check = Checks()

PATH_BARS = 30
STEPS_PER_BAR = 20
TAIL_MINUTES = 3


def args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--liqd", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--config-dir", required=True)
    ap.add_argument("--accounts", type=int, default=3000)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--runs-only", action="store_true", help="only the uninterrupted runs A and A2, compared")
    return ap.parse_args()


def short_path(work):
    """The first PATH_BARS bars of the shipped crash path (sim/data, see its PROVENANCE.md)."""
    lines = open(CRASH_PATH).read().splitlines()
    out = os.path.join(work, "path.csv")
    with open(out, "w") as f:
        f.write("\n".join(lines[:1 + PATH_BARS]) + "\n")
    return out


# sim stream -> liqd feed source (liqd_events_total{source=..., type="message"})
STREAMS = {"binance": "binance-usdm", "hyperliquid": "hyperliquid", "pyth": "pyth-hermes", "accounts": "accounts"}


def delivered(st, body):
    """Per stream: the sim's sent count minus liqd's received count."""
    got = {k: v for k, v in metrics_by_label(body, "liqd_events_total", "source").items()}
    return {s: st.get("streams", {}).get(s, {}).get("sent", 0) - got.get(src, -1) for s, src in STREAMS.items()}


class Run:
    """One sim, one liqd (restartable), one journal."""

    def __init__(self, a, name):
        self.a = a
        self.name = name
        self.work = tempfile.mkdtemp(prefix="liqd-restart-%s-" % name)
        self.journal = os.path.join(self.work, "journal")
        self.token = write_token(self.work)
        self.sim = Sim(a.sim, ["--paused", "--path", short_path(self.work), "--accounts", str(a.accounts),
                               "--steps-per-bar", str(STEPS_PER_BAR), "--bar-ms", "-1",
                               "--tail-minutes", str(TAIL_MINUTES),
                               "--dump-accounts", os.path.join(self.work, "population.jsonl")] + BTC_MARKET_ARGS)
        self.admin_port, self.metrics_port = free_port(), free_port()
        self.cfg = write_config(self.work, os.path.join(a.config_dir, "markets", "BTC-USD.yaml"), self.sim,
                                self.admin_port, self.metrics_port, self.journal, instance="liqd-restart-" + name)
        self.admin = "http://127.0.0.1:%d" % self.admin_port
        self.metrics = "http://127.0.0.1:%d/metrics" % self.metrics_port
        self.log = os.path.join(self.work, "liqd.log")
        self.procs = []
        self.liqd = None
        self.fills_at_start = 0   # venue fills before this liqd process started
        self.waits_timed_out = 0
        self.steps = 0
        self.ready_step = None
        self.offsets = None  # delivered() of a settled liqd: what every later poll must show

    def start(self):
        """liqd against the paused sim; steps it once all five streams are held, then
        once per readiness round (bounded). Returns the sim step liqd was ready at."""
        self.fills_at_start = self.sim.status().get("orders", {}).get("fills", 0)
        self.liqd = Liqd(self.a.liqd, self.cfg, self.log)
        self.procs.append(self.liqd)

        def connected():
            s = self.sim.status().get("streams", {})
            return all(s.get(k, {}).get("clients", 0) >= 1 for k in ("binance", "hyperliquid", "pyth", "orders", "accounts"))
        if not wait_until(connected, 20, 0.02):
            return None
        for _ in range(5):
            self.step()
            # long enough for a loaded machine: how many steps readiness takes must not
            # depend on how fast this liqd happens to be
            if wait_until(lambda: http("GET", self.admin + "/readyz", self.token)[0] == 200, 8.0, 0.02):
                time.sleep(0.5)  # everything of this step arrives (no step is taken meanwhile)
                st, body = self.snapshot()
                self.offsets = delivered(st, body)
                return st.get("step")
        return None

    def snapshot(self):
        st = self.sim.status()
        code, body = http("GET", self.metrics)
        return st, (body if code == 200 else "")

    def quiescent(self, timeout_s=3.0):
        """True once liqd has settled everything the last step caused (bounded)."""
        prev = None
        end = time.time() + timeout_s
        while time.time() < end:
            st, body = self.snapshot()
            o = st.get("orders", {})
            venue_idle = o.get("new_orders", -1) == o.get("acked", 0) + o.get("rejected", 0) + o.get("cancelled", 0)
            fills = metrics_value(body, "liqd_order_fills_total")
            d = delivered(st, body)
            ok = (venue_idle and metrics_value(body, "liqd_orders_open") == 0 and
                  fills is not None and self.fills_at_start + fills == o.get("fills", -1) and
                  all(d[k] <= self.offsets[k] for k in d))
            inputs = tuple(line for line in body.splitlines() if line.startswith("liqd_events_total"))
            key = (inputs, tuple(sorted(d.items())), o.get("new_orders"), o.get("fills"), metrics_value(body, "liqd_orders_sent_total"),
                   metrics_value(body, "liqd_fills_total"), metrics_value(body, "liqd_insurance_fund_balance"),
                   metrics_value(body, "liqd_accounts_liquidatable"), metrics_value(body, "liqd_accounts_in_liquidation"))
            if ok and key == prev:
                self.offsets = d  # a stray frame the sim does not count (a pong) moves it by one
                return True
            prev = key if ok else None
            time.sleep(0.01)
        self.waits_timed_out += 1
        return False

    def step(self):
        self.sim.post("/control/step?n=1")
        self.steps += 1

    def finish(self):
        rc = self.liqd.stop(30)
        summary = json.loads(subprocess.run([self.a.liqd, "explain", "--journal", self.journal, "--summary"],
                                            capture_output=True, text=True, timeout=60).stdout or "{}")
        return rc, summary, self.sim.status()


def play(run, kill_at=None, budget_s=240):
    """Steps the path to its end, one step and one quiescence wait at a time; at step
    kill_at: one more step, kill -9 as soon as the venue has that step's orders, restart."""
    t0 = time.time()
    killed = None
    run.ready_step = run.start()
    check(run.ready_step is not None, "%s: ready (at sim step %s)" % (run.name, run.ready_step))
    run.quiescent()
    while time.time() - t0 < budget_s:
        st = run.sim.status()
        if st.get("path_end"):
            break
        if kill_at is not None and killed is None and st.get("step", 0) >= kill_at:
            before = st.get("orders", {}).get("new_orders", 0)
            run.step()
            wait_until(lambda: run.sim.status().get("orders", {}).get("new_orders", 0) > before, 2, 0.002)
            venue = run.sim.status().get("orders", {})
            run.liqd.p.send_signal(signal.SIGKILL)
            run.liqd.p.wait(10)
            killed = {"step": st.get("step") + 1, "venue": venue}
            again = run.start()
            check(again is not None, "%s: ready again after kill -9 and restart on the same journal (step %s)" % (run.name, again))
            run.quiescent()
            continue
        run.step()
        run.quiescent()
    check(run.sim.status().get("path_end"), "%s: the whole path played within %d s (%.1f s, %d steps, %d quiescence waits timed out)"
          % (run.name, budget_s, time.time() - t0, run.steps, run.waits_timed_out))
    return killed


def describe(name, s, st):
    print("     %s journal: orders %s fills %s fund end %s liquidated %d; venue: %s" %
          (name, s.get("orders"), s.get("fills"), s.get("fund", {}).get("end"), len(s.get("liquidated_accounts", [])),
           json.dumps({k: st["orders"].get(k) for k in ("new_orders", "fills", "duplicates", "transfers", "fees")})))


def compare(x, sx, stx, y, sy, sty):
    fa, fb = sx.get("fund", {}).get("end"), sy.get("fund", {}).get("end")
    check(fa is not None and fa == fb, "%s and %s end with the same fund balance: %s, %s (1e-6 quote; difference %s)" %
          (x, y, fa, fb, None if fa is None or fb is None else fb - fa))
    la, lb = set(sx.get("liquidated_accounts", [])), set(sy.get("liquidated_accounts", []))
    check(la == lb, "%s and %s liquidated the same accounts: %d, %d, %d differ" % (x, y, len(la), len(lb), len(la ^ lb)))
    check(stx["orders"].get("fills") == sty["orders"].get("fills"),
          "the venue filled as often for %s as for %s (%s, %s)" % (x, y, stx["orders"].get("fills"), sty["orders"].get("fills")))


def main():
    a = args()
    t_start = time.time()
    runs = []
    try:
        def uninterrupted(name):
            r = Run(a, name)
            runs.append(r)
            play(r)
            rc, summary, st = r.finish()
            check(rc == 0, "%s: drained and exited 0 (%s)" % (name, rc))
            describe(name, summary, st)
            check(summary.get("orders", 0) > 0 and summary.get("fills", 0) > 0, "%s: orders sent and filled" % name)
            return r, summary, st

        A, sumA, stA = uninterrupted("A")
        _, sumA2, stA2 = uninterrupted("A2")
        compare("A", sumA, stA, "A2", sumA2, stA2)
        if not a.runs_only:
            B = Run(a, "B")
            runs.append(B)
            # the storm: a third of A's orders had gone out by this step
            kill_at = max(A.ready_step + 2, A.ready_step + (A.steps - A.ready_step) // 6)
            killed = play(B, kill_at)
            check(killed is not None, "B: killed with kill -9 in the storm (%s)" % killed)
            rcB, sumB, stB = B.finish()
            check(rcB == 0, "B: drained and exited 0 (%s)" % rcB)
            describe("B", sumB, stB)
            check(sumB.get("duplicate_orders", -1) == 0, "B: no client order id journaled twice")
            check(stB["orders"].get("duplicates", -1) == 0, "B: the venue saw no duplicate order")
            check(sumB.get("orders", 0) >= stB["orders"].get("new_orders", 1 << 60),
                  "B: every order the venue received is in the journal (%s vs %s)" % (sumB.get("orders"), stB["orders"].get("new_orders")))
            check(sumB.get("fills") == stB["orders"].get("fills") and sumB.get("duplicate_fills", -1) == 0,
                  "B: every venue fill is in the journal exactly once (%s vs %s, %s duplicates)" %
                  (sumB.get("fills"), stB["orders"].get("fills"), sumB.get("duplicate_fills")))
            check(sumB.get("fund", {}).get("reconciles"), "B: fund movements reconcile")
            compare("A", sumA, stA, "B", sumB, stB)
        print("     run time %.1f s" % (time.time() - t_start))
    finally:
        for r in runs:
            e2e_cleanup(check, a.keep, r.work, r.log, r.procs, r.sim, tail=30)
    return check.verdict()


if __name__ == "__main__":
    sys.exit(main())
