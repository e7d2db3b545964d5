"""liqd against liqd-sim on 127.0.0.1: what the demo (scripts/demo.py) and the
end-to-end tests (tests/e2e/) share.

  Sim        starts liqd-sim, reads its ready line (ports), drives /control/*
  write_config  a liqd.yaml pointing at the sim's ports, one market file copied in
  Liqd       starts `liqd --config F`, its log in a file
  http, metrics_value, metrics_by_label, latency_quantiles   the admin API and /metrics
  Reference  which accounts a price path must make liquidatable, computed here from
             the sim's population dump and the market file's tiers with Python's exact
             fractions: an implementation independent of liqd's C++ margin engine.

Standard library only (python3 is all the demo and the tests need).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from fractions import Fraction

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRASH_PATH = os.path.join(REPO, "sim", "data", "binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv")


def wait_until(fn, timeout_s, step_s=0.1):
    """fn() until it returns something true or timeout_s passes; its last value or None."""
    end = time.time() + timeout_s
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(step_s)
    return None


class Checks:
    """The end-to-end tests' verdicts: each check prints ok/FAIL, the run fails if any did."""

    def __init__(self):
        self.fails = []

    def __call__(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what, flush=True)
        if not cond:
            self.fails.append(what)
        return cond

    def verdict(self):
        print("%d check(s) failed" % len(self.fails) if self.fails else "all checks passed")
        return 1 if self.fails else 0


def e2e_args(accounts):
    """The command line every tests/e2e script takes."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--liqd", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--config-dir", required=True)
    ap.add_argument("--accounts", type=int, default=accounts)
    ap.add_argument("--keep", action="store_true")
    return ap.parse_args()


def e2e_cleanup(checks, keep, work, log, procs, sim, tail=40):
    """Kills what is still running; keeps the work dir (and prints liqd's log tail) when a
    check failed or --keep was given, else removes it."""
    for p in procs:
        if p is not None and p.alive():
            p.p.kill()
    sim.stop()
    if checks.fails or keep:
        print("work dir kept:", work)
        try:
            print("---- liqd log (tail) ----")
            print("\n".join(open(log).read().splitlines()[-tail:]))
        except OSError:
            pass
    else:
        shutil.rmtree(work, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, token=None, timeout=5, body=None):
    """(status, text); status 0 when nothing answered."""
    req = urllib.request.Request(url, method=method, data=body.encode() if body is not None else None)
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, ConnectionError, socket.timeout):
        return 0, ""


# The simulated BTCUSDT book every loopback run drives: tick and lot as in
# config/demo/markets/BTC-USD.yaml (the market file liqd reads), the demo's depth.
BTC_MARKET_ARGS = ["--market", "BTCUSDT:tick=0.1:lot=0.00001", "--top-notional", "400000", "--depth-levels", "40"]


# The hedge venue's own book (sim/README.md, "Two books"): the binance port serves a
# book 4 times as deep as the own venue's, the vault's hedges fill there, and liqd
# reads the own book from the sim's own port (write_config: feeds.own_book_ws), so
# the core's split has two books to compare.
HEDGE_BOOK_ARGS = ["--hedge-depth-multiple", "4"]


def e2e_sim_args(accounts, dump=None):
    """liqd-sim flags of the loopback tests: paused (stepped by wait_ready and
    the test), 60 steps per bar as fast as asked, the BTCUSDT book; with `dump`,
    the population is written there and the run stops 10 minutes after the low."""
    args = ["--paused", "--accounts", str(accounts), "--steps-per-bar", "60", "--bar-ms", "-1"] + BTC_MARKET_ARGS
    if dump:
        args += ["--dump-accounts", dump, "--tail-minutes", "10"]
    return args


class Sim:
    """liqd-sim as a child process; `ready` is its first stdout line (every port)."""

    def __init__(self, exe, args):
        self.p = subprocess.Popen([exe] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("liqd-sim did not start: " + self.p.stderr.read().strip())
        self.ready = json.loads(line)
        self.control = "http://127.0.0.1:%d" % self.ready["control"]

    def post(self, path):
        return http("POST", self.control + path)

    def fault(self, stream, mode, extra=""):
        return self.post("/control/fault?stream=%s&mode=%s%s" % (stream, mode, extra))[0] == 200

    def status(self):
        code, body = http("GET", self.control + "/control/status")
        return json.loads(body) if code == 200 else {}

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()


def write_hedge_keys(work):
    """The hedge venue's API key and secret in work/hedge.key and work/hedge.secret
    (mode 0600, what liqd and liqd-sim both require), once; returns the liqd-sim
    flags that make its Binance REST order endpoint accept them."""
    paths = []
    for name in ("hedge.key", "hedge.secret"):
        path = os.path.join(work, name)
        if not os.path.exists(path):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(("lbk-" if name == "hedge.key" else "lbs-") + os.urandom(24).hex() + "\n")
        paths.append(path)
    return ["--hedge-api-key-file", paths[0], "--hedge-secret-file", paths[1]]


def _point_order_entry(market_path, work, binance_port):
    """A copied market file's hedge order entry aimed at this sim's binance port and
    at work's key files (written if the test did not give them to the sim: liqd then
    starts, and the sim refuses its hedges)."""
    text = open(market_path).read()
    if "order_entry:" not in text:
        return
    write_hedge_keys(work)
    text = re.sub(r'base_url: "http://127\.0\.0\.1:\d+"', 'base_url: "http://127.0.0.1:%d"' % binance_port, text)
    text = re.sub(r"api_key_file: \S+", "api_key_file: " + os.path.join(work, "hedge.key"), text)
    text = re.sub(r"secret_file: \S+", "secret_file: " + os.path.join(work, "hedge.secret"), text)
    with open(market_path, "w") as f:
        f.write(text)


def write_config(work, market_file, sim, admin_port, metrics_port, journal, instance="liqd-e2e", log_level="info"):
    """liqd.yaml in `work` for the sim's ports, with `market_file` copied to work/markets."""
    mdir = os.path.join(work, "markets")
    os.makedirs(mdir, exist_ok=True)
    shutil.copy(market_file, mdir)
    _point_order_entry(os.path.join(mdir, os.path.basename(market_file)), work, sim.ready["binance"])
    r = sim.ready
    text = f"""instance: {instance}
quote: {{asset: USDT, scale: "0.000001"}}
markets: {{dir: markets}}
insurance_fund: {{start_balance: "250000"}}
journal: {{dir: {journal}, fsync: batch}}
admin: {{listen: 127.0.0.1:{admin_port}, token_file: {work}/admin.token}}
metrics: {{listen: 127.0.0.1:{metrics_port}}}
venue: {{account_stream: 127.0.0.1:{r['accounts']}, order_entry: 127.0.0.1:{r['orders']}}}
feeds:
  binance_ws: ws://127.0.0.1:{r['binance']}
  binance_rest: http://127.0.0.1:{r['binance']}
  hyperliquid_ws: ws://127.0.0.1:{r['hyperliquid']}/ws
  pyth_ws: ws://127.0.0.1:{r['pyth']}/ws
  stale_after_ms: 5000
logging: {{level: {log_level}}}
"""
    if r.get("hedge_depth_multiple", 0) > 0:
        # Two books: the own venue's on its own port (without a hedge book it is the
        # binance port's book, and the split would count the same levels twice).
        text = text.replace("  stale_after_ms: 5000\n", "  own_book_ws: ws://127.0.0.1:%d\n  own_book_rest: http://127.0.0.1:%d\n"
                            "  stale_after_ms: 5000\n" % (r["own"], r["own"]))
    path = os.path.join(work, "liqd.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def wait_ready(sim, admin, token, timeout_s=60):
    """Steps the paused sim until liqd's /readyz says accounts, books and prices are in sync."""
    def ready():
        sim.post("/control/step?n=2")
        return http("GET", admin + "/readyz", token)[0] == 200
    return wait_until(ready, timeout_s, 0.2) is not None


def write_token(work):
    token = "lb-" + os.urandom(12).hex()
    path = os.path.join(work, "admin.token")
    with open(path, "w") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)
    return token


class Liqd:
    """`liqd --config F` as a child process, stdout and stderr appended to `log`."""

    def __init__(self, exe, config, log):
        self.log_path = log
        self.log = open(log, "a")
        self.p = subprocess.Popen([exe, "--config", config], stdout=self.log, stderr=subprocess.STDOUT)

    def alive(self):
        return self.p.poll() is None

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, timeout=30):
        """SIGTERM (drain), then its exit code (None if it had to be killed)."""
        if not self.alive():
            return self.p.returncode
        self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return None


# --- /metrics ---------------------------------------------------------------------

def _samples(body, name):
    """(labels text, value) of every sample of exactly `name`."""
    for line in body.splitlines():
        if line.startswith("#"):
            continue
        if line.startswith(name + " ") or line.startswith(name + "{"):
            labels = line[len(name) + 1:line.index("}")] if line[len(name)] == "{" else ""
            try:
                yield labels, float(line.rsplit(" ", 1)[1])
            except ValueError:
                pass


def metrics_value(body, name):
    """The first sample of `name`, or None."""
    return next((v for _, v in _samples(body, name)), None)


def metrics_sum(body, name, where=""):
    """Sum of the samples of `name` whose labels contain `where` (None if there is none)."""
    vals = [v for labels, v in _samples(body, name) if where in labels]
    return sum(vals) if vals else None


def metrics_by_label(body, name, label):
    """{label value: sample} for `name`."""
    out = {}
    for labels, v in _samples(body, name):
        m = re.search(label + r'="([^"]*)"', labels)
        if m:
            out[m.group(1)] = v
    return out


def latency_quantiles(body, name):
    """(count, p50, p99) from a Prometheus histogram's cumulative buckets (upper bounds)."""
    buckets = []
    for labels, v in _samples(body, name + "_bucket"):
        le = labels.split('le="', 1)[1].split('"', 1)[0]
        buckets.append((float("inf") if le == "+Inf" else float(le), v))
    if not buckets or buckets[-1][1] == 0:
        return 0, None, None
    total = buckets[-1][1]
    q = lambda f: next(le for le, c in buckets if c >= f * total)
    return int(total), q(0.5), q(0.99)


def promtool_check(body):
    """(ok, message); ok None when promtool is not installed."""
    prom = shutil.which("promtool")
    if not prom:
        return None, "promtool not installed"
    r = subprocess.run([prom, "check", "metrics"], input=body, capture_output=True, text=True)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


# --- the reference calculation ----------------------------------------------------

def _dec(s):
    return Fraction(s)


def _round_half_away(x):
    """Nearest integer to a Fraction, halves away from zero (the sim's Round::HalfAwayFromZero)."""
    n = abs(x)
    i = int(n)
    if n - i >= Fraction(1, 2):
        i += 1
    return i if x >= 0 else -i


class MarketTiers:
    """A market file's tiers and its tick, read with regular expressions (no YAML module
    needed): `- {max_notional: "50000", imr: "0.008", mmr: "0.004"}` lines and `tick_size`.

    Maintenance margin as Binance USD-M publishes it (Binance, "Leverage and Margin of
    USDⓈ-M Futures"): MM = notional × mmr − cum, where the tier is the first whose cap is
    ≥ notional and cum_1 = 0, cum_k = cum_{k−1} + cap_{k−1} × (mmr_k − mmr_{k−1}),
    so MM is continuous in the notional."""

    def __init__(self, market_file):
        text = open(market_file).read()
        self.tick = _dec(re.search(r'^tick_size:\s*"([0-9.]+)"', text, re.M).group(1))
        self.tiers = []
        cum, prev_cap, prev_mmr = Fraction(0), Fraction(0), Fraction(0)
        for m in re.finditer(r'max_notional:\s*"([0-9.]+)",\s*imr:\s*"([0-9.]+)",\s*mmr:\s*"([0-9.]+)"', text):
            cap, mmr = _dec(m.group(1)), _dec(m.group(3))
            if self.tiers:
                cum += prev_cap * (mmr - prev_mmr)
            self.tiers.append((cap, mmr, cum))
            prev_cap, prev_mmr = cap, mmr
        if not self.tiers:
            raise ValueError(market_file + ": no tiers found")

    def mm(self, notional):
        for cap, mmr, cum in self.tiers:
            if notional <= cap:
                return notional * mmr - cum
        cap, mmr, cum = self.tiers[-1]
        return notional * mmr - cum   # beyond the last cap: liqd refuses such positions


def crash_marks(tick, path_csv=CRASH_PATH, until_bar=None, last_only=False):
    """(lowest, highest) mark liqd-sim serves along the path (first `until_bar` bars):
    its walk hits every bar's low and high exactly, scaled by ref / first open
    (ref = first open rounded to the tick) and rounded to the tick, halves away.
    last_only: (last close, last close)."""
    rows = [line.strip().split(",") for line in open(path_csv)][1:]
    if until_bar is not None:
        rows = rows[:until_bar]
    first_open = _dec(rows[0][1])
    ref = _round_half_away(first_open / tick) * tick

    def market(px):
        return max(1, _round_half_away(_dec(px) * ref / first_open / tick)) * tick

    if last_only:
        return market(rows[-1][4]), market(rows[-1][4])
    return min(market(r[3]) for r in rows), max(market(r[2]) for r in rows)


class Reference:
    """Which accounts of a liqd-sim population dump (`liqd-sim --dump-accounts F`) are
    liquidatable at a mark: equity < MM strictly, with an open position (liqd's
    definition); cross equity = collateral + Σ size × (mark − entry) over cross
    positions; an isolated position is judged alone on its isolated margin.

    For a one-market account, equity − MM is concave in the mark (equity linear, MM a
    convex function of the notional: the mmr only grows with the tier), so the lowest
    value along a path is at the path's lowest or highest mark: checking those two
    prices finds every account the path makes liquidatable while its positions are
    those it started with (which they are until its first liquidation)."""

    def __init__(self, dump_file, tiers, symbol="BTCUSDT"):
        self.tiers = tiers
        self.accounts = []
        for line in open(dump_file):
            a = json.loads(line)
            pos = [(p["isolated"], _dec(p["size"]), _dec(p["entry"]), _dec(p["isolated_margin"]))
                   for p in a["positions"] if p["symbol"] == symbol and _dec(p["size"]) != 0]
            self.accounts.append((a["id"], _dec(a["collateral"]), pos))

    def liquidatable_at(self, mark):
        out = set()
        for aid, collateral, pos in self.accounts:
            cross = [(s, e) for iso, s, e, _ in pos if not iso]
            if cross:
                eq = collateral + sum(s * (mark - e) for s, e in cross)
                mm = sum(self.tiers.mm(abs(s) * mark) for s, _ in cross)
                if eq < mm:
                    out.add(aid)
            for iso, s, e, margin in pos:
                if iso and margin + s * (mark - e) < self.tiers.mm(abs(s) * mark):
                    out.add(aid)
        return out

    def liquidatable_along(self, low, high):
        return self.liquidatable_at(low) | self.liquidatable_at(high)
