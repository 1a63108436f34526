"""Table 4 as rows: how often the motifs each method extracts match the TF's JASPAR motif.

The methods, their order and their headings are the registry's
(:func:`gdashboard.methods.motif_methods`): a method with windows per sequence
(``per_sequence``) is a mean count of positives, one that gives a single motif per
model (class optimisation) is *k of n* experiments. The selection rules are in
:mod:`gdashboard.report.statistics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gdashboard.methods import METHODS, motif_methods
from gdashboard.models.catalogue import ARCHITECTURES, model_order
from gdashboard.report.averages import mean
from gdashboard.results import recorded_jaspar_pseudocount

# The paper's Table 4 (57 TFs with a JASPAR motif, 108 K562 experiments): mean matches
# of 500 positive test sequences, and class optimization as (k, n). None: not applicable.
PAPER_TABLE4 = {
    "CNN": {"saliency": 243.9, "conv": 173.4, "temporal": None, "classopt": (19, 57)},
    "RNN": {"saliency": 168.1, "conv": None, "temporal": 53.5, "classopt": (11, 57)},
    "CNN-RNN": {"saliency": 138.6, "conv": 74.2, "temporal": 113.2, "classopt": (13, 57)},
}
# What every model of an architecture can be asked (gdashboard.models.capabilities): no
# recurrence in a CNN, no convolution in an RNN. A method the registry says needs what an
# architecture lacks is "not applicable" to it.
ARCHITECTURE_CAPABILITIES = {
    "CNN": frozenset({"neural", "differentiable", "convolutional"}),
    "RNN": frozenset({"neural", "differentiable", "recurrent"}),
    "CNN-RNN": frozenset({"neural", "differentiable", "convolutional", "recurrent"}),
}
SUFFIXES = ("", "_q")  # a match at Tomtom p, and at q


def window_methods() -> tuple[str, ...]:
    """Table 4's methods with a window per positive sequence: a mean count each."""
    return tuple(m for m in motif_methods() if METHODS[m].per_sequence)


def model_methods() -> tuple[str, ...]:
    """Table 4's methods with one motif per model: *k of n* experiments each."""
    return tuple(m for m in motif_methods() if not METHODS[m].per_sequence)


def table4_columns() -> list[str]:
    """The numeric columns of a Table 4 row (both CSVs), in order."""
    columns = ["n_experiments", "n_positives"]
    for suffix in SUFFIXES:
        columns += [m + suffix for m in window_methods()]
        for method in model_methods():
            columns += [f"{method}_matches{suffix}", f"{method}_of{suffix}"]
        columns.append("chance" + suffix)
    return [*columns, "saliency_fimo_overlap"]


def not_applicable(architecture: str | None) -> set[str]:
    """Table 4's methods that an architecture's models cannot be asked (none for another row)."""
    capabilities = ARCHITECTURE_CAPABILITIES.get(architecture or "")
    if capabilities is None:
        return set()
    return {
        name
        for name in motif_methods()
        if not METHODS[name].requires <= capabilities or METHODS[name].refuses & capabilities
    }


@dataclass
class Table4:
    """Table 4 per architecture and per model, and what was left out of it and why."""

    architectures: list[dict] = field(default_factory=list)
    presets: list[dict] = field(default_factory=list)
    notes: dict = field(default_factory=dict)


def motif_cell(results: list[dict]) -> dict:
    """One model on one experiment: motif counts averaged over the seeds that have them."""
    cell: dict[str, Any] = {"n_seeds": len(results), "methods": set()}
    for method in motif_methods():
        present = [r["methods"][method] for r in results if method in r["methods"]]
        if present:
            cell["methods"].add(method)
        for suffix, key in zip(SUFFIXES, ("matches", "matches_q")):
            cell[method + suffix] = mean([c[key] for c in present if c[key] is not None])
    positives = []
    for r in results:
        n = r["n_positives"]
        if n is None and "saliency" in r["methods"]:  # files from before n_positives
            n = r["methods"]["saliency"]["of"]
        if n is not None:
            positives.append(n)
    cell["n_positives"] = mean(positives)
    cell["saliency_fimo_overlap"] = mean(
        [r["saliency_fimo_overlap"] for r in results if r["saliency_fimo_overlap"] is not None]
    )
    for key, count in (("chance", "matches"), ("chance_q", "matches_q")):
        cell[key] = mean([r["chance"][count] for r in results if r.get("chance") and r["chance"][count] is not None])
    return cell


def table4_row(cells: dict[str, dict], architecture: str | None) -> dict:
    """Means over experiments of per-experiment motif cells; one-per-model matches summed."""
    values = list(cells.values())
    row: dict[str, Any] = {
        "n_experiments": len(values),
        "n_positives": mean([c["n_positives"] for c in values if c["n_positives"] is not None]),
    }
    for method in window_methods():
        for suffix in SUFFIXES:
            key = method + suffix
            row[key] = mean([c[key] for c in values if c[key] is not None])
    for method in model_methods():
        for suffix in SUFFIXES:
            matched = [c[method + suffix] for c in values if c[method + suffix] is not None]
            total = float(sum(matched))
            # Whole experiments unless seeds disagreed (a seed mean of 0.5 counts half).
            row[f"{method}_matches{suffix}"] = None if not matched else int(total) if total.is_integer() else total
            row[f"{method}_of{suffix}"] = len(matched)
    row["saliency_fimo_overlap"] = mean(
        [c["saliency_fimo_overlap"] for c in values if c["saliency_fimo_overlap"] is not None]
    )
    for key in ("chance", "chance_q"):
        row[key] = mean([c[key] for c in values if c.get(key) is not None])
    missing = not_applicable(architecture)
    if values:
        present = set().union(*(c["methods"] for c in values))
        missing |= set(motif_methods()) - present
    row["not_applicable"] = ";".join(m for m in motif_methods() if m in missing)
    return row


def table4(
    motifs: list[dict], runs: list[dict], representatives: list[dict], models: list[str], experiments: list[str]
) -> Table4:
    """Table 4 from normalised ``motifs.json`` results joined to the runs.

    ``representatives`` are Table 3's (one model per experiment and architecture);
    ``models`` and ``experiments`` the report's, in table order.
    """
    grouped, not_in_jaspar, unmatched = _group_results(motifs, runs)
    excluded = set().union(*not_in_jaspar.values()) if not_in_jaspar else set()
    cells = {k: motif_cell(v) for k, v in grouped.items() if k[0] not in excluded}
    with_motifs = {e for e, _ in cells}
    architectures, missing = _architecture_rows(cells, representatives, excluded, with_motifs)
    notes = {
        "experiments": sorted(with_motifs),
        "not_in_jaspar": {tf: sorted(e) for tf, e in sorted(not_in_jaspar.items())},
        "unmatched": unmatched,
        "missing": missing,
        **_recorded_notes(motifs),
    }
    return Table4(architectures, _preset_rows(cells, grouped, models, experiments), notes)


def _group_results(motifs: list[dict], runs: list[dict]) -> tuple[dict, dict[str, set[str]], list[str]]:
    """Motif results per (experiment, model) of an available run; the TFs JASPAR lacks
    (TF -> experiments); the results that match no run."""
    run_keys = {(r["experiment"], r["model"], r["seed"]) for r in runs if r["available"]}
    not_in_jaspar: dict[str, set[str]] = {}
    unmatched: list[str] = []
    grouped: dict[tuple[str, str], list[dict]] = {}
    for result in motifs:
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
    for run in runs:
        if run["preset"] == "pwm" and not run["available"]:
            not_in_jaspar.setdefault(run["tf"], set()).add(run["experiment"])
    return grouped, not_in_jaspar, unmatched


def _architecture_rows(
    cells: dict, representatives: list[dict], excluded: set[str], with_motifs: set[str]
) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """One row per architecture over its representatives' cells, and the (experiment,
    architecture, model) whose representative has no motif result."""
    rows, missing = [], []
    for architecture in ARCHITECTURES:
        mine: dict[str, dict] = {}
        counts: dict[str, int] = {}
        for rep in representatives:
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
        row = {"architecture": architecture, **table4_row(mine, architecture)}
        row["representatives"] = ", ".join(f"{m} ×{counts[m]}" for m in sorted(counts, key=model_order))
        rows.append(row)
    return rows, missing


def _preset_rows(cells: dict, grouped: dict, models: list[str], experiments: list[str]) -> list[dict]:
    """One row per model with motif results, over the experiments where it has them."""
    rows = []
    for model in models:
        mine = {e: cells[e, model] for e in experiments if (e, model) in cells}
        if not mine:
            continue
        result = next(v[0] for k, v in grouped.items() if k[1] == model)
        rows.append(
            {
                "model": model,
                "preset": result["preset"],
                "pooling": result["pooling"],
                "architecture": result["architecture"] or "baseline",
                **table4_row(mine, result["architecture"]),
            }
        )
    return rows


def _recorded_notes(motifs: list[dict]) -> dict:
    """What the motif results recorded that the notes compare: releases, thresholds, rules."""
    return {
        "jaspar_releases": sorted({str(r["jaspar_release"]) for r in motifs if r.get("jaspar_release")}),
        "p_thresholds": sorted({r["p_threshold"] for r in motifs if r["p_threshold"]}),
        "q_thresholds": sorted({r["q_threshold"] for r in motifs if r["q_threshold"]}),
        # The temporal window's rule changed between versions (gdash motifs records it).
        "temporal_versions": sorted({r.get("extraction_version") or 1 for r in motifs if "temporal" in r["methods"]}),
        "without_chance": sum(1 for r in motifs if r["tf_in_jaspar"] and not r.get("chance")),
        "jaspar_pseudocounts": sorted({recorded_jaspar_pseudocount(r) for r in motifs if r["tf_in_jaspar"]}),
    }
