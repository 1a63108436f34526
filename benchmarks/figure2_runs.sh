#!/usr/bin/env bash
# Train the seven paper presets on the three experiments whose Figure 2 docs/ shows
# (GATA1_K562 from the paper's own split, NFE2_K562 and SRF_H1-hESC from DeepBind's
# files). Resumable: a finished run is kept (--resume returns it), an interrupted one
# continues from its last epoch. One process, THREADS torch threads (default 1, so
# it can run beside other work on a 2-core machine).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-${GDASH_DATA:-../shared/data}}
OUT=${OUT:-runs/figure2}
THREADS=${THREADS:-1}
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS
# The paper's seven presets, asked of the catalogue (every neural preset but DeepBind).
PRESETS=$(.venv/bin/python -c "from gdashboard.models.catalogue import ARCHITECTURE, ARCHITECTURES; print(' '.join(p for p, a in ARCHITECTURE.items() if a in ARCHITECTURES))")
train() {  # name train test
  for preset in $PRESETS; do
    .venv/bin/gdash train --train "$2" --test "$3" --model "$preset" --out "$OUT/$1/$preset" --resume --quiet --no-rc-augment --no-rc-average
  done
}
train GATA1_K562_GATA-1_USC "$DATA/deepmotif/GATA1_K562_GATA-1_USC/train.fa" "$DATA/deepmotif/GATA1_K562_GATA-1_USC/test.fa"
train NFE2_K562_NF-E2_Yale "$DATA/encode/NFE2_K562_NF-E2_Yale_AC.seq.gz" "$DATA/encode/NFE2_K562_NF-E2_Yale_B.seq.gz"
train SRF_H1-hESC_SRF_HudsonAlpha "$DATA/encode/SRF_H1-hESC_SRF_HudsonAlpha_AC.seq.gz" "$DATA/encode/SRF_H1-hESC_SRF_HudsonAlpha_B.seq.gz"
