#!/usr/bin/env bash
# Offline replay demo (scripts/replay_demo.sh, after ./run.sh build): 100,000 synthetic accounts over
# BTC, ETH and DOGE perpetuals (config/liqd.yaml) replayed through Black Thursday
# (Binance USD-M BTCUSDT, 2020-03-12 23:07 → 03-13 04:00 UTC, every market following
# the BTC path scaled to its own price), first with the configured (static) margin,
# then with volatility-adjusted margin. One status line per simulated minute.
# Options: --accounts N (default 100000), --pace-ms MS (wall ms per simulated minute,
# default 100; 0 = as fast as possible). Uses only this repository.
set -euo pipefail
cd "$(dirname "$0")/.."

N=100000
PACE=100
while [ $# -gt 0 ]; do
  case "$1" in
    --accounts) N="$2"; shift 2 ;;
    --pace-ms) PACE="$2"; shift 2 ;;
    *) echo "demo.sh: unknown option $1 (--accounts N, --pace-ms MS)" >&2; exit 2 ;;
  esac
done

LIQD=build/bin/liqd
[ -x "$LIQD" ] || { echo "demo.sh: $LIQD not built (./run.sh build)" >&2; exit 1; }
PATH_CSV=tests/data/crash_days/binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv
# The path's first open is 5741.41: BTC replays at its real prices; ETH and DOGE follow
# the same relative path from these reference prices (the population is generated there).
PRICES=(--price BTC-USD=5741.41 --price ETH-USD=3000 --price DOGE-USD=0.15)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }

bold "1. $N synthetic accounts (seed 42, leverage 1-125x, median 10x) -> $TMP/accounts.jsonl"
time "$LIQD" gen-accounts --n "$N" --seed 42 --config config/liqd.yaml "${PRICES[@]}" > "$TMP/accounts.jsonl"
head -2 "$TMP/accounts.jsonl"

for POLICY in static dynamic; do
  bold "2. replay Black Thursday, $POLICY margin (one line per simulated minute)"
  "$LIQD" replay --config config/liqd.yaml --prices "$PATH_CSV" --accounts "$TMP/accounts.jsonl" "${PRICES[@]}" \
    --policy "$POLICY" --progress --pace-ms "$PACE" --json "$TMP/$POLICY.json" 2>&1 \
    | grep --line-buffered '^\[' || true
done

bold "3. static vs volatility-adjusted margin, $N accounts, Black Thursday"
python3 - "$TMP/static.json" "$TMP/dynamic.json" <<'PY' 2>/dev/null || paste "$TMP/static.json" "$TMP/dynamic.json"
import json, sys
s, d = (json.load(open(f)) for f in sys.argv[1:3])
rows = [("liquidations", "liquidations", 0), ("notional liquidated", "notional_liquidated", 1),
        ("fees to insurance fund", "fees_to_fund", 1), ("shortfall (below bankruptcy)", "shortfall", 1),
        ("  paid by the fund", "fund_paid", 1), ("  absorbed by the backstop", "backstop_absorbed", 1),
        ("  absorbed by ADL", "adl_absorbed", 1), ("  bad debt", "bad_debt", 1),
        ("ADL events", "adl_events", 0), ("backstop transfers", "backstop_transfers", 0),
        ("breaker activations", "breaker_activations", 0), ("max underwater accounts", "max_underwater_accounts", 0),
        ("max time underwater (min)", "max_time_underwater_ms", 2)]
def fmt(v, kind):
    v = float(v)
    return f"{v:,.2f}" if kind == 1 else (f"{v/60000:,.1f}" if kind == 2 else f"{int(v):,}")
print(f"{'':30} {'static':>20} {'dynamic':>20}")
for name, key, kind in rows:
    print(f"{name:30} {fmt(s[key], kind):>20} {fmt(d[key], kind):>20}")
print(f"{'checks (fund reconciles, index missed)':30} {str(s['checks']['fund_reconciles']) + ', ' + str(s['checks']['index_missed']):>12} {str(d['checks']['fund_reconciles']) + ', ' + str(d['checks']['index_missed']):>20}")
PY

cat <<'TXT'

Where to look next
  README.md                       what liqd is, how to run it, the policies and why they are safe
  core/policy/README.md           planner, insurance fund, backstop, ADL, breakers, volatility margin
  daemon/replay/README.md         how this replay works (walk, fill model, defaults, figures)
  config/liqd.yaml, config/markets/*.yaml   the daemon and market configuration used here
  build/bin/liqd --config config/liqd.yaml --check-config    validate a config
  build/bin/liqd replay --help    run your own path / population (--policy both, --json)
  build/bin/liqd explain --help   trace one account's decisions from the journal
  bench/RESULTS.md                measured latency and throughput; bench/results/replay.md
TXT
