"""Exactness on trained presets: saliency against captum's Saliency × input, and fast
temporal output scores against the naive per-prefix loop (the original algorithm).

    .venv/bin/python benchmarks/trained_agreement.py --runs runs/table/GATA1_K562_GATA-1_USC \
        --n 500 --naive 20 --threads 2
"""

import argparse
from pathlib import Path

import numpy as np
import torch
from _data import data_home

from gdashboard.data import read_dataset
from gdashboard.explain.saliency import saliency_map
from gdashboard.explain.temporal import temporal_output_scores, temporal_output_scores_naive
from gdashboard.models.catalogue import is_neural
from gdashboard.results import load_model, read_config

DATA = data_home("deepmotif", "GATA1_K562_GATA-1_USC")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=Path, default=Path("runs/table/GATA1_K562_GATA-1_USC"))
    parser.add_argument("--test", type=Path, default=DATA / "test.fa")
    parser.add_argument("--n", type=int, default=100, help="sequences for saliency and fast temporal")
    parser.add_argument("--naive", type=int, default=20, help="sequences for the naive temporal loop")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if not args.test.exists() or not args.runs.is_dir():
        raise SystemExit(f"skipped: {args.test} or {args.runs} is absent")
    torch.set_num_threads(args.threads)
    from captum.attr import Saliency

    X = read_dataset(args.test, shuffle_negatives=False).X[: args.n]
    print(
        f"{'run':22s} {'saliency vs captum':>20s} {'same batch':>11s} {'max |saliency|':>15s} "
        f"{'temporal vs naive':>18s}"
    )
    for rundir in sorted(p for p in args.runs.iterdir() if (p / "model.safetensors").exists()):
        if not is_neural(read_config(rundir)["preset"]):
            continue
        model = load_model(rundir)
        saliency, _ = saliency_map(model, X)  # default batches, side by side on the cores
        # captum takes all sequences as one batch; with the same single batch the two
        # must agree exactly, and any difference above is float32 rounding of
        # different batch shapes.
        same_batch, _ = saliency_map(model, X, batch_size=len(X))
        positive_logit = lambda inputs: model(inputs)[:, 1]  # noqa: E731, B023 (used in this iteration)
        reference = (Saliency(positive_logit).attribute(X.clone().requires_grad_(True), abs=True) * X).sum(1)
        reference = reference.detach().numpy()
        saliency_error = float(np.abs(saliency - reference).max())
        same_batch_error = float(np.abs(same_batch - reference).max())
        largest = float(np.abs(reference).max())
        temporal_error = "–"
        if hasattr(model, "lstm"):
            forward, backward = temporal_output_scores(model, X[: args.naive])
            naive_forward, naive_backward = temporal_output_scores_naive(model, X[: args.naive])
            temporal_error = (
                f"{max(np.abs(forward - naive_forward).max(), np.abs(backward - naive_backward).max()):.1e}"
            )
        print(
            f"{rundir.name:22s} {saliency_error:20.1e} {same_batch_error:11.1e} {largest:15.3g} {temporal_error:>18s}",
            flush=True,
        )


if __name__ == "__main__":
    main()
