#!/usr/bin/env bash
# Ours against PyTorch on the CPU, same machine, same run: `inception bench --backend cpu` (oneDNN, fused plan,
# fp32), the reference executor for scale, and bench/peers/torch_inception.py (torchvision Inception3: eager fp32,
# channels_last fp32, and with PyTorch 2 torch.compile with freezing, channels_last, PyTorch's fastest CPU mode)
# with as many threads as cores, for every python in PYTHONS, each labelled with its torch version; ours again after
# them, to show how far the machine drifted; then the charts.
# PYTHONS defaults to Debian's python3 with python3-torch and python3-torchvision (PyTorch 1.13);
# bench/peers/torch-cpu-venv.sh makes one with a current PyTorch.
#
#   [PYTHONS="/usr/bin/python3 /tmp/torch2/bin/python"] bench/cpu-peers.sh OUT_DIR [BATCHES]   (batches: 1,8)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: bench/cpu-peers.sh OUT_DIR [BATCHES]}"
batches="${2:-1,8}"
mkdir -p "$out"
threads="$(nproc)"
ours() {
  "$root/bin/inception" bench --backend cpu --plan fused --batch "$batches" --warmup 3 --iters 20 --scope network \
    --out "$1"
}
ours "$out/inception-onednn-fused.json"
for python in ${PYTHONS:-/usr/bin/python3}; do
  version="$("$python" -c 'import torch; print(".".join(torch.__version__.split("+")[0].split(".")[:2]))')"
  modes="eager-fp32 eager-cl-fp32"
  # torch.compile exists from PyTorch 2 on; its first call at each batch size compiles (a minute or two here),
  # which the warm-up runs absorb
  [ "${version%%.*}" -ge 2 ] && modes="$modes compile-cl-fp32"
  for mode in $modes; do
    "$python" "$root/bench/peers/torch_inception.py" --device cpu --threads "$threads" --modes "$mode" \
      --batch "$batches" --warmup 3 --iters 20 --backend-label "torch-$version-cpu" \
      --out "$out/torch-$version-cpu-$mode.json"
  done
done
# the reference executor is slow (about 0.7 s per image here): fewer iterations, for scale only
"$root/bin/inception" bench --backend reference --plan fused --batch "$batches" --warmup 1 --iters 3 \
  --scope network --out "$out/inception-reference-fused.json"
# ours again, last: a shared VM's speed drifts over minutes, so the peers are bracketed by two runs of ours (the
# second kept apart in drift/, out of the table), and the drift between them is printed and kept
mkdir -p "$out/drift"
ours "$out/drift/inception-onednn-fused-end.json"
python3 - "$out/inception-onednn-fused.json" "$out/drift/inception-onednn-fused-end.json" <<'PY' | tee "$out/drift/drift.txt"
import json, sys
first, last = (json.load(open(f))["results"] for f in sys.argv[1:3])
for a, b in zip(first, last):
    p, q = a["latency_ms"]["p50"], b["latency_ms"]["p50"]
    print(f"ours, batch {a['batch']}: p50 {p:.1f} ms before the peers, {q:.1f} ms after ({(q - p) / p * 100:+.0f}%)")
PY
"$root/bin/inception" report --out "$out" --prefix cpu "$out"/*.json | tee "$out/table.md"
