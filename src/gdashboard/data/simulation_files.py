"""The simulated dataset (:mod:`gdashboard.data.simulate`) in memory and on disk.

:class:`Simulation` is what :func:`~gdashboard.data.simulate.simulate` returns;
:func:`write_simulation` writes it as ``train.tsv``, ``test.tsv``, ``sites.tsv`` and
``simulation.json``; :func:`read_sites` reads the planted sites back and
:func:`planted_mask` marks them position by position (the ground truth of the
attribution benchmarks).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gdashboard.errors import InputError
from gdashboard.fileio import write_text

SEQUENCE_HEADER = ("id", "sequence", "label", "kind")
SITES_HEADER = ("id", "split", "motif", "matrix_id", "start", "end", "strand")


@dataclass
class Simulation:
    """A simulated dataset, one entry per sequence in id order.

    Attributes
    ----------
    sequences : list of str, all of one length, over ``ACGT``
    labels : numpy.ndarray of int64, 1 for ``positive``, else 0
    ids : list of str, ``sim:000001`` ...
    split : numpy.ndarray of str, ``'train'`` or ``'test'``
    sites : list of dict
        One per planted site, ordered by id then start, with keys ``id``,
        ``split``, ``motif`` (the JASPAR name), ``matrix_id``, ``start`` (0-based),
        ``end`` (exclusive) and ``strand`` (always ``'+'``).
    kinds : numpy.ndarray of str, one of :data:`gdashboard.data.simulate.KINDS`
    backgrounds : numpy.ndarray of str, ``'uniform'`` or ``'shuffled'`` (a
        dinucleotide shuffle of a positive's background)
    parameters : dict, the arguments, JASPAR release and matrices, counts; what
        ``simulation.json`` holds
    """

    sequences: list[str]
    labels: np.ndarray
    ids: list[str]
    split: np.ndarray
    sites: list[dict]
    kinds: np.ndarray
    backgrounds: np.ndarray = field(default=None, repr=False)
    parameters: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)


def _tsv(header: Sequence[str], rows) -> str:
    lines = ["\t".join(header)]
    lines += ["\t".join(str(value) for value in row) for row in rows]
    return "\n".join(lines) + "\n"


def write_simulation(simulation: Simulation, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write a simulation as ``train.tsv``, ``test.tsv``, ``sites.tsv`` and ``simulation.json``.

    ``train.tsv`` / ``test.tsv`` are tab-separated with the header
    ``id sequence label kind`` (readable by :func:`gdashboard.data.read_dataset`,
    which ignores ``kind``); ``sites.tsv`` has ``id split motif matrix_id start
    end strand`` (0-based start, exclusive end); ``simulation.json`` holds
    :attr:`Simulation.parameters`. Each file is written to a temporary file in
    ``out_dir`` and renamed into place, so none is ever half-written.

    Returns
    -------
    dict with keys ``train``, ``test``, ``sites``, ``simulation``: the paths.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "train": out / "train.tsv",
        "test": out / "test.tsv",
        "sites": out / "sites.tsv",
        "simulation": out / "simulation.json",
    }
    for part in ("train", "test"):
        rows = [
            (id_, seq, int(label), kind)
            for id_, seq, label, kind, where in zip(
                simulation.ids, simulation.sequences, simulation.labels, simulation.kinds, simulation.split
            )
            if where == part
        ]
        write_text(paths[part], _tsv(SEQUENCE_HEADER, rows))
    site_rows = ([site[key] for key in SITES_HEADER] for site in simulation.sites)
    write_text(paths["sites"], _tsv(SITES_HEADER, site_rows))
    write_text(paths["simulation"], json.dumps(simulation.parameters, indent=2, sort_keys=True) + "\n")
    return paths


def read_sites(path: str | os.PathLike) -> list[dict]:
    """Read ``sites.tsv`` back into the dicts of :attr:`Simulation.sites`."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            if reader.fieldnames is None or list(reader.fieldnames) != list(SITES_HEADER):
                raise InputError(f"expected the header {' '.join(SITES_HEADER)!r}", path, 1)
            sites = []
            for number, row in enumerate(reader, start=2):
                try:
                    row["start"], row["end"] = int(row["start"]), int(row["end"])
                except (TypeError, ValueError):
                    raise InputError("start and end must be integers", path, number) from None
                sites.append(dict(row))
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    return sites


def planted_mask(sites: Sequence[Mapping], ids: Sequence[str], length: int) -> np.ndarray:
    """Mark the planted positions of each sequence.

    Parameters
    ----------
    sites : sequence of mapping
        Sites with ``id``, ``start`` (0-based) and ``end`` (exclusive), as in
        :attr:`Simulation.sites` or :func:`read_sites`. Sites of ids not in
        ``ids`` are skipped.
    ids : sequence of str
        The sequences, in the order of the mask's rows.
    length : int
        Sequence length.

    Returns
    -------
    numpy.ndarray of bool, shape ``(len(ids), length)``
    """
    row = {id_: i for i, id_ in enumerate(ids)}
    mask = np.zeros((len(ids), int(length)), dtype=bool)
    for site in sites:
        i = row.get(site["id"])
        if i is None:
            continue
        start, end = int(site["start"]), int(site["end"])
        if not 0 <= start < end <= length:
            raise ValueError(f"site {start}-{end} of {site['id']} lies outside 0-{length}")
        mask[i, start:end] = True
    return mask
