"""A training run: read data, train a preset, evaluate on the test file, and write the
run folder (its format is :mod:`gdashboard.results`'s). The CLI, the demo and the
benchmarks all go through here.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch

from gdashboard.data import Dataset, read_dataset, train_validation_split
from gdashboard.data.readers import experiment_name
from gdashboard.errors import InputError, differences
from gdashboard.evaluate import binary_metrics, predict_scores
from gdashboard.fileio import write_json
from gdashboard.models.catalogue import (
    ALL_PRESETS,
    ARCHITECTURE,
    PRESETS,
    RECURRENT_PRESETS,
    is_neural,
    preset_help,
    strand_options,
)
from gdashboard.models.presets import build_model, model_kwargs
from gdashboard.results import (
    CONFIG_FILE,
    FORMAT_VERSION,
    METRICS_FILE,
    PREDICTIONS_FILE,
    open_run,
    read_json,
    save_model,
    write_predictions,
)
from gdashboard.train import CHECKPOINT_STATE, CHECKPOINT_TENSORS, device_description, fit, read_checkpoint_state

# A neural run whose best validation AUC is at most this has not learned (AUC 0.5
# is chance; the smallest validation sets here, ~250 sequences, put chance within
# about +-0.04 of it). Such a run is trained again from new seeds, up to
# ``restarts`` times, and the attempt with the best validation AUC is kept: a
# choice on validation data only. Seen on the real data: a large-cnn-rnn whose
# outputs collapsed to a constant in its first epoch (training loss ln 2 for the
# rest of the run, validation AUC 0.51) on an experiment every other preset
# learns to 0.99.
NOT_LEARNED_AUC = 0.55
RESTARTS = 2
# Held by the process that trains a run folder (see _run_folder_lock).
LOCK_FILE = ".lock"


def restart_seed(seed: int, attempt: int) -> int:
    """The seed of restart ``attempt`` (1, 2, ...) of a run seeded ``seed``; 0 gives ``seed``.

    Drawn from ``SeedSequence([seed, attempt])`` so that it never coincides with
    another run's plain seed in practice.
    """
    if attempt == 0:
        return seed
    return int(np.random.SeedSequence([seed, attempt]).generate_state(1, np.uint64)[0] % 2**62)


def _check_lengths(train: Dataset, test: Dataset) -> None:
    if train.length != test.length:
        raise InputError(
            f"test sequences have length {test.length} but training sequences {train.length}; "
            "the model needs one length (pad both with --pad to a common length)",
            test.path,
        )


def train_run(
    train_path: str | os.PathLike,
    test_path: str | os.PathLike,
    preset: str,
    out: str | os.PathLike,
    *,
    seed: int = 0,
    epochs: int | None = None,
    tf: str | None = None,
    pooling: str | None = None,
    model_options: dict | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    schedule: str | None = None,
    warmup_epochs: int | None = None,
    patience: int | None = None,
    weight_decay: float | None = None,
    validation_fraction: float = 0.1,
    pad: bool = False,
    restarts: int = RESTARTS,
    resume: bool = False,
    progress: bool = True,
    device: str | None = None,
    rc_augment: bool | None = None,
    rc_average: bool | None = None,
    lock_wait: float = 0.0,
) -> dict:
    """Train one preset on one experiment and evaluate it; returns ``metrics.json``'s content.

    The negatives of a positives-only training file are shuffles seeded by ``seed``;
    the validation split (``validation_fraction`` of the training pairs, seeded)
    keeps each positive with its shuffle. The test file never steers a choice:
    early stopping and every default recipe look at validation data only. A
    neural run that has not learned (best validation AUC at most
    ``NOT_LEARNED_AUC``) is trained again from ``restart_seed(seed, k)``, k = 1 ..
    ``restarts``, each attempt in ``out/restart-k/`` (its history and, while it
    runs, its checkpoint), and the attempt with the best validation AUC is kept;
    ``metrics.json`` lists every attempt.

    ``rc_augment``: each batch also sees its reverse complements. ``rc_average``: the
    run's model scores the mean of both strands' log-odds (:mod:`gdashboard.models.averaged`);
    its validation and test metrics are those of that mean (early stopping still
    watches the network's own). Both are recorded (``recipe.rc_augment``,
    ``config.json``'s ``rc_average``, and in ``metrics.json`` when set) and make the
    run another model (``small-cnn +rc-aug+rc-avg``). Both default (None) to
    :func:`~gdashboard.models.catalogue.strand_options`: on for a network, off for a
    baseline, which reads both strands already and refuses them.

    One process at a time trains a run folder: another one finding it busy is refused, or
    waits up to ``lock_wait`` seconds for it (the study runner does, for a worker of a
    killed study that is still finishing the same run).
    """
    if preset not in ALL_PRESETS:
        raise InputError(f"unknown model preset {preset!r}; choose one of {preset_help()}")
    if pooling is not None and preset not in RECURRENT_PRESETS:
        raise InputError(f"--pooling applies to recurrent presets ({', '.join(RECURRENT_PRESETS)}), not {preset}")
    if (rc_augment or rc_average) and not is_neural(preset):
        raise InputError(f"--rc-augment and --rc-average apply to neural presets; {preset} reads both strands already")
    strands_asked = rc_augment is not None or rc_average is not None
    strands = strand_options(preset, rc_augment, rc_average)
    rc_augment, rc_average = strands["rc_augment"], strands["rc_average"]
    out = Path(out)
    options = dict(
        seed=seed, epochs=epochs, tf=tf, pooling=pooling, model_options=model_options, learning_rate=learning_rate,
        batch_size=batch_size, schedule=schedule, warmup_epochs=warmup_epochs, patience=patience,
        weight_decay=weight_decay, validation_fraction=validation_fraction, pad=pad, restarts=restarts,
        resume=resume, progress=progress, device=device, rc_augment=rc_augment, rc_average=rc_average,
    )  # fmt: skip
    _check_run_folder(out, train_path, preset, options, strands_asked)
    with _run_folder_lock(out, lock_wait):
        # What another process may have finished while this one waited is seen here.
        finished = _check_run_folder(out, train_path, preset, options, strands_asked)
        if finished is not None:
            return finished
        return _train_locked(train_path, test_path, preset, out, **options)


def _check_run_folder(out: Path, train_path, preset: str, options: dict, strands_asked: bool) -> dict | None:
    """Refuse a folder holding another run; the finished run asked for with --resume."""
    resume = options["resume"]
    if resume and not strands_asked and (out / CHECKPOINT_TENSORS).exists() and not (out / METRICS_FILE).exists():
        # Its checkpoint says which strands it trains on (train.fit refuses others), except a
        # checkpoint from before that was recorded, when the default was the forward strand.
        if "run_options" not in read_checkpoint_state(out):
            raise InputError(
                "holds an interrupted run begun before its strand options were recorded, and both strands are "
                "now the networks' default: say which it is (--no-rc-augment --no-rc-average for the forward "
                "strand, the default then)",
                out,
            )
    if (out / METRICS_FILE).exists() and not resume:
        raise InputError("already holds a finished run; choose another --out or pass --resume", out)
    if ((out / CHECKPOINT_TENSORS).exists() or (out / CHECKPOINT_STATE).exists()) and not resume:
        raise InputError("holds an interrupted run; pass --resume to continue it or choose another --out", out)
    if resume and (out / METRICS_FILE).exists():
        metrics = read_json(out / METRICS_FILE)
        strands = {key: options[key] for key in ("rc_augment", "rc_average")}
        _check_same_run(out, metrics, preset, options["seed"], experiment_name(train_path), options["pooling"], strands)
        return metrics
    return None


@contextmanager
def _run_folder_lock(out: Path, wait: float = 0.0):
    """One process at a time in a run folder (``OUT/.lock``, released when the process
    ends, even by SIGKILL): a second ``gdash train`` on the same folder is refused, never
    mixed in. A folder made here and left empty by a failure is removed."""
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    handle = open(out / LOCK_FILE, "a")
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    problem = "another process is training this run folder now; wait for it or choose another --out"
                    raise InputError(problem, out) from None
                time.sleep(0.5)
        yield
    except BaseException:
        handle.close()
        if made and [p.name for p in out.iterdir()] == [LOCK_FILE]:
            (out / LOCK_FILE).unlink()
            out.rmdir()
        raise
    else:
        handle.close()


def _train_locked(
    train_path, test_path, preset: str, out: Path, *, seed, epochs, tf, pooling, model_options, learning_rate,
    batch_size, schedule, warmup_epochs, patience, weight_decay, validation_fraction, pad, restarts, resume,
    progress, device, rc_augment, rc_average,
) -> dict:  # fmt: skip
    train = read_dataset(train_path, seed=seed, pad=pad)
    test = read_dataset(test_path, seed=seed, pad=pad)
    _check_lengths(train, test)
    experiment = train.name
    tf = tf or train.tf
    train_index, valid_index = train_validation_split(train.groups, validation_fraction, seed)
    training, validation = train.subset(train_index), train.subset(valid_index)
    for part, name in ((training, "training"), (validation, "validation")):
        if len(np.unique(part.labels)) < 2:
            raise InputError(
                f"the {name} split holds {len(part)} sequences of one class only; "
                f"bound and unbound sequences are both needed",
                train_path,
            )
    out.mkdir(parents=True, exist_ok=True)
    base_config = {
        "preset": preset,
        "architecture": ARCHITECTURE[preset],
        "experiment": experiment,
        "tf": tf,
        "sequence_length": train.length,
        "seed": seed,
        "train_file": str(train_path),
        "test_file": str(test_path),
        "validation_fraction": validation_fraction,
        "n_train": len(training),
        "n_validation": len(validation),
        "n_test": len(test),
        "n_shuffled_negatives": train.n_shuffled,
    }
    began = time.perf_counter()
    if not is_neural(preset):
        from gdashboard.models.baselines import MotifNotFoundError, build_baseline

        try:
            model = build_baseline(preset, tf=tf, **({} if preset == "pwm" else {"seed": seed}))
        except MotifNotFoundError as error:
            metrics = {
                **_metrics_header(base_config, None),
                "available": False,
                "reason": error.problem,
                "test_auc": None,
                "test_auprc": None,
                "test_accuracy": None,
                "validation_auc": None,
            }
            write_json(out / METRICS_FILE, metrics)
            return metrics
        model.fit(training.X, training.labels, validation.X, validation.labels)
        validation_auc = binary_metrics(validation.labels, predict_scores(model, validation.X))["auc"]
        config = {**base_config, "baseline": model.get_config()}
        best_epoch, history = None, []
        threshold = getattr(model, "threshold", 0.0)
        fit_seconds = None
    else:
        recipe = PRESETS[preset].recipe
        overrides = {
            k: v
            for k, v in dict(
                epochs=epochs,
                learning_rate=learning_rate,
                batch_size=batch_size,
                schedule=schedule,
                warmup_epochs=warmup_epochs,
                patience=patience,
                weight_decay=weight_decay,
                rc_augment=rc_augment,
            ).items()
            if v is not None
        }
        recipe = replace(recipe, **overrides)
        extra = dict(model_options or {})
        if pooling is not None:
            extra["pooling"] = pooling
        kwargs = model_kwargs(preset, **extra)
        try:  # too short for the convolutions fails deep inside torch otherwise
            with torch.no_grad():
                build_model(preset, **extra).eval()(torch.zeros(1, 4, train.length))
        except RuntimeError:
            raise InputError(
                f"sequences of length {train.length} are too short for {preset}'s convolutions", train_path
            ) from None
        tried = []  # (fit result, model, seed, folder), one per attempt
        for attempt in range(1 + max(0, restarts)):
            attempt_seed = restart_seed(seed, attempt)
            folder = out if attempt == 0 else out / f"restart-{attempt}"
            folder.mkdir(parents=True, exist_ok=True)
            torch.manual_seed(attempt_seed)
            candidate = build_model(preset, **extra)
            result = fit(
                candidate,
                training.X,
                training.labels,
                validation.X,
                validation.labels,
                recipe,
                attempt_seed,
                checkpoint_dir=folder,
                resume=resume,
                history_path=folder / "history.jsonl",
                progress=progress,
                device=device,
                run_options={"rc_augment": rc_augment, "rc_average": rc_average},
            )
            tried.append((result, candidate, attempt_seed, folder))
            if result.best_validation_auc > NOT_LEARNED_AUC:
                break
        kept = max(range(len(tried)), key=lambda k: tried[k][0].best_validation_auc)  # first of ties
        result, model = tried[kept][0], tried[kept][1]
        validation_auc, best_epoch, history = result.best_validation_auc, result.best_epoch, result.history
        fit_seconds = sum(attempt[0].seconds for attempt in tried)
        config = {
            **base_config,
            "model_class": PRESETS[preset].model_class,
            "model_kwargs": {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
            "recipe": asdict(recipe),
        }
        threshold = 0.0
    # Epoch times add up across --resume; a baseline's fit is timed here.
    train_seconds = fit_seconds if fit_seconds is not None else time.perf_counter() - began

    if rc_average:
        from gdashboard.models.averaged import StrandAverage

        config["rc_average"] = True
        save_model(model, out, config)  # the network; loading wraps it again (results.load_model)
        model = StrandAverage(model).eval()
        validation_auc = binary_metrics(validation.labels, predict_scores(model, validation.X))["auc"]
    else:
        save_model(model, out, config)
    predicting = time.perf_counter()
    scores = predict_scores(model, test.X)
    predict_seconds = time.perf_counter() - predicting
    test_metrics = binary_metrics(test.labels, scores, threshold=threshold)
    write_predictions(out / PREDICTIONS_FILE, test.ids, test.labels, scores)
    metrics = {
        **_metrics_header(base_config, config.get("model_kwargs", {}).get("pooling")),
        "available": True,
        "test_auc": test_metrics["auc"],
        "test_auprc": test_metrics["auprc"],
        "test_accuracy": test_metrics["accuracy"],
        "validation_auc": validation_auc,
        "best_epoch": best_epoch,
        "epochs_run": len(history),
        "train_seconds": train_seconds,
        # Scoring the test set (n_test sequences): the cost of using the model.
        "predict_seconds": predict_seconds,
    }
    metrics.update({key: True for key, value in (("rc_augment", rc_augment), ("rc_average", rc_average)) if value})
    if test_metrics["auc"] is None:
        # A test set of one class has no AUC (nor AUPRC): the run is kept and its accuracy
        # written, but no table can rank it, so it is unavailable, with the reason.
        kinds = "bound" if test.labels.all() else "unbound"
        metrics["available"] = False
        metrics["reason"] = f"the test set holds one class only ({len(test)} {kinds}): AUC undefined"
    if is_neural(preset):
        # A run says where its kept model trained (every device, if it was resumed
        # on another); a checkpoint from before devices were recorded was a CPU's.
        metrics["trained_on"] = " + ".join(result.devices or [device_description(next(model.parameters()).device)])
    if is_neural(preset) and len(tried) > 1:
        metrics["kept_attempt"] = kept
        metrics["attempts"] = [
            {
                "attempt": k,
                "seed": attempt_seed,
                "validation_auc": result.best_validation_auc,
                "best_epoch": result.best_epoch,
                "epochs_run": len(result.history),
                "history": str(folder.relative_to(out) / "history.jsonl"),
            }
            for k, (result, _, attempt_seed, folder) in enumerate(tried)
        ]
    write_json(out / METRICS_FILE, metrics)
    for folder in [out, *sorted(out.glob("restart-*"))]:
        for leftover in (CHECKPOINT_TENSORS, CHECKPOINT_STATE):
            (folder / leftover).unlink(missing_ok=True)
    return metrics


def _check_same_run(
    out: Path, metrics: dict, preset: str, seed: int, experiment: str, pooling: str | None, strands: dict
) -> None:
    """A finished run is reused by --resume only when it is the run asked for."""
    asked = {"preset": preset, "seed": seed, "experiment": experiment, **strands}
    if preset in RECURRENT_PRESETS:
        asked["pooling"] = pooling or "mean"
    found = {key: metrics.get(key, False if key in strands else None) for key in asked}
    if "pooling" in asked and found["pooling"] is None:
        found["pooling"] = "mean"
    different = differences(found, asked, asked)
    if different:
        raise InputError(
            f"holds a finished run with {'; '.join(different)}; ask for its own options or choose another --out", out
        )


def _metrics_header(config: dict, pooling: str | None) -> dict:
    return {
        k: config[k]
        for k in ("experiment", "tf", "preset", "architecture", "seed", "n_train", "n_validation", "n_test")
    } | {"pooling": pooling}


def _without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


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
    from gdashboard.models.catalogue import MODEL_OPTIONS

    runs = [open_run(path) for path in rundirs]
    if len(runs) < 2:
        raise InputError("an ensemble needs at least two runs")
    first = runs[0]
    for run in runs:
        if not run.complete or not run.is_neural or "ensemble" in run.config:
            raise InputError("not a finished neural run (an ensemble's members are trained networks)", run.path)
        same = ("experiment", "preset", "pooling", "sequence_length", "options")
        for key in same:
            if getattr(run, key) != getattr(first, key):
                raise InputError(
                    f"{key} {getattr(run, key)!r} differs from {getattr(first, key)!r} of {first.path}: "
                    "an ensemble's members differ only in their seed",
                    run.path,
                )
        # The training recipe and the network's shape too: members trained another way
        # (learning rate, weight decay, patience, validation share) are other models. The
        # epoch limit is left out: early stopping, not the limit, ends most runs, and a study
        # keeps such a run when the limit is raised (gdashboard.study.tasks.outdated_run).
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
                    f"{key} differs from that of {first.path} ({what}): "
                    "an ensemble's members differ only in their seed",
                    run.path,
                )
    seeds = [run.seed for run in runs]
    if len(set(map(str, seeds))) < len(seeds):
        raise InputError(f"two members share a seed ({', '.join(map(str, seeds))}): give runs of different seeds")
    out = Path(out)
    if (out / METRICS_FILE).exists():
        raise InputError("already holds a finished run; choose another --out", out)
    out.mkdir(parents=True, exist_ok=True)
    model = SeedEnsemble([run.model() for run in runs]).eval()
    test_file = first.config["test_file"]
    test = read_dataset(test_file, seed=first.seed)
    predicting = time.perf_counter()
    scores = predict_scores(model, test.X)
    predict_seconds = time.perf_counter() - predicting
    test_metrics = binary_metrics(test.labels, scores)
    members = [os.path.relpath(run.path.resolve(), out.resolve()) for run in runs]
    seed_label = "+".join(map(str, seeds))
    config = {key: value for key, value in first.config.items() if key != "format_version"}
    config.update(seed=seed_label, ensemble={"members": members, "seeds": seeds})
    write_json(out / CONFIG_FILE, {"format_version": FORMAT_VERSION, **config})
    write_predictions(out / PREDICTIONS_FILE, test.ids, test.labels, scores)
    validation = [run.metrics["validation_auc"] for run in runs]
    metrics = {
        **_metrics_header({**first.config, "seed": seed_label}, first.pooling),
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
    write_json(out / METRICS_FILE, metrics)
    return metrics


def predict_file(rundir: str | os.PathLike, path: str | os.PathLike, pad: bool = False, rc_average: bool = False):
    """Scores of a trained run on a sequence file: ``(dataset, scores)``.

    No negatives are added: every sequence in the file is scored as it is.
    ``rc_average``: the mean of both strands' log-odds, also for a run trained to score
    one (:meth:`gdashboard.results.Run.model`).
    """
    run = open_run(rundir)
    model = run.model(rc_average=rc_average)
    dataset = run.read_sequences(path, pad=pad)
    return dataset, predict_scores(model, dataset.X)
