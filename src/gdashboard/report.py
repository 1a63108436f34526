"""Compare trained runs: the paper's Tables 2, 3 and 4, from ``gdash train`` run folders.

Each run folder holds ``metrics.json``. :func:`collect_runs` reads them (a folder may
also *contain* run folders, searched recursively), :func:`summarise` turns them into a
:class:`Report` (plain lists of dicts, usable from a notebook), and :func:`write_report`
writes ``report.md`` and one CSV per table.

Choices made where the paper is silent
--------------------------------------
* A model is a preset plus its pooling: ``"small-rnn"`` is the paper's mean pooling,
  ``"small-rnn (max)"`` is max pooling, and the two are separate models in every table.
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
(experiment, model, seed), where the model is the preset plus its pooling as above.

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

New sections are added by appending a :class:`Section` to :attr:`Report.sections`;
:func:`write_report` renders whatever is there.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from scipy import stats

from gdashboard.errors import InputError
from gdashboard.fileio import write_text
from gdashboard.motifs.analysis import recorded_jaspar_pseudocount

METRICS_FILE = "metrics.json"
MOTIFS_FILE = "motifs.json"

# Presets in the order the tables show them: the paper's architectures, then baselines.
PRESET_ARCHITECTURE: dict[str, str | None] = {
    "small-rnn": "RNN",
    "large-rnn": "RNN",
    "small-cnn": "CNN",
    "med-cnn": "CNN",
    "large-cnn": "CNN",
    "small-cnn-rnn": "CNN-RNN",
    "large-cnn-rnn": "CNN-RNN",
    "deepbind": None,
    "pwm": None,
    "kmer": None,
}
BASELINES = ("deepbind", "pwm", "kmer")
ARCHITECTURES = ("CNN", "RNN", "CNN-RNN")
# Only these have a pooling choice; a "pooling" recorded for anything else is ignored,
# so a CNN's own max-over-positions can never turn into a bogus "(max)" model.
RECURRENT = ("RNN", "CNN-RNN")
# The paper's Table 3 order: CNN vs RNN, CNN-RNN vs RNN, CNN-RNN vs CNN.
ARCHITECTURE_PAIRS = (("CNN", "RNN"), ("CNN-RNN", "RNN"), ("CNN-RNN", "CNN"))
PAPER_RANKING = ("CNN-RNN", "CNN", "RNN")

_TTEST_COLUMNS = ["a", "b", "n", "mean_a", "mean_b", "mean_difference", "t", "p", "higher"]

# Table 4: the motif extraction methods of ``gdash motifs``, in the paper's column order.
MOTIF_METHODS = ("saliency", "conv", "temporal", "classopt")
MOTIF_METHOD_TITLES = {
    "saliency": "saliency",
    "conv": "convolution activations",
    "temporal": "temporal output",
    "classopt": "class optimization",
}
# Methods an architecture cannot have: no recurrence in a CNN, no convolution in an RNN.
NOT_APPLICABLE = {"CNN": {"temporal"}, "RNN": {"conv"}}
# The paper's Table 4 (57 TFs with a JASPAR motif, 108 K562 experiments): mean matches
# of 500 positive test sequences, and class optimization as (k, n). None: not applicable.
PAPER_TABLE4 = {
    "CNN": {"saliency": 243.9, "conv": 173.4, "temporal": None, "classopt": (19, 57)},
    "RNN": {"saliency": 168.1, "conv": None, "temporal": 53.5, "classopt": (11, 57)},
    "CNN-RNN": {"saliency": 138.6, "conv": 74.2, "temporal": 113.2, "classopt": (13, 57)},
}
_TABLE4_COLUMNS = [
    "n_experiments", "n_positives",
    *MOTIF_METHODS[:3], "classopt_matches", "classopt_of", "chance",
    *(f"{m}_q" for m in MOTIF_METHODS[:3]), "classopt_matches_q", "classopt_of_q", "chance_q",
    "saliency_fimo_overlap",
]
CHANCE_TITLE = "chance (shuffled windows)"


# --------------------------------------------------------------------------- reading


def collect_runs(rundirs: Iterable[str | os.PathLike]) -> list[dict]:
    """Read ``metrics.json`` of every run folder given or found below the given folders.

    Parameters
    ----------
    rundirs
        Run folders (holding ``metrics.json``), ``metrics.json`` files themselves, or
        folders that contain run folders at any depth (e.g. ``runs/``). Hidden folders
        (name starting with ``.``) are not searched. ``motifs.json`` files, and folders
        holding only those, are accepted and skipped (see :func:`collect_motif_results`).

    Returns
    -------
    list of dict
        One dict per run, in the order found: the metrics as stored, checked and with
        defaults filled in (see :func:`normalise_run`), plus ``run_dir`` and
        ``metrics_path``. A file reached twice is read once.

    Raises
    ------
    InputError
        A path that does not exist, a folder with neither ``metrics.json`` nor
        ``motifs.json`` at or below it, paths holding no ``metrics.json`` at all, or a
        ``metrics.json`` that cannot be read, is not valid JSON (the message gives the
        line) or lacks a required key.
    """
    runs: list[dict] = []
    seen: set[Path] = set()
    given_paths = [Path(given) for given in rundirs]
    for given in given_paths:
        for metrics_path in _find_metrics(given):
            key = metrics_path.resolve()
            if key in seen:
                continue
            seen.add(key)
            run = normalise_run(_read_json(metrics_path), metrics_path)
            run["run_dir"] = str(metrics_path.parent)
            run["metrics_path"] = str(metrics_path)
            runs.append(run)
    if given_paths and not runs:
        # Only motifs.json files were given: there is nothing to join them to.
        where = given_paths[0] if len(given_paths) == 1 else None
        raise InputError(
            f"no {METRICS_FILE} in the paths given, only {MOTIFS_FILE}: "
            "give the training run folders too",
            where,
        )
    return runs


def _find_metrics(path: Path) -> list[Path]:
    if not path.exists():
        raise InputError("no such file or folder", path)
    if path.is_file():
        if path.name == METRICS_FILE:
            return [path]
        if path.name == MOTIFS_FILE:
            return []  # read by collect_motif_results
        raise InputError(f"not a run folder: expected a folder holding {METRICS_FILE}", path)
    if (path / METRICS_FILE).is_file():
        return [path / METRICS_FILE]
    found: list[Path] = []
    has_motifs = False
    for root, dirs, files in os.walk(path):
        # A run folder ends the descent: its subfolders (checkpoints, figures) are its own.
        if METRICS_FILE in files:
            found.append(Path(root) / METRICS_FILE)
            dirs[:] = []
            continue
        has_motifs = has_motifs or MOTIFS_FILE in files
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    if not found and not has_motifs:
        raise InputError(
            f"no {METRICS_FILE} here or in any folder below: not a training run folder", path
        )
    return sorted(found)


def collect_motif_results(paths: Iterable[str | os.PathLike]) -> list[dict]:
    """Read every ``motifs.json`` (written by ``gdash motifs``) given or found below ``paths``.

    Parameters
    ----------
    paths
        ``motifs.json`` files or folders searched at any depth, run folders included
        (``gdash motifs --out RUNDIR/motifs`` is found). Hidden folders are not searched;
        other files (e.g. a ``metrics.json`` given directly) are skipped.

    Returns
    -------
    list of dict
        One dict per file, sorted by path within each given path: checked and with
        defaults filled in (see :func:`normalise_motif_result`), plus ``motifs_path``.
        Empty when there is none, which is not an error. A file reached twice is read once.

    Raises
    ------
    InputError
        A path that does not exist, or a ``motifs.json`` that cannot be read, is not
        valid JSON or does not have the expected keys and types; the message names it.
    """
    results: list[dict] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError("no such file or folder", path)
        if path.is_file():
            found = [path] if path.name == MOTIFS_FILE else []
        else:
            found = []
            for root, dirs, files in os.walk(path):
                if MOTIFS_FILE in files:
                    found.append(Path(root) / MOTIFS_FILE)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.sort()
        for motifs_path in found:
            key = motifs_path.resolve()
            if key in seen:
                continue
            seen.add(key)
            result = normalise_motif_result(_read_json(motifs_path), motifs_path)
            result["motifs_path"] = str(motifs_path)
            results.append(result)
    return results


def _count_or_none(value: Any, key: str, where: str | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"'{key}' must be a non-negative integer or null, not {value!r}", where)
    return value


def _match_counts(counts: Mapping, of: int | None, name: str, where: str | None) -> dict:
    """``matches`` and ``matches_q`` of a motif count object, each null or at most ``of``."""
    checked = {}
    for key in ("matches", "matches_q"):
        count = _count_or_none(counts.get(key), f"{name}.{key}", where)
        if count is not None and (of is None or count > of):
            raise InputError(f"'{name}.{key}' is {count}, more than its 'of' ({of})", where)
        checked[key] = count
    return checked


def _checked_copy(data: Any, what: str, required: str, where: str | None) -> dict:
    """A copy of a ``metrics.json`` or ``motifs.json`` object, its common keys checked.

    ``experiment``, ``preset`` and ``required`` must be present, ``experiment`` and
    ``preset`` non-empty strings; ``pooling`` must be "mean", "max" or null and ``seed``
    a number, a string or null; both are always set in the copy. ``what`` names the
    expected object in the error message.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"expected a JSON object of {what}", where)
    out = dict(data)
    for key in ("experiment", "preset", required):
        if key not in out:
            raise InputError(f"missing key '{key}'", where)
    for key in ("experiment", "preset"):
        if not isinstance(out[key], str) or not out[key]:
            raise InputError(f"'{key}' must be a non-empty string", where)
    pooling = out.get("pooling")
    if pooling not in (None, "mean", "max"):
        raise InputError(f"'pooling' must be \"mean\", \"max\" or null, not {pooling!r}", where)
    out["pooling"] = pooling
    seed = out.setdefault("seed", None)
    if isinstance(seed, (list, dict)):
        raise InputError(f"'seed' must be a number, a string or null, not {seed!r}", where)
    return out


def normalise_motif_result(result: Any, path: str | os.PathLike | None = None) -> dict:
    """Check one ``motifs.json`` and fill in defaults; the dict :func:`summarise` expects.

    Parameters
    ----------
    result
        The parsed ``motifs.json`` (or a dict built by hand).
    path
        Where it came from, named in error messages.

    Returns
    -------
    dict
        A copy with ``experiment``, ``tf``, ``preset``, ``pooling``, ``seed``,
        ``tf_in_jaspar``, ``saliency_fimo_overlap`` and ``methods`` (method -> dict with
        ``matches``, ``matches_q`` and ``of``) always present, plus the derived ``model``
        and ``architecture``. Methods other than those of Table 4 are kept as given.

    Raises
    ------
    InputError
        A missing or wrong-typed key, a count above its ``of``, or a null count although
        the TF has a JASPAR motif.
    """
    where = None if path is None else str(path)
    out = _checked_copy(result, "motif matches", "methods", where)
    pooling = out["pooling"]
    tf = out.setdefault("tf", out["experiment"].split("_")[0])
    if not isinstance(tf, str) or not tf:
        raise InputError("'tf' must be a non-empty string", where)
    if not isinstance(out["methods"], Mapping):
        raise InputError("'methods' must be a JSON object of method -> counts", where)
    methods: dict[str, dict] = {}
    for method, counts in out["methods"].items():
        if method not in MOTIF_METHODS:
            methods[method] = counts
            continue
        name = f"methods.{method}"
        if not isinstance(counts, Mapping):
            raise InputError(f"'{name}' must be a JSON object", where)
        if "of" not in counts:
            raise InputError(f"missing key '{name}.of'", where)
        if "matches" not in counts:
            raise InputError(f"missing key '{name}.matches'", where)
        of = _count_or_none(counts["of"], f"{name}.of", where)
        if of is None:
            raise InputError(f"'{name}.of' must be a non-negative integer, not null", where)
        methods[method] = dict(counts, of=of, **_match_counts(counts, of, name, where))
    out["methods"] = methods
    counted = [m for m in MOTIF_METHODS if m in methods]
    in_jaspar = out.get("tf_in_jaspar")
    if in_jaspar is None:
        # Older files: a TF JASPAR lacks has null counts throughout.
        in_jaspar = any(methods[m]["matches"] is not None for m in counted)
    if not isinstance(in_jaspar, bool):
        raise InputError(f"'tf_in_jaspar' must be true or false, not {in_jaspar!r}", where)
    out["tf_in_jaspar"] = in_jaspar
    if in_jaspar:
        for method in counted:
            if methods[method]["matches"] is None:
                raise InputError(
                    f"'methods.{method}.matches' is null although 'tf_in_jaspar' is true", where
                )
    overlap = _number_or_none(out.get("saliency_fimo_overlap"), "saliency_fimo_overlap", where)
    if overlap is not None and not (math.isfinite(overlap) and 0.0 <= overlap <= 1.0):
        raise InputError(f"'saliency_fimo_overlap' must lie in [0, 1], not {overlap!r}", where)
    out["saliency_fimo_overlap"] = overlap
    chance = out.get("chance")  # absent from files written before it was counted
    if chance is not None and not isinstance(chance, Mapping):
        raise InputError("'chance' must be a JSON object with 'matches', 'matches_q' and 'of'", where)
    if chance is not None:
        of = _count_or_none(chance.get("of"), "chance.of", where)
        out["chance"] = {"of": of, **_match_counts(chance, of, "chance", where)}
    out["n_positives"] = _count_or_none(out.get("n_positives"), "n_positives", where)
    for key in ("p_threshold", "q_threshold"):
        out[key] = _number_or_none(out.get(key), key, where)
    out["architecture"] = PRESET_ARCHITECTURE.get(out["preset"])
    out["model"] = model_label(out["preset"], pooling)
    return out


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"malformed JSON: {error.msg} (column {error.colno})", path, line=error.lineno
        ) from None


def _number_or_none(value: Any, key: str, where: str | None) -> float | None:
    if value is None:
        return None
    # bool is an int in Python; a true/false AUC is a bug upstream, not a number.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"'{key}' must be a number or null, not {value!r}", where)
    return float(value)


def normalise_run(metrics: Any, path: str | os.PathLike | None = None) -> dict:
    """Check one run's metrics and fill in defaults; the dict :func:`summarise` expects.

    Parameters
    ----------
    metrics
        The parsed ``metrics.json`` (or a dict built by hand in a notebook).
    path
        Where it came from, named in error messages.

    Returns
    -------
    dict
        A copy with ``experiment``, ``tf``, ``preset``, ``pooling``, ``seed``,
        ``available``, ``test_auc``, ``validation_auc`` and ``reason`` always present, and
        the derived ``model`` (label) and ``architecture``.

    Raises
    ------
    InputError
        Missing ``experiment``/``preset``/``test_auc``, wrong types, or an available run
        whose test AUC is null, not finite or outside [0, 1].
    """
    where = None if path is None else str(path)
    run = _checked_copy(metrics, "metrics", "test_auc", where)
    pooling = run["pooling"]
    run.setdefault("tf", run["experiment"].split("_")[0])
    run.setdefault("reason", None)
    run["test_auc"] = _number_or_none(run["test_auc"], "test_auc", where)
    run["validation_auc"] = _number_or_none(run.get("validation_auc"), "validation_auc", where)
    available = run.get("available", run["test_auc"] is not None)
    if not isinstance(available, bool):
        raise InputError(f"'available' must be true or false, not {available!r}", where)
    run["available"] = available
    if available:
        auc = run["test_auc"]
        if auc is None:
            raise InputError("'test_auc' is null although 'available' is true", where)
        if not math.isfinite(auc) or not 0.0 <= auc <= 1.0:
            raise InputError(f"'test_auc' must lie in [0, 1], not {auc!r}", where)
        if run["validation_auc"] is not None and not math.isfinite(run["validation_auc"]):
            # A NaN validation AUC cannot rank presets; treat it as missing.
            run["validation_auc"] = None
    run["architecture"] = PRESET_ARCHITECTURE.get(run["preset"])
    run["model"] = model_label(run["preset"], pooling)
    return run


def model_label(preset: str, pooling: str | None) -> str:
    """The table label of a model: the preset, plus ``" (max)"`` for max pooling.

    Mean pooling is the paper's form, so it carries no suffix. Pooling is only
    meaningful for recurrent presets (and presets this module does not know).
    """
    architecture = PRESET_ARCHITECTURE.get(preset, "unknown")
    if pooling == "max" and (architecture in RECURRENT or architecture == "unknown"):
        return f"{preset} (max)"
    return preset


def _model_order(model: str) -> tuple:
    preset, _, suffix = model.partition(" (")
    known = list(PRESET_ARCHITECTURE)
    # Unknown presets go after the known ones, alphabetically.
    rank = known.index(preset) if preset in known else len(known)
    return (rank, preset, suffix)


# --------------------------------------------------------------------------- report


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
    sections
        The report's sections in order; append to add more.
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
    sections: list[Section] = field(default_factory=list)

    def section(self, key: str) -> Section:
        """The section called ``key``."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def to_markdown(self) -> str:
        """The whole report as one Markdown document."""
        n_seeds = {c["n_seeds"] for c in self.cells if c["n_seeds"]}
        seeds = (
            f"{min(n_seeds)}–{max(n_seeds)}" if len(n_seeds) > 1 else str(next(iter(n_seeds), 0))
        )
        head = (
            "# Deep Motif Dashboard: model comparison\n\n"
            f"{len(self.runs)} runs, {len(self.experiments)} experiments, {len(self.models)} "
            f"models, {seeds} seed(s) per model and experiment. Test AUC throughout; "
            "numbers rounded to 3 decimals (the CSVs hold full precision).\n"
        )
        return "\n".join([head, *(s.to_markdown() for s in self.sections)])


def summarise(
    runs: Sequence[Mapping],
    *,
    include_max_in_architectures: bool = False,
    motifs: Sequence[Mapping] | None = None,
) -> Report:
    """Build every table from runs as returned by :func:`collect_runs`.

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
    models = sorted({c["model"] for c in cells}, key=_model_order)
    experiments = sorted({c["experiment"] for c in cells})
    by_key = {(c["experiment"], c["model"]): c for c in cells}
    # Per model: experiment -> seed-mean test AUC, available cells only.
    values: dict[str, dict[str, float]] = {
        m: {
            e: by_key[e, m]["test_auc_mean"]
            for e in experiments
            if (e, m) in by_key and by_key[e, m]["available"]
        }
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

    table3_architectures = []
    for a, b in ARCHITECTURE_PAIRS:
        row = paired_ttest(a, arch_values[a], b, arch_values[b])
        table3_architectures.append({"kind": "architecture", **row})
    # The paper's Table 3 also sets each architecture against its baseline.
    for baseline in (m for m in models if m in BASELINES):
        for a in ("RNN", "CNN", "CNN-RNN"):
            row = paired_ttest(a, arch_values[a], baseline, values[baseline])
            table3_architectures.append({"kind": "baseline", **row})

    table3_presets = [
        paired_ttest(a, values[a], b, values[b])
        for i, a in enumerate(models)
        for b in models[i + 1 :]
    ]

    ranking = _ranking(arch_values)
    best_vs_deepbind = _best_vs_deepbind(table2, values)

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
    report.sections = _sections(report, by_key)
    if motifs:
        report.motifs = [normalise_motif_result(m, m.get("motifs_path")) for m in motifs]
        _check_duplicates(report.motifs, path_key="motifs_path")
        _table4(report)
        report.sections.extend(_table4_sections(report))
    return report


def _check_duplicates(runs: list[dict], path_key: str = "metrics_path") -> None:
    seen: dict[tuple, dict] = {}
    for run in runs:
        key = (run["experiment"], run["model"], run["seed"])
        if key in seen:
            other = seen[key].get(path_key) or "another one"
            raise InputError(
                f"same experiment, model and seed ({run['experiment']}, {run['model']}, "
                f"seed {run['seed']}) as {other}",
                run.get(path_key),
            )
        seen[key] = run


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def _sd(values: Sequence[float]) -> float | None:
    # Sample standard deviation; undefined (None) for a single value.
    return float(np.std(values, ddof=1)) if len(values) >= 2 else None


def _cells(runs: list[dict]) -> list[dict]:
    grouped: dict[tuple[str, str], list[dict]] = {}
    for run in runs:
        grouped.setdefault((run["experiment"], run["model"]), []).append(run)
    cells = []
    order = sorted(grouped, key=lambda key: (key[0], _model_order(key[1])))
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
    }


def _representatives(cells: list[dict], experiments: list[str], include_max: bool) -> list[dict]:
    """Per experiment and architecture, the preset with the best mean validation AUC.

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
        if cell["model"] != cell["preset"] and not include_max:
            continue
        candidates.setdefault((cell["experiment"], cell["architecture"]), []).append(cell)
    chosen = []
    for experiment in experiments:
        for architecture in ARCHITECTURES:
            pool = candidates.get((experiment, architecture))
            if not pool:
                continue
            pool = sorted(pool, key=lambda c: _model_order(c["model"]))
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


def _architecture_row(architecture: str, values: dict[str, float], reps: list[dict]) -> dict:
    counts: dict[str, int] = {}
    for rep in reps:
        if rep["architecture"] == architecture:
            counts[rep["model"]] = counts.get(rep["model"], 0) + 1
    chosen = ", ".join(f"{m} ×{counts[m]}" for m in sorted(counts, key=_model_order))
    summary = _describe(list(values.values()))
    return {"architecture": architecture, **summary, "representatives": chosen}


def paired_ttest(
    name_a: str, values_a: Mapping[str, float], name_b: str, values_b: Mapping[str, float]
) -> dict:
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
    common = set.intersection(*(set(arch_values[a]) for a in ARCHITECTURES)) if all(
        arch_values[a] for a in ARCHITECTURES
    ) else set()
    if common:
        means = {a: float(np.mean([arch_values[a][e] for e in common])) for a in ARCHITECTURES}
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


def _best_vs_deepbind(table2: list[dict], values: dict[str, dict[str, float]]) -> dict | None:
    """The best non-baseline model of Table 2, paired against DeepBind.

    Only models that share the most experiments with DeepBind compete, so a model run on
    one lucky experiment cannot outrank those run on all of them.
    """
    if not values.get("deepbind"):
        return None
    shared = {
        r["model"]: len(set(values[r["model"]]) & set(values["deepbind"]))
        for r in table2
        if r["architecture"] != "baseline" and r["mean"] is not None
    }
    if not shared or max(shared.values()) == 0:
        return None
    most = max(shared.values())
    deep = [r for r in table2 if shared.get(r["model"]) == most]
    best = max(deep, key=lambda r: r["mean"])["model"]
    return paired_ttest(best, values[best], "deepbind", values["deepbind"])


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
        cell[key] = _mean([r["chance"][count] for r in results
                           if r.get("chance") and r["chance"][count] is not None])
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
        row["classopt_matches" + suffix] = (
            None if not matched else int(total) if total.is_integer() else total
        )
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
                result.get("motifs_path")
                or f"{result['experiment']} {result['model']} seed {result['seed']}"
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
        row["representatives"] = ", ".join(
            f"{m} ×{counts[m]}" for m in sorted(counts, key=_model_order)
        )
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
        "temporal_versions": sorted({r.get("extraction_version") or 1 for r in report.motifs
                                     if "temporal" in r["methods"]}),
        "without_chance": sum(1 for r in report.motifs if r["tf_in_jaspar"] and not r.get("chance")),
        "jaspar_pseudocounts": sorted({recorded_jaspar_pseudocount(r) for r in report.motifs
                                       if r["tf_in_jaspar"]}),
    }


# --------------------------------------------------------------------------- rendering


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
        if column == "p":
            return f"{value:.2e}"
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

    table2 = Section(
        key="table2",
        title="Table 2: test AUC per model",
        columns=["model", "preset", "pooling", "architecture",
                 "n_experiments", "mean", "median", "sd", "n_unavailable"],
        rows=report.table2,
        csv_name="table2.csv",
        markdown_columns=["model", "architecture",
                          "n_experiments", "mean", "median", "sd", "n_unavailable"],
        before=[
            "Across experiments (each one's value is its seed mean); sd with ddof = 1. "
            "Models with fewer experiments are summarised over those only, so compare "
            "them through the paired tests below."
        ],
    )

    pooling_note = (
        "mean- and max-pooled recurrent presets compete"
        if report.include_max_in_architectures
        else "only the paper's mean-pooled recurrent presets compete (`--include-max` lets "
        "the max-pooled forms compete too)"
    )
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
    return [per_experiment, table2, architectures, table3, presets]


def _unavailable_notes(cells: list[dict]) -> list[str]:
    counts: dict[str, list[dict]] = {}
    for cell in cells:
        if not cell["available"]:
            counts.setdefault(cell["model"], []).append(cell)
    lines = []
    for model in sorted(counts, key=_model_order):
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
        return line + (
            f"The paper's ranking {paper} cannot be checked: "
            "not all three architectures are present."
        )
    if ranking["paper_order_holds"]:
        return line + f"This matches the paper's ranking {paper}."
    return line + f"This differs from the paper's ranking {paper}."


def _best_line(row: dict) -> str:
    text = (
        f"Best model of Table 2, {row['a']}, vs deepbind on {row['n']} shared experiment(s): "
        f"{row['mean_a']:.3f} vs {row['mean_b']:.3f} (difference {row['mean_difference']:+.3f}"
    )
    if row["p"] is None:
        return text + "; too few shared experiments for a t-test)."
    text += f", t = {_format_markdown('t', row['t'])}, p = {_format_markdown('p', row['p'])}"
    return text + (
        "). The model is picked after seeing test AUCs, so read this p-value as descriptive."
    )


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
    columns = [label, "experiments", "positives",
               *(MOTIF_METHOD_TITLES[m] for m in MOTIF_METHODS), CHANCE_TITLE]
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
            row["classopt_matches" + suffix], row["classopt_of" + suffix],
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
        listed = ", ".join(
            f"{tf} ({len(e)} experiment{'s' if len(e) != 1 else ''})" for tf, e in lacking.items()
        )
        lines.append(
            f"Left out of Table 4: TFs with no motif in {release}, so no match can be "
            f"counted: {listed}."
        )
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
    preset_columns = ["model", "preset", "pooling", "architecture", *_TABLE4_COLUMNS,
                      "not_applicable"]
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


# --------------------------------------------------------------------------- writing


def write_report(
    rundirs: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    include_max_in_architectures: bool = False,
) -> dict[str, Path]:
    """Read run folders and write ``report.md`` plus one CSV per table into ``out_dir``.

    Parameters
    ----------
    rundirs
        Run folders or folders containing them (see :func:`collect_runs`). Any
        ``motifs.json`` given or found below them (see :func:`collect_motif_results`)
        adds Table 4; without one, Table 4 is left out.
    out_dir
        Created if missing.
    include_max_in_architectures
        See :func:`summarise`.

    Returns
    -------
    dict of str to Path
        ``"report"`` -> ``report.md``, and each CSV section's key (``per_experiment``,
        ``table2``, ``table3_architectures``, ``table3_presets``, and with motif results
        ``table4_architectures``, ``table4_presets``) -> its file.

    Raises
    ------
    InputError
        Unreadable runs or motif results (see :func:`collect_runs`,
        :func:`collect_motif_results`) or an ``out_dir`` that is a file.
    """
    paths = list(rundirs)
    runs = collect_runs(paths)
    motifs = collect_motif_results(paths)
    report = summarise(
        runs, include_max_in_architectures=include_max_in_architectures, motifs=motifs
    )
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("output path exists and is not a folder", out)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for section in report.sections:
        if section.csv_name:
            path = out / section.csv_name
            write_text(path, section.to_csv())
            written[section.key] = path
    path = out / "report.md"
    write_text(path, report.to_markdown())
    written["report"] = path
    return written
