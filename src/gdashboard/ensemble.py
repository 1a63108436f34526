"""A seed ensemble of finished runs (``gdash ensemble``, a study's ensemble step): one model
scoring the mean of its members' log-odds, written as a run folder without weights."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from gdashboard.data import read_dataset
from gdashboard.errors import InputError, differences
from gdashboard.evaluate import binary_metrics, metrics_header, predict_scores
from gdashboard.fileio import write_json
from gdashboard.results import (
    CONFIG_FILE,
    FORMAT_VERSION,
    METRICS_FILE,
    PREDICTIONS_FILE,
    open_run,
    write_predictions,
)

# What an ensemble's members share, besides their training: the same model of the same data.
SAME = ("experiment", "preset", "pooling", "sequence_length", "options")


def make_ensemble(rundirs, out: str | os.PathLike) -> dict:
    """Make a seed ensemble of finished runs (same experiment, preset, pooling, strand
    options, network shape and training recipe; different seeds) in ``out``; returns its
    ``metrics.json``'s content. Its ``train_seconds`` is the sum of its members'.

    The ensemble's model is the mean of its members' log-odds
    (:class:`~gdashboard.models.averaged.SeedEnsemble`); ``out`` holds no weights, only
    ``config.json`` naming the members (relative to ``out``), ``test_predictions.tsv`` and
    ``metrics.json``, so ``predict``, ``explain``, ``motifs``, ``modisco``, the report and
    the dashboard take it as one model (``small-cnn +rc-aug+rc-avg+ensemble`` of runs on both
    strands, ``small-cnn +ensemble`` of forward-strand runs; seed ``"0+1+2"``). Its
    test metrics are measured on the members' test file (read as the first member read
    it). Its validation AUC is the mean of the members' own: each member held out a
    different validation split, so no sequence was held out from all of them, and a
    validation AUC of the ensemble itself would be measured on its members' training data.
    """
    from gdashboard.models.averaged import SeedEnsemble

    runs = [open_run(path) for path in rundirs]
    _check_members(runs)
    first, seeds = runs[0], [run.seed for run in runs]
    out = Path(out)
    if (out / METRICS_FILE).exists():
        raise InputError("already holds a finished run; choose another --out", out)
    out.mkdir(parents=True, exist_ok=True)
    model = SeedEnsemble([run.model() for run in runs]).eval()
    # The members' test file, where it is now (a study moved with its data still finds it).
    test = read_dataset(first.data_file("test"), seed=first.seed)
    predicting = time.perf_counter()
    scores = predict_scores(model, test.X)
    predict_seconds = time.perf_counter() - predicting
    test_metrics = binary_metrics(test.labels, scores)
    members = [os.path.relpath(run.path.resolve(), out.resolve()) for run in runs]
    write_json(out / CONFIG_FILE, {"format_version": FORMAT_VERSION, **_config(first, out, members, seeds)})
    write_predictions(out / PREDICTIONS_FILE, test.ids, test.labels, scores)
    metrics = _metrics(runs, members, test_metrics, predict_seconds)
    write_json(out / METRICS_FILE, metrics)
    return metrics


def _check_members(runs: list) -> None:
    """Refuse runs that are not one model trained from several seeds, naming what differs."""
    if len(runs) < 2:
        raise InputError("an ensemble needs at least two runs")
    first = runs[0]
    for run in runs:
        if not run.complete or not run.is_neural or "ensemble" in run.config:
            raise InputError("not a finished neural run (an ensemble's members are trained networks)", run.path)
        for key in SAME:
            if getattr(run, key) != getattr(first, key):
                raise InputError(
                    f"{key} {getattr(run, key)!r} differs from {getattr(first, key)!r} of {first.path}: "
                    "an ensemble's members differ only in their seed",
                    run.path,
                )
        _check_same_training(run, first)
    seeds = [run.seed for run in runs]
    if len(set(map(str, seeds))) < len(seeds):
        raise InputError(f"two members share a seed ({', '.join(map(str, seeds))}): give runs of different seeds")


def _check_same_training(run, first) -> None:
    """The training recipe and the network's shape too: members trained another way
    (learning rate, weight decay, patience, validation share) are other models. The
    epoch limit is left out: early stopping, not the limit, ends most runs, and a study
    keeps such a run when the limit is raised (gdashboard.study.tasks.outdated_run)."""
    for key in ("model_kwargs", "recipe", "validation_fraction"):
        mine, theirs = run.config.get(key), first.config.get(key)
        if key == "recipe" and isinstance(mine, dict) and isinstance(theirs, dict):
            mine, theirs = _without(mine, "epochs"), _without(theirs, "epochs")
        if mine != theirs:
            if isinstance(mine, dict) and isinstance(theirs, dict):
                what = ", ".join(differences(mine, theirs, sorted({*mine, *theirs})))
            else:
                what = f"{mine!r}, not {theirs!r}"
            raise InputError(
                f"{key} differs from that of {first.path} ({what}): an ensemble's members differ only in their seed",
                run.path,
            )


def _without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


def _config(first, out: Path, members: list[str], seeds: list) -> dict:
    """The first member's configuration, as the ensemble's: its seeds, its members, and its
    data files referred to from the ensemble's own folder."""
    config = {key: value for key, value in first.config.items() if key != "format_version"}
    config.update(seed="+".join(map(str, seeds)), ensemble={"members": members, "seeds": seeds})
    if "data" in config:
        config["data"] = {kind: _rebased(reference, first.path, out) for kind, reference in config["data"].items()}
    return config


def _rebased(reference: dict, rundir: Path, out: Path) -> dict:
    """A member's data reference (:func:`~gdashboard.results.data_reference`) with its
    relative path from the ensemble's folder instead of the member's: the same file, the
    same digest, nothing read again."""
    relative = reference.get("relative")
    if relative is not None:
        relative = Path(os.path.relpath(os.path.abspath(rundir / relative), os.path.abspath(out))).as_posix()
    return {**reference, "relative": relative}


def _metrics(runs: list, members: list[str], test_metrics: dict, predict_seconds: float) -> dict:
    from gdashboard.models.catalogue import MODEL_OPTIONS

    first = runs[0]
    seed_label = "+".join(str(run.seed) for run in runs)
    validation = [run.metrics["validation_auc"] for run in runs]
    return {
        **metrics_header({**first.config, "seed": seed_label}, first.pooling),
        "available": True,
        "test_auc": test_metrics["auc"],
        "test_auprc": test_metrics["auprc"],
        "test_accuracy": test_metrics["accuracy"],
        "validation_auc": None if None in validation else float(np.mean(validation)),
        "train_seconds": float(sum(run.metrics.get("train_seconds") or 0.0 for run in runs)),
        "predict_seconds": predict_seconds,
        "members": [
            {"seed": run.seed, "run": member, "test_auc": run.metrics["test_auc"]} for run, member in zip(runs, members)
        ],
        **{key: True for key in MODEL_OPTIONS if key in first.options},
        "ensemble": True,
    }
