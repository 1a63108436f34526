"""BENCHMARKS.md#seeds: the seven presets on GATA1_K562 with seeds 0-4 (a study of
the runner), each preset's test AUC over seeds, and how much of the architecture ranking is
seed noise: per seed, each architecture's representative (its preset with the best
validation AUC, as in Table 3) and the ranking of the three; and for each pair of presets,
Welch's t-test over the five seeds.

    .venv/bin/python benchmarks/seeds_snapshot.py --study runs/gata1-seeds
"""

import argparse
import itertools
from pathlib import Path

import numpy as np
from scipy import stats

from gdashboard.models.catalogue import ARCHITECTURE, ARCHITECTURES, model_order
from gdashboard.results import collect_runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--study", type=Path, default=Path("runs/gata1-seeds"))
    args = parser.parse_args()
    runs = [r for r in collect_runs([args.study / "runs"]) if r["available"]]
    seeds = sorted({r["seed"] for r in runs})
    by = {(r["model"], r["seed"]): r for r in runs}
    models = sorted({r["model"] for r in runs}, key=model_order)
    print("| preset | architecture | " + " | ".join(f"seed {s}" for s in seeds) + " | mean ± sd | range |")
    print("|---|---|" + "---|" * len(seeds) + "---|---|")
    values = {}
    for model in models:
        aucs = np.array([by[model, s]["test_auc"] for s in seeds if (model, s) in by])
        values[model] = aucs
        cells = " | ".join(f"{by[model, s]['test_auc']:.4f}" if (model, s) in by else "–" for s in seeds)
        print(
            f"| {model} | {ARCHITECTURE[model]} | {cells} | {aucs.mean():.4f} ± {aucs.std(ddof=1):.4f} "
            f"| {aucs.max() - aucs.min():.4f} |"
        )
    print()
    print("| seed | CNN (preset) | RNN (preset) | CNN-RNN (preset) | ranking |")
    print("|---|---|---|---|---|")
    orders = []
    for seed in seeds:
        cells, scores = [], {}
        for architecture in ARCHITECTURES:
            pool = [m for m in models if ARCHITECTURE[m] == architecture and (m, seed) in by]
            best = max(pool, key=lambda m: by[m, seed]["validation_auc"])
            scores[architecture] = by[best, seed]["test_auc"]
            cells.append(f"{scores[architecture]:.4f} ({best})")
        order = " > ".join(sorted(scores, key=lambda a: -scores[a]))
        orders.append(order)
        print(f"| {seed} | " + " | ".join(cells) + f" | {order} |")
    print()
    print("rankings over seeds:", {order: orders.count(order) for order in sorted(set(orders))})
    print()
    print("| a | b | mean a − b | Welch t | p | separated at p < 0.05 |")
    print("|---|---|---|---|---|---|")
    separated = 0
    pairs = list(itertools.combinations(models, 2))
    for a, b in pairs:
        test = stats.ttest_ind(values[a], values[b], equal_var=False)
        separated += test.pvalue < 0.05
        print(
            f"| {a} | {b} | {values[a].mean() - values[b].mean():+.4f} | {test.statistic:.2f} | "
            f"{test.pvalue:.3g} | {'yes' if test.pvalue < 0.05 else 'no'} |"
        )
    print(f"\n{separated} of {len(pairs)} preset pairs differ at p < 0.05 over {len(seeds)} seeds")


if __name__ == "__main__":
    main()
