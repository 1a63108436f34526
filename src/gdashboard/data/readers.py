"""Readers for labelled DNA sequence files, chosen by extension and content.

Formats
-------
* DeepBind ENCODE ``.seq`` / ``.seq.gz``: tab-separated ``FoldID EventID seq Bound``
  with a header line.
* FASTA (``.fa``, ``.fasta``, ``.fna``, optionally gzipped). A header that is only a
  label (``> 1``, ``>0``) labels the sequence; any other header is the sequence's id
  and the sequence is a positive.
* TSV / CSV with ``sequence`` and ``label`` columns (``id`` optional).

A file that holds only positives gets one dinucleotide-shuffled negative per
positive (seeded), as DeepBind and the paper did; a positive and its shuffle share a
``group`` so that splits keep them together.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from gdashboard.data.onehot import _EYE, encode_codes
from gdashboard.data.shuffle import dinucleotide_shuffle
from gdashboard.errors import InputError

_FASTA_EXTENSIONS = (".fa", ".fasta", ".fna", ".fas")
_LABEL_HEADER = re.compile(r"^\s*([01])\s*$")


@dataclass
class Dataset:
    """Sequences as one-hot ``(N, 4, L)`` float32 with labels, ids and pair groups.

    Attributes
    ----------
    X : torch.Tensor, shape ``(N, 4, L)``
    labels : numpy.ndarray of int64, 1 = bound, 0 = unbound
    ids : list of str
    groups : numpy.ndarray of int64; sequences sharing a group stay in one split
    name : str, the experiment's name
    tf : str, the transcription factor (first ``_`` field of the name)
    path : str, the file read
    n_shuffled : int, how many negatives were made by shuffling
    """

    X: torch.Tensor
    labels: np.ndarray
    ids: list[str]
    groups: np.ndarray
    name: str
    tf: str
    path: str = ""
    n_shuffled: int = 0
    source_lines: np.ndarray = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def length(self) -> int:
        return int(self.X.shape[-1])

    def subset(self, index) -> "Dataset":
        index = np.asarray(index)
        return Dataset(
            X=self.X[torch.as_tensor(index)],
            labels=self.labels[index],
            ids=[self.ids[i] for i in index],
            groups=self.groups[index],
            name=self.name,
            tf=self.tf,
            path=self.path,
            n_shuffled=sum(self.ids[i].endswith(":shuffle") for i in index),
        )


def experiment_name(path: str | os.PathLike) -> str:
    """The experiment a file belongs to.

    The DeepBind file's stem without ``_AC`` / ``_B``; the folder's name for a
    ``train.fa`` / ``test.fa`` pair; else the file's stem.
    """
    path = Path(path)
    name = path.name
    for suffix in (".gz",):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    # resolve() first: "train.fa" given from inside its folder has an empty parent name.
    if stem in ("train", "test", "valid", "validation") and path.resolve().parent.name:
        return path.resolve().parent.name
    for tag in ("_AC", "_B", "_A"):
        if stem.endswith(tag):
            return stem[: -len(tag)]
    return stem


def tf_name(experiment: str) -> str:
    """The TF of an experiment: the first ``_``-separated field of its name."""
    return experiment.split("_")[0]


def _open_text(path: Path):
    try:
        if path.name.endswith(".gz"):
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", errors="replace", newline="")
        return open(path, encoding="utf-8-sig", errors="replace", newline="")
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a sequence file", path) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", path) from None


def _detect_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith(".seq"):
        return "deepbind"
    if name.endswith(_FASTA_EXTENSIONS):
        return "fasta"
    if name.endswith((".tsv", ".csv")):
        return "table"
    # Unknown extension: sniff the first non-empty line.
    with _open_text(path) as handle:
        try:
            for line in handle:
                if line.strip():
                    break
            else:
                raise InputError("the file is empty", path)
        except (OSError, EOFError) as error:
            raise InputError(f"cannot be read: {error}", path) from None
    if line.startswith(">"):
        return "fasta"
    fields = re.split(r"[\t,]", line.strip().lower())
    if fields[:4] == ["foldid", "eventid", "seq", "bound"]:
        return "deepbind"
    if "sequence" in fields and "label" in fields:
        return "table"
    raise InputError(
        "unknown format: expected FASTA, a DeepBind .seq file or a TSV/CSV with 'sequence' and 'label' columns", path, 1
    )


def _read_lines(path: Path) -> list[str]:
    with _open_text(path) as handle:
        try:
            return handle.read().splitlines()
        except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise InputError(f"cannot be read: {error}", path) from None


def _parse_deepbind(path: Path, lines: list[str]):
    if not lines:
        raise InputError("the file is empty", path)
    header = lines[0].rstrip("\r").split("\t")
    if [h.strip().lower() for h in header[:4]] != ["foldid", "eventid", "seq", "bound"]:
        raise InputError(f"expected the DeepBind header 'FoldID EventID seq Bound', found {lines[0][:60]!r}", path, 1)
    ids, sequences, labels, line_numbers = [], [], [], []
    for number, line in enumerate(lines[1:], start=2):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            raise InputError(f"expected 4 tab-separated fields, found {len(fields)}", path, number)
        if fields[3].strip() not in ("0", "1"):
            raise InputError(f"Bound must be 0 or 1, found {fields[3]!r}", path, number)
        ids.append(fields[1].strip())
        sequences.append(fields[2].strip())
        labels.append(int(fields[3].strip()))
        line_numbers.append([number])
    return ids, sequences, labels, line_numbers


def _parse_fasta(path: Path, lines: list[str]):
    headers, sequences, line_numbers = [], [], []
    chunks: list[str] = []
    # Where each record's sequence lines start, so that an error inside a
    # wrapped record names the line that holds the offending character.
    chunk_lines: list[list[int]] = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith(">"):
            if headers and not chunks:
                raise InputError("a FASTA record has no sequence", path, line_numbers[-1])
            if headers:
                sequences.append("".join(chunks))
            headers.append(line[1:].strip())
            line_numbers.append(number + 1)
            chunk_lines.append([])
            chunks = []
        else:
            if not headers:
                raise InputError("FASTA must start with a '>' header line", path, number)
            chunks.append(line)
            chunk_lines[-1].append(number)
    if not headers:
        raise InputError("the file holds no FASTA records", path)
    if not chunks:
        raise InputError("a FASTA record has no sequence", path, line_numbers[-1])
    sequences.append("".join(chunks))

    is_label = [bool(_LABEL_HEADER.match(h)) for h in headers]
    stem = experiment_file_stem(path)
    if all(is_label):
        labels = [int(h) for h in headers]
        ids = [f"{stem}:{i}" for i in range(1, len(headers) + 1)]
    else:
        if any(is_label):
            first = is_label.index(True)
            raise InputError(
                "mixes label headers ('>1', '>0') with named records; use one kind", path, line_numbers[first] - 1
            )
        labels = [1] * len(headers)
        ids = [h.split()[0] if h else f"{stem}:{i}" for i, h in enumerate(headers, start=1)]
    return ids, sequences, labels, chunk_lines


def _parse_table(path: Path, lines: list[str]):
    if not lines:
        raise InputError("the file is empty", path)
    delimiter = "\t" if "\t" in lines[0] else ","
    reader = csv.reader(lines, delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    for column in ("sequence", "label"):
        if column not in header:
            raise InputError(f"no '{column}' column in the header {lines[0][:80]!r}", path, 1)
    seq_col, label_col = header.index("sequence"), header.index("label")
    id_col = header.index("id") if "id" in header else None
    stem = experiment_file_stem(path)
    ids, sequences, labels, line_numbers = [], [], [], []
    for number, row in enumerate(reader, start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) != len(header):
            raise InputError(f"expected {len(header)} fields, found {len(row)}", path, number)
        label = row[label_col].strip()
        if label not in ("0", "1"):
            raise InputError(f"label must be 0 or 1, found {label!r}", path, number)
        sequences.append(row[seq_col].strip())
        labels.append(int(label))
        ids.append(row[id_col].strip() if id_col is not None and row[id_col].strip() else f"{stem}:{len(ids) + 1}")
        line_numbers.append([number])
    return ids, sequences, labels, line_numbers


def experiment_file_stem(path: Path) -> str:
    name = Path(path).name
    if name.endswith(".gz"):
        name = name[:-3]
    return name.rsplit(".", 1)[0] if "." in name else name


def _pair_groups(sequences: list[str], labels: list[int]) -> np.ndarray:
    """Give a positive and the negative right after it one group when the negative
    has the same base composition: the paper's ``train.fa`` lists each positive
    followed by its own shuffle."""
    groups = np.arange(len(sequences), dtype=np.int64)
    i = 0
    while i < len(sequences) - 1:
        if labels[i] == 1 and labels[i + 1] == 0 and sorted(sequences[i]) == sorted(sequences[i + 1]):
            groups[i + 1] = groups[i]
            i += 2
        else:
            i += 1
    return groups


def _line_of_position(lines: list[str], record_lines: list[int], position: int) -> int:
    """The file line holding character ``position`` of a (possibly wrapped) record."""
    for number in record_lines[:-1]:
        length = len(lines[number - 1].strip())
        if position < length:
            return number
        position -= length
    return record_lines[-1]


def read_dataset(
    path: str | os.PathLike,
    *,
    shuffle_negatives: bool | None = None,
    pad: bool = False,
    seed: int = 0,
    name: str | None = None,
) -> Dataset:
    """Read a sequence file into a :class:`Dataset`.

    Parameters
    ----------
    path : str or path
        A DeepBind ``.seq[.gz]``, FASTA or TSV/CSV file.
    shuffle_negatives : bool or None
        Add one dinucleotide-shuffled negative per positive. ``None`` (default)
        does so exactly when the file holds only positives.
    pad : bool
        Pad shorter sequences on the right with ``N`` (all-zero columns) to the
        longest length instead of refusing sequences of different lengths.
    seed : int
        Seed of the shuffles; the same seed gives the same negatives.
    name : str, optional
        The experiment's name; by default derived from the path.

    Raises
    ------
    InputError
        Naming the file, the line and the problem.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a folder, not a sequence file", path)
    kind = _detect_format(path)
    lines = _read_lines(path)
    parser = {"deepbind": _parse_deepbind, "fasta": _parse_fasta, "table": _parse_table}[kind]
    # record_lines[i]: the file lines that hold sequence i (several for wrapped FASTA)
    ids, sequences, labels, record_lines = parser(path, lines)
    if not sequences:
        raise InputError("the file holds no sequences", path)
    line_numbers = [numbers[0] for numbers in record_lines]
    if len(set(ids)) < len(ids):
        # Predictions, explanations and the dashboard find sequences by id: one id, one sequence.
        seen: dict[str, int] = {}
        for identifier, number in zip(ids, line_numbers):
            if identifier in seen:
                raise InputError(f"duplicate id {identifier!r} (also on line {seen[identifier]})", path, number)
            seen[identifier] = number

    for seq, number in zip(sequences, line_numbers):
        if not seq:
            raise InputError("empty sequence", path, number)
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    if (lengths != lengths[0]).any():
        if not pad:
            first = int(np.argmax(lengths != lengths[0]))
            raise InputError(
                f"sequence of length {lengths[first]} where the first has {lengths[0]}; "
                "all sequences must share one length (or pass --pad)",
                path,
                line_numbers[first],
            )
        longest = int(lengths.max())
        sequences = [s + "N" * (longest - len(s)) for s in sequences]

    codes, bad_sequence, bad_position = encode_codes(sequences)
    if bad_sequence is not None:
        char = sequences[bad_sequence][bad_position]
        line = _line_of_position(lines, record_lines[bad_sequence], bad_position)
        raise InputError(
            f"invalid character {char!r} at position {bad_position + 1} of the sequence; "
            "only A, C, G, T and N are allowed",
            path,
            line,
        )

    X = torch.from_numpy(np.ascontiguousarray(_EYE[codes].transpose(0, 2, 1)))
    labels_array = np.asarray(labels, dtype=np.int64)
    groups = _pair_groups(sequences, labels)
    experiment = name or experiment_name(path)
    dataset = Dataset(
        X=X,
        labels=labels_array,
        ids=list(ids),
        groups=groups,
        name=experiment,
        tf=tf_name(experiment),
        path=str(path),
        source_lines=np.asarray(line_numbers, dtype=np.int64),
    )

    if shuffle_negatives is None:
        shuffle_negatives = bool((labels_array == 1).all())
    if shuffle_negatives:
        dataset = add_shuffled_negatives(dataset, seed=seed)
    return dataset


def add_shuffled_negatives(dataset, seed: int = 0):
    """Append one shuffled negative per positive, in the positive's group.

    The negative's id is the positive's id followed by ``:shuffle``.
    """
    positive = np.flatnonzero(dataset.labels == 1)
    shuffled = dinucleotide_shuffle(dataset.X[torch.as_tensor(positive)], seed=seed)
    return Dataset(
        X=torch.cat([dataset.X, shuffled]),
        labels=np.concatenate([dataset.labels, np.zeros(len(positive), np.int64)]),
        ids=dataset.ids + [f"{dataset.ids[i]}:shuffle" for i in positive],
        groups=np.concatenate([dataset.groups, dataset.groups[positive]]),
        name=dataset.name,
        tf=dataset.tf,
        path=dataset.path,
        n_shuffled=len(positive),
    )
