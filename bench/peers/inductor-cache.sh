#!/usr/bin/env bash
# torch.compile's measured autotuning choices, carried from one device window to the next, and from one session's
# H200 to the next. Inductor keeps what max-autotune measured, per operator and input shapes, in one small JSON file
# per GPU and software stack ($TORCHINDUCTOR_CACHE_DIR/cache/<hash of both>), rewritten as each operator is measured,
# and a compile that finds an operator there does not benchmark its candidates again. On the first H200 run that
# benchmarking took 4-13 s per convolution at batch 256, and the window ended before the compile did; carried here,
# each window starts where the last one stopped, and the peer, once compiled, runs what it would have chosen in one go.
#
#   inductor-cache.sh seed FROM_DIR   copies FROM_DIR's files into the cache, keeping those the cache already has
#                                     (a warm machine's, newer than the bundle's)
#   inductor-cache.sh keep TO_DIR     copies the cache's files into TO_DIR (the results, which come back)
set -euo pipefail
if [ $# -ne 2 ] || { [ "$1" != seed ] && [ "$1" != keep ]; }; then
  echo "usage: $0 seed FROM_DIR | keep TO_DIR" >&2
  exit 2
fi
cache="${TORCHINDUCTOR_CACHE_DIR:?inductor-cache.sh: TORCHINDUCTOR_CACHE_DIR is not set}/cache"
if [ "$1" = seed ]; then
  [ -d "$2" ] || exit 0
  mkdir -p "$cache"
  for f in "$2"/*; do
    if [ -f "$f" ] && [ ! -e "$cache/$(basename "$f")" ]; then
      cp "$f" "$cache/"
    fi
  done
else
  [ -d "$cache" ] || exit 0
  mkdir -p "$2"
  # whole files only: Inductor writes each one by renaming a hidden temporary, which the glob leaves out
  for f in "$cache"/*; do
    if [ -f "$f" ]; then
      cp "$f" "$2/"
    fi
  done
fi
