"""Test AUCs: each model's seed mean per experiment (the cells), Table 2's rows, and the
paired t-tests of Table 3 with the architectures' ranking and the best model against DeepBind."""

from __future__ import annotations

import warnings
from typing import Any, Mapping

import numpy as np
from scipy import stats

from gdashboard.models.catalogue import ARCHITECTURES, model_order
from gdashboard.report.averages import describe, mean, mean_known, sd

# The paper's Table 3 order: CNN vs RNN, CNN-RNN vs RNN, CNN-RNN vs CNN.
ARCHITECTURE_PAIRS = (("CNN", "RNN"), ("CNN-RNN", "RNN"), ("CNN-RNN", "CNN"))
PAPER_RANKING = ("CNN-RNN", "CNN", "RNN")


def seed_cells(runs: list[dict]) -> list[dict]:
    grouped: dict[tuple[str, str], list[dict]] = {}
    for run in runs:
        grouped.setdefault((run["experiment"], run["model"]), []).append(run)
    cells = []
    order = sorted(grouped, key=lambda key: (key[0], model_order(key[1])))
    for experiment, model in order:
        group = grouped[experiment, model]
        # Seeds that were unavailable do not dilute those that ran.
        ok = [r for r in group if r["available"]]
        test = [r["test_auc"] for r in ok]
        validation = [r["validation_auc"] for r in ok if r["validation_auc"] is not None]
        reasons = sorted({str(r["reason"]) for r in group if not r["available"] and r["reason"]})
        cells.append(
            {
                "experiment": experiment,
                "tf": group[0]["tf"],
                "model": model,
                "preset": group[0]["preset"],
                "pooling": group[0]["pooling"],
                "architecture": group[0]["architecture"],
                "available": bool(ok),
                "n_seeds": len(ok),
                "seeds": sorted((r["seed"] for r in ok), key=lambda s: (s is None, str(s))),
                "test_auc_mean": mean(test),
                "test_auc_sd": sd(test),
                "validation_auc_mean": mean(validation),
                "train_seconds_mean": mean_known(r["train_seconds"] for r in ok),
                "predict_seconds_mean": mean_known(r["predict_seconds"] for r in ok),
                "reason": "; ".join(reasons) or None,
            }
        )
    return cells


def table2_row(model: str, values: dict[str, float], cells: list[dict]) -> dict:
    mine = [c for c in cells if c["model"] == model]
    first = mine[0]
    return {
        "model": model,
        "preset": first["preset"],
        "pooling": first["pooling"],
        "architecture": first["architecture"] or "baseline",
        **describe(list(values.values())),
        "n_unavailable": sum(not c["available"] for c in mine),
        # The cost a user weighs against the gain: seconds per experiment (the seed mean of
        # each experiment, then the mean over experiments that recorded it).
        "train_seconds": mean_known(c["train_seconds_mean"] for c in mine),
        "predict_seconds": mean_known(c["predict_seconds_mean"] for c in mine),
    }


def paired_ttest(name_a: str, values_a: Mapping[str, float], name_b: str, values_b: Mapping[str, float]) -> dict:
    """Two-tailed paired t-test of ``a`` against ``b`` over their shared experiments.

    Parameters
    ----------
    name_a, name_b
        Labels written to the ``a``, ``b`` and ``higher`` columns.
    values_a, values_b
        Experiment -> test AUC.

    Returns
    -------
    dict
        ``a, b, n, mean_a, mean_b, mean_difference`` (a − b), ``t``, ``p`` (None with
        fewer than 2 shared experiments; NaN when the two sides are identical; a
        difference that is the same non-zero value on every experiment gives a huge
        ``t`` and a tiny ``p``, as ``scipy.stats.ttest_rel`` computes them) and
        ``higher`` (the side with the larger mean, ``"tie"``, or None with fewer than 2
        shared experiments).
    """
    shared = sorted(set(values_a) & set(values_b))
    x = np.array([values_a[e] for e in shared], dtype=float)
    y = np.array([values_b[e] for e in shared], dtype=float)
    row: dict[str, Any] = {
        "a": name_a,
        "b": name_b,
        "n": len(shared),
        "mean_a": mean(x),
        "mean_b": mean(y),
        "mean_difference": mean(x - y),
        "t": None,
        "p": None,
        "higher": None,
    }
    if len(shared) >= 2:
        # Identical vectors give 0/0; scipy warns and returns NaN, which we keep.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = stats.ttest_rel(x, y)
        row["t"], row["p"] = float(result.statistic), float(result.pvalue)
        diff = row["mean_difference"]
        row["higher"] = name_a if diff > 0 else name_b if diff < 0 else "tie"
    return row


def ranking(arch_values: dict[str, dict[str, float]]) -> dict:
    """Rank architectures by mean representative test AUC.

    Over the experiments where all three are represented, so that each mean is taken
    over the same experiments; if there are none, each over its own experiments.
    """
    present = [a for a in ARCHITECTURES if arch_values[a]]
    common = (
        set.intersection(*(set(arch_values[a]) for a in ARCHITECTURES))
        if all(arch_values[a] for a in ARCHITECTURES)
        else set()
    )
    if common:
        means = {a: float(np.mean([arch_values[a][e] for e in sorted(common)])) for a in ARCHITECTURES}
        basis = f"the {len(common)} experiments where all three architectures are represented"
    else:
        means = {a: float(np.mean(list(arch_values[a].values()))) for a in present}
        basis = "each architecture's own experiments"
    order = sorted(means, key=lambda a: -means[a])
    holds = None
    if len(order) == len(ARCHITECTURES):
        holds = tuple(order) == PAPER_RANKING
    return {
        "order": order,
        "means": means,
        "basis": basis,
        "n_common": len(common),
        "paper_order_holds": holds,
    }


def best_vs_deepbind(table2: list[dict], values: dict[str, dict[str, float]], deepbinds: list[str]) -> dict | None:
    """The best non-baseline model of Table 2, paired against DeepBind.

    ``deepbinds`` are the labels of the recipe's DeepBind in the forms trained (forward
    strand, both strands), in the report's order; the one with the most experiments is
    the reference, the first of those on a tie. Only models that share the most
    experiments with it compete, so a model run on one lucky experiment cannot outrank
    those run on all of them.
    """
    deepbinds = [m for m in deepbinds if values.get(m)]
    if not deepbinds:
        return None
    deepbind = max(deepbinds, key=lambda m: len(values[m]))  # max keeps the first of a tie
    shared = {
        r["model"]: len(set(values[r["model"]]) & set(values[deepbind]))
        for r in table2
        if r["architecture"] != "baseline" and r["mean"] is not None
    }
    if not shared or max(shared.values()) == 0:
        return None
    most = max(shared.values())
    deep = [r for r in table2 if shared.get(r["model"]) == most]
    best = max(deep, key=lambda r: r["mean"])["model"]
    return paired_ttest(best, values[best], deepbind, values[deepbind])
