#!/usr/bin/env bash
# Everything behind BENCHMARKS.md sections 1 and 5 (Tables 2, 3 and 4), in order:
# the presets (recurrent ones in the paper's mean form) on every experiment, then
# `gdash motifs` on those runs, the report and the CSV kept in git; after that the
# optional max-over-time forms of the recurrent presets, their motifs and the
# report again. Resumable: finished runs are skipped, an interrupted one resumes
# from its last epoch, so run it again after an interruption. PROCESSES processes
# with one thread each (processes x threads <= cores; two on the 2-core machine)
# share the jobs through locks: each trains what it can take, then analyses the
# finished runs it can take, so no core waits while the other ends a long run.
#
#     nohup bash benchmarks/table_all.sh >> runs/table-all.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RUNS=${RUNS:-runs}
PROCESSES=${PROCESSES:-2}
# One numba thread per process too (Tomtom, FIMO, shuffles), so that processes x
# threads stays <= cores in every step, not only in torch's.
export NUMBA_NUM_THREADS=${NUMBA_NUM_THREADS:-1}

worker() {  # $1: the forms to train; $2: the forms whose runs get motifs
    "$PY" benchmarks/paper_table.py --out "$RUNS/table" --poolings "$1" --threads 1
    # shellcheck disable=SC2086  # $2 is a list of forms
    "$PY" benchmarks/motifs_table.py --runs "$RUNS/table" --out "$RUNS/motifs" --poolings $2 --threads 1
}

side_by_side() {
    local pids=()
    for _ in $(seq "$PROCESSES"); do worker "$@" & pids+=($!); done
    local status=0
    for pid in "${pids[@]}"; do wait "$pid" || status=$?; done  # wait for all, then fail if one failed
    return "$status"
}

report() {
    .venv/bin/gdash report "$RUNS/table" "$RUNS/motifs" --out "$RUNS/table-report"
    "$PY" benchmarks/table_snapshot.py --runs "$RUNS/table" --out benchmarks/results/table_runs.csv
}

side_by_side mean mean
report
side_by_side max "mean max"
report
