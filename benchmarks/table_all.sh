#!/usr/bin/env bash
# Everything behind BENCHMARKS.md sections 1 and 5 (Tables 2, 3 and 4), in order:
# the presets (recurrent ones in the paper's mean form) on every experiment, then
# `gdash motifs` on those runs, the report and the CSV kept in git; after that the
# optional max-over-time forms of the recurrent presets, their motifs and the
# report again. Resumable: finished runs are skipped, an interrupted one resumes
# from its last epoch, so run it again after an interruption. PARTS processes
# with one thread each (processes x threads <= cores; two on the 2-core machine).
#
#     nohup bash benchmarks/table_all.sh >> runs/table-all.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RUNS=${RUNS:-runs}
PARTS=${PARTS:-2}

in_parts() {
    local pids=()
    for part in $(seq 0 $((PARTS - 1))); do
        "$@" --part "$part" --parts "$PARTS" --threads 1 & pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done  # fails if any part failed
}

report() {
    .venv/bin/gdash report "$RUNS/table" "$RUNS/motifs" --out "$RUNS/table-report"
    "$PY" benchmarks/table_snapshot.py --runs "$RUNS/table" --out benchmarks/results/table_runs.csv
}

in_parts "$PY" benchmarks/paper_table.py --out "$RUNS/table" --poolings mean
in_parts "$PY" benchmarks/motifs_table.py --runs "$RUNS/table" --out "$RUNS/motifs" --poolings mean
report
in_parts "$PY" benchmarks/paper_table.py --out "$RUNS/table" --poolings max
in_parts "$PY" benchmarks/motifs_table.py --runs "$RUNS/table" --out "$RUNS/motifs"
report
