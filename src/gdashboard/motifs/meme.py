"""Motifs in the MEME minimal motif format (version 4), written and read back.

The MEME suite's tools (Tomtom, FIMO, the web portals) and memelite read this
format. A file holds a header (version, alphabet, strands, background letter
frequencies) and then, per motif, a ``MOTIF id [name]`` line, a
``letter-probability matrix:`` line and one row of four probabilities (A C G T)
per motif position::

    MEME version 4

    ALPHABET= ACGT

    strands: + -

    Background letter frequencies
    A 0.25 C 0.25 G 0.25 T 0.25

    MOTIF MA0035.5 GATA1
    letter-probability matrix: alength= 4 w= 7 nsites= 20 E= 0
     0.100000  0.700000  0.100000  0.100000
     ...

In this package a motif matrix is a numpy array of shape ``(4, width)`` in ACGT
order (one column per position); the file stores its transpose.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from gdashboard.data.jaspar import MEME_PSEUDOCOUNT, Motif
from gdashboard.errors import InputError
from gdashboard.fileio import write_text

ALPHABET = "ACGT"
UNIFORM = np.full(4, 0.25)


@dataclass(frozen=True)
class MemeMotif:
    """One motif of a MEME file.

    Attributes
    ----------
    id : str
        The first word after ``MOTIF``.
    name : str
        The rest of the ``MOTIF`` line (the alternate name), or ``""``.
    probabilities : numpy.ndarray
        Letter probabilities, shape ``(4, width)``, ACGT order.
    nsites : float or None
        The ``nsites=`` value of the matrix line, when given.
    """

    id: str
    name: str
    probabilities: np.ndarray
    nsites: float | None = None

    @property
    def width(self) -> int:
        return int(self.probabilities.shape[1])


def as_probabilities(matrix, background: np.ndarray | None = None, what: str = "motif") -> np.ndarray:
    """A ``(4, width)`` float array whose columns sum to one.

    Columns are divided by their sums; a column that sums to zero (an ``N`` in a
    one-hot window) becomes ``background`` (uniform by default).

    Raises
    ------
    InputError
        If the matrix is not ``(4, width)`` with ``width >= 1``, holds a negative
        or non-finite value.
    """
    if hasattr(matrix, "detach"):  # a torch tensor
        matrix = matrix.detach().cpu().numpy()
    array = np.asarray(matrix, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] != 4 or array.shape[1] < 1:
        raise InputError(f"{what} must be a (4, width) matrix in ACGT order, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise InputError(f"{what} holds a non-finite value")
    if np.any(array < 0):
        raise InputError(f"{what} holds a negative value; give probabilities or counts")
    background = UNIFORM if background is None else np.asarray(background, dtype=np.float64)
    sums = array.sum(axis=0, keepdims=True)
    empty = sums[0] == 0
    out = np.divide(array, sums, out=np.zeros_like(array), where=sums > 0)
    out[:, empty] = background[:, None]
    return out


def _named_matrices(
    motifs, background: np.ndarray | None = None, pseudocount: float = MEME_PSEUDOCOUNT
) -> list[tuple[str, str, np.ndarray]]:
    """``(id, name, probabilities)`` for a dict of matrices, Motifs or MemeMotifs.

    JASPAR :class:`Motif` counts become ``Motif.probabilities(pseudocount)``
    (MEME's default motif pseudocount, 0.1, unless told otherwise); other
    matrices are only normalised. An all-zero column becomes ``background``
    (uniform by default).
    """
    items: list[tuple[str, str, np.ndarray]] = []
    if isinstance(motifs, Mapping):
        for key, matrix in motifs.items():
            key = str(key).strip()
            if not key:
                raise InputError("a motif id is empty")
            motif_id, _, name = key.partition(" ")
            if isinstance(matrix, Motif):
                matrix = matrix.probabilities(pseudocount)
            elif isinstance(matrix, MemeMotif):
                matrix = matrix.probabilities
            items.append((motif_id, name.strip(), as_probabilities(matrix, background, what=f"motif {key}")))
        return items
    for position, motif in enumerate(motifs):
        if isinstance(motif, Motif):
            items.append((motif.matrix_id, motif.name, motif.probabilities(pseudocount)))
        elif isinstance(motif, MemeMotif):
            items.append((motif.id, motif.name, as_probabilities(motif.probabilities, background, what=motif.id)))
        else:
            items.append((str(position), "", as_probabilities(motif, background, what=f"motif {position}")))
    return items


def format_meme(motifs, background: np.ndarray | None = None, nsites: float | Mapping[str, float] = 20) -> str:
    """The text of a MEME minimal motif file; see :func:`write_meme`."""
    background = UNIFORM if background is None else np.asarray(background, dtype=np.float64)
    if background.shape != (4,) or np.any(background <= 0) or not np.isclose(background.sum(), 1):
        raise InputError("the background must be four positive frequencies (A, C, G, T) summing to 1")
    items = _named_matrices(motifs, background)
    seen: set[str] = set()
    for motif_id, _, _ in items:
        if re.search(r"\s", motif_id):
            raise InputError(f"motif id {motif_id!r} holds white space")
        if motif_id in seen:
            raise InputError(f"motif id {motif_id} occurs twice")
        seen.add(motif_id)
    lines = [
        "MEME version 4",
        "",
        f"ALPHABET= {ALPHABET}",
        "",
        "strands: + -",
        "",
        "Background letter frequencies",
        " ".join(f"{base} {value:.6g}" for base, value in zip(ALPHABET, background)),
        "",
    ]
    if isinstance(nsites, Mapping):
        lacking = [motif_id for motif_id, _, _ in items if motif_id not in nsites]
        if lacking:
            raise InputError(f"no nsites given for motif {lacking[0]}")
    for motif_id, name, matrix in items:
        sites = nsites[motif_id] if isinstance(nsites, Mapping) else nsites
        if not sites > 0:
            raise InputError(f"nsites of motif {motif_id} must be positive, got {sites}")
        lines.append(f"MOTIF {motif_id} {name}".rstrip())
        lines.append(f"letter-probability matrix: alength= 4 w= {matrix.shape[1]} nsites= {sites:g} E= 0")
        lines.extend(" " + "  ".join(f"{value:.6f}" for value in column) for column in matrix.T)
        lines.append("")
    return "\n".join(lines) + "\n"


def write_meme(
    motifs, path: str | os.PathLike, background: np.ndarray | None = None, nsites: float | Mapping[str, float] = 20
) -> Path:
    """Write motifs to ``path`` in the MEME minimal motif format, atomically.

    Parameters
    ----------
    motifs : dict[str, array-like] or list of Motif, MemeMotif or array-like
        A dict maps a motif id to its ``(4, width)`` matrix; a key with a space
        (``"MA0035.5 GATA1"``) gives an id and a name. JASPAR :class:`Motif`
        objects give their matrix id, name and ``probabilities(0.1)`` (MEME's
        default motif pseudocount; :func:`jaspar_to_meme` writes the counts'
        own frequencies instead). Bare
        matrices in a list are numbered from 0. Matrices may be counts or
        probabilities: columns are normalised to sum to one, and an all-zero
        column becomes the background.
    path : path-like
        The file to write; its folder is created. The file appears whole or not
        at all.
    background : array-like of 4, optional
        Background letter frequencies written to the header; uniform by default.
    nsites : float or dict[str, float]
        The ``nsites=`` value of the matrix lines (MEME weighs the pseudocount
        it adds by it; 20 is the MEME suite's default for converted motifs),
        one for all or one per motif id.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    return write_text(path, format_meme(motifs, background, nsites))


def jaspar_to_meme(motifs: Iterable[Motif] | None, path: str | os.PathLike, pseudocount: float = 0.0) -> Path:
    """Export JASPAR motifs (all JASPAR2024 CORE vertebrates when ``None``) to a MEME file.

    Each motif is written as ``MOTIF <matrix id> <name>`` with its
    ``Motif.probabilities(pseudocount)`` and, as ``nsites=``, its number of
    sites (the mean column sum of its counts). By default the frequencies are
    the counts' own (no pseudocount), as JASPAR publishes them: a MEME tool
    reading the file adds its own pseudocount (0.1 by default) weighted by
    ``nsites``, which gives exactly the matrices ``gdash motifs`` scores,
    ``Motif.probabilities(0.1)``. Adding one here as well would smooth twice.
    """
    if motifs is None:
        from gdashboard.data.jaspar import all_motifs

        motifs = all_motifs()
    motifs = list(motifs)
    matrices = {f"{m.matrix_id} {m.name}": m.probabilities(pseudocount) for m in motifs}
    if len(matrices) != len(motifs):
        raise InputError("the JASPAR motifs given repeat a matrix id")
    sites = {m.matrix_id: float(m.counts.sum(axis=0).mean()) for m in motifs}
    return write_meme(matrices, path, nsites=sites)


_KEY_VALUE = re.compile(r"(\w+)=\s*(\S+)")


def read_meme_motifs(path: str | os.PathLike) -> list[MemeMotif]:
    """Every motif of a MEME file, in file order.

    Reads the letter-probability matrices of a MEME (version 4 or later) file
    with the DNA alphabet; the header's alphabet, when given, must be ACGT.
    Rows are read as written (not renormalised).

    Raises
    ------
    InputError
        With the file and line, for a malformed matrix, a repeated id, or a
        non-ACGT alphabet.
    """
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except OSError as error:
        raise InputError(f"cannot read the MEME file: {error.strerror or error}", path) from error
    motifs: list[MemeMotif] = []
    seen: set[str] = set()
    current: tuple[str, str] | None = None
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        number = index + 1
        index += 1
        if line.startswith("ALPHABET"):
            alphabet = line.split("=", 1)[1].strip().split()[0] if "=" in line else ""
            if alphabet.upper() not in ("ACGT", "DNA"):
                raise InputError(f"alphabet {alphabet!r} is not ACGT", path, number)
        elif line.startswith("MOTIF"):
            fields = line.split()
            if len(fields) < 2:
                raise InputError("a MOTIF line without an id", path, number)
            current = (fields[1], " ".join(fields[2:]))
            if current[0] in seen:
                raise InputError(f"motif id {current[0]} occurs twice", path, number)
            seen.add(current[0])
        elif line.startswith("letter-probability matrix"):
            if current is None:
                raise InputError("a letter-probability matrix before any MOTIF line", path, number)
            values = dict(_KEY_VALUE.findall(line))
            if "w" not in values:
                raise InputError("the letter-probability matrix line lacks w=", path, number)
            if values.get("alength", "4") != "4":
                raise InputError(f"alength= {values['alength']}, expected 4", path, number)
            try:
                width = int(values["w"])
                nsites = float(values["nsites"]) if "nsites" in values else None
            except ValueError as error:
                raise InputError(f"bad number in the matrix line: {error}", path, number) from error
            rows = []
            while len(rows) < width:
                if index >= len(lines):
                    raise InputError(f"motif {current[0]} ends after {len(rows)} of {width} rows", path, len(lines))
                row_line = lines[index].strip()
                index += 1
                if not row_line:
                    continue
                try:
                    row = [float(value) for value in row_line.split()]
                except ValueError:
                    raise InputError(f"motif {current[0]}: a matrix row is not numbers", path, index) from None
                if len(row) != 4 or not all(np.isfinite(row)) or min(row) < 0:
                    raise InputError(f"motif {current[0]}: a matrix row must be four probabilities", path, index)
                rows.append(row)
            motifs.append(MemeMotif(current[0], current[1], np.array(rows).T.copy(), nsites))
            current = None
    return motifs


def read_meme(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The motifs of a MEME file as ``{id: (4, width) probabilities}``, in file order.

    Names are dropped; :func:`read_meme_motifs` keeps them.
    """
    return {motif.id: motif.probabilities for motif in read_meme_motifs(path)}
