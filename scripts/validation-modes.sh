#!/usr/bin/env bash
# Issue 5's end-to-end comparison: committed tps of YCSB-A and Smallbank with
# sequential and parallel validation (parallel also with one cNode thread taking
# V2 tasks), the peer's memory node in its own process over TCP, at Zipf
# s = 0, 1, 2, with the share of the run the peer spent committing (commit%)
# and in V2/V3 alone (v2v3%). Usage: scripts/validation-modes.sh [records] [duration] [local-cache]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-10000}
DURATION=${2:-15s}
LOCAL_CACHE=${3:-1MiB}
BIN=./node_modules/.bin/flexchain
PORT=${MNODE_PORT:-7391}
"$BIN" node --role mnode --port "$PORT" --remote-memory 256MiB --json > /dev/null &
MNODE=$!
trap 'kill -INT $MNODE 2>/dev/null; wait $MNODE 2>/dev/null || true' EXIT
sleep 2
printf '%-10s %-5s %-11s %-8s %-8s %-8s %-7s %-8s %-7s\n' bench zipf validation threads tps p50_ms aborts commit% v2v3%
for zipf in 0 1 2; do
  for lane in sequential:0 parallel:0 parallel:1; do
    mode=${lane%:*}
    threads=${lane#*:}
    for bench in ycsb smallbank; do
      if [ "$bench" = ycsb ]; then
        args=(ycsb --workload a --records "$RECORDS" --record-size 1KiB --remote-memory 256MiB --local-cache "$LOCAL_CACHE")
      else
        args=(smallbank --accounts "$RECORDS")
      fi
      out=$("$BIN" bench "${args[@]}" --zipf "$zipf" --validation "$mode" --validation-threads "$threads" --mnode "127.0.0.1:$PORT" --duration "$DURATION" --json)
      node -e '
        const r = JSON.parse(process.argv[1]);
        const c = r.commitShares, pct = (x) => (100 * x).toFixed(1) + "%";
        console.log([process.argv[2], r.zipf, r.validation, r.validationThreads, r.tps, r.latencyMs.p50, pct(r.abortRate), pct(c.v1 + c.mvcc + c.write), pct(c.mvcc)]
          .map((v, i) => String(v).padEnd([10, 5, 11, 8, 8, 8, 7, 8, 7][i])).join(" "));
      ' "$out" "$bench"
    done
  done
done
