"""Collecting: every ``metrics.json``, ``motifs.json`` and ``patterns.json`` given or found
below some folders, read once each and checked (what the report reads)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from gdashboard.errors import InputError
from gdashboard.results.json_files import read_json
from gdashboard.results.motif_folder import MOTIFS_FILE, normalise_motif_result
from gdashboard.results.pattern_folder import MODISCO_FILE, normalise_modisco_result
from gdashboard.results.run_folder import METRICS_FILE, normalise_run


def collect_runs(rundirs: Iterable[str | os.PathLike]) -> list[dict]:
    """Read ``metrics.json`` of every run folder given or found below the given folders.

    Parameters
    ----------
    rundirs
        Run folders (holding ``metrics.json``), ``metrics.json`` files themselves, or
        folders that contain run folders at any depth (e.g. ``runs/``). Hidden folders
        (name starting with ``.``) are not searched. ``motifs.json`` files, and folders
        holding only those, are accepted and skipped (see :func:`collect_motif_results`).

    Returns
    -------
    list of dict
        One dict per run, in the order found: the metrics as stored, checked and with
        defaults filled in (see :func:`normalise_run`), plus ``run_dir`` and
        ``metrics_path``. A file reached twice is read once.

    Raises
    ------
    InputError
        A path that does not exist, a folder with neither ``metrics.json`` nor
        ``motifs.json`` at or below it, paths holding no ``metrics.json`` at all, or a
        ``metrics.json`` that cannot be read, is not valid JSON (the message gives the
        line) or lacks a required key.
    """
    runs: list[dict] = []
    seen: set[Path] = set()
    given_paths = [Path(given) for given in rundirs]
    for given in given_paths:
        for metrics_path in _find_metrics(given):
            key = metrics_path.resolve()
            if key in seen:
                continue
            seen.add(key)
            run = normalise_run(read_json(metrics_path), metrics_path)
            run["run_dir"] = str(metrics_path.parent)
            run["metrics_path"] = str(metrics_path)
            runs.append(run)
    if given_paths and not runs:
        # Only motifs.json files were given: there is nothing to join them to.
        where = given_paths[0] if len(given_paths) == 1 else None
        raise InputError(
            f"no {METRICS_FILE} in the paths given, only {MOTIFS_FILE}: give the training run folders too",
            where,
        )
    return runs


def _find_metrics(path: Path) -> list[Path]:
    if not path.exists():
        raise InputError("no such file or folder", path)
    if path.is_file():
        if path.name == METRICS_FILE:
            return [path]
        if path.name in (MOTIFS_FILE, MODISCO_FILE):
            return []  # read by collect_motif_results and collect_modisco_results
        raise InputError(f"not a run folder: expected a folder holding {METRICS_FILE}", path)
    if (path / METRICS_FILE).is_file():
        return [path / METRICS_FILE]
    found: list[Path] = []
    has_motifs = False
    for root, dirs, files in os.walk(path):
        # A run folder ends the descent: its subfolders (checkpoints, figures) are its own.
        if METRICS_FILE in files:
            found.append(Path(root) / METRICS_FILE)
            dirs[:] = []
            continue
        has_motifs = has_motifs or MOTIFS_FILE in files or MODISCO_FILE in files
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    if not found and not has_motifs:
        raise InputError(f"no {METRICS_FILE} here or in any folder below: not a training run folder", path)
    return sorted(found)


def collect_motif_results(paths: Iterable[str | os.PathLike]) -> list[dict]:
    """Read every ``motifs.json`` (written by ``gdash motifs``) given or found below ``paths``.

    Parameters
    ----------
    paths
        ``motifs.json`` files or folders searched at any depth, run folders included
        (``gdash motifs --out RUNDIR/motifs`` is found). Hidden folders are not searched;
        other files (e.g. a ``metrics.json`` given directly) are skipped.

    Returns
    -------
    list of dict
        One dict per file, sorted by path within each given path: checked and with
        defaults filled in (see :func:`normalise_motif_result`), plus ``motifs_path``.
        Empty when there is none, which is not an error. A file reached twice is read once.

    Raises
    ------
    InputError
        A path that does not exist, or a ``motifs.json`` that cannot be read, is not
        valid JSON or does not have the expected keys and types; the message names it.
    """
    return _collect_results(paths, MOTIFS_FILE, normalise_motif_result, "motifs_path")


def _collect_results(paths: Iterable[str | os.PathLike], file_name: str, normalise, path_key: str) -> list[dict]:
    """Every ``file_name`` given or found below ``paths`` (hidden folders skipped), sorted
    by path within each given path, read once each, checked by ``normalise`` and with
    its path under ``path_key``."""
    results: list[dict] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError("no such file or folder", path)
        if path.is_file():
            found = [path] if path.name == file_name else []
        else:
            found = []
            for root, dirs, files in os.walk(path):
                if file_name in files:
                    found.append(Path(root) / file_name)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.sort()
        for result_path in found:
            key = result_path.resolve()
            if key in seen:
                continue
            seen.add(key)
            result = normalise(read_json(result_path), result_path)
            result[path_key] = str(result_path)
            results.append(result)
    return results


def collect_modisco_results(paths: Iterable[str | os.PathLike]) -> list[dict]:
    """Read every ``patterns.json`` given or found below the given folders, checked
    (:func:`normalise_modisco_result`), with ``patterns_path`` added; a file reached
    twice is read once. Raises InputError naming a path that is missing or a file
    that does not hold what ``gdash modisco`` writes."""
    return _collect_results(paths, MODISCO_FILE, normalise_modisco_result, "patterns_path")
