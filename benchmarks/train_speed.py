"""Training speed: gdashboard's ``fit`` against the plain PyTorch loop a user would write.

Same model (same initial weights), same data already in tensors, same batch size,
Adam. The two alternate over several rounds in one process; the median ratio of
sequences per second is printed per preset. ``fit`` also pays for what the plain
loop does not do: gradient clipping, a validation AUC every epoch and early-stopping
bookkeeping (no checkpoint files: ``checkpoint_dir=None``).

    .venv/bin/python benchmarks/train_speed.py --rounds 5 --epochs 1 --threads 2
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from _data import data_home

from gdashboard.data import read_dataset, train_validation_split
from gdashboard.models import NEURAL_PRESETS, build_model
from gdashboard.models.catalogue import Recipe
from gdashboard.train import fit

DATA = data_home("deepmotif", "GATA1_K562_GATA-1_USC")


def plain_loop(model, X, y, epochs, batch_size, learning_rate, seed):
    """What a user would write: shuffle, slice, forward, loss, backward, step."""
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    y = torch.as_tensor(y)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        total = 0.0
        for start in range(0, len(X), batch_size):
            index = order[start : start + batch_size]
            loss = F.cross_entropy(model(X[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--presets", nargs="*", default=list(NEURAL_PRESETS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"skipped: {DATA} is absent")
    torch.set_num_threads(args.threads)
    dataset = read_dataset(DATA / "train.fa")
    train_index, valid_index = train_validation_split(dataset.groups, 0.1, 0)
    train, valid = dataset.subset(train_index), dataset.subset(valid_index)
    recipe = Recipe(epochs=args.epochs, batch_size=256, learning_rate=1e-3, patience=10**6)
    results = {}
    print(f"{'preset':15s} {'gdash seq/s':>12s} {'plain seq/s':>12s} {'ratio':>7s}  (median of {args.rounds})")
    for preset in args.presets:
        ours, plain = [], []
        # Warm-up on a few batches (oneDNN kernels, the worker threads), so that
        # neither side pays a one-off cost in the first timed round.
        warm = build_model(preset)
        fit(
            warm,
            train.X[:512],
            train.labels[:512],
            valid.X[:256],
            valid.labels[:256],
            Recipe(epochs=1, batch_size=256, learning_rate=1e-3),
            progress=False,
        )
        plain_loop(build_model(preset), train.X[:512], train.labels[:512], 1, 256, 1e-3, 0)
        for round_ in range(args.rounds):
            torch.manual_seed(round_)
            initial = build_model(preset).state_dict()
            for side in ("ours", "plain") if round_ % 2 == 0 else ("plain", "ours"):
                model = build_model(preset)
                model.load_state_dict(initial)
                began = time.perf_counter()
                if side == "ours":
                    fit(model, train.X, train.labels, valid.X, valid.labels, recipe, seed=round_, progress=False)
                    ours.append(len(train) * args.epochs / (time.perf_counter() - began))
                else:
                    plain_loop(model, train.X, train.labels, args.epochs, 256, 1e-3, round_)
                    plain.append(len(train) * args.epochs / (time.perf_counter() - began))
        ratios = [a / b for a, b in zip(ours, plain)]
        results[preset] = {
            "gdash": statistics.median(ours),
            "plain": statistics.median(plain),
            "ratio": statistics.median(ratios),
            "ratios": ratios,
        }
        print(
            f"{preset:15s} {results[preset]['gdash']:12.0f} {results[preset]['plain']:12.0f} "
            f"{results[preset]['ratio']:7.2f}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
