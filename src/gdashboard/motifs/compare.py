"""Motif-to-motif comparison against JASPAR with Tomtom (memelite's tomtom-lite).

The paper counts an extracted motif as a JASPAR match when Tomtom finds one of
the TF's JASPAR motifs among the query's significant hits. This module runs
memelite's re-implementation of Tomtom, one call for all queries, both strands.

What memelite's ``tomtom(Qs, Ts, reverse_complement=True)`` expects and returns
-------------------------------------------------------------------------------
- ``Qs`` and ``Ts`` are lists of ``(4, width)`` matrices (ACGT rows, positions
  in columns). Its column score is the negative Euclidean distance between a
  query column and a target column, so queries and targets must be on the same
  scale: letter-probability matrices (a one-hot window is the special case of
  a degenerate probability matrix). Log-odds PWMs would be wrong here. Every
  matrix is turned into probabilities here (columns divided by their sums, an
  all-zero ``N`` column becomes uniform) and into float64, so one compiled
  numba specialisation serves every call.
- The p-value of a query column's score comes from its scores against every
  target column, so the p-values depend on the target set: memelite warns with
  fewer than 25 targets (MEME's Tomtom below 50). Compare against a whole
  database, as the default (all JASPAR2024 CORE vertebrate motifs, 879) does.
- It returns five ``(n_queries, n_targets)`` arrays: the p-value of the best
  alignment, its score, offset, overlap and strand. With both strands the
  p-value is that of the better strand, corrected for the two tries as
  ``1 - (1 - p)**2``; the score, offset, overlap and strand are those of the
  better-scoring strand. Strand 0 (``"+"``) is the target as given, 1 (``"-"``)
  its reverse complement. The offset ``o`` means query column ``j`` sits on
  target column ``j + o`` (in the reverse complement's frame on ``"-"``);
  negative when the query starts before the target. The overlap is the number
  of aligned columns. Palindromic targets score the same on both strands and
  report ``"-"`` (memelite breaks the tie towards the reverse complement).
- memelite applies no pseudocount. MEME's Tomtom adds 0.1 (``--motif-pseudo``)
  to the counts of query and target motifs; here JASPAR's counts get the same
  0.1 (:data:`gdashboard.data.jaspar.MEME_PSEUDOCOUNT`). Queries are used as
  given: MEME weighs the pseudocount by a motif's ``nsites``, which a one-hot
  window lacks (at MEME's default of 20 sites it would move no entry by more
  than 0.075/20.1, under 0.004; on the GATA1 small-cnn windows of five seeds
  that changed no count: ``benchmarks/jaspar_pseudocount.py``).
- memelite gives no q-values. Here ``q`` is the Benjamini–Hochberg adjusted
  p-value over the targets of each query (as MEME's Tomtom computes q-values,
  per query over the database), computed by :func:`benjamini_hochberg`.

Differences from MEME's Tomtom
------------------------------
memelite scores aligned columns by (negative) Euclidean distance, whereas
MEME's Tomtom defaults to Pearson correlation (``-dist pearson``); it implements
only Tomtom's "complete" score, and it approximates medians and merges similar
target columns (``n_target_bins``) for speed. P-values are therefore close to,
not equal to, those of the MEME suite's ``tomtom``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from gdashboard.data.jaspar import MEME_PSEUDOCOUNT, Motif, motif_names_tf
from gdashboard.errors import InputError
from gdashboard.motifs.meme import MemeMotif, _named_matrices, as_probabilities

STRANDS = ("+", "-")


@dataclass(frozen=True)
class Hit:
    """One target motif as Tomtom aligns it to a query.

    Attributes
    ----------
    target_id : str
        JASPAR matrix id (or the key the target was given under).
    target_name : str
        The motif's name, e.g. ``GATA1::TAL1`` (the id when none was given).
    p_value, q_value : float
        Tomtom's p-value (both strands) and the Benjamini–Hochberg q-value over
        all targets of the query.
    score : float
        The best alignment's score (a sum of negative Euclidean column distances).
    offset : int
        Query column ``j`` aligns with target column ``j + offset`` (in the
        reverse complement's frame when ``strand == "-"``).
    overlap : int
        Number of aligned columns.
    strand : str
        ``"+"``: the target as given; ``"-"``: its reverse complement.
    target_index : int
        Position of the target in the target list.
    """

    target_id: str
    target_name: str
    p_value: float
    q_value: float
    score: float
    offset: int
    overlap: int
    strand: str
    target_index: int


@dataclass(frozen=True)
class Comparison:
    """Every query against every target: arrays of shape ``(n_queries, n_targets)``."""

    target_ids: tuple[str, ...]
    target_names: tuple[str, ...]
    p_values: np.ndarray
    q_values: np.ndarray
    scores: np.ndarray
    offsets: np.ndarray
    overlaps: np.ndarray
    strands: np.ndarray  # 0 = "+", 1 = "-"

    @property
    def n_queries(self) -> int:
        return int(self.p_values.shape[0])

    def hits(self, query: int, max_p: float = 1.0, max_hits: int | None = None) -> list[Hit]:
        """The targets of one query with ``p <= max_p``, best p-value first (ties by index)."""
        p = self.p_values[query]
        order = np.argsort(p, kind="stable")
        order = order[p[order] <= max_p]
        if max_hits is not None:
            order = order[:max_hits]
        return [
            Hit(
                self.target_ids[t],
                self.target_names[t],
                float(p[t]),
                float(self.q_values[query, t]),
                float(self.scores[query, t]),
                int(self.offsets[query, t]),
                int(self.overlaps[query, t]),
                STRANDS[int(self.strands[query, t])],
                int(t),
            )
            for t in order
        ]

    def tf_mask(self, tf: str) -> np.ndarray:
        """Boolean ``(n_targets,)``: the targets that name ``tf`` (heterodimers included)."""
        return tf_target_mask(self.target_names, tf)

    def matches_tf(self, tf: str, p_threshold: float | None = 0.05, q_threshold: float | None = None) -> np.ndarray:
        """Boolean ``(n_queries,)``: :func:`matches_tf` for every query at once."""
        _check_thresholds(p_threshold, q_threshold)
        ok = np.broadcast_to(self.tf_mask(tf), self.p_values.shape)
        if p_threshold is not None:
            ok = ok & (self.p_values < p_threshold)
        if q_threshold is not None:
            ok = ok & (self.q_values < q_threshold)
        return ok.any(axis=1)


def benjamini_hochberg(p_values, axis: int = -1) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values) along ``axis``.

    For the p-values of one query sorted ascending, ``p_(1) <= ... <= p_(m)``,
    ``q_(i) = min_{k >= i} min(1, p_(k) * m / k)``; each q is returned in its
    p-value's place. The same as ``scipy.stats.false_discovery_control(p,
    method="bh")``, written out (and tested against it).
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.size == 0:
        return p.copy()
    if np.any(np.isnan(p)) or np.any(p < 0) or np.any(p > 1):
        raise InputError("p-values must lie in [0, 1]")
    p = np.moveaxis(p, axis, -1)
    m = p.shape[-1]
    order = np.argsort(p, axis=-1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=-1) * (m / np.arange(1, m + 1))
    ranked = np.minimum.accumulate(ranked[..., ::-1], axis=-1)[..., ::-1]
    q = np.empty_like(ranked)
    np.put_along_axis(q, order, np.minimum(ranked, 1.0), axis=-1)
    return np.moveaxis(q, -1, axis)


def _targets(targets) -> tuple[tuple[str, ...], tuple[str, ...], list[np.ndarray]]:
    if targets is None:
        from gdashboard.data.jaspar import all_motifs

        targets = all_motifs()
    items = _named_matrices(targets)
    if not items:
        raise InputError("no target motifs to compare against")
    ids = tuple(motif_id for motif_id, _, _ in items)
    names = tuple(name or motif_id for motif_id, name, _ in items)
    return ids, names, [np.ascontiguousarray(matrix, dtype=np.float64) for _, _, matrix in items]


def _queries(queries) -> list[np.ndarray]:
    if hasattr(queries, "detach"):  # a torch tensor
        queries = queries.detach().cpu().numpy()
    if isinstance(queries, np.ndarray) and queries.ndim == 2:  # one (4, w) query
        queries = [queries]
    elif isinstance(queries, np.ndarray) and queries.ndim == 3:  # a batch (n, 4, w)
        queries = list(queries)
    result = []
    for index, query in enumerate(queries):
        if isinstance(query, Motif):
            query = query.probabilities(MEME_PSEUDOCOUNT)
        elif isinstance(query, MemeMotif):
            query = query.probabilities
        result.append(np.ascontiguousarray(as_probabilities(query, what=f"query {index}"), dtype=np.float64))
    return result


def tomtom_compare(
    queries: Sequence, targets=None, reverse_complement: bool = True, n_jobs: int = 1, **tomtom_options
) -> Comparison:
    """Run memelite's Tomtom once for all queries against all targets.

    Parameters
    ----------
    queries : sequence of (4, w) matrices, an array/tensor (n, 4, w), or one (4, w) matrix
        Letter-probability matrices (counts and one-hot windows are normalised
        per column; an all-zero column becomes uniform). Widths may differ.
        JASPAR :class:`Motif` objects are taken as their ``probabilities(0.1)``.
    targets : list of Motif, dict[str, (4, w)] or None
        The database; ``None`` means all JASPAR2024 CORE vertebrate motifs,
        each as ``Motif.probabilities(0.1)``: counts plus MEME Tomtom's default
        motif pseudocount (``--motif-pseudo 0.1``) spread over the bases.
    reverse_complement : bool
        Compare with both strands of every target (the paper's setting).
    n_jobs : int
        numba threads for the call (``-1``: numba's current thread count).
        One by default: the project's machines share cores with training.
    **tomtom_options
        Passed to ``memelite.tomtom`` (``n_score_bins``, ``n_median_bins``,
        ``n_target_bins``, ``n_cache``).

    Returns
    -------
    Comparison
        p-values, BH q-values (per query, over targets), scores, offsets,
        overlaps and strands, each ``(n_queries, n_targets)``.
    """
    query_matrices = _queries(queries)
    target_ids, target_names, target_matrices = _targets(targets)
    n_targets = len(target_matrices)
    if not query_matrices:
        empty = np.zeros((0, n_targets))
        return Comparison(
            target_ids,
            target_names,
            empty,
            empty.copy(),
            empty.copy(),
            empty.astype(np.int64),
            empty.astype(np.int64),
            empty.astype(np.int8),
        )

    import numba
    from memelite import tomtom  # numba: compiled (or loaded from its cache) on first use

    from gdashboard.parallel import torch_threads_kept

    if n_jobs != -1:
        n_jobs = max(1, min(int(n_jobs), numba.config.NUMBA_NUM_THREADS))
    with torch_threads_kept():
        p, scores, offsets, overlaps, strands = tomtom(
            query_matrices, target_matrices, reverse_complement=reverse_complement, n_jobs=n_jobs, **tomtom_options
        )[:5]
    p = np.clip(p, 0.0, 1.0)
    return Comparison(
        target_ids,
        target_names,
        p,
        benjamini_hochberg(p, axis=1),
        scores,
        offsets.astype(np.int64),
        overlaps.astype(np.int64),
        strands.astype(np.int8),
    )


def compare_motifs(
    queries: Sequence,
    targets=None,
    max_p: float = 1.0,
    max_hits: int | None = None,
    reverse_complement: bool = True,
    n_jobs: int = 1,
    **tomtom_options,
) -> list[list[Hit]]:
    """Tomtom hits of every query, best first.

    One memelite ``tomtom`` call covers all queries (see :func:`tomtom_compare`
    for the inputs). For each query the targets with ``p <= max_p`` (at most
    ``max_hits`` of them) are returned as :class:`Hit` records sorted by
    p-value. q-values are computed over all targets before this filter.

    Returns
    -------
    list[list[Hit]]
        One list per query, in query order.
    """
    comparison = tomtom_compare(
        queries, targets, reverse_complement=reverse_complement, n_jobs=n_jobs, **tomtom_options
    )
    return [comparison.hits(i, max_p=max_p, max_hits=max_hits) for i in range(comparison.n_queries)]


def tf_target_mask(target_names: Sequence[str], tf: str) -> np.ndarray:
    """Which target names name ``tf``: ``GATA1`` and ``GATA1::TAL1`` for GATA1 (case-insensitive)."""
    wanted = tf.strip().upper()
    return np.array([wanted in motif_names_tf(name) for name in target_names], dtype=bool)


def _check_thresholds(p_threshold, q_threshold) -> None:
    if p_threshold is None and q_threshold is None:
        raise InputError("give a p-value threshold, a q-value threshold or both")


def matches_tf(
    hits: Sequence[Hit], tf: str, p_threshold: float | None = 0.05, q_threshold: float | None = None
) -> bool:
    """Whether a query's hits include one of the TF's own JASPAR motifs.

    A hit counts when its target names the TF (the TF's own motifs and the
    heterodimers that name it, e.g. ``GATA1::TAL1`` for GATA1 and for TAL1; see
    :func:`gdashboard.data.jaspar.motif_names_tf`) and it passes every
    threshold given: ``p < p_threshold`` and/or ``q < q_threshold``.
    The paper's criterion is a significant Tomtom match; the default is
    ``p < 0.05``; ``matches_tf(hits, tf, p_threshold=None, q_threshold=0.5)``
    is the q-value variant (Tomtom's own default reporting threshold is
    ``q < 0.5``).
    """
    _check_thresholds(p_threshold, q_threshold)
    wanted = tf.strip().upper()
    for hit in hits:
        if wanted not in motif_names_tf(hit.target_name):
            continue
        if p_threshold is not None and not hit.p_value < p_threshold:
            continue
        if q_threshold is not None and not hit.q_value < q_threshold:
            continue
        return True
    return False
