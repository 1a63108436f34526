"""What each model costs to use, timed side by side (BENCHMARKS.md#cost): every model of
the grid of BENCHMARKS.md#accuracy scores the test file of each experiment in one process, one thread, the
same sequences for all, median of REPEATS, loading and reading excluded.

The ``predict_seconds`` a run records are timed in its own training process, under whatever
else the machine ran then, and the forward-strand runs of BENCHMARKS.md#modisco predate them; here all
models are timed under the same conditions. gkm-SVM is left out unless asked
(``--with-gkmsvm``): its kernel scores one experiment in about two minutes, and its recorded
time stands.

    .venv/bin/python benchmarks/scoring_cost.py [--repeats 3] [--experiments ATF3,GATA1]
"""

import argparse
import statistics
import time
from collections import defaultdict
from pathlib import Path

import torch

from gdashboard.evaluate import predict_scores
from gdashboard.results import find_runs

REFERENCE = "small-cnn-rnn"  # the forward-strand network the options are weighed against


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "paths", nargs="*", type=Path, default=[Path("runs/study18/runs"), Path("runs/study-baselines/runs")]
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--experiments", help="Comma-separated prefixes of experiment names (default: all).")
    parser.add_argument("--with-gkmsvm", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)

    chosen: dict[tuple[str, str], object] = {}  # (experiment, label) -> its seed-0 run, or the ensemble
    for run in find_runs([p for p in args.paths if p.exists()]):
        if not run.complete or (run.preset == "gkmsvm" and not args.with_gkmsvm):
            continue
        if args.experiments and not any(run.experiment.startswith(p) for p in args.experiments.split(",")):
            continue
        if "ensemble" in run.options or str(run.seed) == "0":
            chosen.setdefault((run.experiment, run.label), run)

    seconds: dict[str, list[float]] = defaultdict(list)
    per_thousand: dict[str, list[float]] = defaultdict(list)
    for experiment in sorted({e for e, _ in chosen}):
        runs = {label: run for (e, label), run in chosen.items() if e == experiment}
        dataset = next(iter(runs.values())).test_sequences()
        if dataset is None:
            print(f"{experiment}: its test file is gone; skipped")
            continue
        for label, run in sorted(runs.items()):
            model = run.model()
            predict_scores(model, dataset.X[:64])  # first call's allocations out of the timing
            times = []
            for _ in range(args.repeats):
                began = time.perf_counter()
                predict_scores(model, dataset.X)
                times.append(time.perf_counter() - began)
            seconds[label].append(statistics.median(times))
            per_thousand[label].append(1000 * statistics.median(times) / len(dataset.labels))

    reference = statistics.mean(seconds[REFERENCE]) if seconds.get(REFERENCE) else None
    print("| model | experiments | seconds per experiment (mean) | seconds per 1,000 sequences | × small-cnn-rnn |")
    print("|---|---|---|---|---|")
    for label in sorted(seconds, key=lambda label: statistics.mean(seconds[label])):
        mean = statistics.mean(seconds[label])
        ratio = f"{mean / reference:.2f}" if reference else ""
        print(
            f"| {label} | {len(seconds[label])} | {mean:.3f} | {statistics.mean(per_thousand[label]):.4f} | {ratio} |"
        )


if __name__ == "__main__":
    main()
