"""Time the temporal output scores three ways, side by side in one process.

(a) the original algorithm: each sequence alone, one LSTM run per prefix and per
    suffix (:func:`gdashboard.explain.temporal.temporal_output_scores_naive`);
(b) that loop batched over sequences: for each prefix (suffix) length, all
    sequences' prefixes of that length in one batch;
(c) ours: :func:`gdashboard.explain.temporal.temporal_output_scores`.

Models are untrained but seeded (the weights do not change the cost); ``--rundir``
loads a trained recurrent model instead. (a) is slow (2·T runs per sequence), so
``--naive-subset K`` times it on the first K sequences and extrapolates linearly to
all of them; the output says so. All outputs are checked to agree to 1e-5 on the
sequences each method timed.

Usage::

    python benchmarks/temporal_speed.py [--n 500] [--naive-subset 50] [--threads 1]
        [--presets small-rnn,large-rnn,small-cnn-rnn,large-cnn-rnn] [--rundir RUN] [--json FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from _data import data_home

from gdashboard.explain.temporal import input_steps, temporal_output_scores, temporal_output_scores_naive
from gdashboard.models import RECURRENT_PRESETS, build_model

DATA = data_home("deepmotif", "GATA1_K562_GATA-1_USC", "test.fa")
TOLERANCE = 1e-5


def batched_loop(model, X: torch.Tensor, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """(b): for each prefix (suffix) length, one batch of every sequence's prefix (suffix)."""
    model.eval()
    n, _, length = X.shape
    forward = np.empty((n, length), np.float32)
    backward = np.empty((n, length), np.float32)
    with torch.no_grad():
        for start in range(0, n, batch_size):
            encoded = model.encode(X[start : start + batch_size])  # convolutions once
            T = encoded.shape[1]

            def probability(part):
                outputs, _ = model.lstm(part)
                return torch.softmax(model.classify(model.pool(outputs)), dim=-1)[:, 1]

            prefix = torch.stack([probability(encoded[:, : s + 1]) for s in range(T)], dim=1)
            suffix = torch.stack([probability(encoded[:, s:]) for s in range(T)], dim=1)
            steps = input_steps(model, length, T)
            stop = start + encoded.shape[0]
            forward[start:stop] = prefix.numpy()[:, steps]
            backward[start:stop] = suffix.numpy()[:, steps]
    return forward, backward


def timed(function, *args, **kwargs):
    """(CPU seconds, wall seconds, result). CPU time of this process is what the
    table compares: on a machine shared with other jobs wall time also measures
    how much of a core the others left us, which shifts between the three runs."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = function(*args, **kwargs)
    return time.process_time() - cpu, time.perf_counter() - wall, result


def max_difference(a, b) -> float:
    return max(float(np.abs(a[0] - b[0]).max()), float(np.abs(a[1] - b[1]).max()))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500, help="test sequences to score (default 500)")
    parser.add_argument(
        "--naive-subset",
        type=int,
        default=None,
        metavar="K",
        help="time (a) on the first K sequences only and extrapolate linearly",
    )
    parser.add_argument("--presets", default=",".join(RECURRENT_PRESETS))
    parser.add_argument("--pooling", default="mean", choices=("mean", "max"))
    parser.add_argument("--rundir", default=None, help="a trained recurrent run folder to use instead")
    parser.add_argument("--batch-size", type=int, default=32, help="chunk size of (c)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    if not Path(args.data).exists():
        print(f"skipped: {args.data} is absent")
        return 0
    from gdashboard.data import read_dataset

    X = read_dataset(args.data).X[: args.n].contiguous()
    n = X.shape[0]
    k = n if args.naive_subset is None else min(args.naive_subset, n)

    if args.rundir:
        from gdashboard.results import load_model, read_config

        preset = read_config(args.rundir).get("preset", "model")
        models = {f"{preset} (trained)": load_model(args.rundir)}
    else:
        models = {}
        for preset in args.presets.split(","):
            torch.manual_seed(0)
            models[preset] = build_model(preset, pooling=args.pooling).eval()

    print(
        f"{n} sequences of length {X.shape[2]} from {args.data}; {torch.get_num_threads()} thread(s); "
        f"pooling {args.pooling if not args.rundir else 'from the run'}"
    )
    if k < n:
        print(f"(a) timed on the first {k} sequences and extrapolated linearly to {n} (marked *)")
    print("seconds are CPU seconds of this process (wall seconds of (c) in the last column)")
    header = (
        f"{'model':<18}{'(a) naive':>11}{'(b) batched':>13}{'(c) ours':>10}{'a/c':>9}{'b/c':>8}"
        f"{'max |diff|':>12}{'(c) wall':>10}"
    )
    print(header)
    failed = False
    results = {}
    for name, model in models.items():
        t_a, _, out_a = timed(temporal_output_scores_naive, model, X[:k])
        t_a_all = t_a * n / k
        t_b, _, out_b = timed(batched_loop, model, X)
        t_c, wall_c, out_c = timed(temporal_output_scores, model, X, batch_size=args.batch_size)
        diff = max(max_difference(out_b, out_c), max_difference(out_a, (out_c[0][:k], out_c[1][:k])))
        failed |= diff > TOLERANCE
        star = "*" if k < n else " "
        print(
            f"{name:<18}{t_a_all:>10.2f}{star}{t_b:>13.2f}{t_c:>10.2f}{t_a_all / t_c:>8.1f}x"
            f"{t_b / t_c:>7.2f}x{diff:>12.1e}{wall_c:>10.2f}",
            flush=True,
        )
        results[name] = dict(
            naive_cpu_seconds=t_a_all,
            naive_extrapolated_from=k,
            batched_cpu_seconds=t_b,
            ours_cpu_seconds=t_c,
            ours_wall_seconds=wall_c,
            naive_ratio=t_a_all / t_c,
            batched_ratio=t_b / t_c,
            max_abs_difference=diff,
        )
    if args.json:
        from gdashboard.fileio import write_json

        write_json(
            args.json,
            dict(
                settings=vars(args)
                | {"json": str(args.json), "n": n, "threads": torch.get_num_threads(), "torch": torch.__version__},
                results=results,
            ),
        )
    if failed:
        print(f"FAILED: outputs differ by more than {TOLERANCE}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
