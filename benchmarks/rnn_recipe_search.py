"""Search a training recipe under which the paper's mean-pooled BiLSTM learns.

Chooses on validation AUC only (the test AUC is recorded, never used to choose).
Resumable: each finished configuration is a run folder under --out and is skipped
when found. Usage:

    .venv/bin/python benchmarks/rnn_recipe_search.py --out runs/rnn-search --epochs 12 --part 0 --parts 2
"""

import argparse
import json
from pathlib import Path

import torch
from _data import data_home

from gdashboard.runs import train_run
from gdashboard.train_options import TrainOptions

DATA = data_home("deepmotif", "GATA1_K562_GATA-1_USC")

# Every configuration trains the same seeded model on the same split; only the
# validation AUC is used to choose. "plain" recipes are the paper's/original code's.
GRID = [
    # For any preset, the CNNs' and CNN-RNNs' included (no model options):
    ("lr1e-3", dict(learning_rate=1e-3, schedule="constant")),
    ("lr1e-2-step", dict(learning_rate=1e-2, schedule="step")),
    # The plain BiLSTM (RecurrentNet options):
    # (name, overrides for train_run)
    ("plain-lr1e-3", dict(learning_rate=1e-3, schedule="constant", model_options={"input_init_scale": 1.0})),
    ("plain-lr1e-2-step", dict(learning_rate=1e-2, schedule="step", model_options={"input_init_scale": 1.0})),
    (
        "fb3-lr3e-3",
        dict(learning_rate=3e-3, schedule="constant", model_options={"input_init_scale": 1.0, "forget_bias": 3.0}),
    ),
    (
        "fb5-lr3e-3",
        dict(learning_rate=3e-3, schedule="constant", model_options={"input_init_scale": 1.0, "forget_bias": 5.0}),
    ),
    ("scale4-lr3e-3", dict(learning_rate=3e-3, schedule="constant", model_options={"input_init_scale": 4.0})),
    ("scale8-lr3e-3", dict(learning_rate=3e-3, schedule="constant", model_options={"input_init_scale": 8.0})),
    ("scale16-lr3e-3", dict(learning_rate=3e-3, schedule="constant", model_options={"input_init_scale": 16.0})),
    (
        "scale4-fb3-lr1e-2",
        dict(learning_rate=1e-2, schedule="constant", model_options={"input_init_scale": 4.0, "forget_bias": 3.0}),
    ),
    ("scale16-lr1e-2", dict(learning_rate=1e-2, schedule="constant", model_options={"input_init_scale": 16.0})),
    (
        "scale16-fb3-lr1e-2",
        dict(learning_rate=1e-2, schedule="constant", model_options={"input_init_scale": 16.0, "forget_bias": 3.0}),
    ),
    (
        "scale32-fb3-lr1e-2",
        dict(learning_rate=1e-2, schedule="constant", model_options={"input_init_scale": 32.0, "forget_bias": 3.0}),
    ),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="runs/rnn-search")
    parser.add_argument("--preset", default="small-rnn")
    parser.add_argument("--epochs", type=int, default=12)
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
        options = TrainOptions(
            epochs=args.epochs,
            patience=args.epochs,
            rc_augment=False,  # the search of BENCHMARKS.md#bilstm-recipe: the forward strand, as the paper trained
            rc_average=False,
            **overrides,
        )
        resume = (rundir / "checkpoint.json").exists()
        metrics = train_run(
            DATA / "train.fa", DATA / "test.fa", args.preset, rundir, options, resume=resume, progress=False
        )
        history = [json.loads(line) for line in (rundir / "history.jsonl").read_text().splitlines()]
        print(
            json.dumps(
                {
                    "preset": args.preset,
                    "config": name,
                    "validation_auc_per_epoch": [round(h["validation_auc"], 3) for h in history],
                    "best_validation_auc": round(metrics["validation_auc"], 4),
                    "best_epoch": metrics["best_epoch"],
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
