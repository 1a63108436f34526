import time

import numpy as np
import pytest
import scipy.stats

from gdashboard.data.jaspar import MEME_PSEUDOCOUNT, all_motifs
from gdashboard.errors import InputError
from gdashboard.motifs.compare import (
    Hit,
    benjamini_hochberg,
    compare_motifs,
    matches_tf,
    tomtom_compare,
)


def hit(name, p, q=None, target_id="X"):
    return Hit(target_id, name, p, p if q is None else q, 0.0, 0, 7, "+", 0)


@pytest.fixture(scope="module")
def jaspar():
    return all_motifs()


@pytest.fixture(scope="module")
def self_comparison(jaspar):
    """Every JASPAR2024 CORE vertebrate motif, and its reverse complement, against all of them.

    One batched tomtom call of 2 x 879 queries (a few seconds once numba's cache is warm).
    """
    queries = [m.probabilities(MEME_PSEUDOCOUNT) for m in jaspar]  # the targets' own matrices
    queries += [q[::-1, ::-1] for q in queries]
    start = time.perf_counter()
    comparison = tomtom_compare(queries, jaspar, n_jobs=1)
    print(f"all-JASPAR self-match: {time.perf_counter() - start:.1f} s")
    return comparison


def test_every_jaspar_motif_matches_itself_on_both_strands(jaspar, self_comparison):
    n = len(jaspar)
    assert n == 879
    p = self_comparison.p_values
    assert p.shape == (2 * n, n)
    idx = np.arange(n)
    for block in (p[:n], p[n:]):  # the motifs, then their reverse complements
        own = block[idx, idx]
        assert own.max() < 0.05
        # the motif itself is the best hit; near-identical motifs may tie with it
        assert np.all(own <= block.min(axis=1))
    # the reverse complement queries align to the target's reverse strand, whole
    widths = np.array([m.width for m in jaspar])
    assert np.all(self_comparison.strands[n + idx, idx] == 1)
    assert np.all(self_comparison.offsets[n + idx, idx] == 0)
    assert np.all(self_comparison.overlaps[n + idx, idx] == widths)
    # q-values are BH over each query's targets
    np.testing.assert_allclose(
        self_comparison.q_values[:5], scipy.stats.false_discovery_control(p[:5], axis=1), rtol=1e-12
    )


def test_compare_motifs_hits_sorted_with_names(jaspar, self_comparison):
    gata = next(i for i, m in enumerate(jaspar) if m.matrix_id == "MA0035.5")
    hits = self_comparison.hits(gata, max_p=0.05)
    assert hits[0].target_id == "MA0035.5" and hits[0].target_name == "GATA1"
    assert [h.p_value for h in hits] == sorted(h.p_value for h in hits)
    assert all(h.p_value <= 0.05 for h in hits)
    assert matches_tf(hits, "gata1")
    assert self_comparison.matches_tf("GATA1")[gata]


def test_compare_motifs_offsets_and_strand_of_a_sub_motif(jaspar):
    gata = next(m for m in jaspar if m.matrix_id == "MA0140.3")  # GATA1::TAL1, width 17
    probs = gata.probabilities()
    queries = [probs[:, 4:12], probs[::-1, ::-1][:, 2:11], np.eye(4)[probs.argmax(axis=0)].T]  # one-hot consensus
    results = compare_motifs(queries, max_hits=20, n_jobs=1)
    assert len(results) == 3
    for hits in results:
        own = [h for h in hits if h.target_id == "MA0140.3"]
        assert own and own[0].p_value < 0.05
        assert matches_tf(hits, "GATA1") and matches_tf(hits, "TAL1")
    first = next(h for h in results[0] if h.target_id == "MA0140.3")
    assert (first.strand, first.offset, first.overlap) == ("+", 4, 8)
    second = next(h for h in results[1] if h.target_id == "MA0140.3")
    assert (second.strand, second.offset, second.overlap) == ("-", 2, 9)


def test_benjamini_hochberg_equals_scipy():
    p = np.array([0.01, 0.04, 0.03, 0.5, 0.001, 0.2, 0.04, 1.0])
    np.testing.assert_allclose(benjamini_hochberg(p), scipy.stats.false_discovery_control(p), rtol=1e-12)
    # by hand: sorted 0.001 .01 .03 .04 .04 .2 .5 1 -> x 8/rank -> monotone from the right
    np.testing.assert_allclose(benjamini_hochberg(p), [0.04, 0.064, 0.064, 4 / 7, 0.008, 4 / 15, 0.064, 1.0])
    rng = np.random.default_rng(3)
    many = rng.random((6, 50)) ** 3
    np.testing.assert_allclose(
        benjamini_hochberg(many, axis=1), scipy.stats.false_discovery_control(many, axis=1), rtol=1e-12
    )
    np.testing.assert_allclose(
        benjamini_hochberg(many.T, axis=0), scipy.stats.false_discovery_control(many, axis=1).T, rtol=1e-12
    )


def test_matches_tf_counts_heterodimers():
    hits = [hit("GATA1::TAL1", 0.01), hit("KLF1", 0.001)]
    assert matches_tf(hits, "GATA1")
    assert matches_tf(hits, "tal1")
    assert not matches_tf(hits, "GATA2")
    assert not matches_tf([hit("GATA1::TAL1", 0.2)], "GATA1")
    assert matches_tf([hit("GATA1::TAL1", 0.2)], "GATA1", p_threshold=0.3)
    # the q-value variant
    assert matches_tf([hit("GATA1", 0.2, q=0.4)], "GATA1", p_threshold=None, q_threshold=0.5)
    assert not matches_tf([hit("GATA1", 0.01, q=0.6)], "GATA1", p_threshold=None, q_threshold=0.5)
    assert not matches_tf([hit("GATA1", 0.01, q=0.6)], "GATA1", q_threshold=0.5)  # both must hold
    with pytest.raises(InputError):
        matches_tf(hits, "GATA1", p_threshold=None, q_threshold=None)


def test_bad_queries():
    with pytest.raises(InputError):
        tomtom_compare([np.ones((3, 5))])
    with pytest.raises(InputError):
        tomtom_compare([-np.ones((4, 5))])
