"""Class optimization speed: restarts as one batch against restarts one after another.

For every neural preset, ``class_optimize`` (all restarts in one batch: one
forward/backward per step) is timed against the naive reference a user would
write: the same ascent, one restart at a time in a Python loop, from the same
starting points (restart ``r`` seeded with ``seed + r``). Both use RMSprop,
lr 0.05, lambda 0.009 and the positive logit; the largest difference between
the two sets of optimized matrices is printed as a check that they compute the
same thing. Models are untrained (weights seeded with 0) unless run folders are
given with ``--rundir``; speed does not depend on the weights.

    .venv/bin/python benchmarks/classopt_speed.py --steps 200 --threads 1
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from gdashboard.explain.classopt import class_optimize, initial_matrices
from gdashboard.models import NEURAL_PRESETS, build_model


def naive_class_optimize(model, length, steps, restarts, seed, l2=0.009, learning_rate=0.05):
    """The reference: each restart optimised alone, one after another."""
    model.eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    results = []
    for r in range(restarts):
        X = initial_matrices(1, length, seed + r).requires_grad_(True)
        optimizer = torch.optim.RMSprop([X], lr=learning_rate)
        for _ in range(steps):
            optimizer.zero_grad()
            loss = -(model(X)[:, 1] - l2 * X.pow(2).sum())
            loss.sum().backward()
            optimizer.step()
        results.append(X.detach()[0])
    return torch.stack(results).numpy()


def load_models(args):
    if args.rundir:
        from gdashboard.results import load_model, read_config

        for rundir in args.rundir:
            yield read_config(rundir).get("preset", str(rundir)), load_model(rundir)
        return
    for preset in args.presets:
        torch.manual_seed(0)
        yield preset, build_model(preset)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", nargs="*", default=list(NEURAL_PRESETS))
    parser.add_argument("--rundir", nargs="*", type=Path, help="trained run folders instead of presets")
    parser.add_argument("--length", type=int, default=101)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--restarts", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{args.steps} steps, {args.restarts} restarts, length {args.length}, {torch.get_num_threads()} thread(s)")
    print(f"{'model':15s} {'batched s':>10s} {'loop s':>10s} {'loop/batched':>13s} {'max |dX|':>10s}")
    results = {}
    for name, model in load_models(args):
        # Warm-up: first calls pay for allocator and kernel set-up, not for the method.
        class_optimize(model, args.length, steps=2, restarts=2, seed=args.seed)
        naive_class_optimize(model, args.length, 2, 1, args.seed)
        began = time.perf_counter()
        batched = class_optimize(model, args.length, steps=args.steps, restarts=args.restarts, seed=args.seed)
        batched_seconds = time.perf_counter() - began
        began = time.perf_counter()
        looped = naive_class_optimize(model, args.length, args.steps, args.restarts, args.seed)
        loop_seconds = time.perf_counter() - began
        difference = float(np.abs(batched.all_matrices - looped).max())
        ratio = loop_seconds / batched_seconds
        print(f"{name:15s} {batched_seconds:10.2f} {loop_seconds:10.2f} {ratio:12.1f}x {difference:10.2e}", flush=True)
        results[name] = dict(
            batched_seconds=batched_seconds, loop_seconds=loop_seconds, ratio=ratio, max_abs_difference=difference
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                dict(
                    settings=vars(args) | {"json": str(args.json), "rundir": [str(r) for r in args.rundir or []]},
                    results=results,
                ),
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
