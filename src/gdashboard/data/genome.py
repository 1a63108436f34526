"""A reference genome (FASTA, plain or bgzipped) and peak files (BED, ENCODE narrowPeak).

The genome is read through pyfaidx, which indexes it (``.fai``, and ``.gzi`` for bgzip) on
first use, beside the file. Peak and interval files are read here: BED (3 or more
tab-separated columns, 0-based half-open) and narrowPeak (BED6+4, whose 10th column is the
summit's offset from the start, -1 when unknown); plain or gzipped; ``track``, ``browser``
and ``#`` lines are skipped. Every malformed line is an :class:`InputError` naming the file
and the line.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gdashboard.errors import InputError


@dataclass(frozen=True)
class Interval:
    """One BED / narrowPeak line: 0-based half-open ``[start, end)`` on ``chrom``;
    ``summit`` the absolute summit position or None; ``strand`` ``+``, ``-`` or ``.``;
    ``line`` where it was read."""

    chrom: str
    start: int
    end: int
    summit: int | None = None
    strand: str = "."
    line: int = 0

    @property
    def centre(self) -> int:
        """The summit where known, else the interval's centre (rounded down)."""
        return self.summit if self.summit is not None else (self.start + self.end) // 2


def open_text(path: Path):
    """A text file, plain or gzipped (told by its first bytes), or an InputError."""
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a folder, not a file", path)
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    raw = gzip.open(path, "rb") if gzipped else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def numbered_lines(path: Path):
    """``(line number, line without its end)`` of a text file, plain or gzipped, streamed; a
    truncated or corrupt gzip is an InputError, not an exception of the gzip module."""
    with open_text(path) as handle:
        try:
            for number, raw in enumerate(handle, start=1):
                yield number, raw.rstrip("\r\n")
        except (OSError, EOFError, zlib.error) as error:
            raise InputError(f"cannot be read (a truncated or corrupt gzip?): {error}", path) from None


def read_intervals(path: str | os.PathLike) -> list[Interval]:
    """Every interval of a BED or narrowPeak file (format told by its columns: ten with an
    integer summit column is narrowPeak), in file order.

    Raises
    ------
    InputError
        A line with fewer than 3 columns, a start or end that is not a non-negative
        integer, an end not after its start, a summit outside its peak, a strand other
        than ``+``, ``-`` or ``.``, or a file without intervals.
    """
    path = Path(path)
    intervals = []
    for number, line in numbered_lines(path):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            problem = f"a BED line needs chrom, start and end (tab-separated); found {line[:60]!r}"
            raise InputError(problem, path, number)
        chrom = fields[0].strip()
        try:
            start, end = int(fields[1]), int(fields[2])
        except ValueError:
            problem = f"start and end must be integers, found {fields[1]!r} and {fields[2]!r}"
            raise InputError(problem, path, number) from None
        if not chrom or start < 0 or end <= start:
            raise InputError(f"need a chromosome and 0 <= start < end, found {chrom!r} {start} {end}", path, number)
        strand = fields[5].strip() if len(fields) > 5 and fields[5].strip() else "."
        if strand not in ("+", "-", "."):
            raise InputError(f"strand must be +, - or ., found {strand!r}", path, number)
        summit = None
        if len(fields) >= 10:
            try:
                offset = int(fields[9])
            except ValueError:
                problem = f"narrowPeak summit (column 10) must be an integer, found {fields[9]!r}"
                raise InputError(problem, path, number) from None
            if offset >= 0:
                if start + offset >= end:
                    raise InputError(f"summit offset {offset} lies outside the peak {start}-{end}", path, number)
                summit = start + offset
        intervals.append(Interval(chrom, start, end, summit, strand, number))
    if not intervals:
        raise InputError("holds no intervals", path)
    return intervals


class Genome:
    """A reference genome: chromosome lengths and sequence windows, upper case.

    Parameters
    ----------
    path
        FASTA, plain or bgzipped (``bgzip``; plain gzip cannot be indexed and is refused
        with a one-line error saying so). The index is made on first use, beside it.
    """

    def __init__(self, path: str | os.PathLike):
        import pyfaidx

        self.path = Path(path)
        if not self.path.exists():
            raise InputError("no such genome file", self.path)
        try:
            self._fasta = pyfaidx.Fasta(str(self.path), sequence_always_upper=True, rebuild=False, build_index=True)
        except pyfaidx.UnsupportedCompressionFormat:
            problem = "a gzipped genome must be bgzipped (bgzip, then it is indexed) to be read"
            raise InputError(problem, self.path) from None
        except (pyfaidx.FastaIndexingError, ValueError, OSError) as error:
            # pyfaidx names the line ("... at line 3."): the error names it as every other does.
            message = str(error).splitlines()[0]
            where = re.search(r"\s*(?:in \S+ )?at line (\d+)\.?", message)
            line = int(where.group(1)) if where else None
            problem = message[: where.start()] + message[where.end() :] if where else message
            raise InputError(f"cannot index the genome: {problem.strip()}", self.path, line) from None
        self.lengths = {name: len(record) for name, record in self._fasta.records.items()}

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """Bases ``[start, end)`` of ``chrom`` (0-based), upper case; the caller keeps them in range."""
        return str(self._fasta[chrom][start:end])

    def chromosome(self, chrom: str) -> str:
        return self.fetch(chrom, 0, self.lengths[chrom])

    def check_chromosome(self, chrom: str, path: str | os.PathLike, line: int) -> None:
        """An InputError naming the file and line of an interval on a chromosome the genome lacks."""
        if chrom not in self.lengths:
            known = ", ".join(list(self.lengths)[:5])
            raise InputError(f"chromosome {chrom!r} is not in the genome {self.path.name} ({known}, ...)", path, line)


def gc_fraction(sequences: list[str]) -> np.ndarray:
    """G+C over A+C+G+T of each sequence (N not counted); NaN for an all-N one."""
    out = np.empty(len(sequences))
    for i, sequence in enumerate(sequences):
        acgt = sum(sequence.count(b) for b in "ACGT")
        out[i] = (sequence.count("G") + sequence.count("C")) / acgt if acgt else np.nan
    return out


def overlaps(intervals: dict[str, np.ndarray], chrom: str, starts: np.ndarray, length: int) -> np.ndarray:
    """Whether each window ``[start, start + length)`` on ``chrom`` overlaps any of the
    intervals (``chrom -> (n, 2)`` array of starts and ends, sorted by start, merged)."""
    blocks = intervals.get(chrom)
    if blocks is None or len(blocks) == 0:
        return np.zeros(len(starts), dtype=bool)
    # The last interval starting before the window's end is the only candidate once merged.
    index = np.searchsorted(blocks[:, 0], starts + length, side="left") - 1
    valid = index >= 0
    hit = np.zeros(len(starts), dtype=bool)
    hit[valid] = blocks[index[valid], 1] > starts[valid]
    return hit


def merged(intervals: list[Interval]) -> dict[str, np.ndarray]:
    """Per chromosome, the intervals sorted and merged: ``(n, 2)`` arrays for :func:`overlaps`."""
    by_chrom: dict[str, list[tuple[int, int]]] = {}
    for interval in intervals:
        by_chrom.setdefault(interval.chrom, []).append((interval.start, interval.end))
    out = {}
    for chrom, pairs in by_chrom.items():
        pairs.sort()
        blocks = [list(pairs[0])]
        for start, end in pairs[1:]:
            if start <= blocks[-1][1]:
                blocks[-1][1] = max(blocks[-1][1], end)
            else:
                blocks.append([start, end])
        out[chrom] = np.asarray(blocks, dtype=np.int64)
    return out
