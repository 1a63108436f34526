"""What a study holds: the experiments found under data folders, and one task per
(step, experiment, model, seed), each with the folder it writes.

Layouts read (any format :func:`gdashboard.data.read_dataset` accepts, gzipped or not):

* DeepBind's: ``NAME_AC.seq(.gz)`` (training) beside ``NAME_B.seq(.gz)`` (test), as the
  data home's ``encode/`` (:mod:`gdashboard.data.paths`);
* one folder per experiment: ``NAME/train.*`` and ``NAME/test.*`` (``.fa``, ``.fasta``,
  ``.tsv``, ``.csv``, ``.seq``, optionally ``.gz``), as the data home's ``deepmotif/``, the
  paper's archive and ``gdash data simulate``.

A study folder holds ``runs/EXPERIMENT/MODEL-seedS/`` (run folders), ``motifs/...``
(motif folders, same names), ``modisco/...`` (pattern folders), ``report/`` and
``study.sqlite`` (the index).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

from gdashboard.errors import InputError
from gdashboard.models.catalogue import ALL_PRESETS, RECURRENT_PRESETS, is_neural, model_folder, strand_options

STEPS = ("train", "ensemble", "motifs", "modisco")
_SUFFIXES = (".fa", ".fasta", ".fna", ".tsv", ".csv", ".txt", ".seq")


@dataclass(frozen=True)
class ExperimentFiles:
    name: str
    train: str
    test: str


@dataclass(frozen=True)
class Task:
    """One unit of work; ``id`` names it in the index and the logs."""

    step: str
    experiment: str
    preset: str
    pooling: str | None
    seed: int
    train: str
    test: str
    rc_augment: bool = False
    rc_average: bool = False
    # An "ensemble" task's seeds, its members' (its ``seed`` is the first); () for the others.
    members: tuple[int, ...] = ()

    @property
    def model(self) -> str:
        return model_folder(self.preset, self.pooling, self.rc_augment, self.rc_average)

    @property
    def name(self) -> str:
        """The folder name of its run: ``MODEL-seedS``, or ``MODEL-ensemble-seed0+1+2``."""
        if self.step == "ensemble":
            return f"{self.model}-ensemble-seed{'+'.join(map(str, self.members))}"
        return f"{self.model}-seed{self.seed}"

    @property
    def id(self) -> str:
        return f"{self.step}/{self.experiment}/{self.name}"

    def member_tasks(self) -> list[Task]:
        """The training tasks of an ensemble task's members."""
        return [replace(self, step="train", seed=seed, members=()) for seed in self.members]

    def prerequisites(self) -> list[str]:
        """The ids of the tasks whose output it reads: the training of its run (motifs,
        modisco) or of its members (ensemble); none for a training."""
        if self.step == "train":
            return []
        if self.step == "ensemble":
            return [member.id for member in self.member_tasks()]
        return [replace(self, step="train").id]

    def run_folder(self, study: str | os.PathLike) -> Path:
        """The run it trains or reads; an ensemble task's own folder beside its members'."""
        train = self if self.step == "ensemble" else replace(self, step="train")
        return Path(study) / "runs" / self.experiment / train.name

    def motif_folder(self, study: str | os.PathLike) -> Path:
        return Path(study) / "motifs" / self.experiment / f"{self.model}-seed{self.seed}"

    def modisco_folder(self, study: str | os.PathLike) -> Path:
        return Path(study) / "modisco" / self.experiment / f"{self.model}-seed{self.seed}"

    def output_folder(self, study: str | os.PathLike) -> Path:
        if self.step in ("train", "ensemble"):
            return self.run_folder(study)
        return self.motif_folder(study) if self.step == "motifs" else self.modisco_folder(study)

    def as_dict(self) -> dict:
        return asdict(self)


def _sequence_file(folder: Path, stem: str) -> Path | None:
    for path in sorted(folder.iterdir()):
        name = path.name[:-3] if path.name.endswith(".gz") else path.name
        if name.startswith(stem + ".") and Path(name).suffix in _SUFFIXES:
            return path
    return None


def find_experiments(data_dirs: Iterable[str | os.PathLike]) -> list[ExperimentFiles]:
    """Every experiment under the folders (searched to any depth), sorted by name.

    Raises InputError for a folder that does not exist, one that holds no
    experiment, or two experiments of the same name.
    """
    found: dict[str, ExperimentFiles] = {}

    def add(name: str, train: Path, test: Path) -> None:
        if name in found and found[name].train != str(train):
            raise InputError(f"two experiments named {name}: {found[name].train} and {train}")
        found[name] = ExperimentFiles(name, str(train), str(test))

    for given in data_dirs:
        root = Path(given)
        if not root.is_dir():
            raise InputError("no such data folder", root)
        before = len(found)
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            folder = Path(folder)
            for name in sorted(files):
                for suffix in ("_AC.seq.gz", "_AC.seq"):
                    if name.endswith(suffix):
                        test = folder / (name[: -len(suffix)] + suffix.replace("_AC", "_B"))
                        if test.is_file():
                            add(name[: -len(suffix)], folder / name, test)
            train, test = _sequence_file(folder, "train"), _sequence_file(folder, "test")
            if train is not None and test is not None:
                add(folder.name, train, test)
        if len(found) == before:
            raise InputError("holds no experiment (NAME_AC.seq + NAME_B.seq, or NAME/train.* + NAME/test.*)", root)
    return [found[name] for name in sorted(found)]


def default_steps(seeds: Sequence[int]) -> tuple[str, ...]:
    """The steps of a study not told its steps: the trainings, and with several seeds their
    ensemble too, which costs seconds beside hours of training and scores above the mean
    of its seeds (BENCHMARKS.md#ensembles)."""
    return ("train", "ensemble") if len(set(seeds)) >= 2 else ("train",)


def plan(
    experiments: Sequence[ExperimentFiles],
    presets: Sequence[str],
    seeds: Sequence[int] = (0,),
    steps: Sequence[str] | None = None,
    pooling: str | None = None,
    rc_augment: bool | None = None,
    rc_average: bool | None = None,
) -> list[Task]:
    """The study's tasks: training of every (experiment, preset, seed), then, when they are
    among the steps, the seed ensemble of each network's seeds on each experiment
    (``"ensemble"``: one model of all of them, :func:`gdashboard.runs.make_ensemble`), and
    for each neural run the motif analysis (``"motifs"``, the paper's Table 4) and
    TF-MoDISco (``"modisco"``). ``steps`` None: :func:`default_steps`. ``pooling`` applies to the recurrent
    presets, ``rc_augment`` and ``rc_average`` to the neural ones (None: the default of
    :func:`~gdashboard.models.catalogue.strand_options`, both strands; the baselines read
    both strands already)."""
    if steps is None:
        steps = default_steps(seeds)
    unknown = [p for p in presets if p not in ALL_PRESETS]
    if unknown:
        raise InputError(f"unknown model preset {unknown[0]!r}; choose among {', '.join(ALL_PRESETS)}")
    bad = [s for s in steps if s not in STEPS]
    if bad:
        raise InputError(f"unknown step {bad[0]!r}; choose among {', '.join(STEPS)}")
    if not presets or not seeds:
        raise InputError("a study needs at least one model and one seed")
    seeds = list(dict.fromkeys(int(seed) for seed in seeds))  # --seeds 0,0,1 trains seed 0 once
    members = tuple(sorted(seeds))
    if "ensemble" in steps and len(members) < 2:
        raise InputError("the ensemble step needs at least two seeds (e.g. --seeds 0,1,2)")
    tasks = []
    for step in STEPS:
        if step not in steps:
            continue
        for experiment in experiments:
            for preset in presets:
                if step != "train" and not is_neural(preset):
                    continue
                form = pooling if preset in RECURRENT_PRESETS else None
                strands = strand_options(preset, rc_augment, rc_average) if is_neural(preset) else {}
                files = (experiment.train, experiment.test)
                if step == "ensemble":
                    first = members[0]
                    tasks.append(Task(step, experiment.name, preset, form, first, *files, **strands, members=members))
                    continue
                for seed in seeds:
                    tasks.append(Task(step, experiment.name, preset, form, seed, *files, **strands))
    return tasks
