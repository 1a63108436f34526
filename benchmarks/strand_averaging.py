"""How much of the both-strand gain is averaging at test time (BENCHMARKS.md#strand-averaging).

Both strands, as BENCHMARKS.md#strands measured them, are two things at once: training on both
(``--rc-augment``) and scoring the mean of both (``--rc-average``). Here the forward-strand
runs of BENCHMARKS.md#modisco (small-cnn and small-cnn-rnn, seed 0, trained on one strand) score the
mean of both strands at test time (``gdash predict --rc-average``), no training; beside them
the both-strand runs of the grid. Per model: test AUC as trained, with test-time averaging,
and (small-cnn-rnn) trained on both strands; paired t-tests and signed-rank tests over the
experiments. Scoring only, one thread.

    .venv/bin/python benchmarks/strand_averaging.py [runs/study18/runs]
"""

import argparse
from pathlib import Path

import numpy as np
import torch
from scipy.stats import ttest_rel, wilcoxon

from gdashboard.evaluate import binary_metrics, predict_scores
from gdashboard.results import find_runs

MODELS = ("small-cnn", "small-cnn-rnn")
BOTH = "small-cnn-rnn +rc-aug+rc-avg"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", type=Path, default=Path("runs/study18/runs"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    runs = {(r.experiment, r.label): r for r in find_runs([args.path]) if r.complete and str(r.seed) == "0"}
    rows = []
    for experiment in sorted({e for e, _ in runs}):
        row = {"experiment": experiment}
        for label in MODELS:
            run = runs.get((experiment, label))
            if run is None:
                continue
            dataset = run.test_sequences()
            as_trained = binary_metrics(dataset.labels, predict_scores(run.model(), dataset.X))["auc"]
            averaged = binary_metrics(dataset.labels, predict_scores(run.model(rc_average=True), dataset.X))["auc"]
            # Scored again here as trained: it must give the run's own recorded test AUC.
            assert abs(as_trained - run.metrics["test_auc"]) < 1e-6, (experiment, label)
            row[label], row[f"{label} averaged"] = as_trained, averaged
        if (experiment, BOTH) in runs:
            row[BOTH] = runs[(experiment, BOTH)].metrics["test_auc"]
        rows.append(row)
        cells = " ".join(f"{key} {value:.4f}" for key, value in row.items() if key != "experiment")
        print(f"{experiment[:24]:24s} {cells}", flush=True)

    print("\n| a | b | n | a above b on | mean a | mean b | a − b | t-test p | signed-rank p |")
    print("|---|---|---|---|---|---|---|---|---|")
    pairs = [(f"{label} averaged", label) for label in MODELS]
    pairs += [(BOTH, "small-cnn-rnn averaged"), (BOTH, "small-cnn-rnn")]
    for a, b in pairs:
        shared = [row for row in rows if a in row and b in row]
        if len(shared) < 2:
            continue
        first, second = np.array([row[a] for row in shared]), np.array([row[b] for row in shared])
        print(
            f"| {a} | {b} | {len(shared)} | {int((first > second).sum())} | {first.mean():.4f} | {second.mean():.4f} "
            f"| {(first - second).mean():+.4f} | {ttest_rel(first, second).pvalue:.2g} "
            f"| {wilcoxon(first, second).pvalue:.2g} |"
        )


if __name__ == "__main__":
    main()
