#!/usr/bin/env bash
# Paper Fig. 5(b) at laptop scale: a fixed YCSB data set, remote memory from 5% to
# 100% of it, throughput per setting. Usage: scripts/fig5b.sh [records] [record-size] [duration] [layer]
# layer: pipeline (whole transactions, default) or state (the world-state layer alone).
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-50000}
SIZE=${2:-1KiB}
DURATION=${3:-15s}
LAYER=${4:-pipeline}
# In memory a 1 KiB record takes a 1280-byte buffer (header, key, quarter-step size class).
DATA_BYTES=$((RECORDS * 1280))
printf '%-10s %-14s %-8s %-10s %-12s %-10s\n' memory budget ops/s p50_ms storage_reads evicted
for pct in 5 10 25 50 75 100; do
  budget=$((DATA_BYTES * pct / 100))
  out=$(./node_modules/.bin/flexchain bench ycsb --workload a --records "$RECORDS" --record-size "$SIZE" \
    --remote-memory "$budget" --duration "$DURATION" --layer "$LAYER" --json)
  node -e '
    const r = JSON.parse(process.argv[1]);
    const w = r.worldState;
    console.log([process.argv[2] + "%", (w.memoryBudgetBytes / 2 ** 20).toFixed(0) + " MiB", r.tps, r.latencyMs.p50, (100 * w.storageReadShare).toFixed(1) + "%", w.evictedKeys]
      .map((v, i) => String(v).padEnd([10, 14, 8, 10, 12, 10][i])).join(" "));
  ' "$out" "$pct"
done
