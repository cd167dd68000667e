#!/usr/bin/env bash
# The main job in one command: start a network, deploy a sample contract, invoke it.
# Runs `flexchain up` in a temporary data directory, deploys contracts/smallbank,
# moves money, queries balances, prints the network status, and stops the network.
set -euo pipefail
cd "$(dirname "$0")/.."
FLEXCHAIN=./node_modules/.bin/flexchain
DATA=$(mktemp -d -t flexchain-demo-XXXXXX)

"$FLEXCHAIN" up --data "$DATA" --port 0 >"$DATA/up.log" 2>&1 &
UP_PID=$!
cleanup() {
  kill -INT "$UP_PID" 2>/dev/null || true
  wait "$UP_PID" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

for _ in $(seq 1 200); do
  grep -q '"endpoint": "127' "$DATA/network.json" 2>/dev/null && break
  kill -0 "$UP_PID" 2>/dev/null || { cat "$DATA/up.log"; exit 1; }
  sleep 0.1
done
echo "network up at $(grep -o '127[^"]*' "$DATA/network.json")"

set -x
"$FLEXCHAIN" deploy contracts/smallbank --version 1.0 --data "$DATA"
"$FLEXCHAIN" invoke smallbank createAccount alice 100 50 --data "$DATA"
"$FLEXCHAIN" invoke smallbank createAccount bob 10 0 --data "$DATA"
"$FLEXCHAIN" invoke smallbank sendPayment alice bob 30 --data "$DATA"
"$FLEXCHAIN" query smallbank query alice --data "$DATA"
"$FLEXCHAIN" query smallbank query bob --data "$DATA"
"$FLEXCHAIN" status --data "$DATA"
