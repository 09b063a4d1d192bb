#!/usr/bin/env bash
# Compiles kernels/*.cu into one fatbin resource: SASS for sm_80, sm_86, sm_89, sm_90 and PTX for compute_90
# (JIT-compiled by newer drivers for newer GPUs). Warnings are errors. Run by Maven in generate-resources.
# Without nvcc it warns and exits 0: the build succeeds and the GPU path reports that the kernels are missing.
#
#   build-kernels.sh OUT_DIR      (writes OUT_DIR/inception_kernels.fatbin and OUT_DIR/kernels.properties)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$1"
mkdir -p "$out"
# NVCC=none builds as a machine without a CUDA toolkit would (the CI path for machines without nvcc)
nvcc="${NVCC:-$(command -v nvcc || true)}"
[ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
[ "$nvcc" = none ] && nvcc=""
if [ -z "$nvcc" ]; then
  echo "[kernels] WARNING: nvcc not found: the CUDA kernels are not built (the CPU path is unaffected)" >&2
  echo "status=missing-nvcc" > "$out/kernels.properties"
  rm -f "$out/inception_kernels.fatbin"   # an older build's must not pass for this one's
  exit 0
fi
archs="80 86 89 90"
gencode=()
for a in $archs; do gencode+=(-gencode "arch=compute_$a,code=sm_$a"); done
gencode+=(-gencode "arch=compute_90,code=compute_90")
# skip the rebuild when the fatbin is newer than every source and than this script
if [ -f "$out/inception_kernels.fatbin" ] \
   && [ -z "$(find "$here" \( -name '*.cu*' -o -name build-kernels.sh \) -newer "$out/inception_kernels.fatbin")" ]; then
  exit 0
fi
"$nvcc" -fatbin -O3 -std=c++17 --Werror all-warnings -Xcompiler -Wall "${gencode[@]}" \
  -o "$out/inception_kernels.fatbin" "$here/inception_kernels.cu"
# the kernels the fatbin holds, read from the source it was compiled from, macros expanded (the pooling and bias +
# ReLU kernels are stamped out per type by macros): not a hand-kept list beside the code
functions=$("$nvcc" -E -std=c++17 "$here/inception_kernels.cu" \
  | grep -o 'extern "C" __attribute__((global)) void [A-Za-z0-9_]*' | awk '{print $NF}' | sort -u | paste -sd, -)
if [ -z "$functions" ]; then
  echo "[kernels] ERROR: no extern \"C\" __global__ function found in the preprocessed kernels" >&2
  exit 1
fi
{
  echo "status=built"
  echo "nvcc=$("$nvcc" --version | grep -o 'release [0-9.]*' | head -n 1 | cut -d' ' -f2)"
  echo "sass=$(echo $archs | sed 's/\([0-9]*\)/sm_\1/g; s/ /,/g')"
  echo "ptx=compute_90"
  echo "functions=$functions"
} > "$out/kernels.properties"
echo "[kernels] built inception_kernels.fatbin ($(wc -c < "$out/inception_kernels.fatbin") bytes) for sm_${archs// /, sm_} + compute_90 PTX" >&2
