"""BENCHMARKS.md#accuracy from the runs of benchmarks/accuracy_all.sh, complete or not:
per experiment the test AUC of each model (gkm-SVM, k-mers, DeepBind with the shared recipe
and calibrated, small-cnn, small-cnn-rnn on the forward strand, on both strands (seed 0, and
the mean of seeds 0-2) and as the 3-seed ensemble of its both-strand runs, and
``auto``, the network of best validation AUC), then what each step gained (two-tailed paired
t-tests over the experiments both sides have; ``auto`` also as it was before both strands, chosen
among the forward-strand networks alone) and each model's cost.

    .venv/bin/python benchmarks/accuracy_snapshot.py

Everything comes from gdashboard.report.summarise (the same cells, auto and tests as
``gdash report``); this script only picks the columns and pairs of BENCHMARKS.md#accuracy.
"""

import argparse
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr, wilcoxon

from gdashboard.models.catalogue import NEURAL_PRESETS
from gdashboard.report import paired_ttest, summarise
from gdashboard.results import collect_runs

# Seed 0 alone of small-cnn-rnn on both strands: the strands' gain is paired seed for seed.
BOTH_SEED0 = "small-cnn-rnn +rc-aug+rc-avg (seed 0)"
COLUMNS = [
    ("gkmsvm", "gkmsvm"),
    ("kmer", "kmer"),
    ("deepbind", "deepbind"),
    ("deepbind-cal", "deepbind-cal"),
    ("small-cnn", "small-cnn"),
    ("small-cnn-rnn", "small-cnn-rnn (seed 0)"),
    (BOTH_SEED0, "+ both strands (seed 0)"),
    ("small-cnn-rnn +rc-aug+rc-avg", "+ both strands (mean of seeds)"),
    ("small-cnn-rnn +rc-aug+rc-avg+ensemble", "3-seed ensemble (both strands)"),
]
# auto as it was before both strands: chosen among the forward-strand networks alone.
FORWARD_AUTO = "auto (forward strand only)"
PAIRS = [
    ("auto", "gkmsvm"),
    ("auto", "kmer"),
    (FORWARD_AUTO, "gkmsvm"),
    ("auto", FORWARD_AUTO),
    ("deepbind-cal", "deepbind"),
    (BOTH_SEED0, "small-cnn-rnn"),
    ("small-cnn-rnn +rc-aug+rc-avg+ensemble", BOTH_SEED0),
    ("small-cnn-rnn +rc-aug+rc-avg+ensemble", "small-cnn-rnn +rc-aug+rc-avg"),
    ("small-cnn-rnn +rc-aug+rc-avg+ensemble", "gkmsvm"),
    ("small-cnn-rnn", "gkmsvm"),
    ("small-cnn", "gkmsvm"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path(p) for p in ("runs/study18/runs", "runs/study-baselines/runs")],
    )
    args = parser.parse_args()
    runs = collect_runs([p for p in args.paths if p.exists()])
    report = summarise(runs)
    forward_report = summarise([r for r in runs if not (r.get("rc_augment") or r.get("rc_average"))])
    cell = {(c["experiment"], c["model"]): c for c in report.cells}
    values: dict[str, dict[str, float]] = {}
    for model, _ in COLUMNS:
        values[model] = {e: c["test_auc_mean"] for (e, m), c in cell.items() if m == model and c["available"]}
    # The seed-0 columns are seed 0's own runs, not the mean of the seeds trained since.
    seed0_runs = {(r["experiment"], r["model"]): r for r in report.runs if str(r["seed"]) == "0" and r["available"]}
    for column, model in (("small-cnn-rnn", "small-cnn-rnn"), (BOTH_SEED0, "small-cnn-rnn +rc-aug+rc-avg")):
        values[column] = {e: run["test_auc"] for (e, m), run in seed0_runs.items() if m == model}
    values["auto"] = {row["experiment"]: row["test_auc"] for row in report.auto}
    values[FORWARD_AUTO] = {row["experiment"]: row["test_auc"] for row in forward_report.auto}
    auto_model = {row["experiment"]: row["model"] for row in report.auto}

    print("| experiment | " + " | ".join(title for _, title in COLUMNS) + " | auto (its model) |")
    print("|---|" + "---|" * (len(COLUMNS) + 1))
    for experiment in report.experiments:
        cells = []
        for model, _ in COLUMNS:
            value = values[model].get(experiment)
            cells.append("" if value is None else f"{value:.3f}")
        chosen = values["auto"].get(experiment)
        cells.append("" if chosen is None else f"{chosen:.3f} ({auto_model[experiment]})")
        short = "_".join(experiment.split("_")[:2])  # TF and cell type
        print(f"| {short} | " + " | ".join(cells) + " |")
    means = []
    for model, _ in [*COLUMNS, ("auto", "auto")]:
        mine = list(values[model].values())
        means.append(f"{sum(mine) / len(mine):.3f} (n={len(mine)})" if mine else "")
    print("| **mean** | " + " | ".join(means) + " |")
    print()
    # The signed-rank test beside the t-test: one experiment's outlying difference (a run stuck
    # on the plateau) can dominate the t-test's variance, not the ranks.
    print("| a | b | n | a above b on | mean a | mean b | a − b | t | p (two-tailed, paired) | signed-rank p |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for a, b in PAIRS:
        row = paired_ttest(a, values.get(a, {}), b, values.get(b, {}))
        if row["p"] is None:
            print(f"| {a} | {b} | {row['n']} | | | | | | fewer than 2 shared experiments | |")
            continue
        shared = sorted(set(values[a]) & set(values[b]))
        ranks = wilcoxon([values[a][e] for e in shared], [values[b][e] for e in shared]).pvalue
        above = sum(values[a][e] > values[b][e] for e in shared)
        print(
            f"| {a} | {b} | {row['n']} | {above} | {row['mean_a']:.4f} | {row['mean_b']:.4f} "
            f"| {row['mean_difference']:+.4f} | {row['t']:.2f} | {row['p']:.2g} | {ranks:.2g} |"
        )
    print()
    # Where the networks lose to gkm-SVM: its lead over auto against the training set's size
    # (Spearman's rank correlation over the experiments both have).
    n_train = {r["experiment"]: r["n_train"] for r in report.runs if r["model"] == "gkmsvm" and "n_train" in r}
    shared = sorted(set(n_train) & set(values["auto"]) & set(values["gkmsvm"]), key=n_train.get)
    if len(shared) >= 3:
        print("| experiment | training sequences | gkmsvm − auto |")
        print("|---|---|---|")
        for experiment in shared:
            lead = values["gkmsvm"][experiment] - values["auto"][experiment]
            print(f"| {'_'.join(experiment.split('_')[:2])} | {n_train[experiment]:,} | {lead:+.3f} |")
        rho = spearmanr([n_train[e] for e in shared], [values["gkmsvm"][e] - values["auto"][e] for e in shared])
        print(f"\nSpearman's rho (training sequences, gkmsvm − auto) = {rho.statistic:.2f}, p = {rho.pvalue:.2g}")
        print()
    # Both strands against the forward strand, seed 0 on each: how often, how much, at what cost.
    forward, both = "small-cnn-rnn", "small-cnn-rnn +rc-aug+rc-avg"
    pairs = [
        (seed0_runs[(e, forward)], seed0_runs[(e, both)])
        for e in report.experiments
        if (e, forward) in seed0_runs and (e, both) in seed0_runs
    ]
    if pairs:
        gain = np.array([b["test_auc"] - f["test_auc"] for f, b in pairs])
        validation_up = sum(b["validation_auc"] > f["validation_auc"] for f, b in pairs)
        train_ratio = [b["train_seconds"] / f["train_seconds"] for f, b in pairs if f["train_seconds"]]
        predict_ratio = [b["predict_seconds"] / f["predict_seconds"] for f, b in pairs if f.get("predict_seconds")]
        scoring = (
            f", scoring ×{np.median(predict_ratio):.2f} (median of the {len(predict_ratio)} with a scoring time)"
            if predict_ratio
            else ""
        )
        print(
            f"Both strands (seed 0) against the forward strand (seed 0), {len(pairs)} experiments: test AUC up on "
            f"{int((gain > 0).sum())}, equal on {int((gain == 0).sum())}, down on {int((gain < 0).sum())} "
            f"(largest fall {gain.min():+.4f}); median {np.median(gain):+.4f}, mean {gain.mean():+.4f}; "
            f"validation AUC up on {validation_up}; training time ×{np.median(train_ratio):.2f} (median){scoring}"
        )
        print()
    # Runs made before scoring was timed (the forward-strand networks of BENCHMARKS.md#modisco) have no scoring
    # time: the mean is over those that have one (benchmarks/scoring_cost.py times them all).
    timed = Counter(r["model"] for r in report.runs if r.get("predict_seconds") is not None)
    print("| model | experiments | train seconds per experiment | predict seconds per experiment | runs timed |")
    print("|---|---|---|---|---|")
    for row in report.table2:
        train = "" if row["train_seconds"] is None else f"{row['train_seconds']:,.1f}"
        predict = "" if row["predict_seconds"] is None else f"{row['predict_seconds']:,.2f}"
        print(f"| {row['model']} | {row['n_experiments']} | {train} | {predict} | {timed[row['model']]} |")
    # What auto costs: it is chosen only after every candidate network has trained, so its
    # training is the sum of theirs (an ensemble adds nothing: its members are runs counted here).
    spent: dict[str, float] = {}
    for run in report.runs:
        if run["preset"] in NEURAL_PRESETS and not run.get("ensemble") and run.get("train_seconds") is not None:
            spent[run["experiment"]] = spent.get(run["experiment"], 0.0) + run["train_seconds"]
    if spent:
        totals = np.array(list(spent.values()))
        print(
            f"\nauto's training (every candidate network's runs summed), {len(totals)} experiments: "
            f"mean {totals.mean():,.0f} s, median {np.median(totals):,.0f} s, "
            f"range {totals.min():,.0f}–{totals.max():,.0f} s"
        )


if __name__ == "__main__":
    main()
