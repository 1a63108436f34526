#!/usr/bin/env bash
# Everything behind BENCHMARKS.md section 10 (deep models against gkm-SVM and k-mers), as
# studies of the runner, in the order they are worth having; each step resumes where it
# stopped (kill it at any moment and run it again). WORKERS processes of one thread.
#
#     nohup bash benchmarks/accuracy_all.sh >> runs/accuracy-all.log 2>&1 &
#
# 1. the classical baselines: kmer, and gkmsvm (gkmsvm-lite, LS-GKM's defaults);
# 2. the networks of section 8's study (small-cnn, small-cnn-rnn) and deepbind with its recipe;
# 3. small-cnn-rnn on both strands (--rc-augment --rc-average);
# 4. small-cnn-rnn with seeds 1 and 2, and the 3-seed ensemble of each experiment;
# 5. DeepBind's own calibration (benchmarks/deepbind_calibration.py), when its preset exists;
# then the report of all of it (auto against the baselines) in runs/accuracy-report.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
STUDY=${STUDY:-runs/study18}
BASELINES=${BASELINES:-runs/study-baselines}
WORKERS=${WORKERS:-1}
export NUMBA_NUM_THREADS=${NUMBA_NUM_THREADS:-1}
run() { .venv/bin/gdash study run --data "$DATA" --workers "$WORKERS" --threads 1 --quiet "$@"; }

run --models kmer,gkmsvm --out "$BASELINES"
run --models small-cnn,small-cnn-rnn,deepbind --out "$STUDY"
run --models small-cnn-rnn --rc-augment --rc-average --out "$STUDY"
run --models small-cnn-rnn --seeds 0,1,2 --out "$STUDY"
for experiment in "$STUDY"/runs/*/; do
    out="runs/ensembles/$(basename "$experiment")/small-cnn-rnn-ensemble"
    [ -f "$out/metrics.json" ] || .venv/bin/gdash ensemble "$experiment"small-cnn-rnn-seed{0,1,2} --out "$out"
done
if .venv/bin/python -c "from gdashboard.models.catalogue import PRESETS; assert 'deepbind-cal' in PRESETS" 2>/dev/null; then
    run --models deepbind-cal --out "$STUDY"
fi
.venv/bin/gdash report "$STUDY/runs" "$BASELINES/runs" runs/ensembles --out runs/accuracy-report
