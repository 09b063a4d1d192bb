#!/usr/bin/env bash
# The Spark job in local mode against the command line on the same images and machine: `inception features` (one
# JVM, decode-ahead, no Spark) and `inception spark --mode features` with local[1] and local[2] (and local[N] up to
# the cores here). Images: the built-in digits (1797 PNGs, 75x75), features at 75x75 on oneDNN, seeded weights.
# Reports wall seconds, images/s and Spark's overhead per image against the command line, as JSON and a table.
#
#   bench/spark-scaling.sh OUT_DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: bench/spark-scaling.sh OUT_DIR}"
inception="$root/bin/inception"
mkdir -p "$out"
data="$out/digits"
[ -d "$data" ] || "$inception" dataset digits --out "$data" --size 75 >/dev/null
n="$(find "$data" -name '*.png' | wc -l)"
"$inception" --version >/dev/null   # build before timing

now() { date +%s.%N; }
runs=()
start=$(now)
rm -f "$out/cli.h5"
"$inception" features --backend cpu --data "$data" --out "$out/cli.h5" --input-size 75x75 --batch 8 --val-split 0 \
  >"$out/cli.log" 2>&1
cli=$(echo "$(now) - $start" | bc)
runs+=("{\"run\":\"inception features (no Spark)\",\"seconds\":$cli}")
for cores in 1 2 $(nproc); do
  case " ${done_cores:-} " in *" $cores "*) continue ;; esac
  done_cores="${done_cores:-} $cores"
  rm -rf "$out/spark-$cores"
  start=$(now)
  "$inception" spark --mode features --labelled --backend cpu --input "$data" --output "$out/spark-$cores" \
    --input-size 75x75 --batch 8 --master "local[$cores]" >"$out/spark-$cores.log" 2>&1
  s=$(echo "$(now) - $start" | bc)
  runs+=("{\"run\":\"inception spark, local[$cores]\",\"seconds\":$s}")
  rm -rf "$out/spark-$cores"
done
{
  echo "{\"schema\":\"inception-spark-scaling/1\",\"date\":\"$(date -u +%F)\",\"images\":$n,"
  echo "\"machine\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores\","
  echo "\"commit\":\"$(git -C "$root" rev-parse --short HEAD)\",\"runs\":[$(IFS=,; echo "${runs[*]}")]}"
} >"$out/spark-scaling.json"
python3 - "$out/spark-scaling.json" <<'PY' | tee "$out/table.md"
import json, sys
r = json.load(open(sys.argv[1]))
n = r["images"]; base = r["runs"][0]["seconds"]
print("| run | seconds | images/s | overhead per image vs the command line |")
print("| --- | --- | --- | --- |")
for x in r["runs"]:
    s = x["seconds"]
    print(f"| {x['run']} | {s:.1f} | {n / s:.1f} | {1000 * (s - base) / n:+.1f} ms |")
PY
