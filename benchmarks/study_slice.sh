#!/usr/bin/env bash
# BENCHMARKS.md#study-runner: a 2-experiment x 4-preset slice of the real data (--epochs 5)
# through `gdash study run`, with 1 worker x 2 threads and with 2 workers x 1 thread, on a
# quiet machine; prints both wall times and their ratio. The two smallest DeepBind
# experiments of the data home (SERBP1_H1-hESC, NFE2_K562), linked into a scratch folder.
#
#     bash benchmarks/study_slice.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-${GDASH_DATA:-../shared/data}}
if [ ! -d "$DATA/encode" ]; then echo "skipped: $DATA is absent"; exit 0; fi
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/data"
for name in SERBP1_H1-hESC_HudsonAlpha NFE2_K562_NF-E2_Yale; do
    for part in AC B; do ln -s "$(realpath "$DATA/encode/${name}_${part}.seq.gz")" "$SCRATCH/data/"; done
done
MODELS=small-cnn,med-cnn,small-rnn,small-cnn-rnn
run() {  # workers threads
    local began ended
    began=$(date +%s.%N)
    .venv/bin/gdash study run --data "$SCRATCH/data" --models "$MODELS" --epochs 5 --out "$SCRATCH/study-$1x$2" --no-rc-augment --no-rc-average \
        --workers "$1" --threads "$2" --quiet > /dev/null
    ended=$(date +%s.%N)
    python3 -c "print(round($ended - $began, 1))"
}
one_by_two=$(run 1 2)
two_by_one=$(run 2 1)
echo "1 worker x 2 threads: ${one_by_two} s"
echo "2 workers x 1 thread: ${two_by_one} s"
python3 -c "print('ratio (1x2 / 2x1): %.2f' % ($one_by_two / $two_by_one))"
