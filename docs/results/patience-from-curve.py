#!/usr/bin/env python3
"""What early stopping with each patience would have done to one finished run, from its events file (the trainer's
rule: stop after `patience` validations in a row without a new best of the watched metric; the best checkpoint is
the best validation before the stop).

  patience-from-curve.py EVENTS.jsonl [--metric bleu4] [--patience 1,2,3,5,8]

Prints, per patience: the validation it stops at, its step and wall minutes since the run started, the best value
kept, and how much of the full run's time and best value that is.
"""
import argparse
import json
from datetime import datetime


def stamp(event):
    return datetime.fromisoformat(event["time"]).timestamp()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("events")
    parser.add_argument("--metric", default="bleu4")
    parser.add_argument("--patience", default="1,2,3,5,8")
    parser.add_argument("--lower-is-better", action="store_true")
    args = parser.parse_args()
    events = [json.loads(line) for line in open(args.events, encoding="utf-8") if line.strip()]
    start = stamp(next(e for e in events if e["type"] == "run_started"))
    curve = [(e["step"], (stamp(e) - start) / 60, e["metrics"][args.metric]) for e in events
             if e["type"] == "eval" and args.metric in e.get("metrics", {})]
    if not curve:
        raise SystemExit(f"no eval event with {args.metric} in {args.events}")
    better = (lambda a, b: a < b) if args.lower_is_better else (lambda a, b: a > b)
    full_best = min(v for _, _, v in curve) if args.lower_is_better else max(v for _, _, v in curve)
    full_minutes = curve[-1][1]
    print(f"{len(curve)} validations; {args.metric} per validation: " + ", ".join(f"{v:.2f}" for _, _, v in curve))
    print("| patience | stops at validation | step | minutes | best kept | of the full run's best | of its time |")
    print("|---|---|---|---|---|---|---|")
    for patience in [int(p) for p in args.patience.split(",")] + [None]:
        best, since, stop = None, 0, len(curve) - 1
        for i, (_, _, value) in enumerate(curve):
            if best is None or better(value, best):
                best, since = value, 0
            else:
                since += 1
            if patience is not None and since >= patience:
                stop = i
                break
        step, minutes, _ = curve[stop]
        label = "off" if patience is None else str(patience)
        print(f"| {label} | {stop + 1} of {len(curve)} | {step} | {minutes:.1f} | {best:.2f} | {best - full_best:+.2f} | {100 * minutes / full_minutes:.0f} % |")


if __name__ == "__main__":
    main()
