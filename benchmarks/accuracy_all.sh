#!/usr/bin/env bash
# Everything behind BENCHMARKS.md#accuracy (deep models against gkm-SVM and k-mers), as
# studies of the runner; each step resumes where it stopped (kill it at any moment and run
# it again). One thread per process; with WORKERS=2 two lanes run side by side, one process
# each, so that the hours of gkm-SVM do not hold up the networks:
#
#     WORKERS=2 nohup bash benchmarks/accuracy_all.sh >> runs/accuracy-all.log 2>&1 &
#
# lane A: the classical baselines, kmer and gkmsvm (gkmsvm-lite, LS-GKM's defaults);
# lane B: DeepBind's own calibration (benchmarks/deepbind_calibration.py: a random search on
#         validation data, a study per setting; its best setting is the catalogue's
#         deepbind-cal preset), then the
#         networks on the forward strand: deepbind (the shared recipe) and deepbind-cal
#         (small-cnn and small-cnn-rnn are the study of BENCHMARKS.md#modisco), then small-cnn-rnn on both
#         strands (--rc-augment --rc-average, the networks' default since BENCHMARKS.md#strands
#         measured it) with seeds 0, 1 and 2;
#         and their 3-seed ensemble on each experiment (the runner's ensemble step, of the
#         both-strand runs: the ensemble of the default);
# then the report of all of it (auto against the baselines) in runs/accuracy-report.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-${GDASH_DATA:-../shared/data}}
STUDY=${STUDY:-runs/study18}
BASELINES=${BASELINES:-runs/study-baselines}
WORKERS=${WORKERS:-1}
export NUMBA_NUM_THREADS=${NUMBA_NUM_THREADS:-1}
# The forward strand alone, spelled out: both strands are the networks' default now.
FORWARD="--no-rc-augment --no-rc-average"
run() { .venv/bin/gdash study run --data "$DATA" --threads 1 --quiet "$@"; }

lane_a() { run --workers "$1" --models kmer,gkmsvm --out "$BASELINES"; }
# Lane B's workers, asked again at each of its steps: its share while lane A runs, all of
# WORKERS once lane A has finished (so that no core idles through lane B's last hours).
# A lane A with nothing left to do still lives for the seconds its runner takes to say so:
# asked then, its study's status decides, not whether its process is alive.
lane_a_busy() {
    [ -n "${baselines:-}" ] && kill -0 "$baselines" 2>/dev/null &&
        ! .venv/bin/gdash study status "$BASELINES" 2>/dev/null | head -1 | grep -q '0 running, 0 failed, 0 pending'
}
lane_b_workers() {
    if lane_a_busy; then
        echo $((WORKERS - WORKERS / 2))
    else
        echo "$WORKERS"
    fi
}
lane_b() {
    [ -f benchmarks/results/deepbind_search.csv ] ||
        .venv/bin/python benchmarks/deepbind_calibration.py --workers "$(lane_b_workers)" --out runs/deepbind-studies
    run --workers "$(lane_b_workers)" --models small-cnn,small-cnn-rnn,deepbind,deepbind-cal --out "$STUDY" $FORWARD
    # Seed 0 first, on its own: the paired comparison of the strands (seed 0 on each) then
    # completes hours before the ensembles' seeds.
    run --workers "$(lane_b_workers)" --models small-cnn-rnn --rc-augment --rc-average --out "$STUDY"
    run --workers "$(lane_b_workers)" --models small-cnn-rnn --rc-augment --rc-average --seeds 0,1,2 \
        --steps train,ensemble --out "$STUDY"
}

case "$WORKERS" in '' | *[!0-9]*) echo "WORKERS must be a number, not '$WORKERS'" >&2; exit 2 ;; esac
if [ "$WORKERS" -ge 2 ]; then
    lane_a $((WORKERS / 2)) &
    baselines=$!
    # Whatever ends this script (lane B failing, an interrupt) ends lane A's runner too, so
    # that a rerun is not refused by a runner left behind. A finished lane A is gone already.
    trap 'pkill -TERM -P "$baselines" 2>/dev/null; kill "$baselines" 2>/dev/null' EXIT
    lane_b
    wait "$baselines"
    trap - EXIT
else
    lane_a 1
    lane_b
fi
.venv/bin/gdash report "$STUDY/runs" "$BASELINES/runs" --out runs/accuracy-report
