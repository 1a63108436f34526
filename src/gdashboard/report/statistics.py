"""The statistics of the report: Tables 2, 3 and 4 as rows (plain lists of dicts).

Nothing here formats: :mod:`gdashboard.report.render` turns these rows into
Markdown and CSV, and the dashboard renders the same rows as HTML.

:func:`summarise` turns runs (as :func:`gdashboard.results.collect_runs` reads them)
and motif results into a :class:`Report`: plain lists of dicts, usable from a notebook.

Choices made where the paper is silent
--------------------------------------
* A model is a preset plus its pooling and options: ``"small-rnn"`` is the paper's mean
  pooling on the forward strand, ``"small-rnn (max)"`` is max pooling, ``"small-rnn
  +rc-aug+rc-avg"`` both strands (the networks' default), ``"... +ensemble"`` a seed
  ensemble; each is a separate model in every table.
* Several seeds of one model on one experiment are averaged; the experiment's value is
  the seed mean, so every experiment weighs the same in Table 2 and in the t-tests.
* Table 3 compares *architectures* (CNN, RNN, CNN-RNN). Per experiment each
  architecture is represented by its preset with the best mean **validation** AUC.
  Picking by test AUC would select on the numbers being tested and bias the
  comparison towards whichever architecture has more presets.
* Paired t-tests use only experiments where both sides have a value; p-values are
  two-tailed (``scipy.stats.ttest_rel``), as in the paper.
* Unavailable runs (e.g. a PWM baseline for a TF that JASPAR lacks) are shown as
  ``n/a`` and left out of every statistic.

Table 4: motif matches
----------------------
``gdash motifs RUNDIR --out DIR`` writes ``DIR/motifs.json``. :func:`collect_motif_results`
finds those files anywhere below the paths given to the report (they are not run folders
and never stop run discovery), and :func:`summarise` joins each to its run by
(experiment, model, seed), where the model is the preset plus its pooling and options as above.

* Per architecture, each experiment contributes the motif counts of the *same*
  representative as Table 3 (best mean validation AUC). If that run has no
  ``motifs.json`` the experiment is left out for that architecture and said so; another
  preset is never substituted, as that would change the selection rule.
* Several seeds of one model on one experiment are averaged, as for AUCs; class
  optimization's 0/1 match then becomes a fraction, so "k of n" may show a decimal k.
* n of "k of n" is the number of experiments, with a JASPAR motif for their TF, that
  the row covers.
* TFs JASPAR lacks (``tf_in_jaspar`` false) are left out and listed in a note; so are
  ``motifs.json`` files that match no run.
* "–": the method does not apply (temporal output for CNNs, convolution activations for
  plain RNNs, or no file of the row has the method); empty: no data.

A new table is a new field of :class:`Report` filled here and a new section in
:mod:`gdashboard.report.render`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
from scipy import stats

from gdashboard.errors import InputError
from gdashboard.models.catalogue import ARCHITECTURES, BASELINES, is_neural, model_order
from gdashboard.results import (
    MOTIF_METHODS,
    normalise_modisco_result,
    normalise_motif_result,
    normalise_run,
    recorded_jaspar_pseudocount,
)

# The paper's Table 3 order: CNN vs RNN, CNN-RNN vs RNN, CNN-RNN vs CNN.
ARCHITECTURE_PAIRS = (("CNN", "RNN"), ("CNN-RNN", "RNN"), ("CNN-RNN", "CNN"))
PAPER_RANKING = ("CNN-RNN", "CNN", "RNN")
# Methods an architecture cannot have: no recurrence in a CNN, no convolution in an RNN.
NOT_APPLICABLE = {"CNN": {"temporal"}, "RNN": {"conv"}}
# The paper's Table 4 (57 TFs with a JASPAR motif, 108 K562 experiments): mean matches
# of 500 positive test sequences, and class optimization as (k, n). None: not applicable.
PAPER_TABLE4 = {
    "CNN": {"saliency": 243.9, "conv": 173.4, "temporal": None, "classopt": (19, 57)},
    "RNN": {"saliency": 168.1, "conv": None, "temporal": 53.5, "classopt": (11, 57)},
    "CNN-RNN": {"saliency": 138.6, "conv": 74.2, "temporal": 113.2, "classopt": (13, 57)},
}


@dataclass
class Report:
    """Everything the report shows, as plain lists of dicts.

    Attributes
    ----------
    runs
        The normalised runs it was made from.
    models, experiments
        Model labels and experiment names in table order.
    cells
        One dict per (experiment, model): seeds, test AUC mean/sd, validation AUC mean,
        availability.
    per_experiment
        One dict per experiment: ``experiment``, ``tf`` and, per model label, the mean
        test AUC over seeds (None when unavailable or not run).
    table2
        Per model: ``n_experiments``, ``mean``, ``median``, ``sd`` of test AUC.
    architectures
        Per architecture: its representative's test AUC summarised over experiments, and
        which presets represented it how often.
    representatives
        Per (experiment, architecture): the preset chosen by validation AUC.
    table3_architectures, table3_presets
        Paired t-tests (columns ``a, b, n, mean_a, mean_b, mean_difference, t, p,
        higher``); architecture rows also have ``kind``.
    ranking
        Architectures ranked by mean test AUC and whether the paper's order holds.
    best_vs_deepbind
        The best non-baseline model of Table 2 tested against DeepBind, or None.
    auto, auto_tests
        Per experiment the validation-chosen network (:func:`auto_choice`), and its
        test AUCs paired against each non-neural baseline and DeepBind. Empty unless
        some experiment has two networks to choose from.
    motifs
        The normalised ``motifs.json`` results given (empty: no Table 4).
    table4_architectures, table4_presets
        Table 4 per architecture (via the Table 3 representatives) and per model: over
        experiments, the mean matches per method (``saliency``, ``conv``, ``temporal``
        and ``..._q`` for q < 0.5), ``classopt_matches`` of ``classopt_of`` (and
        ``_q``), the mean ``saliency_fimo_overlap``; None where there is nothing to
        average. Empty without motif results.
    table4_notes
        What was left out of Table 4 and why (``not_in_jaspar``: TF -> experiments;
        ``unmatched``: files matching no run; ``missing``: (experiment, architecture,
        model) whose representative has no motif result).
    """

    runs: list[dict]
    models: list[str]
    experiments: list[str]
    cells: list[dict]
    per_experiment: list[dict]
    table2: list[dict]
    architectures: list[dict]
    representatives: list[dict]
    table3_architectures: list[dict]
    table3_presets: list[dict]
    ranking: dict
    best_vs_deepbind: dict | None
    include_max_in_architectures: bool = False
    motifs: list[dict] = field(default_factory=list)
    table4_architectures: list[dict] = field(default_factory=list)
    table4_presets: list[dict] = field(default_factory=list)
    table4_notes: dict = field(default_factory=dict)
    patterns: list[dict] = field(default_factory=list)
    pattern_rows: list[dict] = field(default_factory=list)
    pattern_found: list[dict] = field(default_factory=list)
    auto: list[dict] = field(default_factory=list)
    auto_tests: list[dict] = field(default_factory=list)


def summarise(
    runs: Sequence[Mapping],
    *,
    include_max_in_architectures: bool = False,
    motifs: Sequence[Mapping] | None = None,
    patterns: Sequence[Mapping] | None = None,
) -> Report:
    """Build every table from runs as returned by :func:`gdashboard.results.collect_runs`.

    Parameters
    ----------
    runs
        Run dicts; each is passed through :func:`normalise_run`, so hand-made dicts with
        at least ``experiment``, ``preset`` and ``test_auc`` work too.
    include_max_in_architectures
        Let max-pooled recurrent presets compete to represent their architecture in
        Table 3. Off by default: the paper's models use mean pooling.
    motifs
        ``motifs.json`` results as returned by :func:`collect_motif_results`; with any,
        the report gains Table 4 (joined to runs by experiment, model and seed).
    patterns
        ``patterns.json`` results of ``gdash modisco`` (see
        :func:`gdashboard.results.collect_modisco_results`); with any, the report gains
        the TF-MoDISco rows beside Table 4 (:func:`pattern_rows`).

    Returns
    -------
    Report

    Raises
    ------
    InputError
        Two runs (or two motif results) with the same experiment, model and seed (they
        would double-count a seed), or a run or motif result that fails
        :func:`normalise_run` or :func:`normalise_motif_result`.
    """
    # normalise_run is idempotent, so runs from collect_runs pass through unchanged.
    runs = [normalise_run(r, r.get("metrics_path")) for r in runs]
    _check_duplicates(runs)

    cells = _cells(runs)
    models = sorted({c["model"] for c in cells}, key=model_order)
    experiments = sorted({c["experiment"] for c in cells})
    by_key = {(c["experiment"], c["model"]): c for c in cells}
    # Per model: experiment -> seed-mean test AUC, available cells only.
    values: dict[str, dict[str, float]] = {
        m: {e: by_key[e, m]["test_auc_mean"] for e in experiments if (e, m) in by_key and by_key[e, m]["available"]}
        for m in models
    }
    tfs = {}
    for run in runs:
        tfs.setdefault(run["experiment"], run["tf"])

    per_experiment = []
    for experiment in experiments:
        row: dict[str, Any] = {"experiment": experiment, "tf": tfs[experiment]}
        for model in models:
            row[model] = values[model].get(experiment)
        per_experiment.append(row)

    table2 = [_table2_row(m, values[m], cells) for m in models]

    representatives = _representatives(cells, experiments, include_max_in_architectures)
    arch_values: dict[str, dict[str, float]] = {a: {} for a in ARCHITECTURES}
    for rep in representatives:
        arch_values[rep["architecture"]][rep["experiment"]] = rep["test_auc"]
    architectures = [_architecture_row(a, arch_values[a], representatives) for a in ARCHITECTURES]

    # The baselines as the report's rows name them: a baseline preset in every form trained
    # (DeepBind on both strands, the networks' default, is as much DeepBind as on one).
    preset_of = {c["model"]: c["preset"] for c in cells}
    baselines = [m for m in models if preset_of[m] in BASELINES]

    table3_architectures = []
    for a, b in ARCHITECTURE_PAIRS:
        row = paired_ttest(a, arch_values[a], b, arch_values[b])
        table3_architectures.append({"kind": "architecture", **row})
    # The paper's Table 3 also sets each architecture against its baseline.
    for baseline in baselines:
        for a in ("RNN", "CNN", "CNN-RNN"):
            row = paired_ttest(a, arch_values[a], baseline, values[baseline])
            table3_architectures.append({"kind": "baseline", **row})

    table3_presets = [paired_ttest(a, values[a], b, values[b]) for i, a in enumerate(models) for b in models[i + 1 :]]

    ranking = _ranking(arch_values)
    best_vs_deepbind = _best_vs_deepbind(table2, values, [m for m in baselines if preset_of[m] == "deepbind"])

    report = Report(
        runs=runs,
        models=models,
        experiments=experiments,
        cells=cells,
        per_experiment=per_experiment,
        table2=table2,
        architectures=architectures,
        representatives=representatives,
        table3_architectures=table3_architectures,
        table3_presets=table3_presets,
        ranking=ranking,
        best_vs_deepbind=best_vs_deepbind,
        include_max_in_architectures=include_max_in_architectures,
    )
    report.auto = auto_choice(cells, experiments)
    if report.auto:
        chosen = {row["experiment"]: row["test_auc"] for row in report.auto}
        report.auto_tests = [paired_ttest(AUTO, chosen, m, values[m]) for m in baselines]
    if motifs:
        report.motifs = [normalise_motif_result(m, m.get("motifs_path")) for m in motifs]
        _check_duplicates(report.motifs, path_key="motifs_path")
        _table4(report)
    if patterns:
        report.patterns = [normalise_modisco_result(m, m.get("patterns_path")) for m in patterns]
        _check_duplicates(report.patterns, path_key="patterns_path")
        report.pattern_rows = pattern_rows(report.patterns, report.motifs)
        report.pattern_found = pattern_found(report.pattern_rows)
    return report


def _check_duplicates(runs: list[dict], path_key: str = "metrics_path") -> None:
    seen: dict[tuple, dict] = {}
    for run in runs:
        key = (run["experiment"], run["model"], run["seed"])
        if key in seen:
            other = seen[key].get(path_key) or "another one"
            raise InputError(
                f"same experiment, model and seed ({run['experiment']}, {run['model']}, seed {run['seed']}) as {other}",
                run.get(path_key),
            )
        seen[key] = run


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def _mean_known(values) -> float | None:
    """The mean of the values that are not None (None when none is)."""
    return _mean([value for value in values if value is not None])


def _sd(values: Sequence[float]) -> float | None:
    # Sample standard deviation; undefined (None) for a single value.
    return float(np.std(values, ddof=1)) if len(values) >= 2 else None


def _cells(runs: list[dict]) -> list[dict]:
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
                "test_auc_mean": _mean(test),
                "test_auc_sd": _sd(test),
                "validation_auc_mean": _mean(validation),
                "train_seconds_mean": _mean_known(r["train_seconds"] for r in ok),
                "predict_seconds_mean": _mean_known(r["predict_seconds"] for r in ok),
                "reason": "; ".join(reasons) or None,
            }
        )
    return cells


def _describe(values: Sequence[float]) -> dict:
    return {
        "n_experiments": len(values),
        "mean": _mean(values),
        "median": float(np.median(values)) if len(values) else None,
        "sd": _sd(values),
    }


def _table2_row(model: str, values: dict[str, float], cells: list[dict]) -> dict:
    mine = [c for c in cells if c["model"] == model]
    first = mine[0]
    return {
        "model": model,
        "preset": first["preset"],
        "pooling": first["pooling"],
        "architecture": first["architecture"] or "baseline",
        **_describe(list(values.values())),
        "n_unavailable": sum(not c["available"] for c in mine),
        # The cost a user weighs against the gain: seconds per experiment (the seed mean of
        # each experiment, then the mean over experiments that recorded it).
        "train_seconds": _mean_known(c["train_seconds_mean"] for c in mine),
        "predict_seconds": _mean_known(c["predict_seconds_mean"] for c in mine),
    }


def _representatives(cells: list[dict], experiments: list[str], include_max: bool) -> list[dict]:
    """Per experiment and architecture, the preset with the best mean validation AUC.

    Each preset competes in each strand form it was trained in (the forward strand, both
    strands); its max-pooled form only with ``include_max``; seed ensembles never (they
    are their members' cell averaged, not another form of the architecture).
    Ties go to the preset listed first (smaller model), so the choice is reproducible.
    A preset without a validation AUC cannot be chosen: falling back to test AUC would
    reintroduce the selection bias this avoids.
    """
    candidates: dict[tuple[str, str], list[dict]] = {}
    for cell in cells:
        if cell["architecture"] not in ARCHITECTURES or not cell["available"]:
            continue
        if cell["validation_auc_mean"] is None:
            continue
        if " (max)" in cell["model"] and not include_max:
            continue
        if _is_ensemble(cell["model"]):
            continue
        candidates.setdefault((cell["experiment"], cell["architecture"]), []).append(cell)
    chosen = []
    for experiment in experiments:
        for architecture in ARCHITECTURES:
            pool = candidates.get((experiment, architecture))
            if not pool:
                continue
            pool = sorted(pool, key=lambda c: model_order(c["model"]))
            best = max(pool, key=lambda c: c["validation_auc_mean"])  # first max wins ties
            chosen.append(
                {
                    "experiment": experiment,
                    "architecture": architecture,
                    "model": best["model"],
                    "validation_auc": best["validation_auc_mean"],
                    "test_auc": best["test_auc_mean"],
                }
            )
    return chosen


AUTO = "auto"


def auto_choice(cells: list[dict], experiments: list[str]) -> list[dict]:
    """Per experiment, the network a user would deploy: among every trained neural model
    (each preset, pooling, strand option, seed ensemble; DeepBind too), the one with the
    best mean validation AUC, never test AUC. The non-neural baselines are not candidates.
    ``auto`` is then paired against every baseline (:data:`~gdashboard.models.catalogue.BASELINES`
    in each form trained: the non-neural ones, and DeepBind, which it may also have chosen
    where DeepBind validated best). Empty when no experiment has two networks to choose
    from (nothing was chosen).

    Ties: a seed ensemble's validation AUC is its members' mean (no sequence was held out
    from all of them, see :func:`gdashboard.runs.make_ensemble`), so it ties with the cell
    of those same seeds as single models; with no validation evidence between them the
    ensemble, their averaged prediction, is preferred over them (averaging seeds is the
    field's standard variance reduction, Lakshminarayanan et al. 2017). Other ties,
    an ensemble's with another model among them, go to the model listed first."""
    pools: dict[str, list[dict]] = {}
    for cell in cells:
        if cell["available"] and cell["validation_auc_mean"] is not None and is_neural(cell["preset"]):
            pools.setdefault(cell["experiment"], []).append(cell)
    if not any(len(pool) > 1 for pool in pools.values()):
        return []
    chosen = []
    for experiment in experiments:
        pool = sorted(pools.get(experiment, []), key=lambda c: model_order(c["model"]))
        if pool:
            top = max(c["validation_auc_mean"] for c in pool)
            # A tie up to rounding: a mean of the same values summed in another order.
            tied = [c for c in pool if math.isclose(c["validation_auc_mean"], top, rel_tol=1e-12)]
            tied_labels = {c["model"] for c in tied}
            # An ensemble's label is its members' plus "+ensemble".
            ensembles = [c for c in tied if _members_label(c["model"]) in tied_labels - {c["model"]}]
            best = ensembles[0] if ensembles else tied[0]
            chosen.append(
                {
                    "experiment": experiment,
                    "model": best["model"],
                    "candidates": len(pool),
                    "validation_auc": best["validation_auc_mean"],
                    "test_auc": best["test_auc_mean"],
                }
            )
    return chosen


def _is_ensemble(label: str) -> bool:
    return "ensemble" in label.partition(" +")[2].split("+")


def _members_label(label: str) -> str:
    """The label of an ensemble's members: ``small-cnn +rc-aug+ensemble`` -> ``small-cnn +rc-aug``;
    any other label is returned as it is."""
    model, _, options = label.partition(" +")
    rest = [option for option in options.split("+") if option and option != "ensemble"]
    return f"{model} +{'+'.join(rest)}" if rest else model


def _architecture_row(architecture: str, values: dict[str, float], reps: list[dict]) -> dict:
    counts: dict[str, int] = {}
    for rep in reps:
        if rep["architecture"] == architecture:
            counts[rep["model"]] = counts.get(rep["model"], 0) + 1
    chosen = ", ".join(f"{m} ×{counts[m]}" for m in sorted(counts, key=model_order))
    summary = _describe(list(values.values()))
    return {"architecture": architecture, **summary, "representatives": chosen}


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
        "mean_a": _mean(x),
        "mean_b": _mean(y),
        "mean_difference": _mean(x - y),
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


def _ranking(arch_values: dict[str, dict[str, float]]) -> dict:
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


def _best_vs_deepbind(table2: list[dict], values: dict[str, dict[str, float]], deepbinds: list[str]) -> dict | None:
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


# --------------------------------------------------------------------------- Table 4


def _motif_cell(results: list[dict]) -> dict:
    """One model on one experiment: motif counts averaged over the seeds that have them."""
    cell: dict[str, Any] = {"n_seeds": len(results), "methods": set()}
    for method in MOTIF_METHODS:
        present = [r["methods"][method] for r in results if method in r["methods"]]
        if present:
            cell["methods"].add(method)
        for suffix, key in (("", "matches"), ("_q", "matches_q")):
            cell[method + suffix] = _mean([c[key] for c in present if c[key] is not None])
    positives = []
    for r in results:
        n = r["n_positives"]
        if n is None and "saliency" in r["methods"]:
            n = r["methods"]["saliency"]["of"]
        if n is not None:
            positives.append(n)
    cell["n_positives"] = _mean(positives)
    cell["saliency_fimo_overlap"] = _mean(
        [r["saliency_fimo_overlap"] for r in results if r["saliency_fimo_overlap"] is not None]
    )
    for key, count in (("chance", "matches"), ("chance_q", "matches_q")):
        cell[key] = _mean([r["chance"][count] for r in results if r.get("chance") and r["chance"][count] is not None])
    return cell


def _table4_row(cells: dict[str, dict], architecture: str | None) -> dict:
    """Means over experiments of per-experiment motif cells; class optimization summed."""
    values = list(cells.values())
    row: dict[str, Any] = {
        "n_experiments": len(values),
        "n_positives": _mean([c["n_positives"] for c in values if c["n_positives"] is not None]),
    }
    for method in MOTIF_METHODS[:3]:
        for suffix in ("", "_q"):
            key = method + suffix
            row[key] = _mean([c[key] for c in values if c[key] is not None])
    for suffix in ("", "_q"):
        matched = [c["classopt" + suffix] for c in values if c["classopt" + suffix] is not None]
        total = float(sum(matched))
        # Whole experiments unless seeds disagreed (a seed mean of 0.5 counts half).
        row["classopt_matches" + suffix] = None if not matched else int(total) if total.is_integer() else total
        row["classopt_of" + suffix] = len(matched)
    row["saliency_fimo_overlap"] = _mean(
        [c["saliency_fimo_overlap"] for c in values if c["saliency_fimo_overlap"] is not None]
    )
    for key in ("chance", "chance_q"):
        row[key] = _mean([c[key] for c in values if c.get(key) is not None])
    not_applicable = set(NOT_APPLICABLE.get(architecture or "", set()))
    if values:
        present = set().union(*(c["methods"] for c in values))
        not_applicable |= set(MOTIF_METHODS) - present
    row["not_applicable"] = ";".join(m for m in MOTIF_METHODS if m in not_applicable)
    return row


def _table4(report: Report) -> None:
    """Fill ``report.table4_*`` from ``report.motifs`` joined to the runs."""
    run_keys = {(r["experiment"], r["model"], r["seed"]) for r in report.runs if r["available"]}
    not_in_jaspar: dict[str, set[str]] = {}
    unmatched: list[str] = []
    grouped: dict[tuple[str, str], list[dict]] = {}
    for result in report.motifs:
        key = (result["experiment"], result["model"], result["seed"])
        if key not in run_keys:
            unmatched.append(
                result.get("motifs_path") or f"{result['experiment']} {result['model']} seed {result['seed']}"
            )
        elif not result["tf_in_jaspar"]:
            not_in_jaspar.setdefault(result["tf"], set()).add(result["experiment"])
        else:
            grouped.setdefault((result["experiment"], result["model"]), []).append(result)
    # The pwm baseline is unavailable exactly when JASPAR has no motif for the TF
    # (gdashboard.runs), so its runs name such TFs even before any motif analysis.
    for run in report.runs:
        if run["preset"] == "pwm" and not run["available"]:
            not_in_jaspar.setdefault(run["tf"], set()).add(run["experiment"])
    excluded = set().union(*not_in_jaspar.values()) if not_in_jaspar else set()
    cells = {k: _motif_cell(v) for k, v in grouped.items() if k[0] not in excluded}
    with_motifs = {e for e, _ in cells}

    architectures, missing = [], []
    for architecture in ARCHITECTURES:
        mine: dict[str, dict] = {}
        counts: dict[str, int] = {}
        for rep in report.representatives:
            if rep["architecture"] != architecture or rep["experiment"] in excluded:
                continue
            cell = cells.get((rep["experiment"], rep["model"]))
            if cell is None:
                # Only worth saying where the experiment has motif results at all.
                if rep["experiment"] in with_motifs:
                    missing.append((rep["experiment"], architecture, rep["model"]))
                continue
            mine[rep["experiment"]] = cell
            counts[rep["model"]] = counts.get(rep["model"], 0) + 1
        row = {"architecture": architecture, **_table4_row(mine, architecture)}
        row["representatives"] = ", ".join(f"{m} ×{counts[m]}" for m in sorted(counts, key=model_order))
        architectures.append(row)

    presets = []
    for model in report.models:
        mine = {e: cells[e, model] for e in report.experiments if (e, model) in cells}
        if not mine:
            continue
        result = next(v[0] for k, v in grouped.items() if k[1] == model)
        presets.append(
            {
                "model": model,
                "preset": result["preset"],
                "pooling": result["pooling"],
                "architecture": result["architecture"] or "baseline",
                **_table4_row(mine, result["architecture"]),
            }
        )

    releases = sorted({str(r["jaspar_release"]) for r in report.motifs if r.get("jaspar_release")})
    report.table4_architectures = architectures
    report.table4_presets = presets
    report.table4_notes = {
        "experiments": sorted(with_motifs),
        "not_in_jaspar": {tf: sorted(e) for tf, e in sorted(not_in_jaspar.items())},
        "unmatched": unmatched,
        "missing": missing,
        "jaspar_releases": releases,
        "p_thresholds": sorted({r["p_threshold"] for r in report.motifs if r["p_threshold"]}),
        "q_thresholds": sorted({r["q_threshold"] for r in report.motifs if r["q_threshold"]}),
        # The temporal window's rule changed between versions (gdash motifs records it).
        "temporal_versions": sorted(
            {r.get("extraction_version") or 1 for r in report.motifs if "temporal" in r["methods"]}
        ),
        "without_chance": sum(1 for r in report.motifs if r["tf_in_jaspar"] and not r.get("chance")),
        "jaspar_pseudocounts": sorted({recorded_jaspar_pseudocount(r) for r in report.motifs if r["tf_in_jaspar"]}),
    }


# --------------------------------------------------------------------------- TF-MoDISco patterns

# A model's 9-bp saliency windows "find" the TF when they match its JASPAR motif
# (Tomtom p < 0.05, Table 4's criterion) more often than the same windows cut from
# dinucleotide-shuffled positives (the chance count gdash motifs records): one-sided
# Fisher exact test on matches of positives, p < 0.05. A pattern-level criterion for
# TF-MoDISco is a pattern matching the TF at Tomtom q < 0.05.
WINDOWS_FIND_P = 0.05


def _windows_find(motif: Mapping | None) -> tuple[int | None, int | None, float | None]:
    if not motif or "saliency" not in motif["methods"] or not motif.get("chance"):
        return None, None, None
    matches, of = motif["methods"]["saliency"]["matches"], motif["methods"]["saliency"]["of"]
    chance = motif["chance"]["matches"]
    if matches is None or chance is None or not of:
        return matches, chance, None
    table = [[matches, of - matches], [chance, motif["chance"]["of"] - chance]]
    return matches, chance, float(stats.fisher_exact(table, alternative="greater")[1])


def pattern_rows(patterns: Sequence[Mapping], motifs: Sequence[Mapping] = ()) -> list[dict]:
    """One row per (experiment, model, seed) with TF-MoDISco patterns, beside Table 4.

    Columns: ``experiment``, ``tf``, ``model``, ``seed``, ``attribution``,
    ``n_sequences``, ``n_patterns``, ``tf_in_jaspar``, ``first_tf_rank``,
    ``first_tf_q``, ``first_tf_seqlets`` (the first pattern matching the TF's JASPAR
    motif at q < 0.05; None when none does), ``cofactors`` (the other TFs its patterns
    match, ``;``-separated), ``family`` (matches of the TF's own JASPAR family), and from
    the same model's ``motifs.json`` where present:
    ``window_matches`` and ``window_chance`` (saliency windows matching the TF, and
    the same for shuffled windows), ``window_p`` (one-sided Fisher test of the two)
    and ``windows_find_tf`` (``window_p < 0.05``).
    """
    by_key = {(m["experiment"], m["model"], m["seed"]): m for m in motifs}
    rows = []
    for result in sorted(patterns, key=lambda r: (r["experiment"], model_order(r["model"]), str(r["seed"]))):
        first = result.get("first_tf_pattern")
        matches, chance, p = _windows_find(by_key.get((result["experiment"], result["model"], result["seed"])))
        rows.append(
            {
                "experiment": result["experiment"],
                "tf": result.get("tf"),
                "model": result["model"],
                "seed": result["seed"],
                "attribution": result["attribution"],
                "n_sequences": result.get("n_sequences"),
                "n_patterns": len(result["patterns"]),
                "tf_in_jaspar": bool(result.get("tf_in_jaspar")),
                "first_tf_rank": first["rank"] if first else None,
                "first_tf_q": first.get("q") if first else None,
                "first_tf_seqlets": first.get("n_seqlets") if first else None,
                "cofactors": ";".join(result.get("cofactors") or []),
                "family": ";".join(result.get("family") or []),
                "window_matches": matches,
                "window_chance": chance,
                "window_p": p,
                "windows_find_tf": None if p is None else p < WINDOWS_FIND_P,
            }
        )
    return rows


def pattern_found(rows: Sequence[Mapping]) -> list[dict]:
    """Per model: of the TFs with a JASPAR motif, how many TF-MoDISco finds (a pattern
    matching the TF in any of its experiments) and how many the 9-bp windows find
    (among the TFs that have window results too)."""
    summary = []
    for model in sorted({r["model"] for r in rows}, key=model_order):
        mine = [r for r in rows if r["model"] == model and r["tf_in_jaspar"]]
        tfs = sorted({r["tf"] for r in mine})
        with_windows = sorted({r["tf"] for r in mine if r["windows_find_tf"] is not None})
        summary.append(
            {
                "model": model,
                "tfs": len(tfs),
                "modisco_finds": len({r["tf"] for r in mine if r["first_tf_rank"] is not None}),
                "tfs_with_windows": len(with_windows),
                "windows_find": len({r["tf"] for r in mine if r["windows_find_tf"]}),
                "modisco_finds_of_those": len(
                    {r["tf"] for r in mine if r["first_tf_rank"] is not None and r["tf"] in with_windows}
                ),
            }
        )
    return summary
