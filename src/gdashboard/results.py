"""The run-folder and motif-folder formats: the one place that names, reads and checks them.

A **run folder** is what ``gdash train`` writes (:func:`gdashboard.runs.train_run`):

=====================  ===========================================================
``config.json``        the preset, its network's arguments, recipe, data, seed
                       (``format_version`` :data:`FORMAT_VERSION`)
``model.safetensors``  the weights (no pickle)
``metrics.json``       test and validation AUC, AUPRC, accuracy, epochs, times;
                       written last: its presence means the run is complete
``history.jsonl``      one line per epoch
``test_predictions.tsv``  ``id``, ``label``, ``score`` (log-odds) per test sequence
=====================  ===========================================================

A **motif folder** is what ``gdash motifs`` writes
(:func:`gdashboard.motifs.analysis.motif_analysis`): ``motifs.json`` (Table 4's
counts), ``windows.tsv``, ``extracted.meme``, ``fimo_sites.tsv`` and
``saliency_logo.png``.

A **pattern folder** is what ``gdash modisco`` writes
(:func:`gdashboard.motifs.modisco.modisco_analysis`): ``patterns.json`` (TF-MoDISco's
patterns with their JASPAR matches; written last), ``patterns.meme``,
``modisco_results.h5`` (modisco-lite's own format) and ``logos/``.

:func:`open_run` gives a :class:`Run`: its config, metrics, predictions and motif
results, and the model on demand. :func:`collect_runs` and
:func:`collect_motif_results` read many at once for the report. Training,
explanations, motifs, the report, the benchmarks and the dashboard read runs
through this module and nothing else.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from gdashboard.data.jaspar import PWM_PSEUDOCOUNT
from gdashboard.errors import InputError
from gdashboard.fileio import atomic_path, write_json
from gdashboard.models.catalogue import MODEL_OPTIONS, is_neural, model_label, paper_architecture

# The run folder's files.
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
METRICS_FILE = "metrics.json"
HISTORY_FILE = "history.jsonl"
PREDICTIONS_FILE = "test_predictions.tsv"
# config.json's format; a run of another version cannot be read as this one.
FORMAT_VERSION = 1

# Class optimisation of the run's model, cached beside it (see read_classopt_cache).
CLASSOPT_CACHE_FILE = "classopt.npz"

# The motif folder's files.
MOTIFS_FILE = "motifs.json"
WINDOWS_FILE = "windows.tsv"
EXTRACTED_FILE = "extracted.meme"
FIMO_SITES_FILE = "fimo_sites.tsv"
SALIENCY_LOGO_FILE = "saliency_logo.png"
# The motif extraction methods of ``gdash motifs``, in the paper's Table 4 order.
MOTIF_METHODS = ("saliency", "conv", "temporal", "classopt")

# The pattern folder's files (TF-MoDISco).
MODISCO_FILE = "patterns.json"
MODISCO_MEME_FILE = "patterns.meme"
MODISCO_H5_FILE = "modisco_results.h5"
MODISCO_LOGO_FOLDER = "logos"
MODISCO_FORMAT_VERSION = 1


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
            run = normalise_run(read_json(metrics_path), metrics_path)
            run["run_dir"] = str(metrics_path.parent)
            run["metrics_path"] = str(metrics_path)
            runs.append(run)
    if given_paths and not runs:
        # Only motifs.json files were given: there is nothing to join them to.
        where = given_paths[0] if len(given_paths) == 1 else None
        raise InputError(
            f"no {METRICS_FILE} in the paths given, only {MOTIFS_FILE}: give the training run folders too",
            where,
        )
    return runs


def _find_metrics(path: Path) -> list[Path]:
    if not path.exists():
        raise InputError("no such file or folder", path)
    if path.is_file():
        if path.name == METRICS_FILE:
            return [path]
        if path.name in (MOTIFS_FILE, MODISCO_FILE):
            return []  # read by collect_motif_results and collect_modisco_results
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
        has_motifs = has_motifs or MOTIFS_FILE in files or MODISCO_FILE in files
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    if not found and not has_motifs:
        raise InputError(f"no {METRICS_FILE} here or in any folder below: not a training run folder", path)
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
    return _collect_results(paths, MOTIFS_FILE, normalise_motif_result, "motifs_path")


def _collect_results(paths: Iterable[str | os.PathLike], file_name: str, normalise, path_key: str) -> list[dict]:
    """Every ``file_name`` given or found below ``paths`` (hidden folders skipped), sorted
    by path within each given path, read once each, checked by ``normalise`` and with
    its path under ``path_key``."""
    results: list[dict] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError("no such file or folder", path)
        if path.is_file():
            found = [path] if path.name == file_name else []
        else:
            found = []
            for root, dirs, files in os.walk(path):
                if file_name in files:
                    found.append(Path(root) / file_name)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.sort()
        for result_path in found:
            key = result_path.resolve()
            if key in seen:
                continue
            seen.add(key)
            result = normalise(read_json(result_path), result_path)
            result[path_key] = str(result_path)
            results.append(result)
    return results


def collect_modisco_results(paths: Iterable[str | os.PathLike]) -> list[dict]:
    """Read every ``patterns.json`` given or found below the given folders, checked
    (:func:`normalise_modisco_result`), with ``patterns_path`` added; a file reached
    twice is read once. Raises InputError naming a path that is missing or a file
    that does not hold what ``gdash modisco`` writes."""
    return _collect_results(paths, MODISCO_FILE, normalise_modisco_result, "patterns_path")


def normalise_modisco_result(result: Any, path: str | os.PathLike | None = None) -> dict:
    """Check one ``patterns.json``: its format version, the keys the report and the
    dashboard read, and each pattern's matrices and matches."""
    where = None if path is None else str(path)
    out = _checked_copy(result, "TF-MoDISco patterns", "patterns", where)
    if out.get("format_version") != MODISCO_FORMAT_VERSION:
        raise InputError(
            f"pattern format version {out.get('format_version')!r}; this gdashboard reads "
            f"version {MODISCO_FORMAT_VERSION} (run gdash modisco again)",
            where,
        )
    if not isinstance(out.get("attribution"), str):
        raise InputError("'attribution' must be a string", where)
    patterns = out["patterns"]
    if not isinstance(patterns, list):
        raise InputError("'patterns' must be a list", where)
    for number, pattern in enumerate(patterns):
        label = f"pattern {number}"
        if not isinstance(pattern, Mapping):
            raise InputError(f"{label} must be an object", where)
        for key in ("name", "rank", "n_seqlets", "trim", "ppm", "cwm", "matches"):
            if key not in pattern:
                raise InputError(f"{label} lacks '{key}'", where)
        for matrix in ("ppm", "cwm"):
            value = pattern[matrix]
            forward = np.asarray(value.get("forward") if isinstance(value, Mapping) else None, dtype=object)
            if forward.ndim != 2 or forward.shape[1] != 4:
                raise InputError(f"{label}: '{matrix}' must hold a forward (width, 4) matrix", where)
        trim = pattern["trim"]
        if not (isinstance(trim, list) and len(trim) == 2 and 0 <= trim[0] < trim[1] <= len(pattern["ppm"]["forward"])):
            raise InputError(f"{label}: 'trim' must be [start, stop) within the pattern", where)
        for match in pattern["matches"]:
            if not isinstance(match, Mapping) or not {"id", "name", "p", "q"} <= set(match):
                raise InputError(f"{label}: each match needs id, name, p and q", where)
    first = out.get("first_tf_pattern")
    if first is not None and not (isinstance(first, Mapping) and isinstance(first.get("rank"), int)):
        raise InputError("'first_tf_pattern' must be null or an object with an integer 'rank'", where)
    out.setdefault("cofactors", [])
    out["model"] = model_label(out["preset"], out["pooling"], **{k: out[k] for k in MODEL_OPTIONS})
    return out


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
        raise InputError(f'\'pooling\' must be "mean", "max" or null, not {pooling!r}', where)
    out["pooling"] = pooling
    for key in MODEL_OPTIONS:
        out[key] = out.get(key, False)
        if not isinstance(out[key], bool):
            raise InputError(f"'{key}' must be true or false, not {out[key]!r}", where)
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
                raise InputError(f"'methods.{method}.matches' is null although 'tf_in_jaspar' is true", where)
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
    out["architecture"] = paper_architecture(out["preset"])
    out["model"] = model_label(out["preset"], pooling, **{k: out[k] for k in MODEL_OPTIONS})
    return out


def read_json(path: str | os.PathLike) -> Any:
    """Parse a JSON file; every failure is an InputError naming the file (and line)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"malformed JSON: {error.msg} (column {error.colno})", path, line=error.lineno) from None


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
    for cost in ("train_seconds", "predict_seconds"):  # absent from runs made before they were timed
        seconds = _number_or_none(run.get(cost), cost, where)
        if seconds is not None and seconds < 0:
            raise InputError(f"'{cost}' must not be negative, not {seconds!r}", where)
        run[cost] = seconds if seconds is None or math.isfinite(seconds) else None
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
    run["architecture"] = paper_architecture(run["preset"])
    run["model"] = model_label(run["preset"], pooling, **{k: run[k] for k in MODEL_OPTIONS})
    return run


def recorded_jaspar_pseudocount(summary: Mapping) -> float:
    """The pseudocount a ``motifs.json``'s JASPAR matrices were made with: files from
    before ``jaspar_pseudocount`` was recorded used 0.8 (now MEME's 0.1)."""
    return float(summary.get("jaspar_pseudocount", PWM_PSEUDOCOUNT))


# --------------------------------------------------------------------------- one run


def read_config(rundir: str | os.PathLike) -> dict:
    """``config.json`` of a run folder, or an InputError saying it is not one."""
    path = Path(rundir) / CONFIG_FILE
    if not path.exists():
        raise InputError(f"no {CONFIG_FILE}: not a trained run folder", rundir)
    config = read_json(path)
    if not isinstance(config, Mapping):
        raise InputError("expected a JSON object of the run's configuration", path)
    version = config.get("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise InputError(f"run folder format version {version!r}; this gdashboard reads version {FORMAT_VERSION}", path)
    _check_config(config, path)
    return dict(config)


def _check_config(config: Mapping, path: Path) -> None:
    """The keys every reader of a run relies on, with their types: a config.json edited by
    hand is a one-line error here, not a KeyError deep inside a command."""
    preset = config.get("preset")
    if not isinstance(preset, str) or not preset:
        raise InputError("'preset' must be a non-empty string", path)
    length = config.get("sequence_length", 1)  # absent from weights saved by hand: checked where read
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise InputError(f"'sequence_length' must be a positive integer, not {length!r}", path)
    if "ensemble" in config:
        members = config["ensemble"].get("members") if isinstance(config["ensemble"], Mapping) else None
        if not isinstance(members, list) or len(members) < 2 or not all(isinstance(m, str) for m in members):
            raise InputError("'ensemble' must hold 'members': a list of at least two run folders", path)
    elif is_neural(preset):
        if not isinstance(config.get("model_class"), str) or not isinstance(config.get("model_kwargs"), Mapping):
            raise InputError("a network's config needs 'model_class' (a string) and 'model_kwargs' (an object)", path)
    elif not isinstance(config.get("baseline"), Mapping):
        raise InputError(f"the {preset} baseline's config needs 'baseline' (an object)", path)


def save_model(model, rundir: str | os.PathLike, config: dict) -> None:
    """Write ``model.safetensors`` and ``config.json`` into ``rundir``.

    ``config`` must hold ``preset`` and ``model_kwargs`` (the keyword arguments
    that rebuild the architecture) or, for a non-neural baseline, what its
    ``get_config`` returned.
    """
    from gdashboard.models.io import write_weights

    rundir = Path(rundir)
    rundir.mkdir(parents=True, exist_ok=True)
    write_weights(model, rundir / WEIGHTS_FILE)
    write_json(rundir / CONFIG_FILE, {"format_version": FORMAT_VERSION, **config})


def load_model(rundir: str | os.PathLike, device="cpu"):
    """Rebuild a trained model from its run folder, in eval mode.

    Returns a ``torch.nn.Module`` for neural presets and a baseline object (with
    ``decision_function``) for ``pwm``, ``kmer`` and ``gkmsvm``. A seed ensemble's
    folder (``gdash ensemble``) holds no weights: its members are loaded from their own
    folders (recorded relative to it) into a :class:`~gdashboard.models.averaged.SeedEnsemble`.
    """
    from gdashboard.models.io import model_from_config, read_weights

    config = read_config(rundir)
    if "ensemble" in config:
        from gdashboard.models.averaged import SeedEnsemble

        members = [load_model(member_folder(rundir, member), device) for member in config["ensemble"]["members"]]
        return SeedEnsemble(members).to(device).eval()
    weights = Path(rundir) / WEIGHTS_FILE
    if not weights.exists():
        raise InputError(f"no {WEIGHTS_FILE}: the run has not finished training", rundir)
    model = model_from_config(config, read_weights(weights), rundir)
    return model.to(device).eval() if hasattr(model, "to") else model


def member_folder(rundir: str | os.PathLike, recorded: str) -> Path:
    """An ensemble member's run folder, recorded relative to the ensemble's folder (so the
    two move together) or absolute; an InputError when it is gone."""
    path = Path(recorded)
    path = path if path.is_absolute() else Path(rundir) / path
    if not (path / CONFIG_FILE).exists():
        raise InputError(f"the ensemble's member {recorded} is gone (no {CONFIG_FILE} there)", rundir)
    return path


def write_predictions(path: str | os.PathLike, ids, labels, scores) -> None:
    """A TSV of ``id``, ``label`` and ``score`` (the model's log-odds of binding;
    the decision function for baselines)."""
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        handle.write("id\tlabel\tscore\n")
        for identifier, label, score in zip(ids, labels, scores):
            handle.write(f"{identifier}\t{label}\t{score:.6g}\n")


@dataclass(frozen=True)
class Predictions:
    """A run's ``test_predictions.tsv``: ids, labels (0/1) and scores (log-odds)."""

    ids: list[str]
    labels: np.ndarray
    scores: np.ndarray


def read_predictions(path: str | os.PathLike) -> Predictions:
    """Read a ``test_predictions.tsv`` (a run folder or the file itself)."""
    path = Path(path)
    if path.is_dir():
        path = path / PREDICTIONS_FILE
    if not path.exists():
        raise InputError(f"no {PREDICTIONS_FILE}: the run has not been evaluated", path.parent)
    ids, labels, scores = [], [], []
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header != ["id", "label", "score"]:
            raise InputError("expected the header 'id<TAB>label<TAB>score'", path, 1)
        for number, line in enumerate(handle, start=2):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3:
                raise InputError(f"expected 3 tab-separated columns, found {len(fields)}", path, number)
            try:
                label, score = int(fields[1]), float(fields[2])
            except ValueError:
                raise InputError("label must be 0 or 1 and score a number", path, number) from None
            if label not in (0, 1):
                raise InputError(f"label must be 0 or 1, not {label}", path, number)
            ids.append(fields[0])
            labels.append(label)
            scores.append(score)
    return Predictions(ids, np.asarray(labels, dtype=np.int64), np.asarray(scores, dtype=np.float64))


def read_classopt_cache(rundir: str | os.PathLike, options: Mapping) -> dict | None:
    """The cached class optimisation of a run made with ``options`` (steps, restarts,
    seed, target, l2), or None when there is none or it was made otherwise.

    The cache is an ``.npz`` read without pickle: ``matrix``, ``probabilities``
    (4, L), ``sequence``, ``score`` and ``options`` (JSON text).
    """
    path = Path(rundir) / CLASSOPT_CACHE_FILE
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as cached:
            arrays = {key: cached[key] for key in cached.files}
        recorded = json.loads(str(arrays.pop("options")))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # a damaged cache is recomputed, never trusted
    return arrays if recorded == dict(options) else None


def write_classopt_cache(rundir: str | os.PathLike, options: Mapping, arrays: Mapping) -> Path:
    """Write a run's class optimisation (atomic) with the options that made it."""
    path = Path(rundir) / CLASSOPT_CACHE_FILE
    with atomic_path(path) as temporary, open(temporary, "wb") as handle:
        np.savez_compressed(
            handle,
            options=np.array(json.dumps(dict(options), sort_keys=True)),
            **{key: np.asarray(value) for key, value in arrays.items()},
        )
    return path


@dataclass
class Run:
    """One trained run folder, read through :func:`open_run`.

    Attributes
    ----------
    path : Path
        The run folder.
    config : dict
        ``config.json``.
    metrics : dict or None
        ``metrics.json``, checked (:func:`normalise_run`); None while the run is
        unfinished.
    """

    path: Path
    config: dict
    metrics: dict | None
    _motifs: list[dict] | None = field(default=None, repr=False)
    _patterns: list[dict] | None = field(default=None, repr=False)

    def _recorded(self, key: str):
        # An unavailable baseline (a pwm for a TF JASPAR lacks) has metrics.json only.
        if key in self.config:
            return self.config[key]
        return (self.metrics or {}).get(key)

    @property
    def preset(self) -> str:
        return self._recorded("preset")

    @property
    def experiment(self) -> str | None:
        return self._recorded("experiment")

    @property
    def tf(self) -> str | None:
        return self._recorded("tf")

    @property
    def seed(self):
        return self._recorded("seed")

    @property
    def pooling(self) -> str | None:
        if "model_kwargs" in self.config:
            return self.config["model_kwargs"].get("pooling")
        return (self.metrics or {}).get("pooling")

    @property
    def options(self) -> dict[str, bool]:
        """Those of ``rc_augment`` (trained on both strands), ``rc_average`` (scores both
        strands) and ``ensemble`` (a seed ensemble) that are set, as recorded: ``{}`` for a
        single run of the forward strand (the paper's form; both strands are the networks'
        default since issue 16)."""
        metrics = self.metrics or {}
        recorded = {
            "rc_augment": bool(self.config.get("recipe", {}).get("rc_augment") or metrics.get("rc_augment")),
            "rc_average": bool(self.config.get("rc_average") or metrics.get("rc_average")),
            "ensemble": "ensemble" in self.config or bool(metrics.get("ensemble")),
        }
        return {key: True for key, value in recorded.items() if value}

    @property
    def label(self) -> str:
        """The model's one label (:func:`gdashboard.models.catalogue.model_label`)."""
        return model_label(self.preset, self.pooling, **self.options)

    @property
    def sequence_length(self) -> int:
        if "sequence_length" not in self.config:
            raise InputError(f"{CONFIG_FILE} lacks 'sequence_length'", self.path / CONFIG_FILE)
        return int(self.config["sequence_length"])

    @property
    def is_neural(self) -> bool:
        return is_neural(self.preset)

    @property
    def complete(self) -> bool:
        """Trained and evaluated: ``metrics.json`` exists (it is written last)."""
        return self.metrics is not None

    def predictions(self) -> Predictions:
        return read_predictions(self.path / PREDICTIONS_FILE)

    def _beside(self, kind: str) -> list[Path]:
        """The run folder, and in a study (``STUDY/runs/EXPERIMENT/NAME``) the folder of the
        same name under ``STUDY/motifs`` or ``STUDY/modisco`` where it exists."""
        places = [self.path]
        if self.path.parent.parent.name == "runs":
            sibling = self.path.parent.parent.parent / kind / self.path.parent.name / self.path.name
            if sibling.is_dir():
                places.append(sibling)
        return places

    def motif_results(self) -> list[dict]:
        """The ``motifs.json`` files at or below the run folder (``gdash motifs --out
        RUNDIR/motifs``), or in a study's ``motifs/`` folder of the same name, checked."""
        if self._motifs is None:
            self._motifs = collect_motif_results(self._beside("motifs"))
        return self._motifs

    def modisco_results(self) -> list[dict]:
        """The ``patterns.json`` files at or below the run folder (``gdash modisco --out
        RUNDIR/modisco``), or in a study's ``modisco/`` folder of the same name, checked."""
        if self._patterns is None:
            self._patterns = collect_modisco_results(self._beside("modisco"))
        return self._patterns

    def model(self, device="cpu", rc_average: bool = False):
        """The trained model, loaded now (see :func:`load_model`).

        ``rc_average``: score both strands (the mean of their log-odds) even when the run
        was trained to score one, i.e. averaging at test time; a run that averages them
        already is unchanged. Refused for a baseline, which reads both strands already.
        """
        model = load_model(self.path, device=device)
        if rc_average and not self.options.get("rc_average"):
            if not self.is_neural:
                reason = f"--rc-average applies to networks; {self.preset} reads both strands already"
                raise InputError(reason, self.path)
            from gdashboard.models.averaged import StrandAverage

            model = StrandAverage(model).eval()
        return model

    def network(self, purpose: str, device="cpu", rc_average: bool = False):
        """The trained network (:meth:`model`), or an InputError when the preset has none.

        ``purpose`` completes the refusal: ``"nothing to explain"``.
        """
        if not self.is_neural:
            raise InputError(f"{self.preset} is not a neural network: {purpose}", self.path)
        return self.model(device=device, rc_average=rc_average)

    def test_sequences(self):
        """The run's own recorded test file (``config.json``'s ``test_file``), read as it
        is (:meth:`read_sequences`), or None when the file is gone.

        Only that recorded path is read (a relative one from the working folder, then
        from the run folder), never a path given from outside, e.g. by a web request.
        """
        recorded = self.config.get("test_file")
        if not recorded:
            return None
        path = Path(recorded)
        for candidate in [path] if path.is_absolute() else [path, self.path / path]:
            if candidate.is_file():
                return self.read_sequences(candidate)
        return None

    def read_sequences(self, path: str | os.PathLike, *, pad: bool = False):
        """Read a sequence file as it is (no shuffled negatives added) and check that its
        length is the one the model was trained on."""
        from gdashboard.data import read_dataset

        dataset = read_dataset(path, shuffle_negatives=False, pad=pad)
        if dataset.length != self.sequence_length:
            raise InputError(
                f"sequences have length {dataset.length}; the model was trained on length {self.sequence_length}", path
            )
        return dataset


def open_run(path: str | os.PathLike) -> Run:
    """Open a run folder (or its ``metrics.json`` / ``config.json``): config, metrics,
    predictions, motif results, and the model on demand.

    Raises
    ------
    InputError
        A path that is not a run folder, or a ``config.json`` / ``metrics.json`` that
        cannot be read or checked.
    """
    path = Path(path)
    if path.is_file() and path.name in (METRICS_FILE, CONFIG_FILE):
        path = path.parent
    metrics_path = path / METRICS_FILE
    metrics = None
    if metrics_path.exists():
        metrics = normalise_run(read_json(metrics_path), metrics_path)
        metrics["run_dir"], metrics["metrics_path"] = str(path), str(metrics_path)
    if metrics is not None and not metrics["available"] and not (path / CONFIG_FILE).exists():
        return Run(path=path, config={}, metrics=metrics)  # nothing was trained
    return Run(path=path, config=read_config(path), metrics=metrics)


def find_runs(paths: Iterable[str | os.PathLike]) -> list[Run]:
    """Open every finished run given or found below ``paths`` (as :func:`collect_runs`
    finds them), in the order found."""
    return [open_run(run["run_dir"]) for run in collect_runs(paths)]
