"""The run folder's files other than the predictions: ``config.json`` (read and checked),
the model (saved and loaded), ``metrics.json`` (checked) and the class optimisation cache."""

from __future__ import annotations

import json
import math
import os
import zipfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from gdashboard.errors import InputError
from gdashboard.fileio import atomic_path, write_json
from gdashboard.models.catalogue import MODEL_OPTIONS, is_neural, model_label, paper_architecture
from gdashboard.results.data_references import check_data_references
from gdashboard.results.json_files import checked_copy, number_or_none, read_json

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
    check_data_references(config, path)


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


def normalise_run(metrics: Any, path: str | os.PathLike | None = None) -> dict:
    """Check one run's metrics and fill in defaults; the dict
    :func:`gdashboard.report.summarise` expects.

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
    run = checked_copy(metrics, "metrics", "test_auc", where)
    pooling = run["pooling"]
    run.setdefault("tf", run["experiment"].split("_")[0])
    run.setdefault("reason", None)
    run["test_auc"] = number_or_none(run["test_auc"], "test_auc", where)
    run["validation_auc"] = number_or_none(run.get("validation_auc"), "validation_auc", where)
    for cost in ("train_seconds", "predict_seconds"):  # absent from runs made before they were timed
        seconds = number_or_none(run.get(cost), cost, where)
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
