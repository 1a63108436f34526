"""The TF's JASPAR motifs (logos) and their FIMO sites in a sequence, read safely from any thread."""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np

_JASPAR_LOCK = threading.Lock()


def all_jaspar_motifs() -> list:
    """Every motif of the pinned JASPAR collection (:func:`gdashboard.data.jaspar.all_motifs`),
    safe to call from any thread.

    Read once, then cached in memory (:mod:`gdashboard.data.jaspar` opens one SQLite
    connection per thread, so any of the server's threads may read it).
    """
    from gdashboard.data import jaspar

    with _JASPAR_LOCK:
        return jaspar.all_motifs()


@lru_cache(maxsize=64)
def jaspar_motifs(tf: str | None) -> tuple:
    """The TF's JASPAR motifs (:func:`gdashboard.data.jaspar.motifs_for_tf`); empty for None."""
    if not tf:
        return ()
    from gdashboard.data.jaspar import motifs_for_tf

    all_jaspar_motifs()  # read the collection safely first; motifs_for_tf then reads the cache
    return tuple(motifs_for_tf(tf))


def jaspar_motif(matrix_id: str):
    """One motif of the pinned collection by matrix id, or None."""
    return next((motif for motif in all_jaspar_motifs() if motif.matrix_id == matrix_id), None)


def jaspar_logos(tf: str | None) -> list[dict]:
    """The TF's JASPAR motifs as logos: ``motif_id``, ``motif_name``, ``probabilities``
    (4, w) with MEME's pseudocount (what FIMO scans) and ``bits`` (letter heights)."""
    from gdashboard.data.jaspar import MEME_PSEUDOCOUNT
    from gdashboard.motifs.logo import information_matrix

    logos = []
    for motif in jaspar_motifs(tf):
        probabilities = motif.probabilities(MEME_PSEUDOCOUNT)
        logos.append(
            {
                "motif_id": motif.matrix_id,
                "motif_name": motif.name,
                "probabilities": probabilities,
                "bits": information_matrix(probabilities),
            }
        )
    return logos


def sequence_sites(sequence: str, tf: str | None, X=None) -> list[dict]:
    """FIMO sites (p < 1e-4) of the TF's JASPAR motifs in one sequence, by start."""
    motifs = jaspar_motifs(tf)
    if not motifs:
        return []
    from gdashboard.data import one_hot_encode
    from gdashboard.motifs.sites import find_sites

    names = {motif.matrix_id: motif.name for motif in motifs}
    X = one_hot_encode(sequence) if X is None else X
    return [
        {
            "motif_id": site.motif_id,
            "motif_name": names.get(site.motif_id, site.motif_id),
            "start": site.start,
            "end": site.end,
            "strand": site.strand,
            "score": site.score,
            "p_value": site.p_value,
        }
        for site in find_sites(list(motifs), X)
    ]


def warm_up() -> None:
    """Compile memelite's numba code (FIMO and Tomtom) once, so that the first view
    does not wait tens of seconds for it. Meant for a background thread."""
    from gdashboard.motifs.compare import tomtom_compare

    all_jaspar_motifs()
    sequence = "ACGT" * 10
    sequence_sites(sequence, "GATA1")
    tomtom_compare([np.full((4, 6), 0.25)])
