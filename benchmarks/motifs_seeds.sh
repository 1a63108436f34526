#!/bin/bash
# Run from the repository root: bash benchmarks/motifs_seeds.sh (resumable).
# small-cnn on GATA1_K562, seeds 1..4, default settings; then gdash motifs on each (seed 0 is runs/table).
export OMP_NUM_THREADS=1
D=../shared/data/deepmotif/GATA1_K562_GATA-1_USC
for s in 1 2 3 4; do
  R=runs/seeds/small-cnn-seed$s
  [ -f $R/metrics.json ] || .venv/bin/gdash train --train $D/train.fa --test $D/test.fa --model small-cnn --seed $s --out $R --quiet --resume
  # redone when made with JASPAR matrices of another pseudocount (before 0.1, MEME's default)
  grep -qs '"jaspar_pseudocount": 0.1,' runs/seeds/motifs-seed$s/motifs.json || .venv/bin/gdash motifs $R --test $D/test.fa --out runs/seeds/motifs-seed$s --quiet
  grep -o '"saliency": {[^}]*}' runs/seeds/motifs-seed$s/motifs.json; grep -o '"conv": {[^}]*}' runs/seeds/motifs-seed$s/motifs.json
done
