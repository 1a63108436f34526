"""One task of a study, run where an executor puts it, and the rules that say whether its
output is complete and current (the one place they are written).

A task is idempotent: a finished, current output is returned as it is; an interrupted
training resumes from its last epoch's checkpoint (exactly as if never stopped,
:func:`gdashboard.train.fit`); every file is written atomically. So a study killed at
any moment loses at most the epoch in progress.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from pathlib import Path

from gdashboard.errors import InputError
from gdashboard.fileio import write_text
from gdashboard.study.index import INDEX_FILE, StudyIndex
from gdashboard.study.options import TaskOptions
from gdashboard.study.plan import Task

LOG_FILE = "task.log"


# Seconds a training task waits for a run folder that another process still trains.
TRAIN_LOCK_WAIT = 1800.0


def outdated_run(rundir: Path, epochs: int | None = None) -> str | None:
    """Why a finished run no longer follows its preset's current rules (a suffix for the
    folder it is set aside in), or None when it is current. ``epochs``: the epoch limit
    asked for now (default: the preset's)."""
    from gdashboard.models.catalogue import PRESETS
    from gdashboard.results import METRICS_FILE, read_config, read_json
    from gdashboard.runs import NOT_LEARNED_AUC

    metrics = read_json(rundir / METRICS_FILE)
    if metrics["preset"] not in PRESETS or not metrics.get("available", True):
        return None
    if "attempts" not in metrics and metrics["validation_auc"] <= NOT_LEARNED_AUC:
        return "before-restarts"  # runs that had not learned are now restarted
    limit = read_config(rundir)["recipe"]
    wanted = epochs or PRESETS[metrics["preset"]].recipe.epochs
    if (
        limit["epochs"] < wanted
        and metrics["epochs_run"] >= limit["epochs"]
        and metrics["epochs_run"] - metrics["best_epoch"] < limit["patience"]
    ):
        # The epoch limit, not early stopping, ended it, and the limit asked for now is
        # higher. A run that early stopping ended before its limit is kept: under the
        # higher limit it takes the same steps and stops at the same epoch.
        return f"epochs{limit['epochs']}"
    return None


def current_motifs(previous: dict) -> bool:
    """Whether a motifs.json was made by today's rules: the current temporal-window rule,
    with the chance count, against JASPAR with MEME's pseudocount."""
    from gdashboard.data.jaspar import MEME_PSEUDOCOUNT
    from gdashboard.motifs.analysis import EXTRACTION_VERSION
    from gdashboard.results import recorded_jaspar_pseudocount

    current_rule = "temporal" not in previous["methods"] or previous.get("extraction_version") == EXTRACTION_VERSION
    return current_rule and "chance" in previous and recorded_jaspar_pseudocount(previous) == MEME_PSEUDOCOUNT


def set_aside(folder: Path, reason: str) -> Path:
    """Move an outdated run folder of ``STUDY/runs`` to ``STUDY/.superseded/runs/...`` (a
    dot-folder: the report and the dashboard, which skip those, do not count it twice),
    never overwriting. (Motif and pattern folders are redone in place.)"""
    kind, experiment, study = folder.parent.parent.name, folder.parent.name, folder.parent.parent.parent
    aside = study / ".superseded" / kind / experiment / f"{folder.name}-{reason}"
    while aside.exists():
        aside = aside.with_name(aside.name + "+")
    aside.parent.mkdir(parents=True, exist_ok=True)
    folder.rename(aside)
    return aside


def ensembles_of(task: Task, study: Path) -> list[Path]:
    """The ensemble step's folders of the task's model on its experiment, whatever their seeds."""
    return sorted(task.run_folder(study).parent.glob(f"{task.model}-ensemble-seed*"))


def ensemble_seeds(folder: Path) -> set[int]:
    """The member seeds an ensemble step's folder name gives (``...-ensemble-seed0+1+2``)."""
    return {int(seed) for seed in folder.name.rpartition("-seed")[2].split("+") if seed.isdigit()}


def _log(folder: Path, line: str) -> None:
    # Rewritten whole and renamed, never appended in place: an adopted folder's files
    # are hard links to another study's, which must not change.
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    before = path.read_text() if path.exists() else ""
    write_text(path, before + time.strftime("%Y-%m-%d %H:%M:%S ") + line + "\n")


def output_record(step: str, folder: Path, result: dict) -> dict:
    """What the index keeps of a finished output of ``step``: its folder and, from its
    ``metrics.json``, ``motifs.json`` or ``patterns.json`` (``result``), the numbers."""
    if step in ("train", "ensemble"):
        return {
            "path": str(folder),
            "test_auc": result.get("test_auc"),
            "validation_auc": result.get("validation_auc"),
            "device": ", ".join(result.get("devices") or []) or None,
        }
    if step == "motifs":
        return {"path": str(folder), "matches": {m: c["matches"] for m, c in result["methods"].items()}}
    first = result.get("first_tf_pattern") or {}
    return {
        "path": str(folder),
        "patterns": result.get("n_patterns"),
        "first_tf_rank": first.get("rank"),
        "first_tf_q": first.get("q"),
        "cofactors": result.get("cofactors", []),
    }


def is_finished(task: Task, study: Path, epochs: int | None = None) -> bool:
    """Whether a task's output is complete and current (no worker needed): a run that
    follows today's rules at the epoch limit asked for; an ensemble newer than each of its
    members, all finished; a motif or pattern result newer than its run and made by
    today's rules."""
    from gdashboard.results import METRICS_FILE, MODISCO_FILE, MODISCO_FORMAT_VERSION, MOTIFS_FILE, read_json

    rundir = task.run_folder(study)
    if task.step == "ensemble":
        members = task.member_tasks()
        if not (rundir / METRICS_FILE).exists() or not all(is_finished(m, study, epochs) for m in members):
            return False
        made = (rundir / METRICS_FILE).stat().st_mtime
        return all(made >= (m.run_folder(study) / METRICS_FILE).stat().st_mtime for m in members)
    if not (rundir / METRICS_FILE).exists():
        return False
    if outdated_run(rundir, epochs) is not None:
        return False  # the run is trained again, and what was made from it is redone after
    if task.step == "train":
        return True
    done = task.output_folder(study) / (MOTIFS_FILE if task.step == "motifs" else MODISCO_FILE)
    if not done.exists() or done.stat().st_mtime < (rundir / METRICS_FILE).stat().st_mtime:
        return False
    result = read_json(done)
    if task.step == "motifs":
        return current_motifs(result)
    return result.get("format_version") == MODISCO_FORMAT_VERSION


def finished_record(task: Task, study: Path) -> dict:
    """:func:`output_record` of a finished task, read from its folder."""
    from gdashboard.results import METRICS_FILE, MODISCO_FILE, MOTIFS_FILE, read_json

    folder = task.output_folder(study)
    name = {"train": METRICS_FILE, "ensemble": METRICS_FILE, "motifs": MOTIFS_FILE, "modisco": MODISCO_FILE}[task.step]
    return output_record(task.step, folder, read_json(folder / name))


def _train(task: Task, study: Path, options: TaskOptions) -> dict:
    from gdashboard.results import METRICS_FILE
    from gdashboard.runs import train_run

    rundir = task.run_folder(study)
    if (rundir / METRICS_FILE).exists():
        reason = outdated_run(rundir, options.train.epochs)
        if reason is not None:
            set_aside(rundir, reason)
            # An ensemble naming the run would read the one trained in its place, or a
            # half-trained one if this training fails: it goes with it, to be made again.
            for ensemble in ensembles_of(task, study):
                if task.seed in ensemble_seeds(ensemble):
                    set_aside(ensemble, "member-retrained")
    train = options.train.replace(
        seed=task.seed, pooling=task.pooling, rc_augment=task.rc_augment, rc_average=task.rc_average
    )
    metrics = train_run(
        task.train,
        task.test,
        task.preset,
        rundir,
        train,
        progress=False,
        resume=True,
        device=options.device,
        # A worker of a killed study may still be finishing this very run (Ray stops the
        # workers of a dead driver only after a while): wait for it, then resume or reuse.
        lock_wait=TRAIN_LOCK_WAIT,
    )
    record = output_record("train", rundir, metrics)
    record["device"] = record["device"] or options.device or "cpu"
    return record


def _ensemble(task: Task, study: Path, options: TaskOptions) -> dict:
    from gdashboard.ensemble import make_ensemble
    from gdashboard.results import METRICS_FILE

    members = task.member_tasks()
    for member in members:
        if not is_finished(member, study, options.train.epochs):
            raise InputError("its member's training task has not finished", member.run_folder(study))
    if is_finished(task, study, options.train.epochs):
        return finished_record(task, study)
    out = task.run_folder(study)
    if (out / METRICS_FILE).exists():
        set_aside(out, "members-retrained")  # made from runs trained again since
    metrics = make_ensemble([member.run_folder(study) for member in members], out)
    return output_record("ensemble", out, metrics)


def _motifs(task: Task, study: Path, options: TaskOptions) -> dict:
    from gdashboard.methods import ClassOptOptions
    from gdashboard.motifs.analysis import MotifAnalysisOptions, motif_analysis
    from gdashboard.results import METRICS_FILE

    rundir = task.run_folder(study)
    if not (rundir / METRICS_FILE).exists():
        raise InputError("its training task has not finished", rundir)
    if is_finished(task, study, options.train.epochs):
        return finished_record(task, study)
    out = task.motif_folder(study)
    asked = MotifAnalysisOptions(
        classopt=ClassOptOptions(steps=options.classopt_steps), classopt_device=options.classopt_device
    )
    summary = motif_analysis(rundir, task.test, out, asked)
    return output_record("motifs", out, summary)


def _modisco(task: Task, study: Path, options: TaskOptions) -> dict:
    from gdashboard.motifs.modisco import modisco_analysis
    from gdashboard.results import METRICS_FILE

    rundir = task.run_folder(study)
    if not (rundir / METRICS_FILE).exists():
        raise InputError("its training task has not finished", rundir)
    if is_finished(task, study, options.train.epochs):
        return finished_record(task, study)
    out = task.modisco_folder(study)
    summary = modisco_analysis(rundir, task.test, out)
    return output_record("modisco", out, summary)


STEP_FUNCTIONS = {"train": _train, "ensemble": _ensemble, "motifs": _motifs, "modisco": _modisco}


def run_task(task: Task | dict, study: str | os.PathLike, options: TaskOptions | None = None) -> dict:
    """Run one task; returns what the index records (``path``, ``seconds``, ``host``, and
    ``test_auc``/``validation_auc`` or motif ``matches``). Errors propagate: the
    executor records them. ``options``: :class:`~gdashboard.study.options.TaskOptions`."""
    import torch

    task = Task(**task) if isinstance(task, dict) else task
    options = TaskOptions() if options is None else options
    if options.threads:
        torch.set_num_threads(int(options.threads))
    study = Path(study)
    folder = task.output_folder(study)
    began = time.perf_counter()
    if (study / INDEX_FILE).exists():
        # The worker, not the runner, says when a task starts: a task waiting in the
        # pool's queue stays "pending" in the status table, and "started" is when it began.
        StudyIndex(study).start(task.id, socket.gethostname(), options.device or "cpu")
    _log(folder, f"start {task.id} on {socket.gethostname()} pid {os.getpid()}")
    try:
        result = STEP_FUNCTIONS[task.step](task, study, options)
    except BaseException as error:
        _log(folder, f"failed: {type(error).__name__}: {error}")
        write_text(folder / "task.error", "".join(traceback.format_exception(error)))
        raise
    result["seconds"] = time.perf_counter() - began
    result["host"] = socket.gethostname()
    _log(folder, f"done in {result['seconds']:.1f} s")
    return result
