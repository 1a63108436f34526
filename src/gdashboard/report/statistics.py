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

The numbers come from :mod:`gdashboard.report.aucs` (test AUCs and t-tests),
:mod:`gdashboard.report.selection` (representatives, ``auto``),
:mod:`gdashboard.report.table4` and :mod:`gdashboard.report.patterns` (TF-MoDISco).
A new table is a new field of :class:`Report` filled here and a new section in
:mod:`gdashboard.report.render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from gdashboard.errors import InputError
from gdashboard.models.catalogue import ARCHITECTURES, BASELINES, model_order
from gdashboard.report.aucs import (
    ARCHITECTURE_PAIRS,
    PAPER_RANKING,
    best_vs_deepbind,
    paired_ttest,
    ranking,
    seed_cells,
    table2_row,
)
from gdashboard.report.patterns import WINDOWS_FIND_P, pattern_found, pattern_rows
from gdashboard.report.selection import AUTO, architecture_row, auto_choice, representatives
from gdashboard.report.table4 import PAPER_TABLE4, table4
from gdashboard.results import normalise_modisco_result, normalise_motif_result, normalise_run

__all__ = [
    "ARCHITECTURE_PAIRS",
    "AUTO",
    "PAPER_RANKING",
    "PAPER_TABLE4",
    "WINDOWS_FIND_P",
    "Report",
    "auto_choice",
    "paired_ttest",
    "pattern_found",
    "pattern_rows",
    "summarise",
]


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
    report = _auc_tables(runs, include_max_in_architectures)
    if motifs:
        report.motifs = [normalise_motif_result(m, m.get("motifs_path")) for m in motifs]
        _check_duplicates(report.motifs, path_key="motifs_path")
        found = table4(report.motifs, report.runs, report.representatives, report.models, report.experiments)
        report.table4_architectures, report.table4_presets = found.architectures, found.presets
        report.table4_notes = found.notes
    if patterns:
        report.patterns = [normalise_modisco_result(m, m.get("patterns_path")) for m in patterns]
        _check_duplicates(report.patterns, path_key="patterns_path")
        report.pattern_rows = pattern_rows(report.patterns, report.motifs)
        report.pattern_found = pattern_found(report.pattern_rows)
    return report


def _auc_tables(runs: list[dict], include_max: bool) -> Report:
    """Every table of test AUCs (per experiment, Tables 2 and 3, ``auto``) from normalised runs."""
    cells = seed_cells(runs)
    models = sorted({c["model"] for c in cells}, key=model_order)
    experiments = sorted({c["experiment"] for c in cells})
    values = _model_values(cells, models, experiments)
    chosen = representatives(cells, experiments, include_max)
    arch_values: dict[str, dict[str, float]] = {a: {} for a in ARCHITECTURES}
    for rep in chosen:
        arch_values[rep["architecture"]][rep["experiment"]] = rep["test_auc"]
    # The baselines as the report's rows name them: a baseline preset in every form trained
    # (DeepBind on both strands, the networks' default, is as much DeepBind as on one).
    preset_of = {c["model"]: c["preset"] for c in cells}
    baselines = [m for m in models if preset_of[m] in BASELINES]
    table2 = [table2_row(m, values[m], cells) for m in models]
    report = Report(
        runs=runs,
        models=models,
        experiments=experiments,
        cells=cells,
        per_experiment=_per_experiment(runs, experiments, models, values),
        table2=table2,
        architectures=[architecture_row(a, arch_values[a], chosen) for a in ARCHITECTURES],
        representatives=chosen,
        table3_architectures=_table3_architectures(arch_values, values, baselines),
        table3_presets=[
            paired_ttest(a, values[a], b, values[b]) for i, a in enumerate(models) for b in models[i + 1 :]
        ],
        ranking=ranking(arch_values),
        best_vs_deepbind=best_vs_deepbind(table2, values, [m for m in baselines if preset_of[m] == "deepbind"]),
        include_max_in_architectures=include_max,
    )
    report.auto = auto_choice(cells, experiments)
    if report.auto:
        deployed = {row["experiment"]: row["test_auc"] for row in report.auto}
        report.auto_tests = [paired_ttest(AUTO, deployed, m, values[m]) for m in baselines]
    return report


def _model_values(cells: list[dict], models: list[str], experiments: list[str]) -> dict[str, dict[str, float]]:
    """Per model: experiment -> seed-mean test AUC, available cells only."""
    by_key = {(c["experiment"], c["model"]): c for c in cells}
    return {
        m: {e: by_key[e, m]["test_auc_mean"] for e in experiments if (e, m) in by_key and by_key[e, m]["available"]}
        for m in models
    }


def _per_experiment(runs: list[dict], experiments: list[str], models: list[str], values: dict) -> list[dict]:
    """One row per experiment: its TF and each model's seed-mean test AUC (None: none)."""
    tfs: dict[str, Any] = {}
    for run in runs:
        tfs.setdefault(run["experiment"], run["tf"])
    rows = []
    for experiment in experiments:
        row: dict[str, Any] = {"experiment": experiment, "tf": tfs[experiment]}
        for model in models:
            row[model] = values[model].get(experiment)
        rows.append(row)
    return rows


def _table3_architectures(arch_values: dict, values: dict, baselines: list[str]) -> list[dict]:
    """The paper's three architecture pairs, then each architecture against each baseline."""
    rows = []
    for a, b in ARCHITECTURE_PAIRS:
        rows.append({"kind": "architecture", **paired_ttest(a, arch_values[a], b, arch_values[b])})
    # The paper's Table 3 also sets each architecture against its baseline.
    for baseline in baselines:
        for a in ("RNN", "CNN", "CNN-RNN"):
            rows.append({"kind": "baseline", **paired_ttest(a, arch_values[a], baseline, values[baseline])})
    return rows


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
