#!/usr/bin/env bash
# Paper Fig. 7(a) at laptop scale: the tiered store against generic XOV (LevelDB
# alone) on YCSB A and B, with the data set larger than the local cache.
# Usage: scripts/fig7a.sh [records] [record-size] [duration] [layer]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-50000}
SIZE=${2:-1KiB}
DURATION=${3:-15s}
LAYER=${4:-pipeline}
printf '%-9s %-64s %-8s %-8s\n' workload store ops/s p50_ms
for w in a b; do
  for store in "--baseline generic-xov --leveldb-cache 256MiB" "--baseline generic-xov --leveldb-cache 1MiB" \
    "--remote-memory 256MiB --local-cache 4MiB --leveldb-cache 1MiB" "--remote-memory 16MiB --local-cache 4MiB --leveldb-cache 1MiB"; do
    # shellcheck disable=SC2086
    out=$(./node_modules/.bin/flexchain bench ycsb --workload "$w" --records "$RECORDS" --record-size "$SIZE" $store --duration "$DURATION" --layer "$LAYER" --json)
    node -e 'const r = JSON.parse(process.argv[1]); console.log([process.argv[2], process.argv[3], r.tps, r.latencyMs.p50].map((v, i) => String(v).padEnd([9, 64, 8, 8][i])).join(" "));' "$out" "ycsb-$w" "$store"
  done
done
