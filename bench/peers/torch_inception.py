#!/usr/bin/env python3
"""PyTorch peer for `inception bench`: torchvision's Inception3 (no aux head, eval, random weights) at the same batch
sizes, timed the same way, written in the same JSON schema (inception-bench/1), so both land on one chart.

The architecture matches Keras's InceptionV3 (same blocks, BN epsilon 1e-3, 299x299 input); weights are random, as
speed does not depend on them. Modes:
  eager-fp32               eager, float32, TF32 off (cuDNN and cuBLAS)  -- the comparison for our fp32 path
  eager-cl-fp32            eager, channels_last, float32                -- PyTorch's fastest eager CPU mode
  eager-cl-fp16            eager, channels_last, fp16 autocast          (CUDA only)
  compile-cl-fp32          torch.compile (default mode), channels_last, float32, with Inductor's freezing (weights
                           folded in as constants: PyTorch's recipe for CPU inference) -- PyTorch 2's fastest CPU mode
  compile-max-autotune     torch.compile(mode="max-autotune")           (CUDA only)
  compile-reduce-overhead  torch.compile(mode="reduce-overhead"), CUDA graphs (CUDA only)
  compile-max-autotune-fp16, compile-reduce-overhead-fp16
                           the same, channels_last with fp16 autocast   (CUDA only) -- the peers of --precision fp16
A "-fp16" mode is channels_last with autocast; every other mode keeps TF32 off, as our fp32 does. torch.compile gets
static shapes (dynamic=False): each batch size is compiled for itself, as our engine binds a plan per batch size,
instead of the shape-generic code PyTorch would otherwise make from the second batch size on.
Timing: CUDA events around the forward on the GPU; on the CPU, a clock around the synchronous forward.

  python3 torch_inception.py --device cpu --threads 2 --batch 1,8 --out torch-cpu.json
  python3 torch_inception.py --device cuda --batch 1,8,32,128 --modes eager-fp32,eager-cl-fp16 --out torch-gpu.json
"""
import argparse
import datetime
import glob
import json
import os
import platform
import subprocess
import sys
import time
import types

import numpy as np
import torch


def import_torchvision():
    """torchvision, whose models are plain Python. A CUDA build of torchvision beside a CPU build of torch (PyPI's
    torchvision wheels are CUDA builds; PyTorch's CPU wheels come from its own index) cannot load its C++ ops, and
    registering their meta kernels then fails the import ("operator torchvision::nms does not exist"). Inception3
    uses none of those ops: leave the registrations out, and say so in the results."""
    try:
        import torchvision
        return torchvision, "loaded"
    except RuntimeError as e:
        if "torchvision::" not in str(e):
            raise
        for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
            del sys.modules[name]
        sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
        import torchvision
        return torchvision, "not loaded (" + str(e).splitlines()[0][:80] + "); Inception3 needs none"


torchvision, TORCHVISION_OPS = import_torchvision()

CUDA_ONLY = {"eager-cl-fp16", "compile-max-autotune", "compile-reduce-overhead", "compile-max-autotune-fp16",
             "compile-reduce-overhead-fp16"}
# torch.compile's mode for each compiled peer
COMPILE_MODES = {"compile-cl-fp32": "default", "compile-max-autotune": "max-autotune",
                 "compile-reduce-overhead": "reduce-overhead", "compile-max-autotune-fp16": "max-autotune",
                 "compile-reduce-overhead-fp16": "reduce-overhead"}


def channels_last(mode):
    return mode.startswith(("eager-cl-", "compile-cl-")) or mode.endswith("-fp16")


def build(mode, device):
    model = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False).eval().to(device)
    if channels_last(mode):
        model = model.to(memory_format=torch.channels_last)
    if mode in COMPILE_MODES:
        if device == "cpu":
            from torch._inductor import config as inductor_config
            inductor_config.freezing = True
        model = torch.compile(model, mode=COMPILE_MODES[mode], dynamic=False)
    return model


def forward(model, x, mode):
    with torch.inference_mode():
        if mode.endswith("-fp16"):
            with torch.autocast("cuda", dtype=torch.float16):
                return model(x)
        return model(x)


def time_ms(model, x, mode, device):
    if device == "cuda":
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        forward(model, x, mode)
        stop.record()
        stop.synchronize()
        return start.elapsed_time(stop)
    t0 = time.perf_counter()
    forward(model, x, mode)
    return (time.perf_counter() - t0) * 1000.0


def stats(samples):
    a = np.asarray(samples, dtype=np.float64)
    return {"p50": float(np.percentile(a, 50)), "p90": float(np.percentile(a, 90)), "p99": float(np.percentile(a, 99)),
            "mean": float(a.mean()), "min": float(a.min()), "max": float(a.max())}


def machine(device):
    m = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
         "os": f"{platform.system()} {platform.release()} {platform.machine()}",
         "python": platform.python_version(), "torch": torch.__version__, "torchvision": torchvision.__version__,
         "torchvision_ops": TORCHVISION_OPS}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    m["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    if device == "cuda":
        m["gpu"] = torch.cuda.get_device_name(0)
        m["cuda"] = torch.version.cuda
        m["cudnn"] = torch.backends.cudnn.version()
    return m


def tf32_off():
    """Float32 convolutions and matmuls in IEEE float32, as our fp32 path. PyTorch 2.9 and later spell it
    fp32_precision and warn that the allow_tf32 flags are going away (and refuse to mix the two spellings)."""
    # asked of torch.backends itself: torch.backends.cuda.matmul answers unknown names with AssertionError
    if hasattr(torch.backends, "fp32_precision"):
        torch.backends.cuda.matmul.fp32_precision = "ieee"
        torch.backends.cudnn.conv.fp32_precision = "ieee"
    else:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False


def autotune_cache_entries():
    """How many (operator, input shapes) pairs Inductor's autotuning cache held before this run compiled anything:
    max-autotune skips benchmarking those, with the choices an earlier H200 run measured (bench/peers/inductor-cache.sh
    carries them between device windows). None where the cache is not where bench/gpu-run.sh puts it."""
    root = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    if not root:
        return None
    entries = 0
    for name in glob.glob(os.path.join(root, "cache", "*")):
        try:
            with open(name) as f:
                cache = json.load(f)["cache"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        entries += sum(len(shapes) for shapes in cache.values() if isinstance(shapes, dict))
    return entries


def git_commit():
    """HEAD, with -dirty when tracked files differ from it (as MachineInfo.gitCommit)."""
    try:
        head = subprocess.check_output(["git", "rev-parse", "--short=12", "HEAD"], stderr=subprocess.DEVNULL,
                                       text=True).strip()
        dirty = subprocess.check_output(["git", "status", "--porcelain", "--untracked-files=no"],
                                        stderr=subprocess.DEVNULL, text=True).strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu", choices=["cpu", "cuda"])
    ap.add_argument("--modes", default="eager-fp32")
    ap.add_argument("--batch", default="1,8")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--profile", metavar="FILE", help="also write PyTorch's profiler table (operators by own CPU time,"
                                                     " 5 passes per batch size) to FILE, as `inception profile`"
                                                     " shows ours")
    ap.add_argument("--backend-label", help="the results' backend name (default torch-DEVICE); tells PyTorch versions"
                                            " apart on one chart, e.g. torch-2.13-cpu")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    tf32_off()
    torch.backends.cudnn.benchmark = True
    batches = [int(b) for b in args.batch.split(",")]
    cached_at_start = autotune_cache_entries()
    reports = []
    for mode in args.modes.split(","):
        if mode in CUDA_ONLY and args.device != "cuda":
            print(f"skip {mode}: CUDA only")
            continue
        model = build(mode, args.device)
        results = []
        for batch in batches:
            x = torch.randn(batch, 3, 299, 299, device=args.device)
            if channels_last(mode):
                x = x.to(memory_format=torch.channels_last)
            for _ in range(args.warmup):
                time_ms(model, x, mode, args.device)
            samples = [time_ms(model, x, mode, args.device) for _ in range(args.iters)]
            s = stats(samples)
            results.append({"scope": "network", "batch": batch, "latency_ms": s,
                            "images_per_s": batch * 1000.0 / s["mean"], "samples_ms": samples})
            print(f"{mode} batch {batch}: p50 {s['p50']:.1f} ms, {batch * 1000.0 / s['mean']:.2f} images/s", flush=True)
            if args.profile:
                with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
                    for _ in range(5):
                        forward(model, x, mode)
                with open(args.profile, "a") as f:
                    f.write(f"{mode}, batch {batch}, 5 passes, torch {torch.__version__}\n")
                    f.write(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12) + "\n")
        reports.append({"schema": "inception-bench/1",
                        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                        "git_commit": git_commit(), "machine": machine(args.device),
                        "settings": {"backend": args.backend_label or f"torch-{args.device}", "plan": mode,
                                     "precision": "fp16" if "fp16" in mode else "fp32",
                                     "batches": batches, "warmup": args.warmup, "iters": args.iters,
                                     "threads": torch.get_num_threads(), "weights": "random",
                                     "autotune_cache_entries_at_start": cached_at_start},
                        "results": results})
    with open(args.out, "w") as f:
        json.dump(reports[0] if len(reports) == 1 else reports, f, indent=2)


if __name__ == "__main__":
    main()
