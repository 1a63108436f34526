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

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from gdashboard.data.jaspar import PWM_PSEUDOCOUNT
from gdashboard.data.simulation_files import (
    SEQUENCE_HEADER,
    SITES_HEADER,
    Simulation,
    planted_mask,
    read_sites,
    write_simulation,
)
from gdashboard.errors import InputError

# The dataset's files are written and read by gdashboard.data.simulation_files; its names
# stay importable from here, where the dataset is made.
__all__ = [
    "DEFAULT_NEGATIVE_MIX",
    "EBOX_MATRIX_ID",
    "FORMAT",
    "GATA_MATRIX_ID",
    "KINDS",
    "NEGATIVE_KINDS",
    "SEQUENCE_HEADER",
    "SITES_HEADER",
    "Simulation",
    "SimulationOptions",
    "planted_mask",
    "presence_only_auc",
    "read_sites",
    "sharpened",
    "simulate",
    "TWO_SITE_KINDS",
    "write_simulation",
]

GATA_MATRIX_ID = "MA0035.5"  # GATA1, JASPAR2024 CORE vertebrates
EBOX_MATRIX_ID = "MA0522.4"  # TCF3 (E-box), JASPAR2024 CORE vertebrates
KINDS = ("positive", "gata-only", "ebox-only", "wrong-order", "wrong-spacing")
NEGATIVE_KINDS = KINDS[1:]
TWO_SITE_KINDS = ("wrong-order", "wrong-spacing")
DEFAULT_NEGATIVE_MIX = {"gata-only": 0.2, "ebox-only": 0.2, "wrong-order": 0.3, "wrong-spacing": 0.3}
FORMAT = "gdashboard-simulation/1"
_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)


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


@dataclass(frozen=True)
class SimulationOptions:
    """The finer knobs of :func:`simulate` (its parameters list what each does)."""

    negative_mix: Mapping[str, float] | None = None
    shuffled_fraction: float = 0.5
    min_spacing: int = 20
    wrong_spacing_offset: int = 10
    max_wrong_spacing_offset: int | None = 20
    gata_matrix_id: str = GATA_MATRIX_ID
    ebox_matrix_id: str = EBOX_MATRIX_ID
    release: str | None = None
    site_sharpness: float = 4.0


@dataclass(frozen=True)
class _Design:
    """The checked parameters of one simulation, with the motifs and distances they imply."""

    n: int
    length: int
    seed: int
    spacing: int
    test_fraction: float
    options: SimulationOptions
    release: str
    mix: dict
    motifs: dict  # "gata" / "ebox" -> the JASPAR motif planted
    wrong_distances: np.ndarray

    @property
    def n_pos(self) -> int:
        return self.n // 2

    @property
    def n_neg(self) -> int:
        return self.n - self.n // 2


def simulate(
    n: int = 4000,
    length: int = 101,
    seed: int = 0,
    spacing: int = 35,
    test_fraction: float = 0.2,
    *,
    options: SimulationOptions | None = None,
    **overrides,
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
    options : SimulationOptions, optional
        The fields below, together; ``overrides`` (the same names as keywords)
        replace single ones.
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
    TypeError
        An override that is not a field of :class:`SimulationOptions`.
    """
    options = dataclasses.replace(options or SimulationOptions(), **overrides)
    design = _checked_design(n, length, seed, spacing, test_fraction, options)
    # One generator, drawn from in a fixed order (the order of the calls below), so that
    # the same arguments give the same files.
    rng = np.random.default_rng(design.seed)
    kinds, split = _draw_kinds_and_split(rng, design)
    codes, backgrounds = _draw_backgrounds(rng, design, split)
    placements = _draw_placements(rng, design, kinds)
    _plant_sites(rng, design, codes, placements)
    return _assemble(rng, design, codes, (kinds, split, backgrounds), placements)


def _checked_design(n, length, seed, spacing, test_fraction, options: SimulationOptions) -> _Design:
    """The parameters checked (an InputError naming the first that is out of range)."""
    from gdashboard.data.jaspar import DEFAULT_RELEASE, motif_by_id

    release = options.release or DEFAULT_RELEASE
    n, length, spacing, seed = int(n), int(length), int(spacing), int(seed)
    if n < 2:
        raise InputError(f"n must be at least 2 (one positive, one negative), got {n}")
    if not 0.0 <= test_fraction < 1.0:
        raise InputError(f"test_fraction must be in [0, 1), got {test_fraction}")
    if not 0.0 <= options.shuffled_fraction <= 1.0:
        raise InputError(f"shuffled_fraction must be in [0, 1], got {options.shuffled_fraction}")
    if seed < 0:
        raise InputError(f"seed must be >= 0, got {seed}")
    mix = _normalise_mix(options.negative_mix)

    gata = motif_by_id(options.gata_matrix_id, release)
    ebox = motif_by_id(options.ebox_matrix_id, release)
    wg, we = gata.width, ebox.width
    if spacing < max(wg, we):
        raise InputError(f"spacing {spacing} would make the sites overlap (widths {wg} and {we})")
    if spacing + max(wg, we) > length:
        raise InputError(f"spacing {spacing} leaves no room for both sites in {length} bp")
    low, high = options.wrong_spacing_offset, options.max_wrong_spacing_offset
    wrong_distances = np.array(
        [
            d
            for d in range(max(options.min_spacing, wg), length - we + 1)
            if abs(d - spacing) >= low and (high is None or abs(d - spacing) <= high)
        ],
        dtype=np.int64,
    )
    if mix["wrong-spacing"] > 0 and len(wrong_distances) == 0:
        raise InputError(
            f"no wrong spacing d with {options.min_spacing} <= d <= {length - we} and "
            f"{low} <= |d - {spacing}| <= {high} fits in {length} bp"
        )
    motifs = {"gata": gata, "ebox": ebox}
    return _Design(n, length, seed, spacing, test_fraction, options, release, mix, motifs, wrong_distances)


def _draw_kinds_and_split(rng: np.random.Generator, design: _Design) -> tuple[np.ndarray, np.ndarray]:
    """Each sequence's kind (positives first) and split, exact per kind: a share
    ``test_fraction`` of the positives and of each negative kind is held out."""
    n_pos, n_neg = design.n_pos, design.n_neg
    counts = _allocate(n_neg, design.mix)
    neg_kinds = np.array([kind for kind in NEGATIVE_KINDS for _ in range(counts[kind])], dtype=object)
    neg_kinds = neg_kinds[rng.permutation(n_neg)]
    kinds = np.concatenate([np.array(["positive"] * n_pos, dtype=object), neg_kinds])
    split = np.full(design.n, "train", dtype=object)
    for kind in KINDS:
        index = np.flatnonzero(kinds == kind)
        n_test = int(round(design.test_fraction * len(index)))
        split[rng.choice(index, size=n_test, replace=False)] = "test"
    return kinds, split


def _draw_backgrounds(rng: np.random.Generator, design: _Design, split: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(n, L)`` base codes and each one's background kind: uniform for positives;
    negatives uniform or the dinucleotide shuffle of the background of a positive of
    their own split."""
    n_pos, n_neg, length = design.n_pos, design.n_neg, design.length
    pos_background = rng.integers(0, 4, size=(n_pos, length), dtype=np.uint8)
    neg_background = rng.integers(0, 4, size=(n_neg, length), dtype=np.uint8)
    n_shuffled = int(round(design.options.shuffled_fraction * n_neg))
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
    return codes, backgrounds


def _draw_placements(rng: np.random.Generator, design: _Design, kinds: np.ndarray) -> list[tuple[int, str, int]]:
    """Site positions, kind by kind: (sequence index, motif key, start)."""
    length, spacing, distances = design.length, design.spacing, design.wrong_distances
    wg, we = design.motifs["gata"].width, design.motifs["ebox"].width
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
            distance = distances[rng.integers(0, len(distances), size=k)] if k else np.zeros(0, np.int64)
            start = np.array([rng.integers(0, length - we - d + 1) for d in distance], dtype=np.int64)
            placements += [(int(i), "gata", int(s)) for i, s in zip(index, start)]
            placements += [(int(i), "ebox", int(s + d)) for i, s, d in zip(index, start, distance)]
    return placements


def _plant_sites(rng: np.random.Generator, design: _Design, codes: np.ndarray, placements) -> None:
    """Write each placement's sampled site into ``codes`` (GATA1's first, then the E-box's)."""
    sharpness = design.options.site_sharpness
    for key, motif in design.motifs.items():
        chosen = [(i, s) for i, m, s in placements if m == key]
        bases = _sample_sites(rng, sharpened(motif.probabilities(PWM_PSEUDOCOUNT), sharpness), len(chosen))
        for (i, s), site in zip(chosen, bases):
            codes[i, s : s + motif.width] = site


def _assemble(rng: np.random.Generator, design: _Design, codes: np.ndarray, labelled, placements) -> Simulation:
    """The Simulation in id order; ``labelled`` is (kinds, split, backgrounds) in drawing order.

    Ids follow a seeded random order, so that files do not list positives first.
    """
    kinds, split, backgrounds = labelled
    n, motifs = design.n, design.motifs
    order = rng.permutation(n)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    width = max(6, len(str(n)))
    ids = [f"sim:{r + 1:0{width}d}" for r in range(n)]
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
    return Simulation(
        sequences=[_BASES[row].tobytes().decode() for row in codes[order]],
        labels=(kinds[order] == "positive").astype(np.int64),
        ids=ids,
        split=split_sorted,
        sites=sites,
        kinds=kinds_sorted,
        backgrounds=backgrounds[order].astype(str),
        parameters=_parameters(design, split_sorted, kinds_sorted),
    )


def _parameters(design: _Design, split: np.ndarray, kinds: np.ndarray) -> dict:
    """What ``simulation.json`` holds: the arguments, the JASPAR matrices and the counts."""
    options, mix = design.options, design.mix
    highest = options.max_wrong_spacing_offset
    return {
        "format": FORMAT,
        "generator": "gdashboard.data.simulate.simulate",
        "n": design.n,
        "length": design.length,
        "seed": design.seed,
        "spacing": design.spacing,
        "test_fraction": float(design.test_fraction),
        "negative_mix": {kind: float(mix[kind]) for kind in NEGATIVE_KINDS},
        "shuffled_fraction": float(options.shuffled_fraction),
        "min_spacing": int(options.min_spacing),
        "wrong_spacing_offset": int(options.wrong_spacing_offset),
        "max_wrong_spacing_offset": None if highest is None else int(highest),
        "wrong_spacings": [int(d) for d in design.wrong_distances],
        "strand": "+",
        "pseudocount": PWM_PSEUDOCOUNT,
        "site_sharpness": float(options.site_sharpness),
        "jaspar": {
            "release": design.release,
            "motifs": {
                key: {"matrix_id": motif.matrix_id, "name": motif.name, "width": motif.width}
                for key, motif in design.motifs.items()
            },
        },
        "presence_only_auc": presence_only_auc(mix),
        "counts": {
            part: {kind: int(((split == part) & (kinds == kind)).sum()) for kind in KINDS} for part in ("train", "test")
        },
    }
