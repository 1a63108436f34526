"""Search a training recipe under which the paper's mean-pooled BiLSTM learns.

Chooses on validation AUC only (the test AUC is recorded, never used to choose).
Resumable: each finished configuration is a run folder under --out and is skipped
when found. Usage:

    .venv/bin/python benchmarks/rnn_recipe_search.py --out runs/rnn-search --part 0 --parts 2
"""

import argparse
import itertools
import json
import os
from pathlib import Path

import torch

from gdashboard.runs import train_run

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "deepmotif" / "GATA1_K562_GATA-1_USC"

GRID = [
    # (name, overrides for train_run)
    ("lr1e-3", dict(learning_rate=1e-3)),
    ("lr1e-2-step", dict(learning_rate=1e-2, schedule="step")),
    ("lr3e-3-warm3-cos", dict(learning_rate=3e-3, warmup_epochs=3, schedule="cosine")),
    ("lr1e-2-warm5-cos", dict(learning_rate=1e-2, warmup_epochs=5, schedule="cosine")),
    ("lr3e-3-fb3", dict(learning_rate=3e-3, model_options={"forget_bias": 3.0})),
    ("lr3e-3-fb5", dict(learning_rate=3e-3, model_options={"forget_bias": 5.0})),
    ("lr3e-3-bs64", dict(learning_rate=3e-3, batch_size=64)),
    ("lr3e-3-drop0", dict(learning_rate=3e-3, model_options={"dropout": 0.0})),
    ("lr1e-2-fb3-warm3-cos", dict(learning_rate=1e-2, warmup_epochs=3, schedule="cosine",
                                  model_options={"forget_bias": 3.0})),
    ("lr3e-3-bs64-fb3", dict(learning_rate=3e-3, batch_size=64, model_options={"forget_bias": 3.0})),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="runs/rnn-search")
    parser.add_argument("--preset", default="small-rnn")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--part", type=int, default=0)
    parser.add_argument("--parts", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for index, (name, overrides) in enumerate(GRID):
        if index % args.parts != args.part or (args.only and name not in args.only):
            continue
        rundir = Path(args.out) / args.preset / name
        if (rundir / "metrics.json").exists():
            continue
        metrics = train_run(DATA / "train.fa", DATA / "test.fa", args.preset, rundir,
                            epochs=args.epochs, patience=args.epochs, progress=False,
                            resume=(rundir / "checkpoint.json").exists(), **overrides)
        print(json.dumps({"config": name, "validation_auc": metrics["validation_auc"],
                          "test_auc": metrics["test_auc"], "best_epoch": metrics["best_epoch"],
                          "seconds": round(metrics["train_seconds"])}), flush=True)


if __name__ == "__main__":
    main()
