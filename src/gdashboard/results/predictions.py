"""A run's ``test_predictions.tsv``: ``id``, ``label`` and ``score`` (log-odds) per test
sequence, written and read."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gdashboard.errors import InputError
from gdashboard.fileio import atomic_path
from gdashboard.results.run_folder import PREDICTIONS_FILE


def write_predictions(path: str | os.PathLike, ids, labels, scores) -> None:
    """A TSV of ``id``, ``label`` and ``score`` (the model's log-odds of binding;
    the decision function for baselines)."""
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        handle.write("id\tlabel\tscore\n")
        for identifier, label, score in zip(ids, labels, scores):
            handle.write(f"{identifier}\t{label}\t{score:.6g}\n")


@dataclass(frozen=True)
class Predictions:
    """A run's ``test_predictions.tsv``: ids, labels (0/1) and scores (log-odds)."""

    ids: list[str]
    labels: np.ndarray
    scores: np.ndarray


def read_predictions(path: str | os.PathLike) -> Predictions:
    """Read a ``test_predictions.tsv`` (a run folder or the file itself)."""
    path = Path(path)
    if path.is_dir():
        path = path / PREDICTIONS_FILE
    if not path.exists():
        raise InputError(f"no {PREDICTIONS_FILE}: the run has not been evaluated", path.parent)
    ids, labels, scores = [], [], []
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header != ["id", "label", "score"]:
            raise InputError("expected the header 'id<TAB>label<TAB>score'", path, 1)
        for number, line in enumerate(handle, start=2):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3:
                raise InputError(f"expected 3 tab-separated columns, found {len(fields)}", path, number)
            try:
                label, score = int(fields[1]), float(fields[2])
            except ValueError:
                raise InputError("label must be 0 or 1 and score a number", path, number) from None
            if label not in (0, 1):
                raise InputError(f"label must be 0 or 1, not {label}", path, number)
            ids.append(fields[0])
            labels.append(label)
            scores.append(score)
    return Predictions(ids, np.asarray(labels, dtype=np.int64), np.asarray(scores, dtype=np.float64))
