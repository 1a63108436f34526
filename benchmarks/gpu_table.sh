#!/usr/bin/env bash
# Trains some of benchmarks/paper_table.py's jobs side by side on a lent GPU
# machine (one process per job, one CPU thread each, all on the one GPU), for
# when the 2-core machine cannot finish the table in a sitting. Used once, for
# the FOXA1 and GABPA_K562 presets (BENCHMARKS.md section 1 says which runs);
# each such run's metrics.json says `trained_on`. Not part of the suite.
#
#     bash benchmarks/gpu_table.sh SECONDS DATA OUTDIR EXPERIMENT:PRESET...
#
# Every job is stopped after SECONDS; a stopped run keeps its last epoch's
# checkpoint, which paper_table.py resumes on its next start, on any machine
# (metrics.json then names both devices in `trained_on`). DATA is laid
# out like ../shared/data. The run folders and logs are packed into
# OUTDIR/gpu-runs.tar.gz.
set -u
cd "$(dirname "$0")/.."
seconds=$1 data=$2 outdir=$3
shift 3
export PYTHONUNBUFFERED=1 NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1
mkdir -p runs/table runs/gpu-logs
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.is_available())"
pids=()
for job in "$@"; do
    experiment=${job%%:*} preset=${job##*:}
    timeout "$seconds" python3 benchmarks/paper_table.py --data "$data" --out runs/table \
        --experiments "$experiment" --presets "$preset" --poolings mean --threads 1 \
        > "runs/gpu-logs/${experiment}.${preset}.log" 2>&1 &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
for log in runs/gpu-logs/*.log; do echo "== $log"; tail -3 "$log"; done
tar czf "$outdir/gpu-runs.tar.gz" runs/table runs/gpu-logs
