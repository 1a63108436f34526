"""The embedded default dataset: a simulated GATA1 -> E-box composite element.

Positives carry a GATA1 site (JASPAR2024 ``MA0035.5``) and, ``spacing`` bp further
downstream (start to start, 35 bp by default), an E-box (TCF3, ``MA0522.4``). It is
loosely modelled on the GATA1-TAL1 composite elements of K562 cells (there an
E-box and a GATA site about 9 bp apart); order and spacing here are a synthetic
choice. JASPAR2024 has TAL1 only in dimers, so the E-box half is TCF3, TAL1's
E-protein partner. The spacing is wider than the
20 bp receptive field of the small CNN, so no single convolutional window sees
both sites of a positive: a CNN that pools over positions sees *which* sites are
present, while a recurrent layer can also learn their order and distance.

Negatives carry the same sites with the wrong grammar (``kind``):

* ``gata-only`` -- a GATA1 site alone;
* ``ebox-only`` -- an E-box alone;
* ``wrong-order`` -- both sites, E-box first, GATA1 ``spacing`` bp downstream;
* ``wrong-spacing`` -- GATA1 then E-box, at a start-to-start distance ``d`` with
  ``d >= min_spacing`` and ``wrong_spacing_offset <= |d - spacing| <=
  max_wrong_spacing_offset`` (by default 20..25 or 45..55 bp for spacing 35).

Every site's bases are sampled column by column from the motif's probabilities
(:meth:`Motif.probabilities`, pseudocount 0.8) raised to the power
``site_sharpness`` (default 4) and renormalised, and planted on the **forward
strand**, in the orientation in which JASPAR stores the matrix; ``sites`` records
each one (0-based ``start``, exclusive ``end``, strand ``+``) as ground truth for
attribution benchmarks (:func:`planted_mask`).

Backgrounds are iid uniform bases; a share of the negatives (``shuffled_fraction``)
instead gets a dinucleotide shuffle of a positive's background (the positive's
sequence before its sites were planted, from a positive of the negative's own
split), then its own sites. The test split takes ``test_fraction`` of the
positives and of each negative kind.

Positions: a positive's GATA1 start is uniform over all starts that fit both
sites. A single-site negative draws its site's position from the same marginal
as that site has in positives, so the position of a lone site tells nothing.
``wrong-order`` pairs start uniformly where both fit; ``wrong-spacing`` draws ``d``
uniformly from the allowed distances, then the start uniformly where both fit.

Default negative mix and what presence alone can reach
-----------------------------------------------------
``DEFAULT_NEGATIVE_MIX`` is 20 % ``gata-only``, 20 % ``ebox-only``, 30 %
``wrong-order`` and 30 % ``wrong-spacing`` (exact counts by largest remainder).
A detector that sees only which sites are present (e.g. a CNN whose receptive
field is narrower than the spacing and that pools over positions) gives every
positive and every two-site negative the same best score ``s_both`` and every
single-site negative a lower one. With ``f`` the share of two-site negatives::

    AUC = P(s+ > s-) + 1/2 P(s+ = s-)
        = (1 - f) * 1 + f * 1/2 = 1 - f / 2

so ``f = 0.6`` bounds it at **0.70** (:func:`presence_only_auc`), while a model
that reads the arrangement can reach 1.0. The bound ignores chance motif matches
in the background (an exact 7 bp consensus occurs by chance on the forward
strand of about 0.6 % of uniform 101 bp backgrounds, near matches more often),
which blur both kinds of model a little. A model that also uses absolute
position (a dense layer over unpooled positions) can beat it: in ``wrong-order`` and
``wrong-spacing`` negatives the two sites' position distributions differ from
those in positives (e.g. a ``wrong-order`` GATA1 never starts before ``spacing``).

Everything is drawn from one ``numpy.random.default_rng(seed)`` in a fixed order
(the shuffles take their seed from it), so the same arguments give identical
sequences and identical files.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gdashboard.data.jaspar import PWM_PSEUDOCOUNT
from gdashboard.errors import InputError
from gdashboard.fileio import write_text

GATA_MATRIX_ID = "MA0035.5"  # GATA1, JASPAR2024 CORE vertebrates
EBOX_MATRIX_ID = "MA0522.4"  # TCF3 (E-box), JASPAR2024 CORE vertebrates
KINDS = ("positive", "gata-only", "ebox-only", "wrong-order", "wrong-spacing")
NEGATIVE_KINDS = KINDS[1:]
TWO_SITE_KINDS = ("wrong-order", "wrong-spacing")
DEFAULT_NEGATIVE_MIX = {"gata-only": 0.2, "ebox-only": 0.2, "wrong-order": 0.3, "wrong-spacing": 0.3}
FORMAT = "gdashboard-simulation/1"
SEQUENCE_HEADER = ("id", "sequence", "label", "kind")
SITES_HEADER = ("id", "split", "motif", "matrix_id", "start", "end", "strand")
_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)


@dataclass
class Simulation:
    """A simulated dataset, one entry per sequence in id order.

    Attributes
    ----------
    sequences : list of str, all of one length, over ``ACGT``
    labels : numpy.ndarray of int64, 1 for ``positive``, else 0
    ids : list of str, ``sim:000001`` ...
    split : numpy.ndarray of str, ``'train'`` or ``'test'``
    sites : list of dict
        One per planted site, ordered by id then start, with keys ``id``,
        ``split``, ``motif`` (the JASPAR name), ``matrix_id``, ``start`` (0-based),
        ``end`` (exclusive) and ``strand`` (always ``'+'``).
    kinds : numpy.ndarray of str, one of :data:`KINDS`
    backgrounds : numpy.ndarray of str, ``'uniform'`` or ``'shuffled'`` (a
        dinucleotide shuffle of a positive's background)
    parameters : dict, the arguments, JASPAR release and matrices, counts; what
        ``simulation.json`` holds
    """

    sequences: list[str]
    labels: np.ndarray
    ids: list[str]
    split: np.ndarray
    sites: list[dict]
    kinds: np.ndarray
    backgrounds: np.ndarray = field(default=None, repr=False)
    parameters: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)


def presence_only_auc(negative_mix: Mapping[str, float] | None = None) -> float:
    """The best AUC of a detector that sees only which sites are present.

    ``1 - f / 2`` with ``f`` the share of negatives that carry both sites
    (``wrong-order`` and ``wrong-spacing``): those tie with the positives, the
    single-site negatives rank below them. See the module docstring.
    """
    mix = _normalise_mix(negative_mix)
    f = sum(mix.get(kind, 0.0) for kind in TWO_SITE_KINDS)
    return 1.0 - f / 2.0


def _normalise_mix(negative_mix: Mapping[str, float] | None) -> dict[str, float]:
    mix = dict(DEFAULT_NEGATIVE_MIX if negative_mix is None else negative_mix)
    unknown = sorted(set(mix) - set(NEGATIVE_KINDS))
    if unknown:
        raise InputError(f"unknown negative kind(s) {unknown}; choose from {list(NEGATIVE_KINDS)}")
    weights = {kind: float(mix.get(kind, 0.0)) for kind in NEGATIVE_KINDS}
    if any(not np.isfinite(w) or w < 0 for w in weights.values()):
        raise InputError(f"negative mix weights must be finite and >= 0, got {mix}")
    total = sum(weights.values())
    if total <= 0:
        raise InputError("the negative mix needs at least one kind with a weight above 0")
    return {kind: w / total for kind, w in weights.items()}


def _allocate(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Exact counts summing to ``total`` by largest remainder (ties: kind order)."""
    raw = {kind: share * total for kind, share in shares.items()}
    counts = {kind: int(np.floor(value)) for kind, value in raw.items()}
    left = total - sum(counts.values())
    order = sorted(shares, key=lambda kind: (-(raw[kind] - counts[kind]), NEGATIVE_KINDS.index(kind)))
    for kind in order[:left]:
        counts[kind] += 1
    return counts


def _sample_sites(rng: np.random.Generator, probabilities: np.ndarray, k: int) -> np.ndarray:
    """``(k, width)`` base codes drawn column by column from ``probabilities``."""
    cumulative = np.cumsum(probabilities, axis=0)  # (4, width)
    u = rng.random((k, probabilities.shape[1]))
    codes = (u[:, None, :] >= cumulative[None, :, :]).sum(axis=1)
    return np.minimum(codes, 3).astype(np.uint8)


def _shuffle_backgrounds(codes: np.ndarray, seed: int) -> np.ndarray:
    """Dinucleotide shuffles of ``(k, L)`` base codes (tangermeme via gdashboard)."""
    if len(codes) == 0:
        return codes.copy()
    import torch

    from gdashboard.data.shuffle import dinucleotide_shuffle

    X = torch.from_numpy(np.ascontiguousarray(np.eye(4, dtype=np.float32)[codes].transpose(0, 2, 1)))
    shuffled = dinucleotide_shuffle(X, seed=seed)
    return shuffled.numpy().argmax(axis=1).astype(np.uint8)


def sharpened(probabilities: np.ndarray, sharpness: float) -> np.ndarray:
    """Column probabilities raised to ``sharpness`` and renormalised.

    Why: a site drawn from the JASPAR matrix itself (~10 bits for GATA1 MA0035.5
    and TCF3 MA0522.4) is often weaker than chance matches in 101 bp of random
    background (about 0.2 per sequence for a 10-bit motif on both strands), which
    buries the grammar under detection noise. Sharpness 4 keeps each column's
    preferred base (and the GATA1 column with A 0.69 / T 0.29 still varies) while
    making planted sites clearly stronger than chance matches; 1 samples the
    matrix as it is.
    """
    if sharpness <= 0:
        raise ValueError(f"site_sharpness must be positive, got {sharpness}")
    powered = probabilities**sharpness
    return powered / powered.sum(axis=0, keepdims=True)


def simulate(
    n: int = 4000,
    length: int = 101,
    seed: int = 0,
    spacing: int = 35,
    test_fraction: float = 0.2,
    *,
    negative_mix: Mapping[str, float] | None = None,
    shuffled_fraction: float = 0.5,
    min_spacing: int = 20,
    wrong_spacing_offset: int = 10,
    max_wrong_spacing_offset: int | None = 20,
    gata_matrix_id: str = GATA_MATRIX_ID,
    ebox_matrix_id: str = EBOX_MATRIX_ID,
    release: str | None = None,
    site_sharpness: float = 4.0,
) -> Simulation:
    """Simulate the GATA1 -> E-box grammar dataset (see the module docstring).

    Parameters
    ----------
    n : int
        Total number of sequences; ``n // 2`` positives, the rest negatives.
    length : int
        Sequence length in bp.
    seed : int
        Seed of everything; the same arguments give the same dataset.
    spacing : int
        Start-to-start distance of GATA1 and E-box in positives (and of E-box and
        GATA1 in ``wrong-order`` negatives). Keep it wider than the receptive
        field of the CNN that should fail (20 bp for the small CNN).
    test_fraction : float
        Share held out as ``'test'``, taken exactly (rounded) from the positives
        and from each negative kind.
    negative_mix : mapping of kind to weight, optional
        Relative shares of ``gata-only``, ``ebox-only``, ``wrong-order`` and
        ``wrong-spacing`` negatives (missing kinds get 0). Default
        :data:`DEFAULT_NEGATIVE_MIX`, whose presence-only AUC bound is 0.70.
    shuffled_fraction : float
        Share of negatives whose background is a dinucleotide shuffle of the
        background of a positive of the same split, instead of uniform bases.
    min_spacing : int
        Smallest start-to-start distance of the two sites in a ``wrong-spacing``
        negative, so that one small receptive field never covers both.
    wrong_spacing_offset : int
        Smallest ``|d - spacing|`` for a ``wrong-spacing`` negative.
    max_wrong_spacing_offset : int or None
        Largest ``|d - spacing|`` (``None``: any ``d`` that fits). Near misses keep
        the sites' position distributions close to those of positives.
    gata_matrix_id, ebox_matrix_id : str
        The JASPAR matrices planted.
    release : str, optional
        JASPAR release; default that of :mod:`gdashboard.data.jaspar`.
    site_sharpness : float
        Power applied to the motif's column probabilities before sampling sites
        (see :func:`sharpened`); 1 samples the JASPAR matrix as it is.

    Returns
    -------
    Simulation

    Raises
    ------
    InputError
        When the parameters leave no room for the sites or are out of range.
    """
    from gdashboard.data.jaspar import DEFAULT_RELEASE, motif_by_id

    release = release or DEFAULT_RELEASE
    n, length, spacing, seed = int(n), int(length), int(spacing), int(seed)
    if n < 2:
        raise InputError(f"n must be at least 2 (one positive, one negative), got {n}")
    if not 0.0 <= test_fraction < 1.0:
        raise InputError(f"test_fraction must be in [0, 1), got {test_fraction}")
    if not 0.0 <= shuffled_fraction <= 1.0:
        raise InputError(f"shuffled_fraction must be in [0, 1], got {shuffled_fraction}")
    if seed < 0:
        raise InputError(f"seed must be >= 0, got {seed}")
    mix = _normalise_mix(negative_mix)

    gata = motif_by_id(gata_matrix_id, release)
    ebox = motif_by_id(ebox_matrix_id, release)
    wg, we = gata.width, ebox.width
    if spacing < max(wg, we):
        raise InputError(f"spacing {spacing} would make the sites overlap (widths {wg} and {we})")
    if spacing + max(wg, we) > length:
        raise InputError(f"spacing {spacing} leaves no room for both sites in {length} bp")
    wrong_distances = np.array(
        [
            d
            for d in range(max(min_spacing, wg), length - we + 1)
            if abs(d - spacing) >= wrong_spacing_offset
            and (max_wrong_spacing_offset is None or abs(d - spacing) <= max_wrong_spacing_offset)
        ],
        dtype=np.int64,
    )
    if mix["wrong-spacing"] > 0 and len(wrong_distances) == 0:
        raise InputError(
            f"no wrong spacing d with {min_spacing} <= d <= {length - we} and "
            f"{wrong_spacing_offset} <= |d - {spacing}| <= {max_wrong_spacing_offset} fits in {length} bp"
        )

    rng = np.random.default_rng(seed)
    n_pos = n // 2
    n_neg = n - n_pos
    counts = _allocate(n_neg, mix)
    neg_kinds = np.array([kind for kind in NEGATIVE_KINDS for _ in range(counts[kind])], dtype=object)
    neg_kinds = neg_kinds[rng.permutation(n_neg)]
    kinds = np.concatenate([np.array(["positive"] * n_pos, dtype=object), neg_kinds])

    # Splits, exact per kind: a share test_fraction of the positives and of each
    # negative kind is held out.
    split = np.full(n, "train", dtype=object)
    for kind in KINDS:
        index = np.flatnonzero(kinds == kind)
        n_test = int(round(test_fraction * len(index)))
        split[rng.choice(index, size=n_test, replace=False)] = "test"

    # Backgrounds: uniform for positives; negatives uniform or the dinucleotide
    # shuffle of the background of a positive of their own split.
    pos_background = rng.integers(0, 4, size=(n_pos, length), dtype=np.uint8)
    neg_background = rng.integers(0, 4, size=(n_neg, length), dtype=np.uint8)
    n_shuffled = int(round(shuffled_fraction * n_neg))
    shuffled = np.zeros(n_neg, dtype=bool)
    shuffled[rng.choice(n_neg, size=n_shuffled, replace=False)] = True
    partner = np.full(n_neg, -1, dtype=np.int64)
    for part in ("train", "test"):
        takers = np.flatnonzero(shuffled & (split[n_pos:] == part))
        givers = np.flatnonzero(split[:n_pos] == part)
        if len(givers) == 0:
            givers = np.arange(n_pos)
        partner[takers] = np.resize(rng.permutation(givers), len(takers))
    shuffle_seed = int(rng.integers(0, 2**30))
    neg_background[shuffled] = _shuffle_backgrounds(pos_background[partner[shuffled]], shuffle_seed)
    codes = np.concatenate([pos_background, neg_background])
    backgrounds = np.array(["uniform"] * n_pos + ["shuffled" if s else "uniform" for s in shuffled], dtype=object)

    # Site positions, kind by kind: (sequence index, motif, start).
    placements: list[tuple[int, str, int]] = []
    pair_starts = length - spacing - we  # last GATA1 start of a positive
    for kind in KINDS:
        index = np.flatnonzero(kinds == kind)
        k = len(index)
        if kind in ("positive", "gata-only", "ebox-only"):
            start = rng.integers(0, pair_starts + 1, size=k)
            if kind in ("positive", "gata-only"):
                placements += [(int(i), "gata", int(s)) for i, s in zip(index, start)]
            if kind in ("positive", "ebox-only"):
                placements += [(int(i), "ebox", int(s) + spacing) for i, s in zip(index, start)]
        elif kind == "wrong-order":
            start = rng.integers(0, length - spacing - wg + 1, size=k)
            placements += [(int(i), "ebox", int(s)) for i, s in zip(index, start)]
            placements += [(int(i), "gata", int(s) + spacing) for i, s in zip(index, start)]
        else:  # wrong-spacing
            distance = wrong_distances[rng.integers(0, len(wrong_distances), size=k)] if k else np.zeros(0, np.int64)
            start = np.array([rng.integers(0, length - we - d + 1) for d in distance], dtype=np.int64)
            placements += [(int(i), "gata", int(s)) for i, s in zip(index, start)]
            placements += [(int(i), "ebox", int(s + d)) for i, s, d in zip(index, start, distance)]

    motifs = {"gata": gata, "ebox": ebox}
    for key, motif in motifs.items():
        chosen = [(i, s) for i, m, s in placements if m == key]
        bases = _sample_sites(rng, sharpened(motif.probabilities(PWM_PSEUDOCOUNT), site_sharpness), len(chosen))
        for (i, s), site in zip(chosen, bases):
            codes[i, s : s + motif.width] = site

    # Ids in a seeded random order, so that files do not list positives first.
    order = rng.permutation(n)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    width = max(6, len(str(n)))
    ids = [f"sim:{r + 1:0{width}d}" for r in range(n)]

    sequences = [_BASES[row].tobytes().decode() for row in codes[order]]
    labels = (kinds[order] == "positive").astype(np.int64)
    site_rows = sorted(placements, key=lambda p: (rank[p[0]], p[2]))
    sites = [
        {
            "id": ids[rank[i]],
            "split": str(split[i]),
            "motif": motifs[key].name,
            "matrix_id": motifs[key].matrix_id,
            "start": s,
            "end": s + motifs[key].width,
            "strand": "+",
        }
        for i, key, s in site_rows
    ]
    split_sorted = split[order].astype(str)
    kinds_sorted = kinds[order].astype(str)
    parameters = {
        "format": FORMAT,
        "generator": "gdashboard.data.simulate.simulate",
        "n": n,
        "length": length,
        "seed": seed,
        "spacing": spacing,
        "test_fraction": float(test_fraction),
        "negative_mix": {kind: float(mix[kind]) for kind in NEGATIVE_KINDS},
        "shuffled_fraction": float(shuffled_fraction),
        "min_spacing": int(min_spacing),
        "wrong_spacing_offset": int(wrong_spacing_offset),
        "max_wrong_spacing_offset": (None if max_wrong_spacing_offset is None else int(max_wrong_spacing_offset)),
        "wrong_spacings": [int(d) for d in wrong_distances],
        "strand": "+",
        "pseudocount": PWM_PSEUDOCOUNT,
        "site_sharpness": float(site_sharpness),
        "jaspar": {
            "release": release,
            "motifs": {
                key: {"matrix_id": motif.matrix_id, "name": motif.name, "width": motif.width}
                for key, motif in motifs.items()
            },
        },
        "presence_only_auc": presence_only_auc(mix),
        "counts": {
            part: {kind: int(((split_sorted == part) & (kinds_sorted == kind)).sum()) for kind in KINDS}
            for part in ("train", "test")
        },
    }
    return Simulation(
        sequences=sequences,
        labels=labels,
        ids=ids,
        split=split_sorted,
        sites=sites,
        kinds=kinds_sorted,
        backgrounds=backgrounds[order].astype(str),
        parameters=parameters,
    )


def _tsv(header: Sequence[str], rows) -> str:
    lines = ["\t".join(header)]
    lines += ["\t".join(str(value) for value in row) for row in rows]
    return "\n".join(lines) + "\n"


def write_simulation(simulation: Simulation, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write a simulation as ``train.tsv``, ``test.tsv``, ``sites.tsv`` and ``simulation.json``.

    ``train.tsv`` / ``test.tsv`` are tab-separated with the header
    ``id sequence label kind`` (readable by :func:`gdashboard.data.read_dataset`,
    which ignores ``kind``); ``sites.tsv`` has ``id split motif matrix_id start
    end strand`` (0-based start, exclusive end); ``simulation.json`` holds
    :attr:`Simulation.parameters`. Each file is written to a temporary file in
    ``out_dir`` and renamed into place, so none is ever half-written.

    Returns
    -------
    dict with keys ``train``, ``test``, ``sites``, ``simulation``: the paths.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "train": out / "train.tsv",
        "test": out / "test.tsv",
        "sites": out / "sites.tsv",
        "simulation": out / "simulation.json",
    }
    for part in ("train", "test"):
        rows = [
            (id_, seq, int(label), kind)
            for id_, seq, label, kind, where in zip(
                simulation.ids, simulation.sequences, simulation.labels, simulation.kinds, simulation.split
            )
            if where == part
        ]
        write_text(paths[part], _tsv(SEQUENCE_HEADER, rows))
    site_rows = ([site[key] for key in SITES_HEADER] for site in simulation.sites)
    write_text(paths["sites"], _tsv(SITES_HEADER, site_rows))
    write_text(paths["simulation"], json.dumps(simulation.parameters, indent=2, sort_keys=True) + "\n")
    return paths


def read_sites(path: str | os.PathLike) -> list[dict]:
    """Read ``sites.tsv`` back into the dicts of :attr:`Simulation.sites`."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            if reader.fieldnames is None or list(reader.fieldnames) != list(SITES_HEADER):
                raise InputError(f"expected the header {' '.join(SITES_HEADER)!r}", path, 1)
            sites = []
            for number, row in enumerate(reader, start=2):
                try:
                    row["start"], row["end"] = int(row["start"]), int(row["end"])
                except (TypeError, ValueError):
                    raise InputError("start and end must be integers", path, number) from None
                sites.append(dict(row))
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    return sites


def planted_mask(sites: Sequence[Mapping], ids: Sequence[str], length: int) -> np.ndarray:
    """Mark the planted positions of each sequence.

    Parameters
    ----------
    sites : sequence of mapping
        Sites with ``id``, ``start`` (0-based) and ``end`` (exclusive), as in
        :attr:`Simulation.sites` or :func:`read_sites`. Sites of ids not in
        ``ids`` are skipped.
    ids : sequence of str
        The sequences, in the order of the mask's rows.
    length : int
        Sequence length.

    Returns
    -------
    numpy.ndarray of bool, shape ``(len(ids), length)``
    """
    row = {id_: i for i, id_ in enumerate(ids)}
    mask = np.zeros((len(ids), int(length)), dtype=bool)
    for site in sites:
        i = row.get(site["id"])
        if i is None:
            continue
        start, end = int(site["start"]), int(site["end"])
        if not 0 <= start < end <= length:
            raise ValueError(f"site {start}-{end} of {site['id']} lies outside 0-{length}")
        mask[i, start:end] = True
    return mask
