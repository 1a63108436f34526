import numpy as np
import pytest
import torch

from gdashboard.data.jaspar import motif_by_id
from gdashboard.errors import InputError
from gdashboard.motifs.sites import Site, find_sites, site_mask

COMPLEMENT = np.array([3, 2, 1, 0])  # A<->T, C<->G in ACGT order


def one_hot(indices):
    return np.eye(4, dtype=np.float32)[indices].transpose(0, 2, 1).copy()


@pytest.fixture(scope="module")
def planted():
    """GATA1 (MA0035.5) consensus forward at 10 in sequence 0, reverse complement at 30 in sequence 1."""
    gata1 = motif_by_id("MA0035.5")
    consensus = gata1.counts.argmax(axis=0)
    # CGCG... holds no GATA1 site: the exact site list below has only the planted two
    background = np.tile([1, 2], 30)[None].repeat(2, axis=0)  # CGCG...
    seqs = background.copy()
    seqs[0, 10 : 10 + gata1.width] = consensus
    seqs[1, 30 : 30 + gata1.width] = COMPLEMENT[consensus][::-1]
    return gata1, one_hot(seqs)


def test_fimo_finds_planted_sites_at_the_right_place_and_strand(planted):
    gata1, X = planted
    sites = find_sites([gata1], X, threshold=1e-4)
    w = gata1.width
    assert [(s.sequence, s.motif_id, s.start, s.end, s.strand) for s in sites] == [
        (0, "MA0035.5", 10, 10 + w, "+"),
        (1, "MA0035.5", 30, 30 + w, "-"),
    ]
    assert all(s.p_value < 1e-4 and s.score > 0 for s in sites)
    assert sites[0].score == pytest.approx(sites[1].score)


def test_torch_input_dict_motifs_and_mask(planted):
    gata1, X = planted
    sites = find_sites({"gata": gata1.probabilities()}, torch.tensor(X))
    assert {s.motif_id for s in sites} == {"gata"}
    mask = site_mask(sites, 2, X.shape[2])
    expected = np.zeros((2, X.shape[2]), dtype=bool)
    expected[0, 10 : 10 + gata1.width] = True
    expected[1, 30 : 30 + gata1.width] = True
    np.testing.assert_array_equal(mask, expected)
    forward_only = find_sites([gata1], X, reverse_complement=False)
    assert [(s.sequence, s.start, s.strand) for s in forward_only] == [(0, 10, "+")]


def test_site_mask_clips_and_checks():
    mask = site_mask([Site(0, "m", -2, 3, "+", 1.0, 1e-5), Site(1, "m", 8, 14, "-", 1.0, 1e-5)], 2, 10)
    np.testing.assert_array_equal(mask.sum(axis=1), [3, 2])
    with pytest.raises(InputError):
        site_mask([Site(2, "m", 0, 3, "+", 1.0, 1e-5)], 2, 10)


def test_rejects_non_one_hot(planted):
    gata1, X = planted
    with pytest.raises(InputError):
        find_sites([gata1], X * 0.5)
    with pytest.raises(InputError):
        find_sites([gata1], X[:, :3])
