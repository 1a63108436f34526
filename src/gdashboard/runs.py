"""A training run: read data, train a preset, evaluate on the test file, and write the
run folder (its format is :mod:`gdashboard.results`'s). The CLI, the demo and the
benchmarks all go through here; seed ensembles of finished runs are
:mod:`gdashboard.ensemble`'s.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gdashboard.data import Dataset, read_dataset, train_validation_split
from gdashboard.data.readers import experiment_name
from gdashboard.ensemble import make_ensemble  # noqa: F401 - its earlier home, still imported from here
from gdashboard.errors import InputError, differences
from gdashboard.evaluate import binary_metrics, metrics_header, predict_scores
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
    METRICS_FILE,
    PREDICTIONS_FILE,
    data_reference,
    open_run,
    read_json,
    save_model,
    write_predictions,
)
from gdashboard.train import (
    CHECKPOINT_STATE,
    CHECKPOINT_TENSORS,
    FitResult,
    FitSetup,
    device_description,
    fit,
    read_checkpoint_state,
)
from gdashboard.train_options import TrainOptions

# A neural run whose best validation AUC is at most this has not learned (AUC 0.5
# is chance; the smallest validation sets here, ~250 sequences, put chance within
# about +-0.04 of it). Such a run is trained again from new seeds, up to
# ``restarts`` times, and the attempt with the best validation AUC is kept: a
# choice on validation data only. Seen on the real data: a large-cnn-rnn whose
# outputs collapsed to a constant in its first epoch (training loss ln 2 for the
# rest of the run, validation AUC 0.51) on an experiment every other preset
# learns to 0.99.
NOT_LEARNED_AUC = 0.55
# Held by the process that trains a run folder (see _run_folder_lock).
LOCK_FILE = ".lock"
STRANDS = ("rc_augment", "rc_average")


def restart_seed(seed: int, attempt: int) -> int:
    """The seed of restart ``attempt`` (1, 2, ...) of a run seeded ``seed``; 0 gives ``seed``.

    Drawn from ``SeedSequence([seed, attempt])`` so that it never coincides with
    another run's plain seed in practice.
    """
    if attempt == 0:
        return seed
    return int(np.random.SeedSequence([seed, attempt]).generate_state(1, np.uint64)[0] % 2**62)


@dataclass(frozen=True)
class _Job:
    """One training run asked for; its options' strands are resolved (True or False)."""

    train_path: str | os.PathLike
    test_path: str | os.PathLike
    preset: str
    out: Path
    options: TrainOptions
    resume: bool = False
    progress: bool = True
    device: str | None = None

    @property
    def strands(self) -> dict:
        return {key: getattr(self.options, key) for key in STRANDS}


@dataclass(frozen=True)
class _Data:
    """The experiment as the run reads it: the training file split, and the test file."""

    train: Dataset
    test: Dataset
    training: Dataset
    validation: Dataset


@dataclass
class _Fitted:
    """A trained model and what its run folder records of the training."""

    model: Any
    config: dict
    validation_auc: float
    best_epoch: int | None = None
    history: list = field(default_factory=list)
    threshold: float = 0.0
    fit_seconds: float | None = None  # a network's epochs (added up across --resume); None: timed by the caller
    attempts: list = field(default_factory=list)  # a network's (FitResult, seed, folder), one per attempt
    kept: int = 0


def train_run(
    train_path: str | os.PathLike,
    test_path: str | os.PathLike,
    preset: str,
    out: str | os.PathLike,
    options: TrainOptions | None = None,
    *,
    resume: bool = False,
    progress: bool = True,
    device: str | None = None,
    lock_wait: float = 0.0,
) -> dict:
    """Train one preset on one experiment and evaluate it; returns ``metrics.json``'s content.

    ``options`` (:class:`~gdashboard.train_options.TrainOptions`, default: all the
    defaults) say how. The negatives of a positives-only training file are shuffles
    seeded by ``options.seed``; the validation split (``validation_fraction`` of the
    training pairs, seeded) keeps each positive with its shuffle. The test file never
    steers a choice: early stopping and every default recipe look at validation data
    only. A neural run that has not learned (best validation AUC at most
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

    ``config.json`` records the data files as given (``train_file``, ``test_file``) and,
    under ``data``, where they are from the run folder, where they were, and their
    digest (:func:`gdashboard.results.data_reference`), so that a moved study still
    finds them.

    ``resume`` continues an interrupted run (or returns the finished one asked for);
    ``device`` is where a network trains (default: CUDA when present). One process at a
    time trains a run folder: another one finding it busy is refused, or waits up to
    ``lock_wait`` seconds for it (the study runner does, for a worker of a killed study
    that is still finishing the same run).
    """
    options = TrainOptions() if options is None else options
    _refuse_options_of_other_presets(preset, options)
    strands_asked = options.rc_augment is not None or options.rc_average is not None
    options = options.replace(**strand_options(preset, options.rc_augment, options.rc_average))
    job = _Job(train_path, test_path, preset, Path(out), options, resume, progress, device)
    _check_run_folder(job, strands_asked)
    with _run_folder_lock(job.out, lock_wait):
        # What another process may have finished while this one waited is seen here.
        finished = _check_run_folder(job, strands_asked)
        if finished is not None:
            return finished
        return _train_locked(job)


def _refuse_options_of_other_presets(preset: str, options: TrainOptions) -> None:
    if preset not in ALL_PRESETS:
        raise InputError(f"unknown model preset {preset!r}; choose one of {preset_help()}")
    if options.pooling is not None and preset not in RECURRENT_PRESETS:
        raise InputError(f"--pooling applies to recurrent presets ({', '.join(RECURRENT_PRESETS)}), not {preset}")
    if (options.rc_augment or options.rc_average) and not is_neural(preset):
        raise InputError(f"--rc-augment and --rc-average apply to neural presets; {preset} reads both strands already")


def _check_run_folder(job: _Job, strands_asked: bool) -> dict | None:
    """Refuse a folder holding another run; the finished run asked for with --resume."""
    out, resume = job.out, job.resume
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
        _check_same_run(job, metrics)
        return metrics
    return None


def _check_same_run(job: _Job, metrics: dict) -> None:
    """A finished run is reused by --resume only when it is the run asked for."""
    strands = job.strands
    asked = {"preset": job.preset, "seed": job.options.seed, "experiment": experiment_name(job.train_path), **strands}
    if job.preset in RECURRENT_PRESETS:
        asked["pooling"] = job.options.pooling or "mean"
    found = {key: metrics.get(key, False if key in strands else None) for key in asked}
    if "pooling" in asked and found["pooling"] is None:
        found["pooling"] = "mean"
    different = differences(found, asked, asked)
    if different:
        raise InputError(
            f"holds a finished run with {'; '.join(different)}; ask for its own options or choose another --out",
            job.out,
        )


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


def _train_locked(job: _Job) -> dict:
    data = _read_data(job)
    job.out.mkdir(parents=True, exist_ok=True)
    base_config = _base_config(job, data)
    began = time.perf_counter()
    if is_neural(job.preset):
        fitted = _fit_network(job, data, base_config)
    else:
        fitted = _fit_baseline(job, data, base_config)
        if isinstance(fitted, dict):
            return fitted  # unavailable: its metrics say why
    # Epoch times add up across --resume; a baseline's fit is timed here.
    train_seconds = fitted.fit_seconds if fitted.fit_seconds is not None else time.perf_counter() - began
    _save_run_model(job, fitted, data.validation)
    metrics = _evaluate_on_test(job, fitted, data.test, base_config, train_seconds)
    write_json(job.out / METRICS_FILE, metrics)
    for folder in [job.out, *sorted(job.out.glob("restart-*"))]:
        for leftover in (CHECKPOINT_TENSORS, CHECKPOINT_STATE):
            (folder / leftover).unlink(missing_ok=True)
    return metrics


def _read_data(job: _Job) -> _Data:
    """Both files, the training file split (seeded) into training and validation, each
    of which must hold both classes."""
    options = job.options
    train = read_dataset(job.train_path, seed=options.seed, pad=options.pad)
    test = read_dataset(job.test_path, seed=options.seed, pad=options.pad)
    if train.length != test.length:
        raise InputError(
            f"test sequences have length {test.length} but training sequences {train.length}; "
            "the model needs one length (pad both with --pad to a common length)",
            test.path,
        )
    train_index, valid_index = train_validation_split(train.groups, options.validation_fraction, options.seed)
    training, validation = train.subset(train_index), train.subset(valid_index)
    for part, name in ((training, "training"), (validation, "validation")):
        if len(np.unique(part.labels)) < 2:
            raise InputError(
                f"the {name} split holds {len(part)} sequences of one class only; "
                f"bound and unbound sequences are both needed",
                job.train_path,
            )
    return _Data(train, test, training, validation)


def _base_config(job: _Job, data: _Data) -> dict:
    """What ``config.json`` records of every run, network or baseline."""
    return {
        "preset": job.preset,
        "architecture": ARCHITECTURE[job.preset],
        "experiment": data.train.name,
        "tf": job.options.tf or data.train.tf,
        "sequence_length": data.train.length,
        "seed": job.options.seed,
        "train_file": str(job.train_path),
        "test_file": str(job.test_path),
        "data": {
            "train": data_reference(job.train_path, job.out),
            "test": data_reference(job.test_path, job.out),
        },
        "validation_fraction": job.options.validation_fraction,
        "n_train": len(data.training),
        "n_validation": len(data.validation),
        "n_test": len(data.test),
        "n_shuffled_negatives": data.train.n_shuffled,
    }


def _fit_baseline(job: _Job, data: _Data, base_config: dict) -> _Fitted | dict:
    """A fitted baseline; or, for a PWM of a TF JASPAR has no motif of, the unavailable
    run's metrics (written; no model)."""
    from gdashboard.models.baselines import MotifNotFoundError, build_baseline

    try:
        seeded = {} if job.preset == "pwm" else {"seed": job.options.seed}
        model = build_baseline(job.preset, tf=base_config["tf"], **seeded)
    except MotifNotFoundError as error:
        metrics = {
            **metrics_header(base_config, None),
            "available": False,
            "reason": error.problem,
            "test_auc": None,
            "test_auprc": None,
            "test_accuracy": None,
            "validation_auc": None,
        }
        write_json(job.out / METRICS_FILE, metrics)
        return metrics
    training, validation = data.training, data.validation
    model.fit(training.X, training.labels, validation.X, validation.labels)
    validation_auc = binary_metrics(validation.labels, predict_scores(model, validation.X))["auc"]
    config = {**base_config, "baseline": model.get_config()}
    return _Fitted(model, config, validation_auc, threshold=getattr(model, "threshold", 0.0))


def _fit_network(job: _Job, data: _Data, base_config: dict) -> _Fitted:
    """The network trained by the preset's recipe (the options' overrides applied), from
    new seeds again while it has not learned; the best attempt by validation is kept."""
    recipe = replace(PRESETS[job.preset].recipe, **job.options.recipe_overrides())
    extra = dict(job.options.model_options or {})
    if job.options.pooling is not None:
        extra["pooling"] = job.options.pooling
    kwargs = model_kwargs(job.preset, **extra)
    try:  # too short for the convolutions fails deep inside torch otherwise
        with torch.no_grad():
            build_model(job.preset, **extra).eval()(torch.zeros(1, 4, data.train.length))
    except RuntimeError:
        raise InputError(
            f"sequences of length {data.train.length} are too short for {job.preset}'s convolutions", job.train_path
        ) from None
    tried = []  # (fit result, model, seed, folder), one per attempt
    for attempt in range(1 + max(0, job.options.restarts)):
        tried.append(_attempt(job, data, recipe, extra, attempt))
        if tried[-1][0].best_validation_auc > NOT_LEARNED_AUC:
            break
    kept = max(range(len(tried)), key=lambda k: tried[k][0].best_validation_auc)  # first of ties
    result, model = tried[kept][0], tried[kept][1]
    config = {
        **base_config,
        "model_class": PRESETS[job.preset].model_class,
        "model_kwargs": {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
        "recipe": asdict(recipe),
    }
    return _Fitted(
        model,
        config,
        result.best_validation_auc,
        best_epoch=result.best_epoch,
        history=result.history,
        fit_seconds=sum(attempt[0].seconds for attempt in tried),
        attempts=[(result, seed, folder) for result, _, seed, folder in tried],
        kept=kept,
    )


def _attempt(job: _Job, data: _Data, recipe, extra: dict, attempt: int) -> tuple[FitResult, Any, int, Path]:
    """Attempt ``attempt`` (0: the run itself) of a network, in its own folder."""
    seed = restart_seed(job.options.seed, attempt)
    folder = job.out if attempt == 0 else job.out / f"restart-{attempt}"
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    candidate = build_model(job.preset, **extra)
    setup = FitSetup(
        device=job.device,
        checkpoint_dir=folder,
        resume=job.resume,
        history_path=folder / "history.jsonl",
        run_options=job.strands,
    )
    arrays = (data.training.X, data.training.labels, data.validation.X, data.validation.labels)
    result = fit(candidate, *arrays, recipe, seed, progress=job.progress, setup=setup)
    return result, candidate, seed, folder


def _save_run_model(job: _Job, fitted: _Fitted, validation: Dataset) -> None:
    """Write the weights and ``config.json``. A run scoring both strands saves the network
    (loading wraps it again, :func:`gdashboard.results.load_model`) and is measured, from
    here on, as the strand mean."""
    if not job.options.rc_average:
        save_model(fitted.model, job.out, fitted.config)
        return
    from gdashboard.models.averaged import StrandAverage

    fitted.config["rc_average"] = True
    save_model(fitted.model, job.out, fitted.config)
    fitted.model = StrandAverage(fitted.model).eval()
    fitted.validation_auc = binary_metrics(validation.labels, predict_scores(fitted.model, validation.X))["auc"]


def _evaluate_on_test(job: _Job, fitted: _Fitted, test: Dataset, base_config: dict, train_seconds: float) -> dict:
    """Score the test file (``test_predictions.tsv``) and make ``metrics.json``'s content."""
    predicting = time.perf_counter()
    scores = predict_scores(fitted.model, test.X)
    predict_seconds = time.perf_counter() - predicting
    test_metrics = binary_metrics(test.labels, scores, threshold=fitted.threshold)
    write_predictions(job.out / PREDICTIONS_FILE, test.ids, test.labels, scores)
    metrics = {
        **metrics_header(base_config, fitted.config.get("model_kwargs", {}).get("pooling")),
        "available": True,
        "test_auc": test_metrics["auc"],
        "test_auprc": test_metrics["auprc"],
        "test_accuracy": test_metrics["accuracy"],
        "validation_auc": fitted.validation_auc,
        "best_epoch": fitted.best_epoch,
        "epochs_run": len(fitted.history),
        "train_seconds": train_seconds,
        # Scoring the test set (n_test sequences): the cost of using the model.
        "predict_seconds": predict_seconds,
    }
    metrics.update({key: True for key, value in job.strands.items() if value})
    if test_metrics["auc"] is None:
        # A test set of one class has no AUC (nor AUPRC): the run is kept and its accuracy
        # written, but no table can rank it, so it is unavailable, with the reason.
        kinds = "bound" if test.labels.all() else "unbound"
        metrics["available"] = False
        metrics["reason"] = f"the test set holds one class only ({len(test)} {kinds}): AUC undefined"
    if is_neural(job.preset):
        metrics.update(_attempts_record(job.out, fitted))
    return metrics


def _attempts_record(out: Path, fitted: _Fitted) -> dict:
    """Where a network's kept model trained (every device, if it was resumed on another;
    a checkpoint from before devices were recorded was a CPU's) and, after restarts, each attempt."""
    kept = fitted.attempts[fitted.kept][0]
    devices = kept.devices or [device_description(next(fitted.model.parameters()).device)]
    record = {"trained_on": " + ".join(devices)}
    if len(fitted.attempts) > 1:
        record["kept_attempt"] = fitted.kept
        record["attempts"] = [
            {
                "attempt": k,
                "seed": seed,
                "validation_auc": result.best_validation_auc,
                "best_epoch": result.best_epoch,
                "epochs_run": len(result.history),
                "history": str(folder.relative_to(out) / "history.jsonl"),
            }
            for k, (result, seed, folder) in enumerate(fitted.attempts)
        ]
    return record


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
