#!/usr/bin/env bash
# Ours against PyTorch on the CPU, same machine, same run: `inception bench --backend cpu` (oneDNN, fused plan,
# fp32), the reference executor for scale, and bench/peers/torch_inception.py (torchvision Inception3, eager fp32
# and channels_last fp32, PyTorch's fastest CPU mode) with as many threads as cores, then the charts.
# Needs Debian's python3-torch and python3-torchvision (apt-get install python3-torch python3-torchvision).
#
#   bench/cpu-peers.sh OUT_DIR [BATCHES]      (default batches: 1,8)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: bench/cpu-peers.sh OUT_DIR [BATCHES]}"
batches="${2:-1,8}"
mkdir -p "$out"
python=/usr/bin/python3
threads="$(nproc)"
"$root/bin/inception" bench --backend cpu --plan fused --batch "$batches" --warmup 3 --iters 20 --scope network \
  --out "$out/inception-onednn-fused.json"
"$python" "$root/bench/peers/torch_inception.py" --device cpu --threads "$threads" --modes eager-fp32 \
  --batch "$batches" --warmup 3 --iters 20 --out "$out/torch-cpu-eager-fp32.json"
"$python" "$root/bench/peers/torch_inception.py" --device cpu --threads "$threads" --modes eager-cl-fp32 \
  --batch "$batches" --warmup 3 --iters 20 --out "$out/torch-cpu-eager-cl-fp32.json"
# the reference executor is slow (about 0.7 s per image here): fewer iterations, for scale only
"$root/bin/inception" bench --backend reference --plan fused --batch "$batches" --warmup 1 --iters 3 \
  --scope network --out "$out/inception-reference-fused.json"
"$root/bin/inception" report --out "$out" --prefix cpu "$out"/*.json | tee "$out/table.md"
