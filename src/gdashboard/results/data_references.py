"""The data files a run was trained and tested on, as ``config.json`` records them.

``config.json`` holds ``"data": {"train": REF, "test": REF}``, each REF written by
:func:`data_reference`: the file's path relative to the run folder (so a run folder and
its data moved together still find each other), its absolute path (so a run folder moved
alone still finds it) and the SHA-256 of its bytes (so a file that changed is told from
one that moved). :func:`locate_data_file` reads it back. Runs written before ``"data"``
existed record ``train_file`` / ``test_file`` only, as given on the command line; those
are looked for from the working folder, then from the run folder, unchecked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from gdashboard.errors import InputError
from gdashboard.fileio import file_sha256

DATA_KINDS = ("train", "test")
_REFERENCE_KEYS = ("relative", "absolute", "sha256")


class MissingDataFile(InputError):
    """A data file that ``config.json`` names is in none of the places tried (or is not named)."""


def data_reference(path: str | os.PathLike, rundir: str | os.PathLike) -> dict:
    """What ``config.json`` records of one data file: ``relative`` (its path from the run
    folder ``rundir``, with ``/`` separators), ``absolute`` and ``sha256`` (hex).

    ``relative`` is None where there is no relative path (another drive on Windows).
    Symbolic links are kept as given, so a folder of links moved with the run still works.
    Raises InputError when the file cannot be read.
    """
    absolute = Path(os.path.abspath(path))
    try:
        digest = file_sha256(absolute)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path) from None
    try:
        relative = Path(os.path.relpath(absolute, os.path.abspath(rundir))).as_posix()
    except ValueError:
        relative = None
    return {"relative": relative, "absolute": str(absolute), "sha256": digest}


def check_data_references(config: Mapping, where: str | os.PathLike) -> None:
    """An InputError unless ``config["data"]`` (where present) maps ``train`` / ``test`` to
    references as :func:`data_reference` writes them."""
    if "data" not in config:
        return
    data = config["data"]
    if not isinstance(data, Mapping) or not set(data) <= set(DATA_KINDS):
        raise InputError(f"'data' must be an object of {' and '.join(DATA_KINDS)} file references", where)
    for kind, reference in data.items():
        if not isinstance(reference, Mapping):
            raise InputError(f"'data.{kind}' must be an object with relative, absolute and sha256", where)
        for key in _REFERENCE_KEYS:
            value = reference.get(key)
            if value is not None and not isinstance(value, str):
                raise InputError(f"'data.{kind}.{key}' must be a string or null, not {value!r}", where)


def locate_data_file(config: Mapping, rundir: str | os.PathLike, kind: str) -> Path:
    """The ``kind`` (``"train"`` or ``"test"``) data file a run's ``config`` records.

    Tried in order: the path relative to the run folder, the absolute path, and for runs
    with no ``"data"`` the recorded ``{kind}_file`` from the working folder, then from the
    run folder. A file found under a recorded ``sha256`` must still have it.

    Raises
    ------
    MissingDataFile
        Nothing recorded, or the file is in none of the places tried (the message names them).
    InputError
        The file was found but its bytes have changed since the run was trained.
    """
    if kind not in DATA_KINDS:
        raise ValueError(f"unknown data kind {kind!r}; choose one of {', '.join(DATA_KINDS)}")
    rundir = Path(rundir)
    check_data_references(config, rundir / "config.json")
    reference = (config.get("data") or {}).get(kind)
    if reference:
        return _referenced_file(reference, rundir, kind)
    recorded = config.get(f"{kind}_file")
    if not recorded:
        raise MissingDataFile(f"config.json names no {kind} file", rundir)
    if not isinstance(recorded, str):
        raise InputError(f"'{kind}_file' must be a path, not {recorded!r}", rundir / "config.json")
    path = Path(recorded)
    places = [path] if path.is_absolute() else [path, rundir / path]
    for place in places:
        if place.is_file():
            return place
    tried = " nor ".join(str(place) for place in places)
    raise MissingDataFile(f"the {kind} file {recorded} that config.json names is missing (not at {tried})", rundir)


def _referenced_file(reference: Mapping, rundir: Path, kind: str) -> Path:
    places = []
    if reference.get("relative"):
        places.append(rundir / reference["relative"])
    if reference.get("absolute"):
        places.append(Path(reference["absolute"]))
    found = [place for place in places if place.is_file()]
    recorded = reference.get("sha256")
    for place in found:
        if recorded is None or _digest(place) == recorded:
            return place
    if found:
        raise InputError(
            f"the {kind} file {found[0]} has changed since the run was trained "
            f"(its SHA-256 begins {_digest(found[0])[:16]}, config.json recorded {recorded[:16]})",
            rundir,
        )
    tried = " nor ".join(str(place) for place in places) or "nowhere: its reference holds no path"
    raise MissingDataFile(f"the {kind} file that config.json names is missing (not at {tried})", rundir)


def _digest(path: Path) -> str:
    try:
        return file_sha256(path)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path) from None
