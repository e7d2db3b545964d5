#!/usr/bin/env bash
# Checks the deploy artefacts with their own checkers:
#  - the systemd unit with `systemd-analyze verify` (on a copy whose ExecStart is the built binary,
#    because verify fails when the binary does not exist),
#  - Prometheus config and alert rules with promtool,
#  - the Grafana dashboard parses as JSON and every panel has a query on a liqd_ metric.
set -euo pipefail
src=$1; liqd=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed "s|^ExecStart=.*|ExecStart=$liqd --config $src/config/liqd.yaml|" "$src/deploy/systemd/liqd.service" > "$tmp/liqd.service"
grep -q '^Type=notify' "$tmp/liqd.service"
out=$(systemd-analyze verify "$tmp/liqd.service" 2>&1) || { echo "$out"; exit 1; }
[ -z "$out" ] || { echo "systemd-analyze verify warned:"; echo "$out"; exit 1; }
promtool check rules "$src/deploy/prometheus/alerts.yml"
( cd "$src/deploy/prometheus" && promtool check config prometheus.yml )
python3 - "$src/deploy/grafana/liqd-dashboard.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["panels"], "no panels"
for p in d["panels"]:
    assert any("liqd_" in t["expr"] for t in p["targets"]), p["title"]
print(f"grafana dashboard: {len(d['panels'])} panels OK")
PY
echo "deploy artefacts OK"
