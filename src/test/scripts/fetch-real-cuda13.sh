#!/usr/bin/env bash
# Real cuDNN 9 for CUDA 13 and cuBLAS 13, the library family the lent H200 has (inside PyTorch's venv there), from
# NVIDIA's pip wheels, for the real-cuda13 profile (mvn -B -Preal-cuda13 test -Dtest=RealCudnnTest): unpacks the
# libraries RealCudnnTest loads into OUT_DIR. No GPU and no CUDA toolkit needed; about 1 GB to download, cached by
# pip's download folder (~/.cache/inception/wheels).
#
#   src/test/scripts/fetch-real-cuda13.sh OUT_DIR
#
# Versions: CUDNN_WHEEL and CUBLAS_WHEEL (pip requirement strings); the defaults are what this machine's index
# served on 2026-11-30.
set -euo pipefail
out="${1:?usage: fetch-real-cuda13.sh OUT_DIR}"
cudnn="${CUDNN_WHEEL:-nvidia-cudnn-cu13==9.24.0.43}"
cublas="${CUBLAS_WHEEL:-nvidia-cublas==13.1.1.3}"
cache="${INCEPTION_WHEEL_CACHE:-$HOME/.cache/inception/wheels}"
if [ -f "$out/libcudnn.so.9" ] && [ -f "$out/libcudnn_engines_tensor_ir.so.9" ] && [ -f "$out/libcublas.so.13" ] && [ "$(cat "$out/wheels.txt" 2>/dev/null)" = "$cudnn $cublas" ]; then
  echo "[real-cuda13] $cudnn and $cublas already in $out"
  exit 0
fi
mkdir -p "$cache" "$out"
for w in "$cudnn" "$cublas"; do
  # --no-deps: only the libraries; a wheel already in the cache is not fetched again
  pip download --quiet --no-deps --dest "$cache" "$w" || {
    echo "[real-cuda13] cannot download $w: pip needs an index that serves NVIDIA's wheels (set CUDNN_WHEEL /" \
      "CUBLAS_WHEEL to versions it has)" >&2
    exit 1
  }
done
name() { echo "$1" | cut -d= -f1 | tr - _; }
version() { echo "$1" | sed 's/.*==//'; }
cudnn_whl=$(ls "$cache/$(name "$cudnn")-$(version "$cudnn")"-*.whl)
cublas_whl=$(ls "$cache/$(name "$cublas")-$(version "$cublas")"-*.whl)
# all of cuDNN: the legacy API needs its front library and three sub-libraries for descriptors, and the backend API
# loads every engine library when it finalizes a tensor (RealCudnnGraphTest); cuBLAS and its Lt
unzip -q -o -j "$cudnn_whl" 'nvidia/cudnn/lib/libcudnn*.so.9' -d "$out"
unzip -q -o -j "$cublas_whl" 'nvidia/cu13/lib/libcublas.so.13' 'nvidia/cu13/lib/libcublasLt.so.13' -d "$out"
echo "$cudnn $cublas" > "$out/wheels.txt"
echo "[real-cuda13] $cudnn and $cublas unpacked into $out"
