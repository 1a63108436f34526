"""Table 4 and the TF-MoDISco rows as report sections (Markdown and CSV).

Table 4's method columns are the registry's motif methods in its order, each headed by
its record's ``heading`` (:func:`gdashboard.methods.motif_methods`); a method with a
window per sequence shows a mean count, one with a motif per model *k of n*.
"""

from __future__ import annotations

from typing import Any

from gdashboard.methods import METHODS, motif_methods
from gdashboard.report.section import Section
from gdashboard.report.statistics import Report
from gdashboard.report.table4 import PAPER_TABLE4, table4_columns
from gdashboard.results import MOTIFS_FILE

CHANCE_TITLE = "chance (shuffled windows)"
NOT_APPLICABLE_MARK = "–"


def method_headings() -> list[str]:
    """Table 4's method columns: each motif method's heading, in the registry's order."""
    return [METHODS[name].heading for name in motif_methods()]


def _number_text(value: float, decimals: int = 1) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.{decimals}f}"


def _mean_text(value: float | None, not_applicable: bool) -> str:
    if not_applicable:
        return NOT_APPLICABLE_MARK
    return "" if value is None else f"{value:.1f}"


def _k_of_n_text(matches: float | int | None, of: int, not_applicable: bool) -> str:
    if not_applicable:
        return NOT_APPLICABLE_MARK
    if matches is None:
        return ""
    return f"{_number_text(matches)} of {of}"


def _method_cells(row: dict, suffix: str) -> dict[str, str]:
    """A Table 4 row's method columns as Markdown, at p (``suffix`` "") or q ("_q")."""
    not_applicable = set(row["not_applicable"].split(";")) - {""}
    cells = {}
    for name in motif_methods():
        record = METHODS[name]
        if record.per_sequence:
            text = _mean_text(row[name + suffix], name in not_applicable)
        else:
            text = _k_of_n_text(row[f"{name}_matches{suffix}"], row[f"{name}_of{suffix}"], name in not_applicable)
        cells[record.heading] = text
    return cells


def _table4_markdown(rows: list[dict], label: str, suffix: str) -> tuple[list[str], list[dict]]:
    """Markdown columns and rows of Table 4 at p (``suffix`` "") or q (``suffix`` "_q")."""
    columns = [label, "experiments", "positives", *method_headings(), CHANCE_TITLE]
    if not suffix:
        columns.append("saliency–FIMO overlap")
    if label == "architecture":
        columns.append("representatives")
    shown = []
    for row in rows:
        md: dict[str, Any] = {
            label: row[label],
            "experiments": row["n_experiments"],
            "positives": "" if row["n_positives"] is None else _number_text(row["n_positives"]),
            **_method_cells(row, suffix),
        }
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


def table4_sections(report: Report) -> list[Section]:
    """Table 4 per architecture (at p, at q), the paper's, and per model (at p, at q)."""
    notes = report.table4_notes
    p = _thresholds(notes["p_thresholds"], 0.05)
    q = _thresholds(notes["q_thresholds"], 0.5)
    columns = ["architecture", *table4_columns(), "not_applicable", "representatives"]
    md_columns, md_rows = _table4_markdown(report.table4_architectures, "architecture", "")
    architectures = Section(
        key="table4_architectures",
        title=f"Table 4: JASPAR matches per architecture (Tomtom p < {p})",
        columns=columns,
        rows=report.table4_architectures,
        csv_name="table4_architectures.csv",
        markdown_columns=md_columns,
        markdown_rows=md_rows,
        before=[_table4_explanation(len(notes["experiments"]))],
        after=_table4_notes(notes),
    )
    md_columns, md_rows = _table4_markdown(report.table4_architectures, "architecture", "_q")
    architectures_q = Section(
        key="table4_architectures_q",
        title=f"Table 4 at q < {q}: JASPAR matches per architecture",
        columns=columns,
        rows=report.table4_architectures,
        markdown_columns=md_columns,
        markdown_rows=md_rows,
        before=[
            f"As above, counting a match only at Tomtom q < {q} (MEME Tomtom's default "
            "reporting threshold) instead of p. Same experiments; columns `*_q` of "
            "table4_architectures.csv."
        ],
    )
    return [architectures, architectures_q, _paper_section(), *_preset_sections(report, p, q)]


def _table4_explanation(n: int) -> str:
    return (
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


def _paper_cell(name: str, published: dict) -> str:
    """One published Table 4 cell; empty for a method the paper did not have."""
    if name not in published:
        return ""
    value = published[name]
    if value is None:
        return NOT_APPLICABLE_MARK
    if METHODS[name].per_sequence:
        return f"{value:.1f}"
    k, of = value
    return f"{k} of {of}"


def _paper_section() -> Section:
    rows = [
        {"architecture": architecture, **{METHODS[m].heading: _paper_cell(m, published) for m in motif_methods()}}
        for architecture, published in PAPER_TABLE4.items()
    ]
    return Section(
        key="table4_paper",
        title="Table 4 as published in the paper (for comparison; not computed here)",
        columns=["architecture", *method_headings()],
        rows=rows,
        before=[
            "The paper's own figures: 108 K562 experiments, 57 TFs with a JASPAR motif; "
            "saliency, convolution activations and temporal output are mean matches of 500 "
            "positive test sequences, class optimization is matches of 57."
        ],
    )


def _preset_sections(report: Report, p: str, q: str) -> list[Section]:
    columns = ["model", "preset", "pooling", "architecture", *table4_columns(), "not_applicable"]
    md_columns, md_rows = _table4_markdown(report.table4_presets, "model", "")
    presets = Section(
        key="table4_presets",
        title=f"Table 4 per model (Tomtom p < {p})",
        columns=columns,
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
        columns=columns,
        rows=report.table4_presets,
        markdown_columns=md_columns,
        markdown_rows=md_rows,
    )
    return [presets, presets_q]


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


def pattern_sections(report: Report) -> list[Section]:
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
