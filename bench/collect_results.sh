#!/usr/bin/env bash
# Rebuilds bench/RESULTS.md from the per-family reports in bench/results/*.md
# (each written by hand after running its `liqd-bench` family; the JSON beside it is
# the machine-readable output of the same run).
set -euo pipefail
cd "$(dirname "$0")"
{
  echo "# liqd benchmark results"
  echo
  echo "Collected from \`bench/results/*.md\` by \`bench/collect_results.sh\` on $(date -u +%Y-%m-%d)."
  echo "Each section names its command and date. These machines are 2 shared cores, so figures"
  echo "are reported beside a baseline measured in the same run (full scan, single venue, …)."
  echo
  for f in results/core.md results/feeds.md results/route.md results/replay.md; do
    [ -f "$f" ] || continue
    echo "---"
    echo
    # Demote headings one level so each family is a section of this page.
    sed -e 's/^# /## /; t' -e 's/^## /### /; t' -e 's/^### /#### /' "$f"
    echo
  done
} > RESULTS.md
