"""Compare trained runs: the paper's Table 2 and Table 3, from ``gdash train`` run folders.

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

New sections (e.g. Table 4, motif matches) are added by appending a :class:`Section`
to :attr:`Report.sections`; :func:`write_report` renders whatever is there.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from scipy import stats

from gdashboard.errors import InputError

METRICS_FILE = "metrics.json"

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


# --------------------------------------------------------------------------- reading


def collect_runs(rundirs: Iterable[str | os.PathLike]) -> list[dict]:
    """Read ``metrics.json`` of every run folder given or found below the given folders.

    Parameters
    ----------
    rundirs
        Run folders (holding ``metrics.json``), ``metrics.json`` files themselves, or
        folders that contain run folders at any depth (e.g. ``runs/``). Hidden folders
        (name starting with ``.``) are not searched.

    Returns
    -------
    list of dict
        One dict per run, in the order found: the metrics as stored, checked and with
        defaults filled in (see :func:`normalise_run`), plus ``run_dir`` and
        ``metrics_path``. A file reached twice is read once.

    Raises
    ------
    InputError
        A path that does not exist, a folder with no ``metrics.json`` at or below it,
        or a ``metrics.json`` that cannot be read, is not valid JSON (the message gives
        the line) or lacks a required key.
    """
    runs: list[dict] = []
    seen: set[Path] = set()
    for given in rundirs:
        for metrics_path in _find_metrics(Path(given)):
            key = metrics_path.resolve()
            if key in seen:
                continue
            seen.add(key)
            run = normalise_run(_read_json(metrics_path), metrics_path)
            run["run_dir"] = str(metrics_path.parent)
            run["metrics_path"] = str(metrics_path)
            runs.append(run)
    return runs


def _find_metrics(path: Path) -> list[Path]:
    if not path.exists():
        raise InputError("no such file or folder", path)
    if path.is_file():
        if path.name == METRICS_FILE:
            return [path]
        raise InputError(f"not a run folder: expected a folder holding {METRICS_FILE}", path)
    if (path / METRICS_FILE).is_file():
        return [path / METRICS_FILE]
    found: list[Path] = []
    for root, dirs, files in os.walk(path):
        # A run folder ends the descent: its subfolders (checkpoints, figures) are its own.
        if METRICS_FILE in files:
            found.append(Path(root) / METRICS_FILE)
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    if not found:
        raise InputError(
            f"no {METRICS_FILE} here or in any folder below: not a training run folder", path
        )
    return sorted(found)


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
    if not isinstance(metrics, Mapping):
        raise InputError("expected a JSON object of metrics", where)
    run = dict(metrics)
    for key in ("experiment", "preset", "test_auc"):
        if key not in run:
            raise InputError(f"missing key '{key}'", where)
    for key in ("experiment", "preset"):
        if not isinstance(run[key], str) or not run[key]:
            raise InputError(f"'{key}' must be a non-empty string", where)
    pooling = run.get("pooling")
    if pooling not in (None, "mean", "max"):
        raise InputError(f"'pooling' must be \"mean\", \"max\" or null, not {pooling!r}", where)
    run["pooling"] = pooling
    run.setdefault("tf", run["experiment"].split("_")[0])
    run.setdefault("seed", None)
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


def summarise(runs: Sequence[Mapping], *, include_max_in_architectures: bool = False) -> Report:
    """Build every table from runs as returned by :func:`collect_runs`.

    Parameters
    ----------
    runs
        Run dicts; each is passed through :func:`normalise_run`, so hand-made dicts with
        at least ``experiment``, ``preset`` and ``test_auc`` work too.
    include_max_in_architectures
        Let max-pooled recurrent presets compete to represent their architecture in
        Table 3. Off by default: the paper's models use mean pooling.

    Returns
    -------
    Report

    Raises
    ------
    InputError
        Two runs with the same experiment, model and seed (they would double-count a
        seed), or a run that fails :func:`normalise_run`.
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
    return report


def _check_duplicates(runs: list[dict]) -> None:
    seen: dict[tuple, dict] = {}
    for run in runs:
        key = (run["experiment"], run["model"], run["seed"])
        if key in seen:
            other = seen[key].get("metrics_path") or "another run"
            raise InputError(
                f"same experiment, model and seed ({run['experiment']}, {run['model']}, "
                f"seed {run['seed']}) as {other}",
                run.get("metrics_path"),
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
        fewer than 2 shared experiments; NaN when the differences do not vary) and
        ``higher`` (the side with the larger mean, ``"tie"`` or None).
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
    if shared:
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
        else "only the paper's mean-pooled recurrent presets compete"
    )
    architectures = Section(
        key="architectures",
        title="Architectures",
        columns=["architecture", "n_experiments", "mean", "median", "sd", "representatives"],
        rows=report.architectures,
        before=[
            "Per experiment, each architecture is represented by its preset with the best "
            f"mean validation AUC (never test AUC); {pooling_note}."
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


# --------------------------------------------------------------------------- writing


def _write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, so readers never see half a file."""
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=path.parent,
        prefix=f".{path.name}.", suffix=".tmp", delete=False,
    )
    try:
        with handle:
            handle.write(text)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


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
        Run folders or folders containing them (see :func:`collect_runs`).
    out_dir
        Created if missing.
    include_max_in_architectures
        See :func:`summarise`.

    Returns
    -------
    dict of str to Path
        ``"report"`` -> ``report.md``, and each CSV section's key (``per_experiment``,
        ``table2``, ``table3_architectures``, ``table3_presets``) -> its file.

    Raises
    ------
    InputError
        Unreadable runs (see :func:`collect_runs`) or an ``out_dir`` that is a file.
    """
    runs = collect_runs(rundirs)
    report = summarise(runs, include_max_in_architectures=include_max_in_architectures)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("output path exists and is not a folder", out)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for section in report.sections:
        if section.csv_name:
            path = out / section.csv_name
            _write_atomic(path, section.to_csv())
            written[section.key] = path
    path = out / "report.md"
    _write_atomic(path, report.to_markdown())
    written["report"] = path
    return written
