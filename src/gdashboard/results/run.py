"""One run folder opened: :class:`Run` (:func:`open_run`), and every run found below some
folders (:func:`find_runs`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from gdashboard.errors import InputError
from gdashboard.models.catalogue import is_neural, model_label
from gdashboard.results.collect import collect_modisco_results, collect_motif_results, collect_runs
from gdashboard.results.data_references import MissingDataFile, locate_data_file
from gdashboard.results.json_files import read_json
from gdashboard.results.predictions import Predictions, read_predictions
from gdashboard.results.run_folder import (
    CONFIG_FILE,
    METRICS_FILE,
    PREDICTIONS_FILE,
    load_model,
    normalise_run,
    read_config,
)


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
        single run of the forward strand (the paper's form; the networks now train on both
        strands by default)."""
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

    def data_file(self, kind: str) -> Path:
        """The run's own recorded ``"train"`` or ``"test"`` file, where it is now.

        Only the recorded paths are tried (:func:`~gdashboard.results.data_references.locate_data_file`:
        beside the run folder, then absolute; for older runs, the recorded path from the
        working folder, then from the run folder), never a path given from outside, e.g. by
        a web request. Raises :class:`~gdashboard.results.data_references.MissingDataFile`
        naming the places tried, or an InputError when the file has changed since the run
        was trained.
        """
        return locate_data_file(self.config, self.path, kind)

    def test_sequences(self, *, missing_ok: bool = True):
        """The run's own recorded test file (:meth:`data_file`), read as it is
        (:meth:`read_sequences`).

        None when it is missing or not recorded, unless ``missing_ok`` is false (then the
        MissingDataFile naming the places tried). A test file whose bytes have changed since
        the run was trained is an InputError either way: its sequences are not the run's.
        """
        try:
            path = self.data_file("test")
        except MissingDataFile:
            if missing_ok:
                return None
            raise
        return self.read_sequences(path)

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
