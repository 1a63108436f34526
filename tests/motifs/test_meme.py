import numpy as np
import pytest

from gdashboard.data.jaspar import motif_by_id
from gdashboard.errors import InputError
from gdashboard.motifs.meme import jaspar_to_meme, read_meme, read_meme_motifs, write_meme


def random_pwms(n, seed=0):
    rng = np.random.default_rng(seed)
    return {f"m{i}": rng.dirichlet(np.ones(4), size=int(rng.integers(5, 15))).T for i in range(n)}


def test_round_trip(tmp_path):
    motifs = random_pwms(5)
    path = write_meme(motifs, tmp_path / "out" / "motifs.meme")
    back = read_meme(path)
    assert list(back) == list(motifs)
    for key in motifs:
        assert back[key].shape == motifs[key].shape
        np.testing.assert_allclose(back[key], motifs[key], atol=1e-6)
    text = path.read_text()
    assert text.startswith("MEME version 4\n")
    assert "ALPHABET= ACGT" in text and "strands: + -" in text
    assert "Background letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25" in text
    assert "letter-probability matrix: alength= 4 w= " in text and "nsites= 20 E= 0" in text
    assert not list(tmp_path.glob("out/.*.tmp"))  # atomic write leaves no temporary file


def test_memelite_reads_our_files(tmp_path):
    from memelite.io import read_meme as memelite_read

    motifs = random_pwms(3, seed=2)
    path = write_meme(motifs, tmp_path / "m.meme")
    theirs = memelite_read(str(path))
    for key, matrix in motifs.items():
        np.testing.assert_allclose(theirs[key], matrix, atol=1e-6)


def test_jaspar_export_keeps_ids_and_names(tmp_path):
    gata1 = motif_by_id("MA0035.5")
    tal = motif_by_id("MA0140.3")
    path = jaspar_to_meme([gata1, tal], tmp_path / "jaspar.meme")
    records = read_meme_motifs(path)
    assert [(r.id, r.name) for r in records] == [("MA0035.5", "GATA1"), ("MA0140.3", "GATA1::TAL1")]
    # the counts' own frequencies and site counts, as JASPAR publishes them
    np.testing.assert_allclose(records[0].probabilities, gata1.probabilities(0.0), atol=1e-6)
    assert [r.nsites for r in records] == [71828, 4955]
    assert "MOTIF MA0035.5 GATA1\n" in path.read_text()


def test_a_meme_tool_reading_the_export_scores_what_gdash_motifs_scores(tmp_path):
    """MEME adds its --motif-pseudo 0.1 weighted by nsites: (p n + 0.1 bg) / (n + 0.1), which
    must give Motif.probabilities(0.1), the Tomtom targets here (a motif of 10 sites shows it)."""
    few_sites = motif_by_id("MA0074.1")  # RXRA::VDR, 10 sites per column
    assert np.all(few_sites.counts.sum(axis=0) == 10)
    (record,) = read_meme_motifs(jaspar_to_meme([few_sites], tmp_path / "one.meme"))
    smoothed = (record.probabilities * record.nsites + 0.1 * 0.25) / (record.nsites + 0.1)
    np.testing.assert_allclose(smoothed, few_sites.probabilities(0.1), atol=1e-6)


def test_nsites_per_motif_and_checked(tmp_path):
    matrices = {"a": np.eye(4), "b": np.ones((4, 2))}
    records = read_meme_motifs(write_meme(matrices, tmp_path / "m.meme", nsites={"a": 7.5, "b": 3}))
    assert [r.nsites for r in records] == [7.5, 3]
    with pytest.raises(InputError, match="no nsites given for motif b"):
        write_meme(matrices, tmp_path / "bad.meme", nsites={"a": 7})
    with pytest.raises(InputError, match="nsites of motif a must be positive"):
        write_meme(matrices, tmp_path / "bad.meme", nsites=0)
    assert not (tmp_path / "bad.meme").exists()


def test_counts_are_normalised_and_background_written(tmp_path):
    counts = np.array([[4, 0], [0, 0], [0, 0], [0, 0]], dtype=float)  # second column all zero
    path = write_meme({"x": counts}, tmp_path / "c.meme", background=[0.3, 0.2, 0.2, 0.3])
    np.testing.assert_allclose(read_meme(path)["x"], [[1, 0.3], [0, 0.2], [0, 0.2], [0, 0.3]])
    assert "A 0.3 C 0.2 G 0.2 T 0.3" in path.read_text()


def test_bad_input(tmp_path):
    with pytest.raises(InputError):
        write_meme({"x": np.ones((3, 5))}, tmp_path / "bad.meme")
    with pytest.raises(InputError):
        write_meme({"x": -np.ones((4, 5))}, tmp_path / "bad.meme")
    assert not (tmp_path / "bad.meme").exists()
    broken = tmp_path / "broken.meme"
    broken.write_text(
        "MEME version 4\n\nMOTIF a\nletter-probability matrix: alength= 4 w= 3\n0.25 0.25 0.25 0.25\n0.1 0.2 0.7\n"
    )
    with pytest.raises(InputError, match="line 6"):
        read_meme(broken)


def test_jaspar_counts_get_memes_motif_pseudocount_where_meme_tools_are_stood_in_for():
    """Tomtom targets and queries, FIMO motifs: counts + 0.1 (MEME's --motif-pseudo);
    log-odds PWMs keep JASPAR's 0.8."""
    from gdashboard.data.jaspar import MEME_PSEUDOCOUNT, PWM_PSEUDOCOUNT
    from gdashboard.motifs.compare import _queries, _targets
    from gdashboard.motifs.meme import _named_matrices

    assert (MEME_PSEUDOCOUNT, PWM_PSEUDOCOUNT) == (0.1, 0.8)
    few_sites = motif_by_id("MA0074.1")  # RXRA::VDR, 10 sites per column
    counts = few_sites.counts
    expected = (counts + 0.025) / (counts.sum(axis=0) + 0.1)
    assert np.abs(expected - few_sites.probabilities(0.8)).max() > 0.01  # the two differ here
    for items in (_named_matrices([few_sites]), _named_matrices({"MA0074.1 RXRA::VDR": few_sites})):
        ((motif_id, name, matrix),) = items
        assert (motif_id, name) == ("MA0074.1", "RXRA::VDR")
        np.testing.assert_allclose(matrix, expected, rtol=1e-12)
    ids, names, targets = _targets([few_sites])  # what Tomtom compares with (FIMO uses _named_matrices)
    assert (ids, names) == (("MA0074.1",), ("RXRA::VDR",))
    np.testing.assert_allclose(targets[0], expected, rtol=1e-12)
    np.testing.assert_allclose(_queries([few_sites])[0], expected, rtol=1e-12)
    np.testing.assert_allclose(
        few_sites.log_odds(), np.log2((counts + 0.2) / (counts.sum(axis=0) + 0.8) / 0.25), rtol=1e-12
    )
