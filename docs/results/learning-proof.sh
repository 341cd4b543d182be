#!/usr/bin/env bash
# Learning proof of docs/RESULTS.md: (a) SLT from scratch vs (b) text -> VLP -> SLT with the same SLT budget,
# tiny preset, synthetic PHOENIX-2014-T (default sizes, seed 42), CPU, float32.
# Usage: OMP_NUM_THREADS=1 docs/results/learning-proof.sh PHOENIX_SLT_EXECUTABLE WORK_DIR
# (one libtorch thread: on a machine shared with other work, two spinning OpenMP threads ran >10x slower)
set -euo pipefail
cli=${1:?path to phoenix-slt (e.g. a Release publish of src/PhoenixSlt.Cli)}
work=${2:?work folder}
epochs=${EPOCHS:-3}          # the SLT budget of both arms; text and VLP get the same number of epochs
eval_every=${EVAL_EVERY:-300}
mkdir -p "$work"
cd "$work"

timed() { # timed NAME command...: runs the command, appends "NAME seconds" to times.txt
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  echo "$name $(echo "$end - $start" | bc)" >> times.txt
}

[ -f data/annotations/PHOENIX-2014-T.train.corpus.csv ] || "$cli" synth --out data --seed 42
: > times.txt
common=(--data data --preset tiny --epochs "$epochs" --eval-every "$eval_every" --seed 42 --log-every 50)

# (a) SLT from scratch: random fusion encoder and a from-scratch mBART
timed a_slt "$cli" train slt --out a-slt --events a-slt.jsonl "${common[@]}"

# (b) text denoising -> VLP (fusion encoder aligned with the trained text encoder) -> SLT
timed b_text "$cli" train text --out b-text --events b-text.jsonl "${common[@]}"
timed b_vlp "$cli" train vlp --out b-vlp --mbart b-text/best --events b-vlp.jsonl "${common[@]}"
timed b_slt "$cli" train slt --out b-slt --init b-vlp/best --mbart b-text/best --events b-slt.jsonl "${common[@]}"

# (c) as (b), but the decoder learns at the encoder's rate (1e-4) instead of the 5e-6 meant for real mBART
timed c_slt "$cli" train slt --out c-slt --init b-vlp/best --mbart b-text/best --lr-decoder 1e-4 --events c-slt.jsonl "${common[@]}"

for arm in a b c; do
  for split in dev test; do
    "$cli" evaluate --checkpoint "$arm-slt/best" --data data --split "$split" --beams 5 --json \
      --hyp-out "$arm-slt.$split.hyp" > "$arm-slt.$split.json"
    "$cli" evaluate --checkpoint "$arm-slt/last" --data data --split "$split" --beams 5 --json > "$arm-slt.last.$split.json"
  done
done
