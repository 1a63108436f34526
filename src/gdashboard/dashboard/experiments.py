"""The experiments the dashboard shows: their runs, grouped, and their models, loaded once."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from gdashboard.data.readers import tf_name
from gdashboard.models.catalogue import model_order
from gdashboard.results import Run, find_runs

if TYPE_CHECKING:
    import torch


@dataclass
class LoadedModel:
    """One run's trained network, ready to explain.

    Attributes
    ----------
    run : gdashboard.results.Run
        The run folder it was loaded from.
    label : str
        The model's label (``run.label``), e.g. ``"small-rnn"`` or ``"small-rnn (max)"``.
    model : torch.nn.Module
        The network in eval mode on the CPU.
    capabilities : frozenset of str
        What it can be asked (:func:`gdashboard.models.capabilities.model_capabilities`);
        found from the model when not given.
    """

    run: Run
    label: str
    model: "torch.nn.Module"
    capabilities: frozenset[str] | None = None

    def __post_init__(self):
        if self.capabilities is None:
            from gdashboard.models.capabilities import model_capabilities

            self.capabilities = frozenset(model_capabilities(self.model))

    @property
    def recurrent(self) -> bool:
        """Whether it reads the sequence in time (it has temporal output scores)."""
        return "recurrent" in self.capabilities


def seed_key(run: Run) -> tuple:
    """A sort key of runs by seed (a number, a string or null): numbers first, in order,
    then the rest."""
    seed = run.seed
    if isinstance(seed, (int, float)) and not isinstance(seed, bool):
        return (0, float(seed), "")
    return (1, math.inf, "" if seed is None else str(seed))


def _one_run_per_label(runs: Iterable[Run]) -> list[Run]:
    """The run of lowest seed of each label, in catalogue order."""
    by_label: dict[str, Run] = {}
    for run in sorted(runs, key=seed_key):
        by_label.setdefault(run.label, run)
    return [by_label[label] for label in sorted(by_label, key=model_order)]


class Experiment:
    """The runs of one experiment (one training/test set), and their models.

    Parameters
    ----------
    name : str
        The experiment's name (``run.experiment``).
    runs : list of Run
        Every finished run of it, baselines included.

    Attributes
    ----------
    name, tf : str
        The experiment and its transcription factor.
    runs : list of Run
        All runs, as given.
    neural_runs : list of Run
        One run per neural model label, in catalogue order
        (:func:`gdashboard.models.catalogue.model_order`). When several runs share a
        label (the same model trained from several seeds), the run with the lowest
        seed is kept, so every view shows one model per label and is reproducible.
    baseline_runs : list of Run
        The same for the baselines (``pwm``, ``kmer``, ``gkmsvm``) that were evaluated:
        compared with the networks on the experiment's page, never explained.
    """

    def __init__(self, name: str, runs: Sequence[Run]):
        self.name = name
        self.runs = list(runs)
        tfs = [run.tf for run in self.runs if run.tf]
        self.tf = tfs[0] if tfs else tf_name(name)
        self.neural_runs = _one_run_per_label(r for r in self.runs if r.is_neural and r.config)
        self.baseline_runs = _one_run_per_label(
            r for r in self.runs if not r.is_neural and r.config and (r.metrics or {}).get("available", True)
        )
        self._models: dict[str, LoadedModel] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Experiment({self.name!r}, tf={self.tf!r}, {len(self.runs)} runs)"

    @property
    def labels(self) -> list[str]:
        """The neural models' labels, in catalogue order."""
        return [run.label for run in self.neural_runs]

    @property
    def lengths(self) -> set[int]:
        """The sequence lengths its models accept (each was trained on one length)."""
        return {run.sequence_length for run in self.neural_runs}

    def run(self, label: str) -> Run:
        """The neural run of a model label; KeyError when there is none."""
        for run in self.neural_runs:
            if run.label == label:
                return run
        raise KeyError(label)

    def models(self) -> dict[str, LoadedModel]:
        """Label -> :class:`LoadedModel` of every neural run, loaded on first call and kept."""
        with self._lock:
            if self._models is None:
                self._models = {
                    run.label: LoadedModel(run, run.label, run.model(device="cpu").eval()) for run in self.neural_runs
                }
            return self._models


def find_experiments(paths: Iterable[str | Path]) -> dict[str, Experiment]:
    """Every experiment of the finished runs found in or below ``paths``, sorted by name.

    Raises
    ------
    gdashboard.errors.InputError
        A path that does not exist or holds no run (see :func:`gdashboard.results.find_runs`).
    """
    grouped: dict[str, list[Run]] = {}
    for run in find_runs(paths):
        grouped.setdefault(run.experiment or "unnamed", []).append(run)
    return {name: Experiment(name, grouped[name]) for name in sorted(grouped)}
