#!/usr/bin/env bash
# Transfer-learning demo on the UCI digits: render the image folder, extract bottleneck features, train a softmax
# head, and keep the logs. Weights: --weights FILE if given (e.g. Keras's _notop file), else the default search
# (Keras's cache, else seeded weights, whose features are random projections).
#
#   bench/digits-demo.sh OUT_DIR [--backend cpu|gpu|auto] [--weights FILE] [--input-size 75x75]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: bench/digits-demo.sh OUT_DIR [options for 'inception features']}"
shift
mkdir -p "$out"
inception="$root/bin/inception"
size=75x75
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --input-size) size="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
side="${size%%x*}"
# dataset writes a new folder only: a rerun into the same OUT_DIR reuses the images of the first run
if [ -d "$out/digits" ]; then
  echo "reusing $out/digits" | tee "$out/dataset.log"
else
  "$inception" dataset digits --out "$out/digits" --size "$side" | tee "$out/dataset.log"
fi
"$inception" features --data "$out/digits" --input-size "$size" --out "$out/digits-features.h5" "${args[@]}" 2>&1 \
  | tee "$out/features.log"
"$inception" train-head --features "$out/digits-features.h5" --out "$out/digits-head.h5" | tee "$out/train-head.log"
