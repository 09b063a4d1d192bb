#!/usr/bin/env bash
# `inception serve` under load, with dynamic batching on and off (--max-batch 1), driven by `inception load` on
# 127.0.0.1: p50/p99 latency and answered images/s at each concurrency level, then a latency-vs-throughput chart
# and a Markdown table. Bounded: REQUESTS per level, MAX_SECONDS per level; the server is stopped (SIGTERM) after
# each configuration. Client and server share the machine, as they say in the results' "machine".
#
#   bench/serve-load.sh OUT_DIR
#   BACKEND=cpu CONCURRENCY=1,8,32,128 REQUESTS=200 MAX_SECONDS=60 PORT=8711 bench/serve-load.sh OUT_DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: bench/serve-load.sh OUT_DIR}"
backend="${BACKEND:-auto}"
levels="${CONCURRENCY:-1,8,32,128}"
requests="${REQUESTS:-200}"
max_seconds="${MAX_SECONDS:-60}"
port="${PORT:-8711}"
image="${IMAGE:-$root/examples/chelsea.png}"
inception="$root/bin/inception"
mkdir -p "$out"
"$inception" --version >/dev/null   # builds once, before any timing

run() {   # label, serve flags...
  local label="$1"; shift
  local log="$out/server-${label// /-}.log"
  "$inception" serve --backend "$backend" --port "$port" --queue 512 "$@" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 240); do
    if curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "serve failed to start:" >&2; cat "$log" >&2; exit 1; fi
    sleep 0.5
  done
  "$inception" load --url "http://127.0.0.1:$port" --image "$image" --concurrency "$levels" \
    --requests "$requests" --max-seconds "$max_seconds" --label "$label" --out "$out/load-${label// /-}.json"
  curl -s "http://127.0.0.1:$port/metrics" >"$out/metrics-${label// /-}.txt" || true
  kill -TERM "$pid"
  wait "$pid" || true
}

run "batching on" --max-batch 32 --max-delay-ms 5
run "batching off" --max-batch 1
"$inception" report --out "$out" --prefix serve "$out"/load-*.json | tee "$out/table.md"
