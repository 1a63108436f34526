#!/usr/bin/env bash
# Everything behind BENCHMARKS.md#modisco (TF-MoDISco against the 9-bp windows), as one
# study: small-cnn and small-cnn-rnn on the 18 experiments of the data home (trained where
# absent), `gdash motifs` (Table 4's windows) and TF-MoDISco on each, the report in
# STUDY/report; then the section's table and benchmarks/results/modisco_runs.csv.
# Resumable: kill it at any moment and run it again.
#
#     nohup bash benchmarks/modisco_all.sh >> runs/study18.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-${GDASH_DATA:-../shared/data}}
STUDY=${STUDY:-runs/study18}
WORKERS=${WORKERS:-1}
export NUMBA_NUM_THREADS=${NUMBA_NUM_THREADS:-1}
.venv/bin/gdash study run --data "$DATA" --models small-cnn,small-cnn-rnn --steps train,motifs,modisco --no-rc-augment --no-rc-average \
    --out "$STUDY" --workers "$WORKERS" --threads 1 --quiet
.venv/bin/python benchmarks/modisco_snapshot.py --study "$STUDY"
