#!/usr/bin/env bash
# The one command for a lent GPU machine (the device tool), run from the repository root there with
# carry ["target/bundle.tgz"] (made by bench/make-bundle.sh) and timeout_s 590:
#
#   tar -xzf target/bundle.tgz -C /tmp && bash /tmp/bundle/on-device.sh "$OUT"
#
# Restores execute bits (they may not travel), runs the runbook into /tmp/r, and copies the two files that matter
# into OUT_DIR: r.tgz (every log, JSON and JUnit XML) and summary.txt (the table, readable in the tool's reply).
# The device returns at most 8 files; this returns 2. Exit status: the runbook's.
set -uo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
out="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
chmod -R u+x "$here/jre/bin" "$here/jre/lib/jspawnhelper" "$here/inception" "$here"/*.sh 2>/dev/null || true
results="${INCEPTION_RESULTS_DIR:-/tmp/r}"
rm -rf "$results" "$results.tgz"
"$here/gpu-run.sh" "$results"
rc=$?
mkdir -p "$out"
cp "$results.tgz" "$results/summary.txt" "$out/" || rc=1
exit $rc
