#!/usr/bin/env bash
# GPU runbook for a host with no Maven and no internet: runs every stage with its own time budget, writes all
# output (logs, JSON, JUnit XML) into RESULTS_DIR, and ends with a summary table. On a machine without a GPU the
# GPU stages are marked skipped, with the reason.
#
#   bench/gpu-run.sh RESULTS_DIR        (from the repository, with target/bundle built by bench/make-bundle.sh)
#   ./gpu-run.sh RESULTS_DIR            (from inside a bundle)
#
# It ends by packing RESULTS_DIR into RESULTS_DIR.tgz, because a device machine returns only a few files. On the
# lent H200 (docs/NATIVE.md), as one prepared command with carry ["target/bundle.tgz"] and timeout_s 590:
#   tar -xzf target/bundle.tgz -C /tmp && bash /tmp/bundle/on-device.sh "$OUT"
# which is: chmod the bundle's executables, /tmp/bundle/gpu-run.sh /tmp/r, cp /tmp/r.tgz /tmp/r/summary.txt $OUT/.
# (timeout_s 590: the runbook's 540 s, the JVMs' start and the packing.) A second window for the stages the first
# did not reach: INCEPTION_SKIP_STAGES='smoke|native-.*|verify-.*' in front of the same command (the summary ends
# with the setting that leaves out every stage that passed).
# Back here: bench/unpack-gpu-results.sh r.tgz  ->  bench/results/<date>-h200/
#
# Java: the bundle's jre/, else java on PATH. CUDA, cuDNN and cuBLAS: found by `inception info` (toolkit folders,
# pip's nvidia-* wheels, INCEPTION_CUDA_LIBS); the launcher puts their folders on LD_LIBRARY_PATH.
set -uo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 RESULTS_DIR" >&2
  exit 2
fi
results="$1"
mkdir -p "$results"
results="$(cd "$results" && pwd)"
# JVM options for every stage (the caller's INCEPTION_JAVA_OPTS come after, and win):
# - a fixed heap ceiling: the JVM's default is a quarter of the memory it sees at start, and a device machine's
#   memory starts far below its 128 GiB and grows as it is used (/work/.library/device/H200.md); at batch 256 bench
#   holds 275 MB of float input (network scope), then 236 MB of 640x480 images and their resized copies (end to
#   end) on the heap. The ceiling is reserved, not taken.
# - a JVM that dies in native code writes its report with the results, not into the working directory, which does
#   not come back from a device machine.
# - --cudnn-engines' plan search bounded per batch size (default 60 s): finalizing a plan may compile kernels, and the
#   engines stages must leave their benchmarks time to run.
export INCEPTION_JAVA_OPTS="-Xmx${INCEPTION_HEAP:-16g} -XX:ErrorFile=$results/hs_err_pid%p.log \
-XX:ReplayDataFile=$results/replay_pid%p.log \
-Dinception.cudnnEngines.searchSeconds=${INCEPTION_ENGINE_SEARCH_SECONDS:-30} ${INCEPTION_JAVA_OPTS:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -x "$here/inception" ] && [ -f "$here/inception.jar" ]; then
  bundle="$here"
else
  bundle="${INCEPTION_BUNDLE:-$here/../target/bundle}"
fi
inception="$bundle/inception"
start_all=$(date +%s)
# The whole runbook stays within this many seconds (default 9 minutes, leaving the device window's start-up and
# copies the rest of its 15): each stage gets its own budget, cut to what is left; a stage with under 15 s left is
# skipped and says so.
total_budget="${INCEPTION_RUNBOOK_SECONDS:-540}"
# execute bits may not survive the trip to the device machine
chmod -R u+x "$bundle/jre/bin" "$bundle/jre/lib/jspawnhelper" "$bundle/inception" "$bundle"/*.sh 2>/dev/null || true

names=(); states=(); seconds=(); notes=(); running=""
# summary.txt is rewritten after every stage, so that a run stopped from outside (on-device.sh packs the results
# every half minute) still says what passed, what was running, and what a second window may leave out
record() { names+=("$1"); states+=("$2"); seconds+=("$3"); notes+=("$4"); summary; }
# the table of stages so far (see record), the crashed JVMs, and the setting for a second window
summary() {
  local i f reason frame passed
  {
    printf "%-22s %-8s %6s  %s\n" stage result seconds note
    for i in "${!names[@]}"; do
      printf "%-22s %-8s %6s  %s\n" "${names[$i]}" "${states[$i]}" "${seconds[$i]}" "${notes[$i]}"
    done
    # a crashed JVM in one line: the signal or error, and the native frame it died in (the report is in the tgz)
    for f in "$results"/hs_err_pid*.log; do
      [ -f "$f" ] || continue
      reason=$(grep -m 1 -E '^#  (SIG[A-Z]+|Internal Error|fatal error|Out of Memory)' "$f" | sed 's/^#  //')
      frame=$(grep -m 1 -A 1 '^# Problematic frame:' "$f" | tail -n 1 | sed 's/^# //')
      echo "JVM crash: $(basename "$f"): ${reason}${frame:+; $frame}" | cut -c1-200
    done
    # for a second window: leave out what passed here (info and info-json always run)
    passed=()
    for i in "${!names[@]}"; do
      case "${names[$i]}" in info|info-json) ;; *) [ "${states[$i]}" = pass ] && passed+=("${names[$i]}") ;; esac
    done
    [ ${#passed[@]} -gt 0 ] && echo "next window: INCEPTION_SKIP_STAGES='$(IFS='|'; echo "${passed[*]}")'"
    [ -n "$running" ] && echo "running: $running (the run was stopped during it if this line is in the last summary)"
    echo "total: $(( $(date +%s) - start_all ))s; results in $results"
  } > "$results/summary.txt.part" && mv -f "$results/summary.txt.part" "$results/summary.txt"
}

# stage NAME BUDGET_SECONDS COMMAND...: runs with a time limit, output to RESULTS_DIR/NAME.log
stage() {
  local name="$1" budget="$2"
  shift 2
  local t0 rc left
  # a second window can leave out what the first one already ran: INCEPTION_SKIP_STAGES='native-.*|verify-.*';
  # never info and info-json, which say whether there is a GPU for the rest
  if [ -n "${INCEPTION_SKIP_STAGES:-}" ] && [[ "$name" =~ ^(${INCEPTION_SKIP_STAGES})$ ]] \
      && [ "$name" != info ] && [ "$name" != info-json ]; then
    skip "$name" "INCEPTION_SKIP_STAGES"
    return 0
  fi
  left=$(( total_budget - ($(date +%s) - start_all) ))
  if [ "$left" -lt 15 ]; then
    skip "$name" "out of the runbook's ${total_budget}s budget"
    return 0
  fi
  [ "$budget" -gt "$left" ] && budget="$left"
  t0=$(date +%s)
  echo "== $name (budget ${budget}s): $*" | tee -a "$results/runbook.log"
  running="$name (budget ${budget}s, from $(date -u +%H:%M:%S))"
  summary
  timeout --kill-after=10 "$budget" "$@" > "$results/$name.log" 2>&1
  rc=$?
  running=""
  local dt=$(( $(date +%s) - t0 ))
  if [ $rc -eq 0 ]; then
    record "$name" pass "$dt" ""
  elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    record "$name" timeout "$dt" "over ${budget}s"
  else
    record "$name" fail "$dt" "exit $rc: $(tail -n 1 "$results/$name.log" | cut -c1-100)"
  fi
  return $rc
}

skip() { record "$1" skipped 0 "$2"; echo "== $1: skipped: $2" | tee -a "$results/runbook.log"; }

java="$bundle/jre/bin/java"; [ -x "$java" ] || java=java
py="${PYTHON:-python3}"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -a)"
  command -v nvidia-smi >/dev/null && timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  echo "python3: $(command -v python3 || echo none)"
  echo "bundle: $(( $(du -sb "$bundle" 2>/dev/null | cut -f1) / 1048576 )) MiB at $bundle"
  if [ -f "$bundle/../../pom.xml" ]; then
    echo "bundle + source tree: $(( $(du -sb --exclude=.git --exclude=target "$bundle/../.." | cut -f1) / 1048576 \
      + $(du -sb "$bundle" | cut -f1) / 1048576 )) MiB (what travels to a device machine; limit 64)"
  fi
  # the folders discovery finds, once for the whole run: the launcher, diag and the native tests' JVMs use them
  cuda_dirs="$(timeout 30 "$java" -cp "$bundle/inception.jar" dev.inception.nativelib.LibraryPath)"
  echo "CUDA library folders: $cuda_dirs"
} > "$results/host.txt" 2>&1
cat "$results/host.txt" >> "$results/runbook.log"

if [ ! -x "$inception" ]; then
  skip info "no bundle at $bundle: run bench/make-bundle.sh first"
  gpu=0
else
  stage info 60 "$inception" info
  stage info-json 60 bash -c "\"$inception\" info --json > \"$results/info.json\""
  if grep -q '"compute_capability"' "$results/info.json" 2>/dev/null; then gpu=1; else gpu=0; fi
fi

# What the host itself says about its GPU, libraries and system, apart from our stack: when `info` sees no GPU
# on a GPU host, this is what the next session fixes from (cheap, always run).
diagnose() {
  echo "# os";  head -n 2 /etc/os-release 2>/dev/null; ldd --version 2>&1 | head -n 1; uname -r
  grep -E '^(MemTotal|MemAvailable)' /proc/meminfo; echo "nproc: $(nproc)"
  echo "# nvidia-smi"; nvidia-smi 2>&1 | head -n 20
  echo "# ldconfig -p (CUDA libraries)"; ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|libcudnn|libcublas' | head -n 20
  echo "# driver mount"; ls -l /usr/local/nvidia/lib64 /usr/local/nvidia/lib 2>&1 | grep -E 'libcuda|No such' | head -n 10
  echo "# python3 wheels (nvidia/*/lib under its sys.path, as discovery looks)"
  local p d
  for p in $("$py" -c 'import sys
for p in sys.path:
    print(p)' 2>/dev/null); do
    for d in "$p"/nvidia/*/lib; do
      [ -d "$d" ] && echo "$d: $(ls "$d" | grep -E '^lib(cudnn|cublas|cuda)' | tr '\n' ' ' | cut -c1-300)"
    done
  done
  echo "# our java (and the heap ceiling every stage gets)"; "$java" -version 2>&1
  "$java" $INCEPTION_JAVA_OPTS -XX:+PrintFlagsFinal -version 2>/dev/null | grep -E ' MaxHeapSize '
  echo "# CUDA library folders (LibraryPath)"; echo "$cuda_dirs"
  # the JNI libraries and bridges `info` extracted (the launcher's natives folder): what each cannot resolve, with
  # the folders the launcher gives it (the bridges sit beside the JNI libraries that need them)
  local so missing natives="${INCEPTION_NATIVES_DIR:-$bundle/natives}"
  local libs="$natives:$cuda_dirs"
  echo "# natives: unresolved dependencies"
  for so in "$natives"/*.so*; do
    [ -f "$so" ] || continue
    missing="$(LD_LIBRARY_PATH="$libs:${LD_LIBRARY_PATH:-}" ldd "$so" 2>&1 | grep 'not found' | tr -s ' \t\n' ' ')"
    echo "$(basename "$so"): ${missing:-all resolved}"
  done
  return 0
}
export -f diagnose
export bundle java py cuda_dirs
stage diag 30 bash -c diagnose

# The driver's own count of GPUs: a GPU that nvidia-smi lists and `info` does not see is this runbook's failure,
# not a machine without a GPU.
smi_gpus=$(timeout 20 nvidia-smi -L 2>/dev/null | grep -c '^GPU ' || true)
if [ "$gpu" = 0 ] && [ "${smi_gpus:-0}" -gt 0 ]; then
  record gpu-visible fail 0 "nvidia-smi lists $smi_gpus GPU(s), inception info sees none: see info.log and diag.log"
  echo "== gpu-visible: FAILED: nvidia-smi lists $smi_gpus GPU(s), inception info sees none" | tee -a "$results/runbook.log"
fi

# why the GPU stages below are skipped, when they are
why="no GPU visible to inception (see info.log)"
# a host where GPU work can run at all, ours or PyTorch's: the peers are worth their time there
gpu_host=$gpu; [ "${smi_gpus:-0}" -gt 0 ] && gpu_host=1
if [ "$gpu" = 1 ]; then
  stage smoke 60 bash -c "\"$inception\" smoke --json > \"$results/smoke.json\""
  # One convolution and one GEMM that do not finish in a minute mean that our GPU calls hang on this host: every
  # later stage of ours would hang to its own budget and leave no time for the rest. Skip them, keep the peers.
  if [ "${states[$(( ${#states[@]} - 1 ))]}" = timeout ]; then
    gpu=0
    why="smoke timed out: GPU calls hang on this host (see smoke.log and diag.log)"
  fi
else
  skip smoke "$why"
fi

# junit_stage NAME BUDGET CLASS: one JUnit class as its own stage (so a timeout loses one class's XML, not all),
# with --details tree in the log; a stage where nothing ran, or anything was skipped, is a failure: a skipped GPU
# test on a GPU host means the natives did not load inside the test JVM, which is not a pass.
junit_stage() {
  local name="$1" budget="$2" class="$3"
  local cp="$bundle/native-test-classes:$bundle/inception.jar:$(ls "$bundle"/lib/*.jar | tr '\n' ':')"
  stage "$name" "$budget" env LD_LIBRARY_PATH="$cuda_dirs:${LD_LIBRARY_PATH:-}" \
    "$java" $INCEPTION_JAVA_OPTS -Dinception.natives.dir="${INCEPTION_NATIVES_DIR:-$bundle/natives}" -Dinception.leakCycles="${INCEPTION_LEAK_CYCLES:-5}" \
    -jar "$bundle/junit-platform-console-standalone.jar" execute --fail-if-no-tests \
    --class-path "$cp" --select-class "$class" --reports-dir "$results/junit/$name" --details tree
  local rc=$?
  local skipped
  skipped=$(grep -ho 'skipped="[0-9]*"' "$results/junit/$name"/*.xml 2>/dev/null | grep -o '[0-9]*' | sort -n | tail -n 1)
  if [ $rc -eq 0 ] && [ "${skipped:-0}" != 0 ]; then
    local last=$(( ${#states[@]} - 1 ))
    states[$last]=fail
    notes[$last]="$skipped test(s) skipped: a skip on a GPU host is a failure (see $name.log)"
    rc=1
  fi
  return $rc
}

if [ "$gpu" = 1 ] && [ -d "$bundle/native-test-classes" ] && [ -f "$bundle/junit-platform-console-standalone.jar" ]; then
  # per-op diagnostics first, so that a failure names the op before the whole network is tried
  junit_stage native-ops 120 dev.inception.nativetests.GpuOpsTest
  junit_stage native-network 150 dev.inception.nativetests.GpuNetworkTest
elif [ "$gpu" = 1 ]; then
  skip native-tests "this bundle has no native-test classes or no JUnit console launcher"
else
  skip native-ops "$why"
  skip native-network "$why"
fi

examples=("$bundle/examples/chelsea.png" "$bundle/examples/coffee.png" "$bundle/examples/rocket.jpg")
# timed runs per batch size (the rehearsal on a fake GPU, H200RehearsalIT, asks for fewer: the fake computes nothing)
iters="${INCEPTION_BENCH_ITERS:-20}"; warmup="${INCEPTION_BENCH_WARMUP:-3}"
# gpu_stage NAME BUDGET COMMAND...: a stage of ours on the GPU; skipped, saying why, where there is none to use
gpu_stage() {
  if [ "$gpu" != 1 ]; then
    skip "$1" "$why"
    return 0
  fi
  stage "$@"
}
# "${into[@]}" FILE COMMAND...: runs COMMAND with its stdout in FILE (a stage's command runs under timeout, which
# knows neither redirections nor shell functions)
into=(bash -c 'file="$1"; shift; "$@" > "$file"' into)
# check NAME BUDGET ARGS...: verify with these arguments against the CPU reference, tap by tap, on the example
# photos (on the GPU it also checks the CUDA graph replay); JSON in verify-NAME.json
check() {
  local name="$1" budget="$2"
  shift 2
  gpu_stage "verify-$name" "$budget" "${into[@]}" "$results/verify-$name.json" "$inception" verify --json "$@" "${examples[@]}"
}
verify() { check "$1-$2" 60 --plan "$2" --precision "$1"; }
# bench NAME BUDGET ARGS...: one engine, the batch sizes given, JSON in bench-NAME.json
bench() {
  local name="$1" budget="$2"
  shift 2
  gpu_stage "bench-$name" "$budget" "$inception" bench --backend gpu --warmup "$warmup" --iters "$iters" \
    --out "$results/bench-$name.json" "$@"
}
# steps NAME BUDGET ARGS...: per-step medians with CUDA events (every step in profile-NAME.json) and a chart of the
# slowest 20 (profile-NAME.png)
steps() {
  local name="$1" budget="$2"
  shift 2
  gpu_stage "profile-$name" "$budget" "${into[@]}" "$results/profile-$name.json" "$inception" profile --backend gpu --top 20 \
    --json --chart "$results/profile-$name.png" "$@"
}
profile() { steps "$1-$2" 60 --precision "$1" --batch "$2"; }
# torch MODE BUDGET BATCHES: the PyTorch peer (bench/peers/torch_inception.py) in the same run, same batches
# torch.compile's caches in one place, and max-autotune's measured choices carried between windows and sessions: seeded
# from the bundle's peers/inductor-autotune/ (what earlier H200 runs measured) and copied into the results after each
# peer, so that a compile cut off by the window's end resumes in the next one (peers/inductor-cache.sh says how)
export TORCHINDUCTOR_CACHE_DIR="${TORCHINDUCTOR_CACHE_DIR:-/tmp/inception-inductor}"
torch() {
  bash "$here/peers/inductor-cache.sh" seed "$here/peers/inductor-autotune"
  stage "torch-$1" "$2" "$py" "$here/peers/torch_inception.py" --device cuda --modes "$1" --batch "$3" \
    --warmup "$warmup" --iters "$iters" --out "$results/torch-gpu-$1.json"
  bash "$here/peers/inductor-cache.sh" keep "$results/inductor-autotune"
}
all_batches=1,8,32,128,256
# The peers run wherever a GPU is there for PyTorch, even where our stack cannot use it (not found, or its calls
# hang): their numbers are still this window's evidence.
peers=0
if [ "$gpu_host" = 1 ]; then
  timeout 90 "$py" -c "import torch, torchvision, sys; sys.exit(0 if torch.cuda.is_available() else 1)" >/dev/null 2>&1 \
    && peers=1
fi
# Most valuable evidence first, so that a short window still answers the main questions: is every path we time
# correct (fp32, fp16, with their graph replays), then the targets (fp16 throughput at 256, batch-1 latency) beside
# the PyTorch peers, then the other precisions and the on/off switches.
verify fp32 fused
verify fp16 fused
# host: end2end's resizing and packing alone, on this host's cores (above end2end's time per batch, the host limits it);
# floats: a float32 batch to probabilities in one call, the server's and Spark's path (upload, narrowing on the GPU)
bench fp16 90 --precision fp16 --batch "$all_batches" --scope network,end2end,host,floats
# the peer of the missed batch-1 fp16 target (0.78x on the first H200 run), beside the bench it is judged with
if [ "$peers" = 1 ]; then
  torch compile-reduce-overhead-fp16 120 1,8,256
fi
# where a pass spends its time, step by step with CUDA events, and each convolution's algorithm and math type:
# fp16 at the throughput target's batch and at batch 1 (every step in the JSON, the slowest 20 in the chart)
profile fp16 256
profile fp16 1
# --gpu-resize: end2end's 640x480 images go up at their own size and kernels/resize.cu resizes them on the GPU, the
# host only copying them into the pinned slot (its host scope: that copy alone): beside bench-fp16's end2end and
# host scopes, whether that lifts the end-to-end target (0.15x of the network's rate on the first H200 run)
bench fp16-gpu-resize 60 --precision fp16 --gpu-resize --batch 32,256 --scope end2end,host
# cuDNN's fused conv + bias + ReLU against a plain convolution and kernels/bias_relu.cu (--bias-relu-kernel): several
# fused fp16 1x1 convolutions took ten times their bandwidth bound on the first H200 run
check fp16-bias-relu 60 --plan fused --precision fp16 --bias-relu-kernel
bench fp16-bias-relu-kernel 60 --precision fp16 --bias-relu-kernel --batch 1,32,256 --scope network
steps fp16-256-bias-relu 60 --precision fp16 --bias-relu-kernel --batch 256
# 40 of the 94 convolutions are 1x1: each also timed as one cuBLAS GEMM + kernels/bias_relu.cu (--gemm-1x1), kept
# where faster than cuDNN's choice (native-network has checked every one of them, forced, against the reference)
check fp16-gemm 60 --plan fused --precision fp16 --gemm-1x1
bench fp16-gemm-1x1 60 --precision fp16 --gemm-1x1 --batch 1,32,256 --scope network
steps fp16-256-gemm 60 --precision fp16 --gemm-1x1 --batch 256
# cuDNN's backend plans, in two forms (conv + bias + ReLU as one operation graph; the convolution alone followed by
# kernels/bias_relu.cu), the first 4 the heuristic ranks in each, timed, each convolution keeping the legacy
# algorithm unless a plan beats it: the lead for the batch-256 target, correct first; after the two switches
# above, whose searches cost milliseconds where this one may compile kernels for tens of seconds
check fp16-engines 90 --plan fused --precision fp16 --cudnn-engines 4
bench fp16-engines 150 --precision fp16 --cudnn-engines 4 --batch 1,32,256 --scope network
steps fp16-256-engines 90 --precision fp16 --cudnn-engines 4 --batch 256
bench fp32 90 --precision fp32 --batch "$all_batches"
if [ "$peers" = 1 ]; then
  torch eager-fp32 90 "$all_batches"
  torch eager-cl-fp16 90 "$all_batches"
  torch compile-reduce-overhead 120 1,8
fi
# what kernels/pooling.cu saves over cuDNN's NHWC pooling (the slowest steps of the first H200 profile)
bench fp16-cudnn-pooling 60 --precision fp16 --cudnn-pooling --batch 1,32,256 --scope network
# the server under load, dynamic batching on and off (--max-batch 1), fp16 on the GPU (issue #14's measurement)
gpu_stage serve-load 150 env BACKEND=gpu EXTRA_SERVE_FLAGS="--precision fp16" CONCURRENCY=1,8,32,128 \
  REQUESTS="${INCEPTION_LOAD_REQUESTS:-400}" MAX_SECONDS=15 PORT=8711 bash "$bundle/serve-load.sh" "$results/serve-load"
# batch 128 took as long as 256 in fp16 on the first H200 run: its algorithms and steps beside 256's
profile fp16 128
# predict over JPEG files: decoded on every core but one (the GPU's --decode-threads default) while the GPU classifies;
# decode: the same files decoded alone (above files' time per batch, decoding is what limits predict over a folder)
bench fp16-files 60 --precision fp16 --batch 128 --scope files,decode
verify bf16 fused
verify tf32 fused
verify fp32 faithful
# what CUDA graphs and branch streams each save, and the plain call-by-call baseline
bench fp16-no-graphs 60 --precision fp16 --no-cuda-graphs --batch 1,8,32 --scope network
bench fp16-no-streams 60 --precision fp16 --no-branch-streams --batch 1,8,32,128,256 --scope network
# streams at every batch (the default stops at 16: they were 14% slower at 32 on the first H200 run)
bench fp16-streams-all 60 --precision fp16 --branch-streams-max-batch 256 --batch 32,128,256 --scope network
bench fp32-plain 60 --precision fp32 --no-cuda-graphs --no-branch-streams --batch 1,8,32 --scope network
# copy-free concatenation, experimental (off by default): correct first, then what it saves
check fp16-copy-free 60 --plan fused --precision fp16 --copy-free-concat
bench fp16-copy-free 60 --precision fp16 --copy-free-concat --batch 1,8,32,256 --scope network
bench bf16 60 --precision bf16 --batch 1,32,256 --scope network
bench tf32 60 --precision tf32 --batch 1,32,256 --scope network
bench fp32-faithful 60 --plan faithful --batch 1,32 --scope network
if [ "$peers" = 1 ]; then
  # torch.compile's max-autotune takes minutes (on the first H200 it was still autotuning after 281 s): asked for
  # (INCEPTION_PEERS_AUTOTUNE=1), with INCEPTION_AUTOTUNE_SECONDS (default 420) each, in a window of its own
  if [ "${INCEPTION_PEERS_AUTOTUNE:-0}" = 1 ]; then
    torch compile-max-autotune-fp16 "${INCEPTION_AUTOTUNE_SECONDS:-420}" 256
    torch compile-max-autotune "${INCEPTION_AUTOTUNE_SECONDS:-420}" 1
  fi
else
  skip torch-peers "no python3 with torch, torchvision and a usable CUDA GPU on this host"
fi

# last, with what is left: the backend plans against the reference tap by tap, fp16 and bf16 (GpuEnginesTest;
# verify-fp16-engines has checked them on the example photos already)
if [ "$gpu" = 1 ] && [ -d "$bundle/native-test-classes" ] && [ -f "$bundle/junit-platform-console-standalone.jar" ]; then
  junit_stage native-engines 150 dev.inception.nativetests.GpuEnginesTest
else
  skip native-engines "no native tests to run here (see native-ops)"
fi

summary
cat "$results/summary.txt"

# one file to bring back: the device machine returns at most 8
tar -czf "$results.tgz" -C "$(dirname "$results")" "$(basename "$results")" \
  && echo "packed: $results.tgz ($(( $(stat -c %s "$results.tgz") / 1024 )) KiB)"

failed=0
for s in "${states[@]}"; do
  case "$s" in fail|timeout) failed=1 ;; esac
done
exit $failed
