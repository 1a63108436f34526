"""What a study is asked for (:class:`StudyOptions`) and where its tasks run (:class:`Execution`).

Defined once, for :func:`gdashboard.study.runner.run_study` and ``gdash study run``. It
imports no torch, so the command line's help can read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Mapping, Sequence

from gdashboard.errors import InputError
from gdashboard.methods import ClassOptOptions
from gdashboard.train_options import TrainOptions

EXECUTORS = ("local", "ray")
# The training options that a study decides itself, task by task: each task's seed, and
# the form of its model (the plan's pooling and strands; the epoch limit, which also says
# whether a finished run is current).
STUDY_DECIDES = ("seed", "epochs", "pooling", "rc_augment", "rc_average")
# The training options a study may set for all its networks' trainings: a setting of a
# hyperparameter search (one study per setting), recorded in its train_options.json.
SETTING = tuple(name for name in ("model_options", *TrainOptions.RECIPE_FIELDS) if name not in STUDY_DECIDES)


@dataclass(frozen=True)
class StudyOptions:
    """What a study runs.

    seeds : the seeds of every model's trainings.
    steps : any of :data:`gdashboard.study.plan.STEPS` (None: :func:`~gdashboard.study.plan.default_steps`).
    experiments : the names of the experiments found to run (None: all).
    train : how every training is done. Each task's seed replaces ``train.seed``;
        ``epochs`` is the epoch limit (None: each preset's), ``pooling`` the recurrent
        presets' form and ``rc_augment`` / ``rc_average`` the networks' strands (None: both,
        :func:`~gdashboard.models.catalogue.strand_options`). The other fields set (any of
        :data:`SETTING`, networks only) are the study's setting (:meth:`setting`).
    classopt_steps : the class optimisation's steps in the motif step.
    """

    seeds: Sequence[int] = (0,)
    steps: Sequence[str] | None = None
    experiments: Sequence[str] | str | None = None
    train: TrainOptions = TrainOptions()
    classopt_steps: int = field(default=ClassOptOptions().steps)

    def setting(self, presets: Sequence[str]) -> dict:
        """The training options every network of the study is given, as ``train_options.json``
        records them (tuples as lists; empty ones dropped, as they ask for nothing), checked:
        only :data:`SETTING`, networks only, JSON values. An InputError otherwise."""
        from gdashboard.models.catalogue import is_neural

        train = self.train
        if not isinstance(train, TrainOptions):
            raise InputError(f"a study's training options are a TrainOptions, not {type(train).__name__}")
        if train.seed != TrainOptions().seed:
            raise InputError("a study takes no training option 'seed': its trainings' seeds are its seeds (--seeds)")
        for f in fields(TrainOptions):
            if f.name not in (*STUDY_DECIDES, *SETTING) and getattr(train, f.name) != f.default:
                raise InputError(f"a study takes no training option {f.name!r}; choose among {', '.join(SETTING)}")
        given = {name: getattr(train, name) for name in SETTING if getattr(train, name) not in (None, {}, [])}
        baselines = [preset for preset in presets if not is_neural(preset)]
        if given and baselines:
            raise InputError(f"training options apply to networks; {baselines[0]} has no recipe to change")
        try:
            return json.loads(json.dumps(given, sort_keys=True, allow_nan=False, default=_json_mapping))
        except (TypeError, ValueError) as error:
            raise InputError(f"training options must be JSON values: {error}") from None


def _json_mapping(value):
    """A Mapping that is not a dict (a frozen one) as JSON writes a dict; TypeError otherwise."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


@dataclass(frozen=True)
class Execution:
    """Where and how a study's tasks run.

    executor : ``"local"`` (a process pool) or ``"ray"`` (Ray tasks, one machine or a cluster).
    workers : tasks side by side; ``threads`` : threads per task.
    device : where every worker trains (``cpu`` by default, or ``cuda``: N workers share one GPU).
    retries : tries again per failure; ``ray_address`` : a running Ray cluster (default: a local Ray).
    """

    executor: str = "local"
    workers: int = 1
    threads: int = 1
    device: str | None = None
    retries: int = 0
    ray_address: str | None = None

    def check(self) -> None:
        if self.executor not in EXECUTORS:
            raise InputError(f"unknown executor {self.executor!r}; choose local or ray")
        if self.workers < 1 or self.threads < 1:
            raise InputError("workers and threads must be at least 1")


@dataclass(frozen=True)
class TaskOptions:
    """What every task of a study run is given (it travels to the workers, pickled).

    train : the study's setting and epoch limit; each training task's seed, pooling and
        strands replace those in it.
    classopt_device : where the motif step's class optimisation runs (default: the CPU).
    """

    train: TrainOptions = TrainOptions()
    classopt_steps: int = field(default=ClassOptOptions().steps)
    device: str | None = None
    threads: int | None = None  # torch's threads in the task (None: as they are)
    classopt_device: str | None = None
