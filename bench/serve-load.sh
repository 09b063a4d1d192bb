#!/usr/bin/env bash
# `inception serve` under load, with dynamic batching on and off (--max-batch 1), driven by `inception load` on
# 127.0.0.1: p50/p99 latency and answered images/s at each concurrency level, then a latency-vs-throughput chart
# and a Markdown table. Bounded: REQUESTS per level, MAX_SECONDS per level; the server is stopped (SIGTERM) after
# each configuration. Client and server share the machine, as they say in the results' "machine".
#
#   bench/serve-load.sh OUT_DIR                    (from the repository, or from inside the offline bundle)
#   BACKEND=cpu CONCURRENCY=1,8,32,128 REQUESTS=200 MAX_SECONDS=60 PORT=8711 bench/serve-load.sh OUT_DIR
#   BACKEND=gpu EXTRA_SERVE_FLAGS="--precision fp16" bench/serve-load.sh OUT_DIR
#   BATCHING_FLAGS="--max-batch 4 --max-delay-ms 5" ...   (the "on" configuration; default --max-batch 32 --max-delay-ms 5)
# Needs only bash (readiness and metrics go over bash's /dev/tcp, not curl).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -x "$here/inception" ] && [ -f "$here/inception.jar" ]; then
  root="$here"; inception="$here/inception"               # the offline bundle
else
  root="$(cd "$here/.." && pwd)"; inception="$root/bin/inception"
fi
out="${1:?usage: bench/serve-load.sh OUT_DIR}"
backend="${BACKEND:-auto}"
levels="${CONCURRENCY:-1,8,32,128}"
requests="${REQUESTS:-200}"
max_seconds="${MAX_SECONDS:-60}"
port="${PORT:-8711}"
image="${IMAGE:-$root/examples/chelsea.png}"
mkdir -p "$out"
"$inception" --version >/dev/null   # builds once, before any timing

# http_get PATH: the response body of GET http://127.0.0.1:$port/PATH, or a failure
http_get() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
  local response
  response="$(cat <&3)"
  exec 3>&-
  case "$response" in
    "HTTP/1."?" 200"*) printf '%s\n' "${response#*$'\r\n\r\n'}" ;;
    *) return 1 ;;
  esac
}

# the server of the configuration being measured: stopped however this script ends, so that no server outlives
# it (and holds the port for the next run)
pid=""
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait 2>/dev/null' EXIT
if http_get /v2/health/live >/dev/null 2>&1; then
  echo "serve-load: something already answers on port $port; stop it or set PORT" >&2
  exit 1
fi

run() {   # label, serve flags...
  local label="$1"; shift
  local log="$out/server-${label// /-}.log"
  # shellcheck disable=SC2086  # EXTRA_SERVE_FLAGS: more serve options, word-split on purpose (e.g. "--precision fp16")
  "$inception" serve --backend "$backend" --port "$port" --queue 512 ${EXTRA_SERVE_FLAGS:-} "$@" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do
    if ! kill -0 "$pid" 2>/dev/null; then echo "serve failed to start:" >&2; cat "$log" >&2; exit 1; fi
    if http_get /v2/health/ready >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  "$inception" load --url "http://127.0.0.1:$port" --image "$image" --concurrency "$levels" \
    --requests "$requests" --max-seconds "$max_seconds" --label "$label" --out "$out/load-${label// /-}.json"
  http_get /metrics >"$out/metrics-${label// /-}.txt" 2>/dev/null || true
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
}

# shellcheck disable=SC2086  # BATCHING_FLAGS: the "on" configuration's options, word-split on purpose
run "batching on" ${BATCHING_FLAGS:---max-batch 32 --max-delay-ms 5}
run "batching off" --max-batch 1
"$inception" report --out "$out" --prefix serve "$out"/load-*.json | tee "$out/table.md"
