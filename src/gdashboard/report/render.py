"""The report's renderers: rows of :mod:`gdashboard.report.statistics` as Markdown and CSV.

A :class:`Section` is one titled table: the rows it writes to its CSV at full
precision, and what its Markdown shows (rounded numbers, "mean ± sd" cells, the
notes around the table). :func:`sections` lists the report's sections in order;
:func:`to_markdown` joins them into ``report.md``.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any

from gdashboard.models.catalogue import model_order
from gdashboard.report.statistics import PAPER_RANKING, PAPER_TABLE4, Report
from gdashboard.results import MOTIF_METHODS, MOTIFS_FILE

_TTEST_COLUMNS = ["a", "b", "n", "mean_a", "mean_b", "mean_difference", "t", "p", "higher"]
MOTIF_METHOD_TITLES = {
    "saliency": "saliency",
    "conv": "convolution activations",
    "temporal": "temporal output",
    "classopt": "class optimization",
}
_TABLE4_COLUMNS = [
    "n_experiments",
    "n_positives",
    *MOTIF_METHODS[:3],
    "classopt_matches",
    "classopt_of",
    "chance",
    *(f"{m}_q" for m in MOTIF_METHODS[:3]),
    "classopt_matches_q",
    "classopt_of_q",
    "chance_q",
    "saliency_fimo_overlap",
]
CHANCE_TITLE = "chance (shuffled windows)"
# Every CSV a report may hold: a rerun removes those it no longer makes (see write_report).
CSV_NAMES = (
    "per_experiment.csv",
    "table2.csv",
    "table3_architectures.csv",
    "table3_presets.csv",
    "auto.csv",
    "auto_tests.csv",
    "table4_architectures.csv",
    "table4_presets.csv",
    "patterns.csv",
)


@dataclass
class Section:
    """One titled table of the report, rendered to Markdown and (optionally) a CSV.

    Attributes
    ----------
    key
        Short name; the key of its CSV in :func:`write_report`'s result.
    title
        Markdown heading.
    columns
        Keys of ``rows`` written to the CSV, in order.
    rows
        The data, full precision.
    csv_name
        File name of the CSV, or None for a Markdown-only section.
    markdown_columns, markdown_rows
        What the Markdown table shows, when it differs from the CSV (e.g. "mean ± sd"
        strings); default: ``columns`` and ``rows``.
    before, after
        Markdown paragraphs around the table.
    """

    key: str
    title: str
    columns: list[str]
    rows: list[dict]
    csv_name: str | None = None
    markdown_columns: list[str] | None = None
    markdown_rows: list[dict] | None = None
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.csv_name is not None and self.csv_name not in CSV_NAMES:
            raise ValueError(f"{self.csv_name!r} is not in CSV_NAMES")

    def to_markdown(self) -> str:
        """The section as Markdown: heading, paragraphs and a pipe table."""
        columns = self.markdown_columns or self.columns
        rows = self.markdown_rows if self.markdown_rows is not None else self.rows
        parts = [f"## {self.title}", *self.before]
        if rows:
            lines = [
                "| " + " | ".join(_escape(c) for c in columns) + " |",
                "|" + "|".join("---" for _ in columns) + "|",
            ]
            for row in rows:
                cells = (_escape(_format_markdown(c, row.get(c))) for c in columns)
                lines.append("| " + " | ".join(cells) + " |")
            parts.append("\n".join(lines))
        else:
            parts.append("_Nothing to show._")
        parts.extend(self.after)
        return "\n\n".join(parts) + "\n"

    def to_csv(self) -> str:
        """The section's rows as CSV text, floats at full precision, None as empty."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_format_csv(row.get(c)) for c in self.columns])
        return buffer.getvalue()


def _escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _format_markdown(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        # p-values span many orders of magnitude: 3 decimals would print most as 0.000.
        if column in ("p", "first_tf_q", "window_p"):
            return f"{value:.2e}"
        if column.endswith("_seconds"):  # from milliseconds (k-mers) to hours (gkm-SVM)
            return f"{value:.3g}" if value < 100 else f"{value:,.0f}"
        return f"{value:.3f}"
    return str(value)


def _format_csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    return str(value)


def _auc_cell(cell: dict | None) -> str:
    if cell is None:
        return ""
    if not cell["available"]:
        return "n/a"
    if cell["test_auc_sd"] is None:
        return f"{cell['test_auc_mean']:.3f}"
    return f"{cell['test_auc_mean']:.3f} ± {cell['test_auc_sd']:.3f}"


def _sections(report: Report, by_key: dict[tuple[str, str], dict]) -> list[Section]:
    models = report.models
    # Per-experiment: the CSV has, per model, the seed mean (or "n/a"), sd and seed count.
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
    unavailable = _unavailable_notes(report.cells)
    per_experiment = Section(
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
        after=unavailable,
    )

    table2_columns = ["model", "preset", "pooling", "architecture", "n_experiments", "mean", "median", "sd"]
    table2_columns += ["n_unavailable", "train_seconds", "predict_seconds"]
    table2 = Section(
        key="table2",
        title="Table 2: test AUC per model",
        columns=table2_columns,
        rows=report.table2,
        csv_name="table2.csv",
        markdown_columns=[c for c in table2_columns if c not in ("preset", "pooling")],
        before=[
            "Across experiments (each one's value is its seed mean); sd with ddof = 1. "
            "Models with fewer experiments are summarised over those only, so compare "
            "them through the paired tests below. train_seconds and predict_seconds: the "
            "cost per experiment (training with its validation, and scoring the test set), "
            "where the runs recorded it; an ensemble's training is the sum of its members'."
        ],
    )

    pooling_note = (
        "mean- and max-pooled recurrent presets compete"
        if report.include_max_in_architectures
        else "only the paper's mean-pooled recurrent presets compete (`--include-max` lets "
        "the max-pooled forms compete too)"
    ) + "; each preset competes in every strand form it was trained in, seed ensembles do not"
    architectures = Section(
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

    table3 = Section(
        key="table3_architectures",
        title="Table 3: paired t-tests between architectures",
        columns=["kind", *_TTEST_COLUMNS],
        rows=report.table3_architectures,
        csv_name="table3_architectures.csv",
        before=[
            "Two-tailed paired t-test of per-experiment test AUC over the experiments where "
            "both sides have a value; mean_difference = a − b."
        ],
    )

    after = []
    if report.best_vs_deepbind is not None:
        after.append(_best_line(report.best_vs_deepbind))
    presets = Section(
        key="table3_presets",
        title="Paired t-tests between models",
        columns=list(_TTEST_COLUMNS),
        rows=report.table3_presets,
        csv_name="table3_presets.csv",
        before=["Every pair of models, baselines included, over their shared experiments."],
        after=after,
    )
    found = [per_experiment, table2, architectures, table3, presets]
    if report.auto:
        found.append(
            Section(
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
        )
        found.append(
            Section(
                key="auto_tests",
                title="auto against the baselines",
                columns=list(_TTEST_COLUMNS),
                rows=report.auto_tests,
                csv_name="auto_tests.csv",
            )
        )
    return found


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
    text += f", t = {_format_markdown('t', row['t'])}, p = {_format_markdown('p', row['p'])}"
    return text + ("). The model is picked after seeing test AUCs, so read this p-value as descriptive.")


def _number_text(value: float, decimals: int = 1) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.{decimals}f}"


def _classopt_text(matches: float | int | None, of: int, not_applicable: bool) -> str:
    if not_applicable:
        return "–"
    if matches is None:
        return ""
    return f"{_number_text(matches)} of {of}"


def _table4_markdown(rows: list[dict], label: str, suffix: str) -> tuple[list[str], list[dict]]:
    """Markdown columns and rows of Table 4 at p (``suffix`` "") or q (``suffix`` "_q")."""
    columns = [label, "experiments", "positives", *(MOTIF_METHOD_TITLES[m] for m in MOTIF_METHODS), CHANCE_TITLE]
    if not suffix:
        columns.append("saliency–FIMO overlap")
    if label == "architecture":
        columns.append("representatives")
    shown = []
    for row in rows:
        not_applicable = set(row["not_applicable"].split(";")) - {""}
        md: dict[str, Any] = {
            label: row[label],
            "experiments": row["n_experiments"],
            "positives": "" if row["n_positives"] is None else _number_text(row["n_positives"]),
        }
        for method in MOTIF_METHODS[:3]:
            value = row[method + suffix]
            md[MOTIF_METHOD_TITLES[method]] = (
                "–" if method in not_applicable else "" if value is None else f"{value:.1f}"
            )
        md[MOTIF_METHOD_TITLES["classopt"]] = _classopt_text(
            row["classopt_matches" + suffix],
            row["classopt_of" + suffix],
            "classopt" in not_applicable,
        )
        chance = row["chance" + suffix]
        md[CHANCE_TITLE] = "" if chance is None else f"{chance:.1f}"
        overlap = row["saliency_fimo_overlap"]
        md["saliency–FIMO overlap"] = "" if overlap is None else f"{overlap:.3f}"
        md["representatives"] = row.get("representatives", "")
        shown.append(md)
    return columns, shown


def _thresholds(values: list[float], default: float) -> str:
    if not values:
        return f"{default:g}"
    return "/".join(f"{v:g}" for v in values) + (" (the files differ)" if len(values) > 1 else "")


def _table4_notes(notes: dict) -> list[str]:
    lines = []
    lacking = notes["not_in_jaspar"]
    if lacking:
        release = "/".join(notes["jaspar_releases"]) or "JASPAR"
        listed = ", ".join(f"{tf} ({len(e)} experiment{'s' if len(e) != 1 else ''})" for tf, e in lacking.items())
        lines.append(f"Left out of Table 4: TFs with no motif in {release}, so no match can be counted: {listed}.")
    if notes["missing"]:
        shown = "; ".join(f"{e} {a} ({m})" for e, a, m in notes["missing"][:5])
        more = f"; … ({len(notes['missing'])} in all)" if len(notes["missing"]) > 5 else ""
        lines.append(
            "Left out for an architecture: experiments whose representative has no "
            f"{MOTIFS_FILE} (no other preset is substituted): {shown}{more}."
        )
    versions = notes.get("temporal_versions", [])
    if len(versions) > 1:
        lines.append(
            "Mixed rules: the temporal-output counts come from motif results of extraction "
            f"versions {', '.join(map(str, versions))} (rerun `gdash motifs` on the older ones "
            "for one rule throughout)."
        )
    pseudocounts = notes.get("jaspar_pseudocounts", [])
    if len(pseudocounts) > 1:
        lines.append(
            "Mixed JASPAR matrices: the motif results compared with JASPAR counts plus "
            f"pseudocounts {', '.join(f'{p:g}' for p in pseudocounts)} (results without the "
            "field used 0.8; rerun `gdash motifs` on them for one throughout)."
        )
    if notes.get("without_chance"):
        lines.append(
            f"{notes['without_chance']} motif result(s) predate the chance count; the chance "
            "column averages the others."
        )
    if notes["unmatched"]:
        shown = ", ".join(notes["unmatched"][:3])
        more = f", … ({len(notes['unmatched'])} in all)" if len(notes["unmatched"]) > 3 else ""
        lines.append(
            f"Ignored: {MOTIFS_FILE} files matching no available run (same experiment, "
            f"preset, pooling and seed): {shown}{more}."
        )
    return lines


def _table4_sections(report: Report) -> list[Section]:
    notes = report.table4_notes
    p = _thresholds(notes["p_thresholds"], 0.05)
    q = _thresholds(notes["q_thresholds"], 0.5)
    n = len(notes["experiments"])
    explain = (
        f"Over {n} experiment(s) with motif results whose TF has a JASPAR motif: per method, "
        "the mean number of positive test sequences (of `positives`) whose extracted window "
        "matches one of the TF's JASPAR motifs by Tomtom; class optimization gives one motif "
        "per model, so it is counted as *k of n*, n being the experiments the row covers "
        "(all of them with a JASPAR motif). Each architecture is represented per "
        "experiment by the same preset as in Table 3 (best mean validation AUC) and is "
        "averaged over its own experiments. `–`: not applicable to the architecture; "
        "chance: the same count for windows at the saliency windows' places in a "
        "dinucleotide shuffle of each positive (no motif left), the floor of the match "
        "criterion; saliency–FIMO overlap: mean fraction of positives whose saliency window "
        "overlaps a FIMO site of the TF's motifs."
    )
    arch_columns = ["architecture", *_TABLE4_COLUMNS, "not_applicable", "representatives"]
    preset_columns = ["model", "preset", "pooling", "architecture", *_TABLE4_COLUMNS, "not_applicable"]
    md_columns, md_rows = _table4_markdown(report.table4_architectures, "architecture", "")
    architectures = Section(
        key="table4_architectures",
        title=f"Table 4: JASPAR matches per architecture (Tomtom p < {p})",
        columns=arch_columns,
        rows=report.table4_architectures,
        csv_name="table4_architectures.csv",
        markdown_columns=md_columns,
        markdown_rows=md_rows,
        before=[explain],
        after=_table4_notes(notes),
    )
    md_columns, md_rows = _table4_markdown(report.table4_architectures, "architecture", "_q")
    architectures_q = Section(
        key="table4_architectures_q",
        title=f"Table 4 at q < {q}: JASPAR matches per architecture",
        columns=arch_columns,
        rows=report.table4_architectures,
        markdown_columns=md_columns,
        markdown_rows=md_rows,
        before=[
            f"As above, counting a match only at Tomtom q < {q} (MEME Tomtom's default "
            "reporting threshold) instead of p. Same experiments; columns `*_q` of "
            "table4_architectures.csv."
        ],
    )
    paper_rows = []
    for architecture, values in PAPER_TABLE4.items():
        row = {"architecture": architecture}
        for method in MOTIF_METHODS[:3]:
            value = values[method]
            row[MOTIF_METHOD_TITLES[method]] = "–" if value is None else f"{value:.1f}"
        k, of = values["classopt"]
        row[MOTIF_METHOD_TITLES["classopt"]] = f"{k} of {of}"
        paper_rows.append(row)
    paper = Section(
        key="table4_paper",
        title="Table 4 as published in the paper (for comparison; not computed here)",
        columns=["architecture", *(MOTIF_METHOD_TITLES[m] for m in MOTIF_METHODS)],
        rows=paper_rows,
        before=[
            "The paper's own figures: 108 K562 experiments, 57 TFs with a JASPAR motif; "
            "saliency, convolution activations and temporal output are mean matches of 500 "
            "positive test sequences, class optimization is matches of 57."
        ],
    )
    md_columns, md_rows = _table4_markdown(report.table4_presets, "model", "")
    presets = Section(
        key="table4_presets",
        title=f"Table 4 per model (Tomtom p < {p})",
        columns=preset_columns,
        rows=report.table4_presets,
        csv_name="table4_presets.csv",
        markdown_columns=md_columns,
        markdown_rows=md_rows,
        before=["Every model with motif results, over the experiments where it has them."],
    )
    md_columns, md_rows = _table4_markdown(report.table4_presets, "model", "_q")
    presets_q = Section(
        key="table4_presets_q",
        title=f"Table 4 per model at q < {q}",
        columns=preset_columns,
        rows=report.table4_presets,
        markdown_columns=md_columns,
        markdown_rows=md_rows,
    )
    return [architectures, architectures_q, paper, presets, presets_q]


PATTERN_COLUMNS = [
    "experiment",
    "tf",
    "model",
    "seed",
    "attribution",
    "n_sequences",
    "n_patterns",
    "first_tf_rank",
    "first_tf_q",
    "first_tf_seqlets",
    "cofactors",
    "family",
    "window_matches",
    "window_chance",
    "window_p",
    "windows_find_tf",
]


def _pattern_sections(report: Report) -> list[Section]:
    patterns = Section(
        key="patterns",
        title="TF-MoDISco patterns beside Table 4",
        columns=PATTERN_COLUMNS,
        rows=report.pattern_rows,
        csv_name="patterns.csv",
        before=[
            "Per model and experiment (`gdash modisco`): the patterns TF-MoDISco found in the "
            "attributions of the positive test sequences, the rank of the first one matching the "
            "TF's JASPAR motif (Tomtom q < 0.05; its q and seqlet count; empty: none) and the other "
            "TFs its patterns match (co-factors). Beside them, from `gdash motifs` where present: "
            "the saliency 9-bp windows matching the TF (p < 0.05), the same count for shuffled "
            "windows, and a one-sided Fisher test of the two; the windows *find* the TF at p < 0.05."
        ],
    )
    found = Section(
        key="patterns_found",
        title="Which method finds the TF's motif",
        columns=["model", "tfs", "modisco_finds", "tfs_with_windows", "windows_find", "modisco_finds_of_those"],
        rows=report.pattern_found,
        before=[
            "Per model, over the TFs with a JASPAR motif: TFs whose motif TF-MoDISco finds (any "
            "experiment), and, among the TFs with window results too, how many the 9-bp windows "
            "find and how many TF-MoDISco finds."
        ],
    )
    return [patterns, found]


def sections(report: Report) -> list[Section]:
    """The report's sections in order: Tables 2 and 3, Table 4 with motif results, and
    the TF-MoDISco rows with pattern results."""
    by_key = {(c["experiment"], c["model"]): c for c in report.cells}
    found = _sections(report, by_key)
    if report.motifs:
        found.extend(_table4_sections(report))
    if report.patterns:
        found.extend(_pattern_sections(report))
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
