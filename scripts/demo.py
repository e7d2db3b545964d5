#!/usr/bin/env python3
"""liqd on Black Thursday, over real sockets (./run.sh demo).

Starts liqd-sim (a loopback exchange: Binance USD-M, Hyperliquid and Pyth market data,
Protobuf order entry and account stream, driven by the real BTCUSDT path of 2020-03-12)
and `liqd --config config/demo/liqd.yaml` against it, replays the crash at an accelerated
pace, prints one status line per second from liqd's /metrics and the sim's status, and
ends with a summary: what liqd did, what the venue saw, and an independent reference
calculation of which accounts the crash sank (scripts/liqd_loopback.py).

Options: --accounts N (default 20000), --bar-ms MS (wall ms per 1-minute bar, default
300: the 294-bar crash in ~90 s), --with-prometheus (also run Debian's prometheus
scraping liqd, config deploy/prometheus/prometheus.yml), --keep-running (leave liqd,
the sim and prometheus up after the summary until Ctrl-C). Uses only this repository.
"""
import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from liqd_loopback import (BTC_MARKET_ARGS, HEDGE_BOOK_ARGS, REPO, Liqd, MarketTiers, Reference, Sim, crash_marks, http, write_hedge_keys,  # noqa: E402
                           latency_quantiles, metrics_by_label, metrics_sum, metrics_value, wait_until)

CONFIG = os.path.join(REPO, "config", "demo", "liqd.yaml")
MARKET = os.path.join(REPO, "config", "demo", "markets", "BTC-USD.yaml")
DEMO_DIR = "/tmp/liqd-demo"              # config/demo/liqd.yaml keeps its journal and token here
SIM_PORTS = ["--binance-port", "19101", "--hyperliquid-port", "19102", "--pyth-port", "19103",
             "--order-port", "19104", "--account-port", "19105", "--control-port", "19106", "--own-port", "19107"]
ADMIN = "http://127.0.0.1:19470"
METRICS = "http://127.0.0.1:19469/metrics"
BACKSTOP_ACCOUNT = 900000001            # config/demo/liqd.yaml backstop.account
BACKSTOP_COLLATERAL = "3000000000"      # USDT: the vault's own margin (limits in the config)
MODES = {0: "normal", 1: "throttle", 2: "PAUSED", 3: "STALE"}


def bold(s):
    print("\n\033[1m%s\033[0m" % s, flush=True)


def money(v):
    return "-" if v is None else "{:,.0f}".format(v)


def status_line(sim, body):
    st = sim.status()
    t = datetime.datetime.fromtimestamp(st.get("sim_ms", 0) / 1000, datetime.timezone.utc)
    mid = (st.get("markets") or [{}])[0].get("mid", "?")
    _, _, p99 = latency_quantiles(body, "liqd_tick_to_decision_seconds")
    modes = metrics_by_label(body, "liqd_circuit_breaker_state", "market")
    brk = " ".join("%s %s" % (k, MODES.get(int(v), v)) for k, v in sorted(modes.items())) or "-"
    return ("%s  BTC %9s  liquidatable %5s  underwater liqd/venue %5s/%5s  liq orders filled %6s  fund %12s  breaker %s  "
            "tick-to-decision p99 %s" % (
                t.strftime("%m-%d %H:%M"), mid, int(metrics_value(body, "liqd_accounts_liquidatable") or 0),
                int(metrics_value(body, "liqd_accounts_underwater") or 0), int((st.get("accounts") or {}).get("underwater", 0)),
                int(metrics_sum(body, "liqd_liquidations_total", 'outcome="filled"') or 0),
                money(metrics_value(body, "liqd_insurance_fund_balance")), brk,
                "-" if p99 is None else ("<= %g ms" % (p99 * 1000))))


def start_prometheus(work):
    exe = shutil.which("prometheus")
    if not exe:
        print("--with-prometheus: Debian's `prometheus` package is not installed (apt-get install prometheus)")
        return None
    cfg = os.path.join(work, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global: {scrape_interval: 1s}\n"
                "scrape_configs:\n  - job_name: liqd\n    static_configs:\n      - targets: ['127.0.0.1:19469']\n")
    p = subprocess.Popen([exe, "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(work, "prom"),
                          "--web.listen-address=127.0.0.1:19090"],
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "prometheus.log"), "w"))
    print("prometheus: http://127.0.0.1:19090 (scraping liqd every second; query e.g. liqd_accounts_liquidatable)")
    return p


def main():
    ap = argparse.ArgumentParser(description="liqd + liqd-sim on Black Thursday, over loopback")
    ap.add_argument("--accounts", type=int, default=20000)
    ap.add_argument("--bar-ms", type=int, default=300)
    ap.add_argument("--with-prometheus", action="store_true")
    ap.add_argument("--keep-running", action="store_true")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin"))
    a = ap.parse_args()
    liqd_exe, sim_exe = os.path.join(a.bin, "liqd"), os.path.join(a.bin, "liqd-sim")
    for exe in (liqd_exe, sim_exe):
        if not os.access(exe, os.X_OK):
            sys.exit("demo: %s not built (./run.sh build)" % exe)
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    os.makedirs(DEMO_DIR)
    token = "demo-" + os.urandom(8).hex()
    with open(os.path.join(DEMO_DIR, "admin.token"), "w") as f:
        f.write(token + "\n")
    os.chmod(os.path.join(DEMO_DIR, "admin.token"), 0o600)
    work = tempfile.mkdtemp(prefix="liqd-demo-")
    dump = os.path.join(work, "population.jsonl")
    procs = []
    t_start = time.time()
    try:
        bold("1. liqd-sim: Black Thursday (Binance USD-M BTCUSDT, 2020-03-12 23:07 -> 03-13 04:00 UTC, "
             "294 one-minute bars), %d accounts, on 127.0.0.1" % a.accounts)
        sim = Sim(sim_exe, ["--paused", "--accounts", str(a.accounts), "--dump-accounts", dump, "--steps-per-bar", "60", "--tail-minutes", "10",
                            "--backstop-account", str(BACKSTOP_ACCOUNT), "--backstop-collateral", BACKSTOP_COLLATERAL]
                  + BTC_MARKET_ARGS + HEDGE_BOOK_ARGS + SIM_PORTS
                  # the vault's hedge keys where config/demo/markets/BTC-USD.yaml names them
                  + write_hedge_keys(DEMO_DIR))
        procs.append(sim)
        print("sim ready:", {k: v for k, v in sim.ready.items() if k in ("binance", "hyperliquid", "pyth", "orders",
                                                                        "accounts", "control", "steps")})
        bold("2. liqd --config config/demo/liqd.yaml: syncing accounts, books and prices")
        log = os.path.join(work, "liqd.log")
        liqd = Liqd(liqd_exe, CONFIG, log)
        procs.append(liqd)
        t0 = time.time()

        def ready():
            if not liqd.alive():
                return "exited"
            sim.post("/control/step?n=1")
            return http("GET", ADMIN + "/readyz", token)[0] == 200

        r = wait_until(ready, 120, 0.25)
        if r is not True:
            print("liqd did not become ready; its log:\n" + "\n".join(liqd.text().splitlines()[-20:]))
            return 1
        print("ready in %.1f s: %s" % (time.time() - t0, http("GET", ADMIN + "/readyz", token)[1].strip()))
        prom = start_prometheus(work) if a.with_prometheus else None
        if prom:
            procs.append(prom)

        bold("3. the crash at %d ms per minute of market (one line per second)" % a.bar_ms)
        sim.post("/control/pace?bar_ms=%d" % a.bar_ms)
        deadline = time.time() + 294 * a.bar_ms / 1000 * 2 + 60
        while time.time() < deadline:
            body = http("GET", METRICS)[1]
            print(status_line(sim, body), flush=True)
            if sim.status().get("path_end"):
                break
            time.sleep(1)
        wait_until(lambda: metrics_value(http("GET", METRICS)[1], "liqd_accounts_liquidatable") == 0, 15, 0.5)
        body = http("GET", METRICS)[1]
        print(status_line(sim, body))
        final = sim.status()
        venue = final.get("orders", {})
        rc = liqd.stop()
        summary = json.loads(subprocess.run([liqd_exe, "explain", "--journal", os.path.join(DEMO_DIR, "journal"),
                                             "--summary"], capture_output=True, text=True, timeout=60).stdout)
        print_summary(body, venue, summary, dump, rc, final.get("backstop"), final.get("accounts"))
        if a.keep_running:
            liqd2 = Liqd(liqd_exe, CONFIG, log)
            procs.append(liqd2)
            print("\nliqd restarted on the same journal; Ctrl-C to stop everything.")
            signal.sigwait([signal.SIGINT, signal.SIGTERM])
        print("\ndemo took %.0f s" % (time.time() - t_start))
        return 0
    finally:
        for p in reversed(procs):
            if isinstance(p, Sim):
                p.stop()
            elif isinstance(p, Liqd):
                p.stop(10)
            elif p.poll() is None:
                p.terminate()
        shutil.rmtree(work, ignore_errors=True)


def vault_text(b):
    if not b:
        return "-"
    pos = ", ".join("%s %s @ %s" % (p["market"], p["size_units"], p["entry"]) for p in b.get("positions", [])) or "flat"
    return "collateral %s USDT, %s (size in lot units)" % (money(float(b.get("collateral", 0))), pos)


def print_summary(body, venue, summary, dump, rc, backstop=None, accounts=None):
    tiers = MarketTiers(MARKET)
    low, high = crash_marks(tiers.tick)
    want = Reference(dump, tiers).liquidatable_along(low, high)
    got = set(summary.get("liquidated_accounts", []))
    n, p50, p99 = latency_quantiles(body, "liqd_tick_to_decision_seconds")
    fund = summary.get("fund", {})
    q = lambda v: v / 1e6
    rows = [
        ("accounts monitored", "{:,}".format(int(metrics_value(body, "liqd_accounts_monitored") or 0))),
        ("BTC low / high on the path", "%s / %s" % (float(low), float(high))),
        ("accounts the crash sinks (reference)", "{:,}".format(len(want))),
        ("accounts liqd liquidated", "%s  (%s)" % ("{:,}".format(len(got)), "the same set as the reference" if got == want
                                                     else "%d sank only during a pause and recovered, %d extra" % (
                                                         len(want - got), len(got - want)))),
        ("liquidation orders decided / refused by the executor / filled", "%s / %s / %s" % (
            int(metrics_sum(body, "liqd_liquidations_total", 'outcome="decided"') or 0),
            int(metrics_sum(body, "liqd_liquidations_total", 'outcome="refused"') or 0),
            int(metrics_sum(body, "liqd_liquidations_total", 'outcome="filled"') or 0))),
        ("notional liquidated (USDT)", money(metrics_sum(body, "liqd_notional_liquidated_total"))),
        ("insurance fund start -> end (USDT)", "%s -> %s" % (money(q(fund.get("start", 0))), money(q(fund.get("end", 0))))),
        ("  fees in / shortfalls paid", "%s / %s" % (money(q(fund.get("fees", 0))), money(q(fund.get("shortfalls_paid", 0))))),
        ("  fund movements reconcile", str(fund.get("reconciles"))),
        ("backstop transfers / ADL fills (liqd)", "%s / %s" % (int(metrics_sum(body, "liqd_backstop_transfers_total") or 0),
                                                               int(metrics_sum(body, "liqd_adl_events_total") or 0))),
        ("backstop transfers / deleverages (venue)", "%s / %s" % (venue.get("transfers"), venue.get("deleverages"))),
        ("  split decisions / split transfers (liqd)", "%s / %s, %s of those transfers off the bankruptcy price" % (
            int(metrics_sum(body, "liqd_split_decisions_total") or 0), int(metrics_sum(body, "liqd_split_transfers_total") or 0),
            summary.get("split", {}).get("transfers", 0) - summary.get("split", {}).get("at_bankruptcy", 0))),
        ("  vault hedges sent / filled (binance), net exposure (BTC)", "%s / %s, %s" % (
            int(metrics_sum(body, "liqd_vault_hedge_orders_total", 'venue="binance",outcome="sent"') or 0),
            int(sum(metrics_sum(body, "liqd_vault_hedge_orders_total", 'venue="binance",outcome="%s"' % o) or 0
                    for o in ("filled", "partial"))),
            metrics_sum(body, "liqd_vault_net_base_exposure", 'base="BTC"'))),
        ("vault at the end (venue)", vault_text(backstop)),
        ("bad debt (USDT)", money(metrics_sum(body, "liqd_bad_debt_total"))),
        ("  orders with neither fund nor ADL behind them", str(int(metrics_sum(body, "liqd_unbacked_orders_total") or 0))),
        ("venue: losses below zero (USDT)", "%s (%s flat accounts + isolated) vs liqd's shortfalls paid + bad debt %s" % (
            money(float((accounts or {}).get("negative_total", 0)) + float((accounts or {}).get("isolated_losses", 0))),
            (accounts or {}).get("negative_balance"),
            money(float(summary.get("fund", {}).get("shortfalls_paid", 0)) / 1e6 + (metrics_sum(body, "liqd_bad_debt_total") or 0)))),
        ("breaker changes", str(int(metrics_sum(body, "liqd_circuit_breaker_changes_total") or 0))),
        ("tick-to-decision (%d samples)" % n, "p50 <= %s ms, p99 <= %s ms" % (
            "-" if p50 is None else "%g" % (p50 * 1000), "-" if p99 is None else "%g" % (p99 * 1000))),
        ("venue: orders / fills / duplicates", "%s / %s / %s" % (venue.get("new_orders"), venue.get("fills"),
                                                                  venue.get("duplicates"))),
        ("journal: orders / duplicate orders / fills", "%s / %s / %s" % (summary.get("orders"),
                                                                         summary.get("duplicate_orders"), summary.get("fills"))),
        ("index missed (audit)", str(int(metrics_value(body, "liqd_index_missed_total") or 0))),
        ("liqd exit after SIGTERM", str(rc)),
    ]
    bold("4. summary")
    w = max(len(k) for k, _ in rows)
    for k, v in rows:
        print("  %-*s  %s" % (w, k, v))
    print("""
Where to look next
  metrics          %s  (every metric: README "Metrics"; alerts: deploy/prometheus/alerts.yml)
  liquidation map  curl -H "Authorization: Bearer $(cat %s/admin.token)" %s/v1/liquidation-map/BTC-USD
  accounts         %s/v1/accounts/{id}, markets %s/v1/markets  (--keep-running keeps them up)
  Grafana          deploy/grafana/liqd-dashboard.json (import it; Prometheus data source)
  journal          build/bin/liqd explain --journal %s/journal --account ID
  offline replay   build/bin/liqd replay --help  (static vs volatility-adjusted margin on any path)
  benchmarks       bench/RESULTS.md""" % (METRICS, DEMO_DIR, ADMIN, ADMIN, ADMIN, DEMO_DIR))


if __name__ == "__main__":
    sys.exit(main())
