#!/usr/bin/python3
"""Training-step time of the small SLT model: TorchSharp (`PhoenixSlt.Benchmarks train-step`) against the same model in
PyTorch eager (slt_small_step.py), alternating in one run (docs/BENCHMARKS.md, "Training step: TorchSharp vs PyTorch
eager"). Each round runs one block of each side (the order flips every round), each block a fresh process that
builds the model, runs the warm-up steps and times the measured steps. Both sides run with one intra-op thread
(OMP_NUM_THREADS=1 and set_num_threads(1)). Prints a markdown table.

  compare_train_step.py [--rounds 5] [--warmup 3] [--steps 10] [--dll PATH] [--blas-dir DIR] [--parity]

PyTorch runs its matrix products on the libblas.so.3 that Debian's alternatives select: OpenBLAS once
libopenblas0-pthread is installed (libtorch1.13 recommends it), otherwise the reference BLAS, which is far slower.
--blas-dir puts another folder's libblas.so.3 first (e.g. /usr/lib/x86_64-linux-gnu/blas, the reference BLAS). The
table names the library that was loaded. --parity first runs the parity check (train-step --export DIR, then
slt_small_step.py --parity DIR: the same weights and batch on both sides).
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_DLL = os.path.join(REPO, "tests", "PhoenixSlt.Benchmarks", "bin", "Release", "net10.0", "PhoenixSlt.Benchmarks.dll")


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cpu_ticks():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6]  # user nice system irq softirq
    return busy, fields[7] if len(fields) > 7 else 0                  # steal


def run_block(command, env):
    """Runs one block; returns its JSON result plus the share of the CPU used by other processes meanwhile."""
    ticks = os.sysconf("SC_CLK_TCK")
    busy0, steal0 = cpu_ticks()
    child0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    busy1, steal1 = cpu_ticks()
    child1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    line = [l for l in completed.stdout.splitlines() if l.startswith("{")][-1]
    result = json.loads(line)
    own = (child1.ru_utime + child1.ru_stime) - (child0.ru_utime + child0.ru_stime)
    capacity = wall * os.cpu_count()
    result["others_share"] = max(0.0, ((busy1 - busy0) / ticks - own) / capacity)
    result["steal_share"] = max(0.0, (steal1 - steal0) / ticks / capacity)
    result["wall_s"] = wall
    return result


def median(values):
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--dll", default=DEFAULT_DLL)
    parser.add_argument("--blas-dir")
    parser.add_argument("--parity", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(args.dll):
        sys.exit(f"{args.dll} not found: dotnet build -c Release tests/PhoenixSlt.Benchmarks first")

    base = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    dotnet_env = dict(base, DOTNET_GCgen0size="0x10000000")  # as the trainer's worker processes run
    python_env = dict(base)
    if args.blas_dir:
        python_env["LD_LIBRARY_PATH"] = args.blas_dir + (":" + base["LD_LIBRARY_PATH"] if base.get("LD_LIBRARY_PATH") else "")
    shape_args = ["--warmup", str(args.warmup), "--steps", str(args.steps), "--threads", "1"]
    sides = {
        "torchsharp": (["dotnet", args.dll, "train-step", *shape_args], dotnet_env),
        "pytorch": ([sys.executable, os.path.join(HERE, "slt_small_step.py"), *shape_args], python_env),
    }

    print(f"# training step: TorchSharp vs PyTorch eager — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    start_load = load_average()
    if args.parity:
        with tempfile.TemporaryDirectory(prefix="slt-parity-") as folder:
            subprocess.run(["dotnet", args.dll, "train-step", "--export", folder], env=dotnet_env, check=True, capture_output=True)
            check = subprocess.run([sys.executable, os.path.join(HERE, "slt_small_step.py"), "--parity", folder],
                                   env=python_env, capture_output=True, text=True)
            report = json.loads(check.stdout)
            print(f"parity: {'ok' if report['ok'] else 'FAILED'} — parameters {report['parameters']['torchsharp']:,} / "
                  f"{report['parameters']['pytorch']:,}, names and shapes equal: {report['names_and_shapes_equal']}, "
                  + ", ".join(f"{k} {v['torchsharp']:.6f} vs {v['pytorch']:.6f}" for k, v in report["values"].items())
                  + f"; max |diff| {report['max_abs_diff']:.1e}")

    results = {name: [] for name in sides}
    for round_index in range(args.rounds):
        order = list(sides) if round_index % 2 == 0 else list(reversed(sides))
        for name in order:
            command, env = sides[name]
            result = run_block(command, env)
            result["load"] = load_average()
            results[name].append(result)
            print(f"round {round_index + 1} {name}: median {median(result['step_ms']):.0f} ms/step, "
                  f"CPU {median(result['cpu_ms']):.0f} ms/step "
                  f"(others' CPU {100 * result['others_share']:.1f}%, load {result['load']})", file=sys.stderr)
    end_load = load_average()

    ts, pt = results["torchsharp"][0], results["pytorch"][0]
    print(f"machine: {cpu_name()}, {os.cpu_count()} logical cores; load average at start {start_load}, at end {end_load}")
    print(f"TorchSharp: {ts['versions']}, threads {ts['threads']}; PyTorch: {pt['versions']}, threads {pt['threads']}, "
          f"BLAS {pt.get('blas', 'unknown')}")
    print(f"shapes: {ts['shapes']}; parameters {ts['parameters']:,} (TorchSharp) / {pt['parameters']:,} (PyTorch)")
    print(f"{args.rounds} rounds × (1 block per side: {args.warmup} warm-up + {args.steps} timed steps), order alternating")
    print()
    print("| side | ms/step (median) | per-round medians | CPU ms/step (median) | forward | backward | clip + AdamW | others' CPU (max) | load avg after blocks |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    medians, cpu_medians = {}, {}
    for name, blocks in results.items():
        medians[name] = median([v for b in blocks for v in b["step_ms"]])
        cpu_medians[name] = median([v for b in blocks for v in b["cpu_ms"]])
        per_round = [median(b["step_ms"]) for b in blocks]
        phases = [median([v for b in blocks for v in b[key]]) for key in ("forward_ms", "backward_ms", "optimizer_ms")]
        label = "TorchSharp" if name == "torchsharp" else "PyTorch eager"
        print(f"| {label} | {medians[name]:.0f} | {min(per_round):.0f}–{max(per_round):.0f} | {cpu_medians[name]:.0f} | "
              f"{phases[0]:.0f} | {phases[1]:.0f} | {phases[2]:.1f} | {100 * max(b['others_share'] for b in blocks):.1f}% | "
              f"{', '.join(b['load'].split()[0] for b in blocks)} |")
    ratio = medians["torchsharp"] / medians["pytorch"]
    per_round_ratios = [median(t["step_ms"]) / median(p["step_ms"]) for t, p in zip(results["torchsharp"], results["pytorch"])]
    print()
    print(f"ratio TorchSharp / PyTorch (wall time): {ratio:.2f}× (per round {min(per_round_ratios):.2f}–{max(per_round_ratios):.2f}×; "
          f"target ≤ 0.90×: {'met' if ratio <= 0.9 else 'not met'}); CPU time: {cpu_medians['torchsharp'] / cpu_medians['pytorch']:.2f}×")
    return 0


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
