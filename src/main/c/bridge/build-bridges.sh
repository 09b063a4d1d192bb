#!/usr/bin/env bash
# Builds the cuDNN 8 -> 9 and cuBLAS 12 -> 13 bridges (see bridge.c) from the symbol lists of the exact JNI
# libraries the project depends on. Run by Maven in generate-resources; needs readelf and gcc, never CUDA.
# Without them it warns and exits 0: the build succeeds and the GPU path reports the bridge as unavailable.
#
#   build-bridges.sh JNI_DIR OUT_DIR
#     JNI_DIR  the unpacked jcudnn-natives and jcublas-natives jars (lib/libJCudnn-*.so, lib/libJCublas2-*.so)
#     OUT_DIR  receives libcudnn.so.8, libcublas.so.12, their .symbols lists, and bridges.properties
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jni_dir="$1"
out_dir="$2"
mkdir -p "$out_dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for tool in readelf gcc; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "[bridge] WARNING: $tool not found: the cuDNN 9 / cuBLAS 13 bridges are not built (the CPU path is unaffected)" >&2
    echo "status=missing-$tool" > "$out_dir/bridges.properties"
    exit 0
  fi
done

# name of the JNI library, old soname, new soname, the old library's NOT_SUPPORTED status code
build() {
  local jni="$1" old="$2" new="$3" code="$4"
  local syms="$out_dir/$old.symbols"
  # every undefined function the JNI library binds to the old library's version node
  readelf --dyn-syms -W "$jni" | awk -v tag="@$old" '$7 == "UND" && index($8, tag) { sub(/@.*/, "", $8); print $8 }' \
    | sort -u > "$syms"
  local n
  n=$(wc -l < "$syms")
  if [ "$n" -eq 0 ]; then
    echo "[bridge] ERROR: $jni references no symbol of $old; has the JNI library changed?" >&2
    exit 1
  fi
  awk '{ printf "X(%d, %s) ", NR - 1, $1 } BEGIN { printf "#define BRIDGE_SYMBOLS(X) " } END { print "" }' \
    "$syms" > "$work/$old.h"
  { echo "$old {"; echo "  global:"; sed 's/^/    /; s/$/;/' "$syms"
    echo "    inception_bridge_error;"; echo "    inception_bridge_bound;"; echo "  local: *;"; echo "};"; } > "$work/$old.map"
  gcc -shared -fPIC -O2 -Wall -Wextra -Werror -std=gnu11 \
    -include "$work/$old.h" -DBRIDGE_TARGET="\"$new\"" -DBRIDGE_NOT_SUPPORTED="$code" \
    -Wl,-soname,"$old" -Wl,--version-script="$work/$old.map" -Wl,-z,defs \
    -o "$out_dir/$old" "$here/bridge.c" -ldl
  echo "[bridge] built $old -> $new: $n symbols from $(basename "$jni")" >&2
}

cudnn_jni=$(ls "$jni_dir"/lib/libJCudnn-*-linux-x86_64.so | head -n 1)
cublas_jni=$(ls "$jni_dir"/lib/libJCublas2-*-linux-x86_64.so | head -n 1)
build "$cudnn_jni" libcudnn.so.8 libcudnn.so.9 9      # CUDNN_STATUS_NOT_SUPPORTED in cuDNN 8
build "$cublas_jni" libcublas.so.12 libcublas.so.13 15  # CUBLAS_STATUS_NOT_SUPPORTED
{ echo "status=built"; echo "gcc=$(gcc -dumpfullversion)"; echo "cudnn.jni=$(basename "$cudnn_jni")"
  echo "cublas.jni=$(basename "$cublas_jni")"; } > "$out_dir/bridges.properties"
