#!/usr/bin/env bash
# Everything behind BENCHMARKS.md section 8 (TF-MoDISco against the 9-bp windows):
# small-cnn and small-cnn-rnn on the 18 experiments (the section-1 runs, trained here
# when absent), TF-MoDISco on each, then `gdash motifs` (Table 4's windows) on each,
# then the report. Resumable; PROCESSES processes of one thread each share the jobs.
#
#     nohup bash benchmarks/modisco_all.sh >> runs/modisco-all.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RUNS=${RUNS:-runs}
PROCESSES=${PROCESSES:-1}
export NUMBA_NUM_THREADS=${NUMBA_NUM_THREADS:-1} OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PRESETS="small-cnn small-cnn-rnn"

worker() {
    # shellcheck disable=SC2086  # $PRESETS is a list
    "$PY" benchmarks/paper_table.py --out "$RUNS/table" --presets $PRESETS --poolings mean --threads 1
    "$PY" benchmarks/modisco_table.py --runs "$RUNS/table" --out "$RUNS/modisco" --presets $PRESETS --threads 1
    "$PY" benchmarks/motifs_table.py --runs "$RUNS/table" --out "$RUNS/motifs" --presets $PRESETS --poolings mean --threads 1
}

pids=()
for _ in $(seq "$PROCESSES"); do worker & pids+=($!); done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
.venv/bin/gdash report "$RUNS/table" "$RUNS/motifs" "$RUNS/modisco" --out "$RUNS/modisco-report"
exit "$status"
