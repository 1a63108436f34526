"""ChIP-seq peaks and a genome in, a training and a test file out (``gdash data from-peaks``).

Each peak gives one positive window of ``length`` bases centred on its summit (narrowPeak's
10th column) or, without one, on the peak's centre; a peak on the ``-`` strand is read as
the reverse complement. Windows that run off their chromosome or are more than half ``N``
are skipped and counted. Negatives, one per positive where possible:

``shuffle`` (default, the paper's)
    a dinucleotide shuffle of each positive window (tangermeme's), seeded;
``flank``
    the window ``flank_distance`` bases to one side of the peak's centre (left for even
    peaks in file order, right for odd; the other side when that one is unusable) that
    overlaps no peak;
``gc``
    random windows of the genome matched to the positives' G+C distribution: candidates
    are drawn uniformly over the chromosomes of the positive's split, binned by G+C
    (20 bins of 0.05), and each positive takes one candidate of its bin; candidates that
    overlap a peak or an ``exclude`` interval (a blacklist) are never drawn.

The split holds out whole chromosomes (``test_chroms``), the field's practice: a test window
never shares a chromosome, hence a locus, with a training one; negatives follow their
positive's split. Each sequence's id is its locus, ``chr:start-end(strand)`` (a shuffle's:
its positive's locus + ``:shuffled``). Output: ``train.tsv`` and ``test.tsv`` (id, label,
sequence: what ``gdash train`` and ``gdash study`` read) and ``summary.json`` (kept and
skipped, with reasons), all written atomically.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from gdashboard.data.genome import Genome, gc_fraction, merged, overlaps, read_intervals
from gdashboard.errors import InputError
from gdashboard.fileio import write_json, write_text

NEGATIVES = ("shuffle", "flank", "gc")
GC_BINS = 20
# Candidates drawn per positive for the G+C match: enough that every bin the positives
# use finds its share in a genome of ordinary composition.
GC_CANDIDATES_PER_POSITIVE = 20
_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


@dataclass
class Window:
    chrom: str
    start: int
    strand: str
    sequence: str
    label: int
    origin: str = ""  # a shuffle's positive locus

    def locus(self, length: int) -> str:
        return f"{self.chrom}:{self.start}-{self.start + length}({'-' if self.strand == '-' else '+'})"


@dataclass
class Counts:
    peaks: int = 0
    positives: dict = field(default_factory=lambda: {"train": 0, "test": 0})
    negatives: dict = field(default_factory=lambda: {"train": 0, "test": 0})
    skipped: dict = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def _reverse_complement(sequence: str) -> str:
    return sequence.translate(_COMPLEMENT)[::-1]


@dataclass(frozen=True)
class PeakDatasetOptions:
    """How :func:`dataset_from_peaks` cuts windows, makes negatives and splits (see the module's description)."""

    length: int = 101
    negatives: str = "shuffle"
    test_chroms: Sequence[str] = ("chr8", "chr9")
    seed: int = 0
    flank_distance: int = 1000
    exclude: str | os.PathLike | None = None  # a BED file of intervals no negative may overlap


def dataset_from_peaks(
    peaks: str | os.PathLike,
    genome: str | os.PathLike,
    out: str | os.PathLike,
    options: PeakDatasetOptions | None = None,
    **overrides,
) -> dict:
    """Write ``out/train.tsv``, ``out/test.tsv`` and ``out/summary.json``; returns the summary.

    See the module's description for the windows, negatives and split. ``options`` holds
    the settings (:class:`PeakDatasetOptions`); ``overrides`` (its field names as keywords)
    replace single ones.

    Raises
    ------
    InputError
        A malformed peak or exclusion line, a chromosome the genome lacks (naming the file
        and line), an unknown negatives kind, or no positive window left in a split.
    TypeError
        An override that is not a field of :class:`PeakDatasetOptions`.
    """
    options = dataclasses.replace(options or PeakDatasetOptions(), **overrides)
    length, negatives, seed = options.length, options.negatives, options.seed
    flank_distance, exclude = options.flank_distance, options.exclude
    if negatives not in NEGATIVES:
        raise InputError(f"unknown negatives {negatives!r}; choose one of {', '.join(NEGATIVES)}")
    if length < 1 or flank_distance < 1:
        raise InputError("length and flank distance must be positive")
    reference = Genome(genome)
    intervals = read_intervals(peaks)
    for interval in intervals:
        reference.check_chromosome(interval.chrom, peaks, interval.line)
    blocked = merged(intervals + (read_intervals(exclude) if exclude is not None else []))
    test_set = set(options.test_chroms)
    counts = Counts(peaks=len(intervals))
    rng = np.random.default_rng(seed)

    split = _split_positives(reference, intervals, length, test_set, counts)
    for part in ("train", "test"):
        if not split[part]:
            where = "on the test chromosomes" if part == "test" else "off the test chromosomes"
            raise InputError(f"no positive window {where} ({', '.join(sorted(test_set))}); check --test-chroms", peaks)

    summary_gc = {}
    for part, members in split.items():
        windows = [window for _, window in members]
        counts.positives[part] = len(windows)
        if negatives == "shuffle":
            made = _shuffled(windows, length, seed + (0 if part == "train" else 1_000_003))
        elif negatives == "flank":
            made = _flanking(reference, members, length, flank_distance, blocked, counts)
        else:
            chroms = [c for c in reference.lengths if (c in test_set) == (part == "test")]
            made = _gc_matched(reference, windows, chroms, length, blocked, rng, counts)
            summary_gc[part] = {
                "positives": float(np.nanmean(gc_fraction([w.sequence for w in windows]))),
                "negatives": float(np.nanmean(gc_fraction([w.sequence for w in made]))) if made else None,
            }
        counts.negatives[part] = len(made)
        _write_windows(Path(out) / f"{part}.tsv", [*windows, *made], length)

    summary = {
        "peaks": str(peaks),
        "genome": str(genome),
        "length": length,
        "negatives": negatives,
        "test_chroms": sorted(test_set),
        "seed": seed,
        "n_peaks": counts.peaks,
        "positives": counts.positives,
        "negatives_made": counts.negatives,
        "skipped": dict(sorted(counts.skipped.items())),
    }
    if negatives == "flank":
        summary["flank_distance"] = flank_distance
    if negatives == "gc":
        summary["mean_gc"] = summary_gc
    if exclude is not None:
        summary["exclude"] = str(exclude)
    write_json(Path(out) / "summary.json", summary)
    return summary


def _split_positives(reference: Genome, intervals, length: int, test_set: set, counts: Counts) -> dict:
    """Each usable peak's positive window, by split: ``{"train": [...], "test": [...]}`` of
    ``(interval, window)``; the unusable ones are counted as skipped."""
    split = {"train": [], "test": []}
    for interval in intervals:
        window = _window(reference, interval.chrom, interval.centre - length // 2, length, interval.strand, 1)
        if isinstance(window, str):
            counts.skip(f"positive {window}")
            continue
        split["test" if interval.chrom in test_set else "train"].append((interval, window))
    return split


def _write_windows(path: Path, windows: list[Window], length: int) -> None:
    lines = ["id\tlabel\tsequence"]
    for window in windows:
        identifier = window.locus(length) + (":shuffled" if window.origin else "")
        lines.append(f"{identifier}\t{window.label}\t{window.sequence}")
    write_text(path, "\n".join(lines) + "\n")


def _window(reference: Genome, chrom: str, start: int, length: int, strand: str, label: int) -> Window | str:
    """The window, or why it is skipped."""
    if start < 0 or start + length > reference.lengths[chrom]:
        return "runs off its chromosome"
    sequence = reference.fetch(chrom, start, start + length)
    if sequence.count("N") * 2 > length:
        return "mostly N"
    if strand == "-":
        sequence = _reverse_complement(sequence)
    return Window(chrom, start, strand, sequence, label)


def _shuffled(windows: list[Window], length: int, seed: int) -> list[Window]:
    from gdashboard.data.onehot import one_hot_decode, one_hot_encode
    from gdashboard.data.shuffle import dinucleotide_shuffle

    shuffled = one_hot_decode(dinucleotide_shuffle(one_hot_encode([w.sequence for w in windows]), seed=seed))
    return [Window(w.chrom, w.start, w.strand, text, 0, origin=w.locus(length)) for w, text in zip(windows, shuffled)]


def _flanking(reference, members, length, distance, blocked, counts) -> list[Window]:
    made = []
    for number, (interval, _) in enumerate(members):
        sides = (-distance, distance) if number % 2 == 0 else (distance, -distance)
        found = None
        for side in sides:
            start = interval.centre + side - length // 2
            if overlaps(blocked, interval.chrom, np.array([start]), length)[0]:
                continue
            window = _window(reference, interval.chrom, start, length, "+", 0)
            if isinstance(window, Window):
                found = window
                break
        if found is None:
            counts.skip("flank negative: both sides overlap a peak, run off or are mostly N")
        else:
            made.append(found)
    return made


def _gc_matched(reference, windows, chroms, length, blocked, rng, counts) -> list[Window]:
    wanted = np.clip((gc_fraction([w.sequence for w in windows]) * GC_BINS).astype(int), 0, GC_BINS - 1)
    usable = [c for c in chroms if reference.lengths[c] >= length]
    if not usable:
        for _ in windows:
            counts.skip("gc negative: no chromosome of its split is long enough")
        return []
    sizes = np.array([reference.lengths[c] - length + 1 for c in usable], dtype=float)
    n_candidates = GC_CANDIDATES_PER_POSITIVE * len(windows)
    chosen_chrom = rng.choice(len(usable), size=n_candidates, p=sizes / sizes.sum())
    found_chrom, found_start, found_bin = [], [], []
    # One pass per chromosome over all its candidates: read it once, G+C of every window
    # from a cumulative sum, the peak and exclusion overlap by binary search.
    for index, chrom in enumerate(usable):
        count = int((chosen_chrom == index).sum())
        if count == 0:
            continue
        starts = rng.integers(0, int(sizes[index]), size=count)
        starts = starts[~overlaps(blocked, chrom, starts, length)]
        sequence = np.frombuffer(reference.chromosome(chrom).encode(), dtype=np.uint8)
        gc = np.concatenate([[0], np.cumsum((sequence == ord("G")) | (sequence == ord("C")))])
        n = np.concatenate([[0], np.cumsum(sequence == ord("N"))])
        gc_count = gc[starts + length] - gc[starts]
        n_count = n[starts + length] - n[starts]
        keep = n_count * 2 <= length
        bins = np.clip((gc_count / np.maximum(length - n_count, 1) * GC_BINS).astype(int), 0, GC_BINS - 1)
        found_chrom.append(np.full(int(keep.sum()), index))
        found_start.append(starts[keep])
        found_bin.append(bins[keep])
    candidate_chrom = np.concatenate(found_chrom) if found_chrom else np.zeros(0, int)
    candidate_start = np.concatenate(found_start) if found_start else np.zeros(0, int)
    candidate_bin = np.concatenate(found_bin) if found_bin else np.zeros(0, int)
    made = []
    # Each G+C bin of the positives takes as many candidates of that bin as it has
    # positives (candidates are in random order already); the rest are not read.
    for gc_bin, needed in zip(*np.unique(wanted, return_counts=True)):
        members = np.flatnonzero(candidate_bin == gc_bin)[:needed]
        for member in members.tolist():
            chrom, start = usable[candidate_chrom[member]], int(candidate_start[member])
            made.append(Window(chrom, start, "+", reference.fetch(chrom, start, start + length), 0))
        for _ in range(int(needed) - len(members)):
            counts.skip("gc negative: no candidate window of its G+C")
    return made
