"""Choosing one model by validation AUC, never test AUC: the representative of each
architecture per experiment (Tables 3 and 4) and ``auto``, the network a user would deploy."""

from __future__ import annotations

import math

from gdashboard.models.catalogue import ARCHITECTURES, is_neural, model_order
from gdashboard.report.averages import describe


def representatives(cells: list[dict], experiments: list[str], include_max: bool) -> list[dict]:
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


def architecture_row(architecture: str, values: dict[str, float], reps: list[dict]) -> dict:
    counts: dict[str, int] = {}
    for rep in reps:
        if rep["architecture"] == architecture:
            counts[rep["model"]] = counts.get(rep["model"], 0) + 1
    chosen = ", ".join(f"{m} ×{counts[m]}" for m in sorted(counts, key=model_order))
    summary = describe(list(values.values()))
    return {"architecture": architecture, **summary, "representatives": chosen}
