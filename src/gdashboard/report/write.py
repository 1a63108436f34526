"""``gdash report``: read runs and motif results, compute the tables, write them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from gdashboard.errors import InputError
from gdashboard.fileio import write_texts
from gdashboard.report.render import sections, to_markdown
from gdashboard.report.section import CSV_NAMES
from gdashboard.report.statistics import summarise
from gdashboard.results import collect_modisco_results, collect_motif_results, collect_runs


def write_report(
    rundirs: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    include_max_in_architectures: bool = False,
) -> dict[str, Path]:
    """Read run folders and write ``report.md`` plus one CSV per table into ``out_dir``.

    Parameters
    ----------
    rundirs
        Run folders or folders containing them (see :func:`gdashboard.results.collect_runs`). Any
        ``motifs.json`` given or found below them (see :func:`gdashboard.results.collect_motif_results`)
        adds Table 4; without one, Table 4 is left out. Any ``patterns.json`` (``gdash
        modisco``) adds the TF-MoDISco rows (``patterns.csv``).
    out_dir
        Created if missing.
    include_max_in_architectures
        See :func:`gdashboard.report.statistics.summarise`.

    Returns
    -------
    dict of str to Path
        ``"report"`` -> ``report.md``, and each CSV section's key (``per_experiment``,
        ``table2``, ``table3_architectures``, ``table3_presets``, and with motif results
        ``table4_architectures``, ``table4_presets``) -> its file.

    Raises
    ------
    InputError
        Unreadable runs or motif results (see :func:`gdashboard.results.collect_runs`,
        :func:`gdashboard.results.collect_motif_results`) or an ``out_dir`` that is a file.
    """
    paths = list(rundirs)
    runs = collect_runs(paths)
    motifs = collect_motif_results(paths)
    patterns = collect_modisco_results(paths)
    report = summarise(
        runs, include_max_in_architectures=include_max_in_architectures, motifs=motifs, patterns=patterns
    )
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("output path exists and is not a folder", out)
    rendered = sections(report)
    texts = {section.csv_name: section.to_csv() for section in rendered if section.csv_name}
    texts["report.md"] = to_markdown(report, rendered)
    # One change to the folder: a full disk midway leaves the last report whole, and a table
    # of an earlier report that this one no longer has (no motif results this time) does not
    # linger beside it. Only a folder that holds a report already has such tables: elsewhere
    # a file of the same name is the user's, and stays.
    stale = CSV_NAMES if (out / "report.md").is_file() else ()
    files = write_texts(out, texts, remove=stale)
    written = {section.key: files[section.csv_name] for section in rendered if section.csv_name}
    written["report"] = files["report.md"]
    return written
