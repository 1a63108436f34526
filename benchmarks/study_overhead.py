"""The study runner's overhead per task against calling train_run directly, side by side in
one process: K small trainings (small-cnn, 2 epochs, 400 simulated sequences, seeds 0..K-1,
one thread), first as a loop of `gdashboard.runs.train_run`, then as `gdash study run` with
the local executor (1 worker: its process start, the index writes, the report at the end),
alternating the two REPEATS times. The overhead is (runner - loop) / K.

    .venv/bin/python benchmarks/study_overhead.py --tasks 6 --repeats 2
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from gdashboard.data.simulate import simulate, write_simulation
from gdashboard.runs import train_run
from gdashboard.study import Execution, StudyOptions, run_study
from gdashboard.train_options import TrainOptions

# The figures of BENCHMARKS.md#study-runner are the forward strand's (measured before both strands became the default).
FORWARD = {"rc_augment": False, "rc_average": False}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        data = write_simulation(simulate(n=400, seed=0), root / "data" / "GATA1_sim")
        loops, runners = [], []
        for repeat in range(args.repeats):
            began = time.perf_counter()
            for seed in range(args.tasks):
                out = root / f"loop{repeat}" / f"seed{seed}"
                options = TrainOptions(seed=seed, epochs=2, **FORWARD)
                train_run(data["train"], data["test"], "small-cnn", out, options, progress=False)
            loops.append(time.perf_counter() - began)
            began = time.perf_counter()
            options = StudyOptions(
                seeds=range(args.tasks),
                steps=["train"],  # the same work as the loop: no ensemble of the seeds
                train=TrainOptions(epochs=2, **FORWARD),
            )
            run_study([root / "data"], ["small-cnn"], root / f"study{repeat}", options, Execution(), progress=False)
            runners.append(time.perf_counter() - began)
    loop, runner = statistics.median(loops), statistics.median(runners)
    print(f"{args.tasks} tasks: train_run loop {loop:.1f} s, gdash study run {runner:.1f} s (median of {args.repeats})")
    print(f"overhead per task: {(runner - loop) / args.tasks:.2f} s; ratio {runner / loop:.2f}")


if __name__ == "__main__":
    main()
