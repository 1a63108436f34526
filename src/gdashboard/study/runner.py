"""``gdash study``: every experiment × every model × every seed in one resumable command.

The runner plans the tasks (:mod:`gdashboard.study.plan`), records them in the index
(:mod:`gdashboard.study.index`), skips those whose output is complete and current,
hands the rest to an executor (:mod:`gdashboard.study.executors`) — a motif task as
soon as its training has finished — records each end, and writes the report (Tables 2,
3 and 4) when nothing is left. One runner per study at a time (a lock file); killed at
any moment, run it again: finished tasks are kept, an interrupted training resumes
from its last epoch.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import product
from pathlib import Path
from typing import Iterable, Sequence

from gdashboard.errors import InputError
from gdashboard.models.catalogue import is_neural
from gdashboard.results import METRICS_FILE
from gdashboard.study.index import StudyIndex
from gdashboard.study.options import Execution, StudyOptions, TaskOptions
from gdashboard.study.plan import Task, find_experiments, plan
from gdashboard.study.tasks import ensemble_seeds, ensembles_of, finished_record, is_finished, set_aside
from gdashboard.train_options import TrainOptions

LOCK_FILE = ".study.lock"
TRAIN_OPTIONS_FILE = "train_options.json"


@contextmanager
def _study_lock(study: Path):
    study.mkdir(parents=True, exist_ok=True)
    with open(study / LOCK_FILE, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError("another gdash study run is working on this study", study) from None
        yield


def _refuse_a_silent_change_of_strands(tasks: Sequence[Task], known: set[str], study: Path) -> None:
    """A study begun before both strands became the networks' default holds forward-strand
    runs; run again without saying which strands, it would plan (and spend hours training)
    both-strand models beside them. Not told, the user most likely meant to continue it:
    refuse, and say how to do either. A model is matched in any other strand form, by its
    training task (in the index, or as a finished run folder the index has not seen)."""
    for task in tasks:
        # A model of the asked form already in the study (its task, or its training's) is no change.
        if task.id in known or replace(task, step="train").id in known or not is_neural(task.preset):
            continue
        for augment, average in product((False, True), repeat=2):
            other = replace(task, step="train", rc_augment=augment, rc_average=average)
            if (augment, average) == (task.rc_augment, task.rc_average):
                continue
            if other.id in known or (other.run_folder(study) / METRICS_FILE).exists():
                raise InputError(
                    f"holds {other.id}, of other strand options than {task.model}'s, and both strands are now the "
                    "networks' default: pass --no-rc-augment --no-rc-average to continue it as it was (or its own "
                    "options), or --rc-augment --rc-average to add the both-strand models",
                    study,
                )


def _check_train_options(study: Path, asked: dict) -> None:
    """A study's trainings share one set of training options, recorded in
    ``train_options.json`` by its first run; once a training has finished, a run asking for
    others is refused (its finished runs would be reused as they are, the others trained
    another way). Before that the record follows what is asked (a mistyped value, corrected)."""
    from gdashboard.fileio import write_json
    from gdashboard.results import read_json

    path = study / TRAIN_OPTIONS_FILE
    recorded = read_json(path) if path.exists() else {}
    if recorded == asked:
        return
    if any((study / "runs").glob(f"*/*/{METRICS_FILE}")):
        if recorded:
            raise InputError(
                f"was run with the training options {recorded}, not {asked}: run it with its own "
                "(--train-options, or StudyOptions' train from Python)",
                study,
            )
        raise InputError(f"was run without training options, not with {asked}: choose another study folder", study)
    study.mkdir(parents=True, exist_ok=True)
    if asked:
        write_json(path, asked)
    else:
        path.unlink()


def _set_aside_ensembles_of_other_seeds(
    tasks: Sequence[Task], study: Path, index: StudyIndex, steps_given: bool = True
) -> None:
    """A study's ensemble is of the seeds it is run with: one of other seeds (the study run
    before with --seeds 0,1, now with 0,1,2) would be a second ensemble of the same model in
    the report, averaged with it. It is set aside (``.superseded/``) and forgotten, when the
    ensemble step was asked for or the seeds asked include its own; under the default steps
    (``steps_given`` False) a rerun leaving some of its seeds out, perhaps only to add
    others, is refused instead, saying how to go on."""
    for task in tasks:
        if task.step != "ensemble":
            continue
        for other in ensembles_of(task, study):
            if other != task.run_folder(study):
                other_seeds = ensemble_seeds(other)
                if not steps_given and not other_seeds <= set(task.members):
                    seeds = ",".join(map(str, sorted(other_seeds | set(task.members))))
                    raise InputError(
                        f"holds {other.name}, the ensemble of other seeds than {task.name}: give all the seeds "
                        f"(--seeds {seeds}) for the ensemble of all, --steps train,ensemble for that of these "
                        "alone (the other set aside), or --steps train to add trainings only",
                        study,
                    )
                set_aside(other, "other-seeds")
                index.remove([replace(task, members=tuple(sorted(other_seeds))).id])


def _chosen_experiments(experiments: list, names: Sequence[str] | str | None) -> list:
    """The experiments named (all for None), in the order found."""
    if names is None:
        return experiments
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise InputError("give at least one experiment name")
    found = [e.name for e in experiments]
    missing = [name for name in names if name not in found]
    if missing:
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise InputError(f"no experiment named {missing[0]} under the data folders (found: {shown})")
    return [e for e in experiments if e.name in set(names)]


def run_study(
    data_dirs: Iterable[str | os.PathLike],
    presets: Sequence[str],
    out: str | os.PathLike,
    options: StudyOptions | None = None,
    execution: Execution | None = None,
    *,
    report: bool = True,
    progress: bool = True,
) -> dict:
    """Run a study into ``out``; returns the index's counts per state.

    Every task of :func:`gdashboard.study.plan.plan` (``options``: the seeds, steps,
    experiments and training, :class:`~gdashboard.study.options.StudyOptions`) runs once,
    in ``execution.workers`` processes of ``execution.threads`` threads (Ray tasks with
    ``executor="ray"``, :class:`~gdashboard.study.options.Execution`); a failure is
    recorded with its one-line error (after ``retries`` more tries) and the others go on.

    The training options set beyond what the study decides itself (its setting,
    :meth:`~gdashboard.study.options.StudyOptions.setting`: one setting of a
    hyperparameter search per study) are given to every training of the study's
    networks. The study records them (``train_options.json``); once a training has
    finished, a run asking for others is refused. ``report``: write the report when
    nothing is left to do.
    """
    options = StudyOptions() if options is None else options
    execution = Execution() if execution is None else execution
    execution.check()
    setting = options.setting(presets)
    study = Path(out)
    experiments = _chosen_experiments(find_experiments(data_dirs), options.experiments)
    train = options.train
    tasks = plan(experiments, presets, options.seeds, options.steps, train.pooling, train.rc_augment, train.rc_average)
    task_options = TaskOptions(
        # Each task's seed, pooling and strands are its own (run_task).
        train=TrainOptions(epochs=train.epochs, **setting),
        classopt_steps=options.classopt_steps,
        device=execution.device,
        threads=execution.threads,
    )
    with _study_lock(study):
        _check_train_options(study, setting)
        index = StudyIndex(study)
        if train.rc_augment is None or train.rc_average is None:
            _refuse_a_silent_change_of_strands(tasks, {row["id"] for row in index.rows()}, study)
        _set_aside_ensembles_of_other_seeds(tasks, study, index, steps_given=options.steps is not None)
        index.add(tasks)
        schedule = _schedule(tasks, study, index, train.epochs)
        _run_tasks(schedule, study, index, task_options, execution, progress)
        if report:
            write_study_report(study)
        return index.counts()


@dataclass
class _Schedule:
    """Which tasks can start, and which wait for trainings to finish."""

    ready: list = field(default_factory=list)
    waiting_for_training: dict = field(default_factory=dict)  # train task id -> the tasks that read its run
    unfinished_before: dict = field(default_factory=dict)  # a waiting task's id -> its trainings not finished yet

    def __len__(self) -> int:
        return len(self.ready) + len(self.unfinished_before)

    def trained(self, train_id: str) -> list[Task]:
        """The tasks that a finished training leaves with nothing to wait for."""
        now_ready = []
        for follower in self.waiting_for_training.pop(train_id, []):
            if follower.id not in self.unfinished_before:
                continue  # failed already, with another of its trainings
            self.unfinished_before[follower.id] -= 1
            if self.unfinished_before[follower.id] == 0:
                del self.unfinished_before[follower.id]
                now_ready.append(follower)
        return now_ready

    def failed(self, train_id: str) -> list[Task]:
        """The tasks that fail with a failed training (each once)."""
        followers = self.waiting_for_training.pop(train_id, [])
        return [follower for follower in followers if self.unfinished_before.pop(follower.id, None) is not None]


def _schedule(tasks: Sequence[Task], study: Path, index: StudyIndex, epochs: int | None) -> _Schedule:
    """Record the finished tasks as done and the others as pending; which of these can start."""
    by_id = {task.id: task for task in tasks}
    known = {row["id"]: row["state"] for row in index.rows()}
    schedule = _Schedule()
    # Once per task: a follower's trainings are asked about again below.
    finished = {task.id for task in tasks if is_finished(task, study, epochs)}
    for task in tasks:
        if task.id in finished:
            if known[task.id] != "done":  # finished by a runner that was stopped before recording it
                index.finish(task.id, finished_record(task, study))
            continue
        index.update(task.id, state="pending")
        unfinished = [i for i in task.prerequisites() if i in by_id and i not in finished]
        for train_id in unfinished:
            schedule.waiting_for_training.setdefault(train_id, []).append(task)
        if unfinished:
            schedule.unfinished_before[task.id] = len(unfinished)
        else:
            schedule.ready.append(task)
    return schedule


def _executor(study: Path, task_options: TaskOptions, execution: Execution):
    if execution.executor == "ray":
        from gdashboard.study.executors import RayExecutor

        return RayExecutor(study, task_options, execution)
    from gdashboard.study.executors import LocalExecutor

    return LocalExecutor(study, task_options, execution)


def _run_tasks(
    schedule: _Schedule,
    study: Path,
    index: StudyIndex,
    task_options: TaskOptions,
    execution: Execution,
    progress: bool,
) -> None:
    """Hand the ready tasks to the executor, record each end, and hand over what it leaves
    ready, until none is left."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(schedule), desc="study", unit="task")
    pool = _executor(study, task_options, execution)
    # The local pool is fed no more than it runs at once, so that what reads a finished
    # training (an ensemble, motifs, TF-MoDISco: seconds to minutes) goes ahead of the
    # trainings not yet begun (hours), not behind all of them. A Ray cluster, of a size
    # not known here, is given everything at once.
    queue = deque(sorted(schedule.ready, key=lambda task: task.step == "train"))
    at_once = execution.workers if execution.executor == "local" else None

    def feed() -> None:
        while queue and (at_once is None or len(pool) < at_once):
            pool.submit(queue.popleft())

    try:
        feed()
        while len(pool):
            task, result, error, attempts = pool.next_finished()
            if error is None:
                index.finish(task.id, result)
                index.update(task.id, attempts=attempts, host=result.get("host"), device=result.get("device"))
                queue.extendleft(schedule.trained(task.id))  # each to the front, in turn
            else:
                index.fail(task.id, error)
                index.update(task.id, attempts=attempts)
                for follower in schedule.failed(task.id):
                    index.fail(follower.id, f"its training failed: {error}")
                    if bar is not None:
                        bar.update()
            if bar is not None:
                bar.update()
            feed()
    finally:
        pool.close()
        if bar is not None:
            bar.close()


def write_study_report(study: str | os.PathLike) -> Path | None:
    """Tables 2, 3 (and 4 with motif folders, the TF-MoDISco rows with pattern folders) of
    the study's finished runs, in ``report/``."""
    from gdashboard.report import write_report

    study = Path(study)
    paths = [p for p in (study / "runs", study / "motifs", study / "modisco") if p.is_dir()]
    if not paths or not any((study / "runs").glob("*/*/metrics.json")):
        return None
    return write_report(paths, study / "report")["report"]


def runner_active(study: str | os.PathLike) -> bool:
    """Whether a ``gdash study run`` holds the study's lock now (the lock dies with its
    process, even one killed with SIGKILL)."""
    path = Path(study) / LOCK_FILE
    if not path.exists():
        return False
    with open(path) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def study_status(study: str | os.PathLike) -> list[dict]:
    """The index's rows (see :mod:`gdashboard.study.index`), by task id. A task the index
    says is running while no runner holds the study was cut off (the runner was killed):
    its state reads ``interrupted``; the next ``gdash study run`` takes it up again."""
    study = Path(study)
    if not (study / "study.sqlite").is_file():
        raise InputError("no study here (no study.sqlite)", study)
    rows = StudyIndex(study).rows()
    if not runner_active(study):
        for row in rows:
            if row["state"] == "running":
                row["state"] = "interrupted"
    return rows


def rebuild_index(study: str | os.PathLike, lock: bool = True) -> dict[str, int]:
    """Make the index again from the study's folders: a run folder with ``metrics.json`` is
    a finished training task (an ensemble step's folder, a finished ensemble task; an
    ensemble made by hand is no task's), a ``motifs.json`` a finished motif task, a folder with
    ``task.error`` and no result a failed task, any other an interrupted (pending) one.
    Refused while a runner works on the study (``lock``; False for a caller holding it)."""
    if lock:
        with _study_lock(Path(study)):
            return rebuild_index(study, lock=False)
    from gdashboard.results import METRICS_FILE, MODISCO_FILE, MOTIFS_FILE, read_config, read_json
    from gdashboard.study.tasks import output_record

    study = Path(study)
    if not (study / "runs").is_dir():
        raise InputError("no study here (no runs/ folder)", study)
    rows = []
    for rundir in sorted(p for p in (study / "runs").glob("*/*") if p.is_dir()):
        config_path = rundir / "config.json"
        metrics = read_json(rundir / METRICS_FILE) if (rundir / METRICS_FILE).exists() else None
        recorded = metrics or (read_config(rundir) if config_path.exists() else None)
        if recorded is None:
            # Failed or interrupted before it wrote a record (a run's config.json is written
            # with its weights): its folder's name is the only record of its task.
            task = _task_from_folder_name(rundir)
            if task is not None:
                rows.append((task, rundir, None))
            continue
        pooling = recorded.get("pooling")
        strands = {key: bool(recorded.get(key)) for key in ("rc_augment", "rc_average")}
        if recorded.get("ensemble"):
            if metrics is None:
                continue  # an ensemble is written whole: without metrics.json it was not made
            seeds = tuple(int(seed) for seed in str(metrics["seed"]).split("+"))
            experiment, preset = rundir.parent.name, metrics["preset"]
            made = Task("ensemble", experiment, preset, pooling, seeds[0], "", "", **strands, members=seeds)
            if made.run_folder(study) == rundir:  # the ensemble step's; one made by hand is no task's
                rows.append((made, rundir, metrics))
            continue
        seed = int(recorded["seed"])
        train = Task("train", rundir.parent.name, recorded["preset"], pooling, seed, "", "", **strands)
        rows.append((train, rundir, metrics))
        motif_dir = train.motif_folder(study)
        if motif_dir.is_dir():
            summary = read_json(motif_dir / MOTIFS_FILE) if (motif_dir / MOTIFS_FILE).exists() else None
            rows.append((replace(train, step="motifs"), motif_dir, summary))
        modisco_dir = train.modisco_folder(study)
        if modisco_dir.is_dir():
            summary = read_json(modisco_dir / MODISCO_FILE) if (modisco_dir / MODISCO_FILE).exists() else None
            rows.append((replace(train, step="modisco"), modisco_dir, summary))
    (study / "study.sqlite").unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        (study / f"study.sqlite{suffix}").unlink(missing_ok=True)
    index = StudyIndex(study)
    index.add(task for task, *_ in rows)
    for task, folder, result in rows:
        if result is not None:
            index.finish(task.id, output_record(task.step, folder, result))
        elif (folder / "task.error").exists():
            lines = (folder / "task.error").read_text().strip().splitlines()
            # The traceback's last line names the error's class with its module; the
            # runner's line (executors.error_line) the class alone.
            index.fail(task.id, re.sub(r"^(?:\w+\.)+(\w+:)", r"\1", lines[-1]) if lines else "failed")
    return index.counts()


def _task_from_folder_name(rundir: Path) -> Task | None:
    """The task of a run folder, read back from its name (``MODEL-seedS``, or the ensemble
    step's ``MODEL-ensemble-seed0+1+2``); None for a name of no task of a study."""
    from gdashboard.models.catalogue import ALL_PRESETS, RECURRENT_PRESETS, model_folder

    model, marker, seed_text = rundir.name.rpartition("-seed")
    ensemble = model.endswith("-ensemble")
    model = model.removesuffix("-ensemble")
    seeds = tuple(sorted(ensemble_seeds(rundir))) if ensemble else ((int(seed_text),) if seed_text.isdigit() else ())
    if not marker or not seeds or (ensemble and len(seeds) < 2):
        return None
    for preset in ALL_PRESETS:
        # None first: the form the plan gives a study not told its pooling.
        for pooling in (None, "max") if preset in RECURRENT_PRESETS else (None,):
            strand_forms = product((False, True), repeat=2) if is_neural(preset) else [(False, False)]
            for rc_augment, rc_average in strand_forms:
                if model_folder(preset, pooling, rc_augment, rc_average) == model:
                    strands = {"rc_augment": rc_augment, "rc_average": rc_average}
                    task = Task("train", rundir.parent.name, preset, pooling, seeds[0], "", "", **strands)
                    return replace(task, step="ensemble", members=seeds) if ensemble else task
    return None


def _link_copy(source: Path, target: Path) -> None:
    """Copy a folder as hard links where the file system allows (no second copy of the
    weights), else as plain copies; into a temporary name, then renamed."""
    import shutil

    def link(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    temporary = target.with_name(f".{target.name}.adopting")
    if temporary.exists():
        shutil.rmtree(temporary)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, temporary, copy_function=link)
    temporary.rename(target)


def adopt_runs(study: str | os.PathLike, paths: Iterable[str | os.PathLike]) -> dict[str, int]:
    """Take finished runs (and their ``gdash motifs`` and ``gdash modisco`` folders) made
    outside the study into it, so that ``gdash study run`` does not train them again:
    each goes to the place the study would have written it (``runs/EXPERIMENT/MODEL-seedS``);
    one already there is kept. Returns the rebuilt index's counts."""
    from gdashboard.models.catalogue import model_folder
    from gdashboard.results import collect_modisco_results, collect_motif_results, collect_runs

    def name(record: dict) -> str:  # the folder name the study gives a run and its results
        model = model_folder(record["preset"], record["pooling"], record["rc_augment"], record["rc_average"])
        return f"{model}-seed{record['seed']}"

    study = Path(study)
    paths = list(paths)
    with _study_lock(study):
        for run in collect_runs(paths):
            if run.get("run_dir") is None or not Path(run["run_dir"]).joinpath("config.json").exists():
                continue  # an unavailable baseline: nothing to adopt
            if run["ensemble"]:
                continue  # a study makes runs; an ensemble of them is made from its folders
            target = study / "runs" / run["experiment"] / name(run)
            if not target.exists():
                _link_copy(Path(run["run_dir"]), target)
        for kind, results, path_key in (
            ("motifs", collect_motif_results(paths), "motifs_path"),
            ("modisco", collect_modisco_results(paths), "patterns_path"),
        ):
            for result in results:
                target = study / kind / result["experiment"] / name(result)
                if not target.exists():
                    _link_copy(Path(result[path_key]).parent, target)
        return rebuild_index(study, lock=False)
