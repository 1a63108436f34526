"""Attribution speed: gdashboard's explainers against captum's and tangermeme's.

On GATA1_K562 test sequences and a seeded small-cnn and small-rnn (or trained
models with ``--rundir``), each pair runs side by side in one process, in
alternating order over several rounds, on the same inputs and batch size:

* saliency map (``saliency_map``) vs captum ``Saliency(abs=False)`` and vs
  tangermeme ``saliency(hypothetical=True, gradient_correction=False)``, each
  turned into ``|gradient x input|`` summed over channels;
* in-silico mutagenesis (``in_silico_mutagenesis``) vs tangermeme
  ``saturation_mutagenesis(raw_outputs=True)``, turned into the change of the
  positive logit (tangermeme with its defaults, fastISM attempt included);
* integrated gradients (``integrated_gradients``, zero baseline) vs captum
  ``IntegratedGradients`` with the same ``n_steps`` and method and an internal
  batch of about the same number of rows.

The outputs of each pair are checked to agree in the first round. The median
time of each side and the ratio (their time / ours: above 1 means ours is
faster) are printed per model and method.

    .venv/bin/python benchmarks/attribution_speed.py --threads 1 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from _data import data_home

from gdashboard.data import read_dataset
from gdashboard.explain.attribution import integrated_gradients
from gdashboard.explain.ism import in_silico_mutagenesis
from gdashboard.explain.saliency import saliency_map
from gdashboard.models import build_model
from gdashboard.results import load_model

DATA = data_home("deepmotif", "GATA1_K562_GATA-1_USC", "test.fa")
METHODS = ("saliency", "ism", "ig")


def comparisons(model, X, args):
    """(method, library, ours, theirs, tolerance): ours/theirs return numpy arrays."""
    bs, steps = args.batch_size, args.n_steps
    device = next(model.parameters()).device

    def ours_saliency():
        return saliency_map(model, X, batch_size=bs)[0]

    def captum_saliency():
        from captum.attr import Saliency

        gradient = Saliency(model).attribute(X, target=1, abs=False)
        return (gradient * X).abs().sum(dim=1).detach().numpy()

    def tangermeme_saliency():
        from tangermeme.saliency import saliency

        gradient = saliency(
            model, X, target=1, batch_size=bs, hypothetical=True, gradient_correction=False, device=device
        )
        return (gradient * X).abs().sum(dim=1).numpy()

    def ours_ism():
        return in_silico_mutagenesis(model, X, batch_size=args.ism_batch)

    def tangermeme_ism():
        from tangermeme.saturation_mutagenesis import saturation_mutagenesis

        y0, y_hat = saturation_mutagenesis(model, X, batch_size=args.ism_batch, raw_outputs=True, device=device)
        return (y_hat[..., 1] - y0[:, None, None, 1]).numpy()

    def ours_ig():
        return integrated_gradients(model, X, n_steps=steps, batch_size=args.ig_rows)

    def captum_ig():
        from captum.attr import IntegratedGradients

        # captum batches over steps: all sequences times a few steps per pass.
        return (
            IntegratedGradients(model)
            .attribute(
                X, baselines=torch.zeros_like(X), target=1, n_steps=steps, internal_batch_size=max(len(X), args.ig_rows)
            )
            .detach()
            .numpy()
        )

    def repeated(function):
        # One saliency pass takes tens of milliseconds: time several per round.
        def run():
            for _ in range(args.saliency_repeat):
                result = function()
            return result

        return run

    ours_saliency, captum_saliency, tangermeme_saliency = (
        repeated(ours_saliency),
        repeated(captum_saliency),
        repeated(tangermeme_saliency),
    )
    table = []
    if "saliency" in args.methods:
        table += [
            ("saliency", "captum Saliency", ours_saliency, captum_saliency, 1e-6),
            ("saliency", "tangermeme saliency", ours_saliency, tangermeme_saliency, 1e-6),
        ]
    if "ism" in args.methods:
        table += [("ism", "tangermeme saturation_mutagenesis", ours_ism, tangermeme_ism, 1e-5)]
    if "ig" in args.methods:
        table += [("ig", "captum IntegratedGradients", ours_ig, captum_ig, 1e-5)]
    return table


def timed(function):
    tic = time.perf_counter()
    result = function()
    return result, time.perf_counter() - tic


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500, help="test sequences")
    parser.add_argument("--presets", nargs="*", default=["small-cnn", "small-rnn"])
    parser.add_argument(
        "--rundir", nargs="*", default=[], help="trained run folders, benchmarked instead of seeded presets"
    )
    parser.add_argument("--methods", nargs="*", default=list(METHODS), choices=METHODS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--batch-size", type=int, default=64, help="sequences per saliency pass (captum's Saliency takes all at once)"
    )
    parser.add_argument(
        "--saliency-repeat",
        type=int,
        default=5,
        help="saliency passes per timing (the time printed is for all of them)",
    )
    parser.add_argument("--ism-batch", type=int, default=512, help="mutants per ISM pass")
    parser.add_argument("--n-steps", type=int, default=50)
    parser.add_argument(
        "--ig-rows", type=int, default=500, help="path points per IG pass (captum: at least one step of every sequence)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(f"skipped: {DATA} is absent")
        return 0
    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore")  # tangermeme's fastISM notes would drown the table
    X = read_dataset(DATA).X[: args.n].to(torch.float32).contiguous()

    models = []
    if args.rundir:
        for rundir in args.rundir:
            models.append((f"{Path(rundir).name}", load_model(rundir).eval()))
    else:
        for preset in args.presets:
            torch.manual_seed(args.seed)
            models.append((preset, build_model(preset).eval()))

    print(
        f"{len(X)} sequences of length {X.shape[-1]}, {args.threads} thread(s), "
        f"{args.rounds} rounds; batches: saliency {args.batch_size}, ISM {args.ism_batch}, "
        f"IG {args.ig_rows} rows; IG n_steps {args.n_steps}; saliency times are for "
        f"{args.saliency_repeat} passes"
    )
    results = []
    for name, model in models:
        table = comparisons(model, X, args)
        # Warm up (numba compiles tangermeme's helpers, oneDNN its kernels) on
        # a few sequences, so that no side pays a one-off cost in round 0.
        small = comparisons(model, X[:8], args)
        for _, _, ours, theirs, _ in small:
            ours()
            theirs()
        times = {(method, library): ([], []) for method, library, *_ in table}
        for round_ in range(args.rounds):
            for method, library, ours, theirs, tolerance in table:
                if round_ % 2 == 0:
                    mine, t_mine = timed(ours)
                    other, t_other = timed(theirs)
                else:
                    other, t_other = timed(theirs)
                    mine, t_mine = timed(ours)
                if round_ == 0:
                    error = float(np.abs(np.asarray(mine) - np.asarray(other)).max())
                    scale = max(float(np.abs(other).max()), 1e-12)
                    assert error <= tolerance * max(1.0, scale), (
                        f"{name} {method}: ours and {library} differ by {error:.3g}"
                    )
                times[method, library][0].append(t_mine)
                times[method, library][1].append(t_other)
        for (method, library), (mine, other) in times.items():
            row = dict(
                model=name,
                method=method,
                versus=library,
                ours_s=statistics.median(mine),
                theirs_s=statistics.median(other),
            )
            row["ratio"] = row["theirs_s"] / row["ours_s"]
            results.append(row)
            print(
                f"{name:14s} {method:9s} ours {row['ours_s']:8.3f} s   "
                f"{library:34s} {row['theirs_s']:8.3f} s   ratio {row['ratio']:5.2f}x"
            )
            sys.stdout.flush()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
