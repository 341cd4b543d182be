#!/usr/bin/env python3
"""The learning benchmark of docs/RESULTS.md: a fixed protocol that a reader can rerun.

  run        train one arm for the given seeds on one dataset, evaluate its best slt checkpoint (beam 5) on dev
             and test, and write WORK/<dataset>/<label>/seed<N>/summary.json (metrics, wall time per phase,
             load average, the dev BLEU-4 curve against wall time).
  aggregate  tables (mean ± sd over seeds) as Markdown and the time-to-BLEU plot from every summary under WORK.

Datasets: real  = `phoenix-slt synth --from-annotations ../shared/phoenix-train-text/annotations --seed 42` (the real
                  PHOENIX-2014-T training sentences and glosses re-split by broadcast: 6,049 / 520 / 527; the one
                  that steers the recipe);
          synth = `phoenix-slt synth --seed 42` (the default synthetic grammar; the quick check).
Arms:     scratch  = `train slt` from scratch;  pipeline = `train pipeline` (text -> vlp -> slt);
          text     = `train text` alone: with the corpus' glosses the mBART learns gloss -> text, and its best dev
                     validation (greedy unless --beams says otherwise) is the decoder's ceiling — what the
                     translator reaches from perfect glosses; cheap, so the place to sweep the decoder's settings.
          slt-stage = the pipeline's slt stage alone, from the text and vlp checkpoints of the same seed of the
                     pipeline arm named by --from (`train slt --init FROM/vlp/best --mbart FROM/text/best`): the place
                     to sweep the slt stage's settings without re-running text and vlp.
Anything after `--` is passed to `train` (the same for every seed), e.g. `-- --preset small --epochs 8`.
Choose settings by dev; test is reported, never tuned on.

Example: OMP_NUM_THREADS=2 docs/results/learning-benchmark.py run --cli ./phoenix-slt --work /tmp/bench \
             --dataset real --arm pipeline --seeds 1,2,3 --label pipeline-default
         docs/results/learning-benchmark.py aggregate --work /tmp/bench --out docs/results/benchmark
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ANNOTATIONS = Path(__file__).resolve().parents[3] / "shared" / "phoenix-train-text" / "annotations"


def dataset(cli, work, name):
    folder = work / f"data-{name}"
    if not (folder / "annotations" / "PHOENIX-2014-T.train.corpus.csv").exists():
        extra = ["--from-annotations", str(ANNOTATIONS)] if name == "real" else []
        subprocess.run(cli + ["synth", "--out", str(folder), "--seed", "42", *extra], check=True)
    return folder


def events(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def stamp(event):
    return datetime.fromisoformat(event["time"]).timestamp()


def phases(stream, curve_phase="slt"):
    """Wall seconds of each phase (run_started -> finished) and the dev BLEU-4 curve of curve_phase."""
    times, curve, start, first = {}, [], {}, None
    for e in stream:
        if e["type"] == "run_started":
            start[e["phase"]] = stamp(e)
            first = first if first is not None else stamp(e)
            current = e["phase"]
        elif e["type"] == "finished":
            times[current] = stamp(e) - start[current]
        elif e["type"] == "eval" and current == curve_phase and e.get("bleu4") is not None:
            curve.append((stamp(e) - first, e["step"], e["bleu4"]))
    return times, curve


def run(args, passthrough):
    cli = args.cli.split()
    work = Path(args.work).resolve()
    data = dataset(cli, work, args.dataset)
    for seed in [int(s) for s in args.seeds.split(",")]:
        out = work / args.dataset / args.label / f"seed{seed}"
        if (out / "summary.json").exists():
            print(f"{out}: done already", flush=True)
            continue
        out.mkdir(parents=True, exist_ok=True)
        phase = {"scratch": "slt", "slt-stage": "slt", "pipeline": "pipeline", "text": "text"}[args.arm]
        stage_from = []
        if args.arm == "slt-stage":
            if not args.source:
                sys.exit("--arm slt-stage needs --from LABEL (a pipeline arm of the same dataset)")
            pipeline_run = work / args.dataset / args.source / f"seed{seed}" / "run"
            if not (pipeline_run / "vlp" / "best").is_dir():
                sys.exit(f"{pipeline_run}: no vlp/best checkpoint (run the pipeline arm for seed {seed} first)")
            stage_from = ["--init", str(pipeline_run / "vlp" / "best"), "--mbart", str(pipeline_run / "text" / "best")]
        command = cli + ["train", phase, "--data", str(data), "--out", str(out / "run"), "--seed", str(seed),
                         "--events", str(out / "events.jsonl"), *stage_from, *passthrough]
        load_before, started = os.getloadavg(), time.time()
        with open(out / "train.log", "w", encoding="utf-8") as log:
            subprocess.run(command, check=True, stdout=log, stderr=subprocess.STDOUT)
        wall = time.time() - started
        best = out / "run" / ("slt" if phase == "pipeline" else "") / "best"
        scores = {"test": {}}
        if phase == "text":  # no clips to evaluate: the best validation of the run (gloss2text: dev glosses -> text)
            finished = [e for e in events(out / "events.jsonl") if e["type"] == "finished"][-1]
            scores["dev"] = finished["metrics"]
        for split in (("dev", "test") if phase != "text" else ()):
            result = subprocess.run(cli + ["evaluate", "--checkpoint", str(best), "--data", str(data), "--split", split,
                                           "--beams", "5", "--json"], check=True, capture_output=True, text=True)
            scores[split] = json.loads(result.stdout)
        times, curve = phases(events(out / "events.jsonl"), "text" if phase == "text" else "slt")
        summary = {"dataset": args.dataset, "arm": args.arm, "label": args.label, "seed": seed, "command": command,
                   "from": args.source,
                   "wall_s": wall, "phase_s": times, "load_before": load_before, "load_after": os.getloadavg(),
                   "omp_threads": os.environ.get("OMP_NUM_THREADS"), "dev": scores["dev"], "test": scores["test"],
                   "dev_bleu4_curve": curve}
        (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
        print(f"{out}: dev BLEU-4 {scores['dev']['bleu4']:.2f}, test {scores['test'].get('bleu4', float('nan')):.2f}, {wall / 60:.1f} min", flush=True)


def mean_sd(values):
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.2f} (1 seed)"
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"


def aggregate(args, _):
    work = Path(args.work).resolve()
    summaries = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(work.glob("*/*/seed*/summary.json"))]
    groups = {}
    for s in summaries:
        groups.setdefault((s["dataset"], s["label"]), []).append(s)
    rows = ["| dataset | arm | seeds | dev BLEU-4 | test BLEU-4 | dev ROUGE-L | test ROUGE-L | dev chrF | test chrF | dev gloss WER | wall min | phases (min) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for (name, label), runs in sorted(groups.items()):
        get = lambda split, key: [r[split][key] for r in runs if key in r[split]]
        phase_min = {p: statistics.mean([r["phase_s"].get(p, 0) for r in runs]) / 60 for p in ("text", "vlp", "slt") if any(p in r["phase_s"] for r in runs)}
        rows.append(f"| {name} | {label} | {len(runs)} | {mean_sd(get('dev', 'bleu4'))} | {mean_sd(get('test', 'bleu4'))} | "
                    f"{mean_sd(get('dev', 'rouge_l'))} | {mean_sd(get('test', 'rouge_l'))} | {mean_sd(get('dev', 'chrf'))} | "
                    f"{mean_sd(get('test', 'chrf'))} | {mean_sd([r['dev']['gloss_wer'] for r in runs if r['dev'].get('gloss_wer') is not None])} | "
                    f"{mean_sd([r['wall_s'] / 60 for r in runs])} | "
                    + ", ".join(f"{p} {m:.1f}" for p, m in phase_min.items()) + " |")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (out / "summaries.json").write_text(json.dumps(summaries, indent=1), encoding="utf-8")
    print("\n".join(rows))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no matplotlib (apt install python3-matplotlib): no plot", file=sys.stderr)
        return
    for name in sorted({k[0] for k in groups}):
        fig, ax = plt.subplots(figsize=(7, 4.2))
        for (dataset_name, label), runs in sorted(groups.items()):
            # text arms (gloss -> text) and slt-stage arms (no text/vlp time) do not share the headline's time axis
            if dataset_name != name or runs[0]["arm"] in ("text", "slt-stage"):
                continue
            for i, r in enumerate(runs):
                xs = [t / 60 for t, _, _ in r["dev_bleu4_curve"]]
                ys = [b for _, _, b in r["dev_bleu4_curve"]]
                ax.plot(xs, ys, marker=".", color=plt.cm.tab20(sorted(groups).index((dataset_name, label)) % 20), alpha=0.8,
                        label=label if i == 0 else None)
        ax.set_xlabel("wall clock since the first phase started (min)")
        ax.set_ylabel("dev BLEU-4 (validation decoding)")
        ax.set_title(f"time to BLEU — {name}")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / f"time-to-bleu-{name}.png", dpi=110)


def main():
    argv = sys.argv[1:]
    passthrough = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="verb", required=True)
    r = sub.add_parser("run")
    r.add_argument("--cli", required=True, help="how to start phoenix-slt, e.g. 'dotnet .../phoenix-slt.dll'")
    r.add_argument("--work", required=True)
    r.add_argument("--dataset", choices=["real", "synth"], default="real")
    r.add_argument("--arm", choices=["scratch", "slt-stage", "pipeline", "text"], required=True)
    r.add_argument("--from", dest="source", help="slt-stage: the pipeline arm's label whose text and vlp checkpoints it starts from")
    r.add_argument("--seeds", default="1,2,3")
    r.add_argument("--label", required=True, help="name of this arm's settings in the tables")
    a = sub.add_parser("aggregate")
    a.add_argument("--work", required=True)
    a.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    {"run": run, "aggregate": aggregate}[args.verb](args, passthrough)


if __name__ == "__main__":
    main()
