"""The report's renderers: rows of :mod:`gdashboard.report.statistics` as Markdown and CSV.

A :class:`~gdashboard.report.section.Section` is one titled table: the rows it writes to
its CSV at full precision, and what its Markdown shows (rounded numbers, "mean ± sd"
cells, the notes around the table). This module makes the sections of test AUCs (per
experiment, Tables 2 and 3, ``auto``); :mod:`gdashboard.report.motif_sections` those of
Table 4 and the TF-MoDISco rows. :func:`sections` lists the report's sections in order;
:func:`to_markdown` joins them into ``report.md``.
"""

from __future__ import annotations

from typing import Any

from gdashboard.models.catalogue import model_order
from gdashboard.report.motif_sections import pattern_sections, table4_sections
from gdashboard.report.section import CSV_NAMES, Section, format_markdown
from gdashboard.report.statistics import PAPER_RANKING, Report

__all__ = ["CSV_NAMES", "Section", "section", "sections", "to_markdown"]

_TTEST_COLUMNS = ["a", "b", "n", "mean_a", "mean_b", "mean_difference", "t", "p", "higher"]


def _auc_cell(cell: dict | None) -> str:
    if cell is None:
        return ""
    if not cell["available"]:
        return "n/a"
    if cell["test_auc_sd"] is None:
        return f"{cell['test_auc_mean']:.3f}"
    return f"{cell['test_auc_mean']:.3f} ± {cell['test_auc_sd']:.3f}"


def _auc_sections(report: Report) -> list[Section]:
    """Test AUCs: per experiment, Table 2, the architectures, Table 3, and ``auto``."""
    found = [
        _per_experiment_section(report),
        _table2_section(report),
        _architectures_section(report),
        Section(
            key="table3_architectures",
            title="Table 3: paired t-tests between architectures",
            columns=["kind", *_TTEST_COLUMNS],
            rows=report.table3_architectures,
            csv_name="table3_architectures.csv",
            before=[
                "Two-tailed paired t-test of per-experiment test AUC over the experiments where "
                "both sides have a value; mean_difference = a − b."
            ],
        ),
        Section(
            key="table3_presets",
            title="Paired t-tests between models",
            columns=list(_TTEST_COLUMNS),
            rows=report.table3_presets,
            csv_name="table3_presets.csv",
            before=["Every pair of models, baselines included, over their shared experiments."],
            after=[] if report.best_vs_deepbind is None else [_best_line(report.best_vs_deepbind)],
        ),
    ]
    if report.auto:
        found.extend(_auto_sections(report))
    return found


def _per_experiment_section(report: Report) -> Section:
    """Per experiment: the CSV has, per model, the seed mean (or "n/a"), sd and seed count."""
    by_key = {(c["experiment"], c["model"]): c for c in report.cells}
    models = report.models
    csv_columns = ["experiment", "tf"]
    for model in models:
        csv_columns += [model, f"{model} sd", f"{model} seeds"]
    csv_rows, md_rows = [], []
    for experiment, base in zip(report.experiments, report.per_experiment):
        csv_row: dict[str, Any] = {"experiment": experiment, "tf": base["tf"]}
        md_row: dict[str, Any] = {"experiment": experiment, "tf": base["tf"]}
        for model in models:
            cell = by_key.get((experiment, model))
            md_row[model] = _auc_cell(cell)
            if cell is not None:
                csv_row[model] = cell["test_auc_mean"] if cell["available"] else "n/a"
                csv_row[f"{model} sd"] = cell["test_auc_sd"]
                csv_row[f"{model} seeds"] = cell["n_seeds"]
        csv_rows.append(csv_row)
        md_rows.append(md_row)
    return Section(
        key="per_experiment",
        title="Test AUC per experiment",
        columns=csv_columns,
        rows=csv_rows,
        csv_name="per_experiment.csv",
        markdown_columns=["experiment", "tf", *models],
        markdown_rows=md_rows,
        before=[
            "Mean over seeds, ± sample sd where a model has several seeds. "
            "`n/a`: the model is unavailable for that experiment; empty: not run. "
            "`(max)`: max pooling over time instead of the paper's mean."
        ],
        after=_unavailable_notes(report.cells),
    )


def _table2_section(report: Report) -> Section:
    columns = ["model", "preset", "pooling", "architecture", "n_experiments", "mean", "median", "sd"]
    columns += ["n_unavailable", "train_seconds", "predict_seconds"]
    return Section(
        key="table2",
        title="Table 2: test AUC per model",
        columns=columns,
        rows=report.table2,
        csv_name="table2.csv",
        markdown_columns=[c for c in columns if c not in ("preset", "pooling")],
        before=[
            "Across experiments (each one's value is its seed mean); sd with ddof = 1. "
            "Models with fewer experiments are summarised over those only, so compare "
            "them through the paired tests below. train_seconds and predict_seconds: the "
            "cost per experiment (training with its validation, and scoring the test set), "
            "where the runs recorded it; an ensemble's training is the sum of its members'."
        ],
    )


def _architectures_section(report: Report) -> Section:
    pooling_note = (
        "mean- and max-pooled recurrent presets compete"
        if report.include_max_in_architectures
        else "only the paper's mean-pooled recurrent presets compete (`--include-max` lets "
        "the max-pooled forms compete too)"
    ) + "; each preset competes in every strand form it was trained in, seed ensembles do not"
    return Section(
        key="architectures",
        title="Architectures",
        columns=["architecture", "n_experiments", "mean", "median", "sd", "representatives"],
        rows=report.architectures,
        before=[
            "Per experiment, each architecture is represented by its preset with the best "
            f"mean validation AUC (never test AUC); {pooling_note}. Equal validation AUCs go to "
            "the preset listed first "
            "(the smaller); a run without a validation AUC cannot represent."
        ],
        after=[_ranking_line(report.ranking)],
    )


def _auto_sections(report: Report) -> list[Section]:
    chosen = Section(
        key="auto",
        title="auto: the network chosen by validation AUC",
        columns=["experiment", "model", "candidates", "validation_auc", "test_auc"],
        rows=report.auto,
        csv_name="auto.csv",
        before=[
            "Per experiment, among every trained network (presets, poolings, strand options, "
            "seed ensembles, DeepBind), the one with the best mean validation AUC; its test AUC "
            "was never looked at to choose it. A seed ensemble's validation AUC is its members' "
            "mean, and on that tie the ensemble is chosen. Below, `auto` against each baseline "
            "(two-tailed paired t-test)."
        ],
    )
    tests = Section(
        key="auto_tests",
        title="auto against the baselines",
        columns=list(_TTEST_COLUMNS),
        rows=report.auto_tests,
        csv_name="auto_tests.csv",
    )
    return [chosen, tests]


def _unavailable_notes(cells: list[dict]) -> list[str]:
    counts: dict[str, list[dict]] = {}
    for cell in cells:
        if not cell["available"]:
            counts.setdefault(cell["model"], []).append(cell)
    lines = []
    for model in sorted(counts, key=model_order):
        reasons = sorted({c["reason"] for c in counts[model] if c["reason"]})
        shown = "; ".join(reasons[:3]) + ("; …" if len(reasons) > 3 else "")
        line = f"- {model}: unavailable on {len(counts[model])} experiment(s)"
        lines.append(line + (f" ({shown})" if shown else ""))
    return ["Unavailable:\n\n" + "\n".join(lines)] if lines else []


def _ranking_line(ranking: dict) -> str:
    order, means = ranking["order"], ranking["means"]
    if not order:
        return "No architecture has a run with a validation AUC, so none can be ranked."
    ranked = " > ".join(f"{a} ({means[a]:.3f})" for a in order)
    line = f"Ranking by mean test AUC over {ranking['basis']}: {ranked}. "
    paper = " > ".join(PAPER_RANKING)
    if ranking["paper_order_holds"] is None:
        return line + (f"The paper's ranking {paper} cannot be checked: not all three architectures are present.")
    if ranking["paper_order_holds"]:
        return line + f"This matches the paper's ranking {paper}."
    return line + f"This differs from the paper's ranking {paper}."


def _best_line(row: dict) -> str:
    text = (
        f"Best model of Table 2, {row['a']}, vs {row['b']} on {row['n']} shared experiment(s): "
        f"{row['mean_a']:.3f} vs {row['mean_b']:.3f} (difference {row['mean_difference']:+.3f}"
    )
    if row["p"] is None:
        return text + "; too few shared experiments for a t-test)."
    text += f", t = {format_markdown('t', row['t'])}, p = {format_markdown('p', row['p'])}"
    return text + ("). The model is picked after seeing test AUCs, so read this p-value as descriptive.")


def sections(report: Report) -> list[Section]:
    """The report's sections in order: Tables 2 and 3, Table 4 with motif results, and
    the TF-MoDISco rows with pattern results."""
    found = _auc_sections(report)
    if report.motifs:
        found.extend(table4_sections(report))
    if report.patterns:
        found.extend(pattern_sections(report))
    return found


def section(report: Report, key: str) -> Section:
    """The section called ``key``."""
    for candidate in sections(report):
        if candidate.key == key:
            return candidate
    raise KeyError(key)


def to_markdown(report: Report, rendered: list[Section] | None = None) -> str:
    """The whole report as one Markdown document (``rendered``: its sections, if made already)."""
    n_seeds = {c["n_seeds"] for c in report.cells if c["n_seeds"]}
    seeds = f"{min(n_seeds)}–{max(n_seeds)}" if len(n_seeds) > 1 else str(next(iter(n_seeds), 0))
    head = (
        "# Deep Motif Dashboard: model comparison\n\n"
        f"{len(report.runs)} runs, {len(report.experiments)} experiments, {len(report.models)} "
        f"models, {seeds} seed(s) per model and experiment. Test AUC throughout; "
        "numbers rounded to 3 decimals (the CSVs hold full precision).\n"
    )
    rendered = sections(report) if rendered is None else rendered
    return "\n".join([head, *(s.to_markdown() for s in rendered)])
