"""JASPAR motifs through pyjaspar, one pinned release, offline.

pyjaspar ships the JASPAR releases as SQLite files in its wheel, so no look-up
touches the network. The default is JASPAR2024 CORE vertebrates: it holds every TF
of the bundled data that JASPAR has at all (ARID3A is missing from JASPAR2026).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

DEFAULT_RELEASE = "JASPAR2024"
DEFAULT_TAX_GROUP = "vertebrates"
# Background for log-odds: uniform, as JASPAR's own PWMs and the MEME default.
BACKGROUND = np.full(4, 0.25)
# Two pseudocounts, for two uses (each spread over the four bases by the background):
# - 0.8 makes log-odds PWMs (the PWM baseline, the simulator's planted sites), the
#   convention of JASPAR's own PWM tools;
# - 0.1 is what the MEME suite's Tomtom and FIMO add to a motif's counts by default
#   (``--motif-pseudo``). Where this package stands in for those tools (Tomtom
#   targets, FIMO scans) it uses 0.1, so its matrices are the ones those tools
#   would score; the MEME-format export writes the plain frequencies with each
#   motif's site count, so a MEME tool reading it adds the same 0.1 itself.
#   JASPAR's columns hold 10 to 322,803 sites (median 3,544), so the two
#   pseudocounts differ by at most a few hundredths per entry.
PWM_PSEUDOCOUNT = 0.8
MEME_PSEUDOCOUNT = 0.1


@dataclass(frozen=True)
class Motif:
    """A JASPAR motif as a position frequency matrix ``(4, width)`` in ACGT order."""

    matrix_id: str
    name: str
    counts: np.ndarray

    @property
    def width(self) -> int:
        return int(self.counts.shape[1])

    def probabilities(self, pseudocount: float = PWM_PSEUDOCOUNT) -> np.ndarray:
        """Column probabilities with a pseudocount spread by the background."""
        counts = self.counts + pseudocount * BACKGROUND[:, None]
        return counts / counts.sum(axis=0, keepdims=True)

    def log_odds(self, pseudocount: float = PWM_PSEUDOCOUNT) -> np.ndarray:
        """Log2-odds PWM against the uniform background, ``(4, width)``."""
        return np.log2(self.probabilities(pseudocount) / BACKGROUND[:, None])


# pyjaspar's SQLite connection may only be used by the thread that opened it, and the
# dashboard's server answers from many threads: one connection per thread and release.
_connections = threading.local()


def _database(release: str):
    from pyjaspar import jaspardb

    opened = _connections.__dict__.setdefault("by_release", {})
    if release not in opened:
        opened[release] = jaspardb(release=release)
    return opened[release]


def _to_motif(record) -> Motif:
    counts = np.array([record.counts[base] for base in "ACGT"], dtype=np.float64)
    return Motif(matrix_id=record.matrix_id, name=record.name, counts=counts)


@lru_cache(maxsize=1024)
def _all_motifs(release: str, tax_group: str, collection: str) -> tuple[Motif, ...]:
    records = _database(release).fetch_motifs(collection=collection, tax_group=[tax_group])
    return tuple(_to_motif(r) for r in records)


def all_motifs(
    release: str = DEFAULT_RELEASE, tax_group: str = DEFAULT_TAX_GROUP, collection: str = "CORE"
) -> list[Motif]:
    """Every motif of one JASPAR release, collection and taxonomic group (latest versions)."""
    return list(_all_motifs(release, tax_group, collection))


def motif_names_tf(motif_name: str) -> list[str]:
    """The TFs a motif names: ``GATA1::TAL1`` names GATA1 and TAL1."""
    return [part.strip().upper() for part in motif_name.split("::")]


def motifs_for_tf(
    tf: str, release: str = DEFAULT_RELEASE, tax_group: str = DEFAULT_TAX_GROUP, include_dimers: bool = True
) -> list[Motif]:
    """The JASPAR motifs of a TF, matched by name without regard to case.

    Looked up within one taxonomic group (a plain name search also finds plant
    motifs, e.g. an Arabidopsis GATA1). With ``include_dimers`` a heterodimer that
    names the TF (``GATA1::TAL1``) counts too. An empty list means JASPAR has no
    motif for the TF: callers say so and go on.
    """
    wanted = tf.strip().upper()
    found = []
    for motif in all_motifs(release, tax_group):
        names = motif_names_tf(motif.name)
        if names == [wanted] or (include_dimers and wanted in names):
            found.append(motif)
    return found


def motif_by_id(matrix_id: str, release: str = DEFAULT_RELEASE) -> Motif:
    """One JASPAR motif by its matrix id, e.g. ``MA0035.5``."""
    record = _database(release).fetch_motif_by_id(matrix_id)
    if record is None:
        raise KeyError(f"JASPAR {release} has no motif {matrix_id}")
    return _to_motif(record)


@lru_cache(maxsize=4096)
def motif_family(matrix_id: str, release: str = DEFAULT_RELEASE) -> tuple[str, ...]:
    """The TF families JASPAR gives a matrix (``MA0522.4`` TCF3: ``("E2A",)``); empty when none."""
    record = _database(release).fetch_motif_by_id(matrix_id)
    return tuple(record.tf_family or ()) if record is not None else ()
