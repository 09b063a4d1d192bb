#!/usr/bin/env bash
# The one command for a lent GPU machine (the device tool), run from the repository root there with
# carry ["target/bundle.tgz"] (made by bench/make-bundle.sh) and timeout_s 590:
#
#   tar -xzf target/bundle.tgz -C /tmp && bash /tmp/bundle/on-device.sh "$OUT"
#
# Restores execute bits (they may not travel), runs the runbook into /tmp/r, and copies the two files that matter
# into OUT_DIR: r.tgz (every log, JSON and JUnit XML) and summary.txt (the table, readable in the tool's reply).
# The device returns at most 8 files; this returns 2 (3 if stopped while checkpointing). Exit status: the runbook's.
set -uo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
out="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
chmod -R u+x "$here/jre/bin" "$here/jre/lib/jspawnhelper" "$here/inception" "$here"/*.sh 2>/dev/null || true
results="${INCEPTION_RESULTS_DIR:-/tmp/r}"
# Presets for issue #15's two speed windows (docs/NATIVE.md), so that a device session types no long regex:
# INCEPTION_PRESET=speed (our fp16 paths, cuDNN engines, the bias + ReLU kernel, 1x1 GEMMs and reduce-overhead fp16)
# and =autotune (torch.compile's max-autotune alone, with nearly the whole window). Settings given explicitly win
# over a preset's.
case "${INCEPTION_PRESET:-}" in
  "") ;;
  speed)
    export INCEPTION_SKIP_STAGES="${INCEPTION_SKIP_STAGES:-diag|smoke|verify-fp32-.*|verify-bf16-.*|verify-tf32-.*|verify-fp16-copy-free|bench-fp32.*|bench-fp16-no-graphs|bench-fp16-copy-free|bench-bf16|bench-tf32|serve-load|torch-eager-.*|torch-compile-reduce-overhead}" ;;
  autotune)
    # the budgets follow the window: give INCEPTION_WINDOW_SECONDS as the device time left allows
    autotune_window="${INCEPTION_WINDOW_SECONDS:-575}"
    export INCEPTION_PEERS_AUTOTUNE=1 INCEPTION_WINDOW_SECONDS="$autotune_window" \
      INCEPTION_RUNBOOK_SECONDS="${INCEPTION_RUNBOOK_SECONDS:-$((autotune_window - 25))}" \
      INCEPTION_AUTOTUNE_SECONDS="${INCEPTION_AUTOTUNE_SECONDS:-$((autotune_window - 55))}" \
      INCEPTION_SKIP_STAGES="${INCEPTION_SKIP_STAGES:-diag|smoke|native-.*|verify-.*|bench-.*|profile-.*|serve-load|torch-eager-.*|torch-compile-reduce-overhead.*|torch-compile-max-autotune}" ;;
  *)
    echo "on-device: INCEPTION_PRESET='$INCEPTION_PRESET' is not a preset; use speed or autotune" >&2
    exit 2 ;;
esac
[ -n "${INCEPTION_PRESET:-}" ] && echo "on-device: preset $INCEPTION_PRESET: INCEPTION_SKIP_STAGES='$INCEPTION_SKIP_STAGES'" \
  "INCEPTION_WINDOW_SECONDS=${INCEPTION_WINDOW_SECONDS:-570} INCEPTION_RUNBOOK_SECONDS=${INCEPTION_RUNBOOK_SECONDS:-540}" \
  "INCEPTION_AUTOTUNE_SECONDS=${INCEPTION_AUTOTUNE_SECONDS:-420}"
rm -rf "$results" "$results.tgz"
# The runbook keeps its own budget, stage by stage; this is the net under it. Should anything outlast the window
# (the device tool stops the command at its timeout_s, 590 s, and then nothing at all comes back), stop it in time
# to pack and return what it wrote so far.
window="${INCEPTION_WINDOW_SECONDS:-570}"
mkdir -p "$out"
tgz="$(basename "$results").tgz"
# The device tool's limit is timeout_s, or less where the machine's start took more of the session's device time
# than usual; a command it stops returns only what is in OUT by then. So what the runbook has written is packed into
# OUT every INCEPTION_CHECKPOINT_SECONDS as well, by this shell alone while the runbook runs in the background (one
# writer in OUT), and renamed into place: a stop mid-write leaves the last whole archive.
every="${INCEPTION_CHECKPOINT_SECONDS:-30}"
checkpoint() {
  [ -d "$results" ] || return 0
  nice -n 19 tar -czf "$out/.$tgz.part" -C "$(dirname "$results")" "$(basename "$results")" 2>/dev/null
  # GNU tar's 1 is "a file changed as it was read" (a log being written): the archive is whole all the same
  [ $? -le 1 ] && mv -f "$out/.$tgz.part" "$out/$tgz"
}
timeout --kill-after=5 "$window" "$here/gpu-run.sh" "$results" &
runbook=$!
last=$SECONDS
while kill -0 "$runbook" 2>/dev/null; do
  sleep 1
  if (( SECONDS - last >= every )); then
    checkpoint
    last=$SECONDS
  fi
done
wait "$runbook"
rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ] || [ ! -f "$results.tgz" ]; then
  mkdir -p "$results"
  echo "on-device: the runbook did not finish within ${window}s (exit $rc): packed what it had written;" \
    "runbook.log says which stage was running" | tee -a "$results/summary.txt"
  tar -czf "$results.tgz" -C "$(dirname "$results")" "$(basename "$results")"
  rc=1
fi
cp "$results.tgz" "$out/.$tgz.part" && mv -f "$out/.$tgz.part" "$out/$tgz" && cp "$results/summary.txt" "$out/" || rc=1
exit $rc
