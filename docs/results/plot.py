#!/usr/bin/env python3
"""Learning curves and the summary table of docs/RESULTS.md from the runs of learning-proof.sh.

Usage: /usr/bin/python3 docs/results/plot.py WORK_DIR OUT.png   (needs python3-matplotlib)
"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def events(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def series(evs, kind, key):
    points = [(e["step"], e[key]) for e in evs if e["type"] == kind and e.get(key) is not None]
    return [p[0] for p in points], [p[1] for p in points]


def main():
    work, out = Path(sys.argv[1]), Path(sys.argv[2])
    a, b = events(work / "a-slt.jsonl"), events(work / "b-slt.jsonl")
    c = events(work / "c-slt.jsonl") if (work / "c-slt.jsonl").exists() else []
    text, vlp = events(work / "b-text.jsonl"), events(work / "b-vlp.jsonl")
    fig, ax = plt.subplots(2, 2, figsize=(11, 7.5))
    arms = [(a, "(a) SLT from scratch", "tab:red"), (b, "(b) text → VLP → SLT", "tab:blue")]
    if c:
        arms.append((c, "(c) as (b), decoder lr 1e-4", "tab:orange"))
    for evs, label, style in arms:
        ax[0][0].plot(*series(evs, "step", "loss"), color=style, label=label, linewidth=1)
        for key, dash in (("bleu1", "-"), ("bleu2", "--"), ("bleu4", ":")):
            ax[0][1].plot(*series(evs, "eval", key), color=style, marker="o", linestyle=dash, label=f"{label}: {key.upper()}")
        ax[1][0].plot(*series(evs, "eval", "val_loss"), color=style, marker="o", label=label)
    ax[0][0].set(title="SLT training loss (label-smoothed CE)", xlabel="optimizer step", ylabel="loss")
    ax[0][1].set(title="dev BLEU-1 / BLEU-2 / BLEU-4 (beam 5)", xlabel="optimizer step", ylabel="BLEU")
    ax[1][0].set(title="dev loss", xlabel="optimizer step", ylabel="loss")
    ax[1][1].plot(*series(text, "step", "loss"), color="tab:green", label="text denoising: train loss", linewidth=1)
    ax[1][1].plot(*series(text, "eval", "val_loss"), color="tab:green", marker="o", linestyle="--", label="text denoising: dev loss")
    ax[1][1].plot(*series(vlp, "step", "loss"), color="tab:purple", label="VLP contrastive: train loss", linewidth=1)
    ax[1][1].plot(*series(vlp, "eval", "val_loss"), color="tab:purple", marker="o", linestyle="--", label="VLP contrastive: dev loss")
    ax[1][1].set(title="pre-training of (b)", xlabel="optimizer step", ylabel="loss")
    for row in ax:
        for axis in row:
            axis.grid(alpha=0.3)
            axis.legend(fontsize=8)
    steps = max((e["step"] for e in a if e["type"] == "finished"), default=0)
    fig.suptitle(f"Synthetic PHOENIX-2014-T, tiny preset, CPU, same SLT budget ({steps} optimizer steps of 8 clips)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)

    print("| arm | split | BLEU-1 | BLEU-2 | BLEU-3 | BLEU-4 | sacreBLEU | ROUGE-L | chrF |")
    print("|---|---|---|---|---|---|---|---|---|")
    for arm in ("a", "b", "c") if c else ("a", "b"):
        for split in ("dev", "test"):
            r = json.loads((work / f"{arm}-slt.{split}.json").read_text(encoding="utf-8"))
            cells = [r[k] for k in ("bleu1", "bleu2", "bleu3", "bleu4", "sacrebleu", "rouge_l", "chrf")]
            print(f"| {arm} | {split} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
    for name, evs in (("a-slt", a), ("b-text", text), ("b-vlp", vlp), ("b-slt", b), ("c-slt", c)):
        fin = [e for e in evs if e["type"] == "finished"]
        evals = [e for e in evs if e["type"] == "eval"]
        last = evals[-1]["metrics"] if evals else {}
        print(f"{name}: steps {fin[-1]['step'] if fin else '?'}, elapsed {fin[-1]['elapsed_s'] if fin else '?'} s, last eval {last}")


if __name__ == "__main__":
    main()
