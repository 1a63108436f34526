"""Motif sites in one-hot sequences with FIMO (memelite's re-implementation).

Used to mark where a TF's JASPAR motifs occur in a test sequence (the pink boxes
of the paper's dashboard figure).

What memelite's ``fimo(motifs, sequences, threshold=...)`` expects and returns
---------------------------------------------------------------------------
- ``motifs``: a dict ``{name: (4, width) letter probabilities}`` in ACGT order;
  it scores with ``log2(p + 1e-4) - log2(0.25)`` (uniform background) and
  scans each motif and its reverse complement.
- ``sequences``: a one-hot array ``(N, 4, L)``; a position's letter is its
  arg-max channel, and an all-zero column (``N``) matches no letter (it scores
  0, the background). Arrays are passed as float32 here so that one compiled
  numba specialisation serves every call.
- It returns one pandas DataFrame per motif with columns ``motif_name,
  motif_idx, sequence_name, start, end, strand, score, p-value``:
  ``sequence_name`` is the sequence's index, ``start`` is 0-based and ``end``
  exclusive (``end - start`` is the motif width) on the forward strand for
  both strands, and ``strand`` is ``"+"`` or ``"-"`` (a match of the motif's
  reverse complement). Only hits with ``p < threshold`` are reported; FIMO's
  q-values are not computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from gdashboard.data.onehot import check_one_hot
from gdashboard.errors import InputError
from gdashboard.motifs.meme import _named_matrices


@dataclass(frozen=True)
class Site:
    """One motif occurrence.

    Attributes
    ----------
    sequence : int
        Index of the sequence in the batch.
    motif_id : str
        The motif's id (JASPAR matrix id, or the key it was given under).
    start, end : int
        0-based start and exclusive end on the forward strand.
    strand : str
        ``"+"``: the motif as given; ``"-"``: its reverse complement.
    score : float
        Log2-odds score of the site (FIMO's score).
    p_value : float
        FIMO's p-value of the score.
    """

    sequence: int
    motif_id: str
    start: int
    end: int
    strand: str
    score: float
    p_value: float


def _one_hot(X) -> np.ndarray:
    """``X`` as a contiguous float32 ``(N, 4, L)`` array of 0/1 values, else an InputError."""
    try:
        X = check_one_hot(X, name="sequences", min_length=0).numpy()
    except ValueError as error:
        raise InputError(str(error)) from None
    X = np.ascontiguousarray(X)
    if X.size and (not np.all((X == 0) | (X == 1)) or X.sum(axis=1).max() > 1):
        raise InputError("sequences must be one-hot: 0/1 values, at most one 1 per position")
    return X


def find_sites(
    motifs, X, threshold: float = 1e-4, reverse_complement: bool = True, n_jobs: int | None = 1
) -> list[Site]:
    """All sites of ``motifs`` in the one-hot sequences ``X`` with FIMO p-value < ``threshold``.

    Parameters
    ----------
    motifs : dict[str, (4, w) matrix] or list of Motif / MemeMotif
        Letter-probability (or count) matrices in ACGT order; JASPAR
        :class:`Motif` objects are scanned as their ``probabilities(0.1)``
        (counts plus FIMO's default motif pseudocount, ``--motif-pseudo 0.1``)
        and reported by matrix id.
    X : numpy array or torch tensor, (N, 4, L)
        One-hot sequences (all-zero columns for ``N``).
    threshold : float
        FIMO's p-value threshold (its default, 1e-4).
    reverse_complement : bool
        Scan the reverse strand too.
    n_jobs : int or None
        numba threads for the scan (``None``: leave numba's setting as it is).

    Returns
    -------
    list[Site]
        Sorted by sequence, start, motif order and strand.
    """
    X = _one_hot(X)
    items = _named_matrices(motifs)
    ids = [motif_id for motif_id, _, _ in items]
    if len(set(ids)) != len(ids):
        raise InputError("motif ids must be unique")
    if not items or X.shape[0] == 0:
        return []
    if not 0 < threshold <= 1:
        raise InputError(f"threshold must be in (0, 1], got {threshold}")

    import numba
    from memelite import fimo  # numba: compiled (or loaded from its cache) on first use

    from gdashboard.parallel import torch_threads_kept

    # Every numba call here (the thread-count get/set too) runs inside the guard.
    with torch_threads_kept():
        previous = numba.get_num_threads()
        if n_jobs is not None:
            numba.set_num_threads(max(1, min(n_jobs, numba.config.NUMBA_NUM_THREADS)))
        try:
            tables = fimo(
                {motif_id: matrix for motif_id, _, matrix in items},
                X,
                threshold=threshold,
                reverse_complement=reverse_complement,
            )
        finally:
            numba.set_num_threads(previous)

    rank = {motif_id: i for i, motif_id in enumerate(ids)}
    sites = []
    for table in tables:
        for row in table.itertuples(index=False):
            sites.append(
                Site(
                    int(row.sequence_name),
                    str(row.motif_name),
                    int(row.start),
                    int(row.end),
                    str(row.strand),
                    float(row.score),
                    float(row[7]),
                )
            )
    sites.sort(key=lambda s: (s.sequence, s.start, rank[s.motif_id], s.strand))
    return sites


def site_mask(records: Sequence[Site], N: int, L: int) -> np.ndarray:
    """Boolean ``(N, L)``: ``True`` at every position covered by a site (clipped to the sequence)."""
    mask = np.zeros((N, L), dtype=bool)
    for site in records:
        if not 0 <= site.sequence < N:
            raise InputError(f"site in sequence {site.sequence}, but there are {N} sequences")
        mask[site.sequence, max(site.start, 0) : min(site.end, L)] = True
    return mask
