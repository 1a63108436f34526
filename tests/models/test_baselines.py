"""The PWM, k-mer and gkm-SVM baselines: scores against naive loops, toy fits, save/load."""

from __future__ import annotations

import json
from itertools import product

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file
from sklearn.metrics import roc_auc_score

from gdashboard.data import one_hot_encode
from gdashboard.errors import InputError
from gdashboard.models.baselines import (
    BASELINES,
    GkmsvmBaseline,
    KmerBaseline,
    MotifNotFoundError,
    PWMBaseline,
    build_baseline,
    kmer_counts,
    kmer_names,
)

torch.set_num_threads(1)

COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


def reverse_complement(sequence: str) -> str:
    return sequence.translate(COMPLEMENT)[::-1]


def random_sequences(rng: np.random.Generator, n: int, length: int, n_fraction: float = 0.0) -> list[str]:
    letters = rng.choice(list("ACGT"), size=(n, length))
    letters[rng.random((n, length)) < n_fraction] = "N"
    return ["".join(row) for row in letters]


def plant(sequence: str, site: str, position: int) -> str:
    return sequence[:position] + site + sequence[position + len(site) :]


@pytest.fixture(scope="module")
def gata1() -> PWMBaseline:
    return PWMBaseline.from_tf("GATA1")


# ----------------------------------------------------------------------------- PWM


def naive_pwm_score(sequence: str, pwms: list[np.ndarray]) -> float:
    """Max over motifs, strands and offsets, with N (and any overhang) adding 0."""
    row = {base: i for i, base in enumerate("ACGT")}
    best = -np.inf
    for pwm in pwms:
        width = pwm.shape[1]
        for strand in (sequence, reverse_complement(sequence)):
            # Offsets may go below 0 / past the end only when the sequence is
            # shorter than the motif (then the sequence slides inside the motif).
            pad = max(width - len(strand), 0)
            for offset in range(-pad, len(strand) - width + pad + 1):
                total = 0.0
                for j in range(width):
                    i = offset + j
                    if 0 <= i < len(strand) and strand[i] != "N":
                        total += pwm[row[strand[i]], j]
                best = max(best, total)
    return best


def test_pwm_from_tf_loads_gata1_motifs(gata1):
    config = gata1.get_config()
    assert config["preset"] == "pwm"
    assert "MA0035.5" in config["matrix_ids"]  # GATA1 itself
    assert all(t.shape[0] == 4 for t in gata1.state_tensors().values())
    json.dumps(config)


def test_pwm_matches_naive_loop(gata1):
    rng = np.random.default_rng(0)
    sequences = random_sequences(rng, 5, 40, n_fraction=0.1)
    scores = gata1.decision_function(one_hot_encode(sequences))
    pwms = [t.numpy() for t in gata1.state_tensors().values()]
    expected = [naive_pwm_score(s, pwms) for s in sequences]
    assert scores.dtype == np.float64 and scores.shape == (5,)
    np.testing.assert_allclose(scores, expected, atol=1e-5)


def test_pwm_short_sequence_scores_the_part_that_fits(gata1):
    # 10 bp: shorter than GATA1::TAL1 (17 bp), longer than GATA1 (7 bp).
    rng = np.random.default_rng(1)
    sequences = random_sequences(rng, 3, 10) + ["AGATAAG"[:5]]
    pwms = [t.numpy() for t in gata1.state_tensors().values()]
    for sequence in sequences:
        score = gata1.decision_function(one_hot_encode(sequence))[0]
        assert score == pytest.approx(naive_pwm_score(sequence, pwms), abs=1e-5)


def test_pwm_ranks_planted_gata_site_on_either_strand(gata1):
    rng = np.random.default_rng(2)
    background = random_sequences(rng, 1, 60)[0]
    forward = plant(background, "AGATAAG", 25)
    reverse = plant(background, reverse_complement("AGATAAG"), 25)
    base, fwd, rev = gata1.decision_function(one_hot_encode([background, forward, reverse]))
    assert fwd > base + 2 and rev > base + 2

    # Identical context on both strands: the site flanked by N scores the same
    # whichever strand carries it.
    flank = "N" * 20
    fwd_only, rev_only = gata1.decision_function(
        one_hot_encode([flank + "AGATAAG" + flank, flank + reverse_complement("AGATAAG") + flank])
    )
    assert fwd_only == pytest.approx(rev_only, abs=1e-9)
    assert fwd_only > 5  # a consensus GATA site is a strong match in log2-odds


def test_pwm_score_is_strand_symmetric(gata1):
    rng = np.random.default_rng(3)
    sequences = random_sequences(rng, 6, 50, n_fraction=0.05)
    scores = gata1.decision_function(one_hot_encode(sequences))
    flipped = gata1.decision_function(one_hot_encode([reverse_complement(s) for s in sequences]))
    np.testing.assert_allclose(scores, flipped, atol=1e-9)


def test_pwm_all_n_scores_zero(gata1):
    assert gata1.decision_function(one_hot_encode("N" * 30))[0] == 0.0


@pytest.mark.parametrize("tf", ["SERBP1", "SUZ12", "TAF1"])
def test_pwm_from_tf_without_jaspar_motif(tf):
    with pytest.raises(MotifNotFoundError) as info:
        PWMBaseline.from_tf(tf)
    assert isinstance(info.value, InputError)
    assert str(info.value) == f"JASPAR2024 has no vertebrate motif for {tf}"


# ----------------------------------------------------------------------------- k-mers


def naive_kmer_counts(sequence: str, max_k: int, revcomp: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    for k in range(1, max_k + 1):
        for i in range(len(sequence) - k + 1):
            kmer = sequence[i : i + k]
            if "N" in kmer:
                continue
            if revcomp:
                kmer = min(kmer, reverse_complement(kmer))
            counts[kmer] = counts.get(kmer, 0) + 1
    return counts


@pytest.mark.parametrize("revcomp", [False, True])
def test_kmer_counts_match_naive_count(revcomp):
    sequences = ["ACGTNACCGTAA", "NNNNNNNNNNNN", "AAAAAAAAAAAA", "GATAAGNTTATC"]
    max_k = 4
    counts = kmer_counts(one_hot_encode(sequences), max_k=max_k, revcomp=revcomp)
    names = kmer_names(max_k, revcomp=revcomp)
    assert counts.shape == (len(sequences), len(names))
    assert len(set(names)) == len(names)
    if not revcomp:
        assert names == ["".join(p) for k in range(1, max_k + 1) for p in product("ACGT", repeat=k)]
    else:
        assert len(names) == 2 + 10 + 32 + 136  # canonical k-mers for k = 1..4
    dense = counts.toarray()
    for row, sequence in zip(dense, sequences):
        got = {name: int(value) for name, value in zip(names, row) if value}
        assert got == naive_kmer_counts(sequence, max_k, revcomp)


def test_kmer_counts_min_k_and_short_sequences():
    X = one_hot_encode(["ACG", "TTN"])
    counts = kmer_counts(X, max_k=6, min_k=2, revcomp=False).toarray()
    names = kmer_names(6, min_k=2, revcomp=False)
    assert {n: int(v) for n, v in zip(names, counts[0]) if v} == {"AC": 1, "CG": 1, "ACG": 1}
    assert {n: int(v) for n, v in zip(names, counts[1]) if v} == {"TT": 1}


def planted_kmer_data(seed: int, n: int, site: str = "TGACTC", length: int = 60):
    rng = np.random.default_rng(seed)
    sequences = random_sequences(rng, n, length)
    labels = rng.integers(0, 2, size=n)
    for i in np.flatnonzero(labels):
        sequences[i] = plant(sequences[i], site, int(rng.integers(0, length - len(site))))
    return one_hot_encode(sequences), labels


@pytest.fixture(scope="module")
def toy_kmer():
    X_train, y_train = planted_kmer_data(10, 300)
    X_valid, y_valid = planted_kmer_data(11, 150)
    model = KmerBaseline(max_k=6).fit(X_train, y_train, X_valid, y_valid)
    return model


def test_kmer_learns_planted_site(toy_kmer):
    X_test, y_test = planted_kmer_data(12, 200)
    scores = toy_kmer.decision_function(X_test)
    assert scores.dtype == np.float64 and scores.shape == (200,)
    assert roc_auc_score(y_test, scores) > 0.95
    config = toy_kmer.get_config()
    assert config["chosen_C"] in config["C_grid"]
    tried = [row["C"] for row in config["search"]]
    assert tried == sorted(config["C_grid"])[: len(tried)]  # increasing, possibly stopped early
    assert max(config["search"], key=lambda row: row["valid_auc"])["C"] == config["chosen_C"]
    json.dumps(config)


def test_kmer_fit_is_deterministic(toy_kmer):
    X_train, y_train = planted_kmer_data(10, 300)
    again = KmerBaseline(max_k=6, C=toy_kmer.chosen_C_).fit(X_train, y_train)
    np.testing.assert_array_equal(again.coef_, toy_kmer.coef_)


def test_kmer_needs_both_classes():
    X, _ = planted_kmer_data(13, 20)
    with pytest.raises(InputError):
        KmerBaseline(max_k=3).fit(X, np.ones(20, dtype=int))


# ----------------------------------------------------------------------------- gkm-SVM


@pytest.fixture(scope="module")
def toy_gkmsvm():
    # 240 training sequences, capped at 200: the subsample is exercised too. (The
    # library's numba kernels compile on the first fit, once per machine: cached.)
    X_train, y_train = planted_kmer_data(20, 240, site="GATAAGGC")
    return GkmsvmBaseline(max_train=200, seed=3).fit(X_train, y_train)


def test_gkmsvm_learns_planted_site_from_a_recorded_subsample(toy_gkmsvm):
    X_test, y_test = planted_kmer_data(21, 100, site="GATAAGGC")
    scores = toy_gkmsvm.decision_function(X_test)
    assert scores.dtype == np.float64 and scores.shape == (100,)
    assert roc_auc_score(y_test, scores) > 0.95
    config = toy_gkmsvm.get_config()
    assert (config["n_available"], config["n_fit"], config["subsampled"]) == (240, 200, True)
    assert (config["l"], config["k"], config["d"], config["C"]) == (11, 7, 3, 1.0)  # LS-GKM's defaults
    assert 0 < config["n_support"] <= 200
    json.dumps(config)


def test_gkmsvm_subsample_keeps_both_classes_in_proportion_and_is_seeded():
    y = np.array([1] * 30 + [0] * 70)
    kept = GkmsvmBaseline(max_train=50, seed=1)._subsample(y)
    assert len(kept) == 50 and y[kept].sum() == 15
    np.testing.assert_array_equal(kept, GkmsvmBaseline(max_train=50, seed=1)._subsample(y))
    assert not np.array_equal(kept, GkmsvmBaseline(max_train=50, seed=2)._subsample(y))
    np.testing.assert_array_equal(GkmsvmBaseline(max_train=None)._subsample(y), np.arange(100))


def test_gkmsvm_bad_input():
    X, _ = planted_kmer_data(22, 20, length=30)
    with pytest.raises(InputError, match="both bound and unbound"):
        GkmsvmBaseline().fit(X, np.ones(20, dtype=int))
    with pytest.raises(InputError, match="shorter than the gkm-SVM word length"):
        GkmsvmBaseline().fit(X[:, :, :8], np.arange(20) % 2)


# ----------------------------------------------------------------------------- save / load


def round_trip(model, tmp_path):
    path = tmp_path / "model.safetensors"
    save_file(model.state_tensors(), str(path))
    config = json.loads(json.dumps(model.get_config()))
    return BASELINES[config["preset"]].from_state(config, load_file(str(path)))


def test_pwm_round_trip_needs_no_jaspar(gata1, tmp_path, monkeypatch):
    import gdashboard.data.jaspar as jaspar

    monkeypatch.setattr(jaspar, "motifs_for_tf", lambda *a, **k: pytest.fail("JASPAR was consulted"))
    loaded = round_trip(gata1, tmp_path)
    X = one_hot_encode(random_sequences(np.random.default_rng(4), 20, 50, n_fraction=0.05))
    assert isinstance(loaded, PWMBaseline)
    np.testing.assert_array_equal(loaded.decision_function(X), gata1.decision_function(X))


def test_kmer_round_trip(toy_kmer, tmp_path):
    loaded = round_trip(toy_kmer, tmp_path)
    X, _ = planted_kmer_data(14, 50)
    assert isinstance(loaded, KmerBaseline)
    np.testing.assert_array_equal(loaded.decision_function(X), toy_kmer.decision_function(X))
    assert loaded.get_config() == json.loads(json.dumps(toy_kmer.get_config()))


def test_build_baseline():
    assert isinstance(build_baseline("pwm", "gata1"), PWMBaseline)
    assert isinstance(build_baseline("kmer", None, max_k=4), KmerBaseline)
    with pytest.raises(MotifNotFoundError):
        build_baseline("pwm", "SERBP1")
    with pytest.raises(InputError):
        build_baseline("pwm", None)
    with pytest.raises(ValueError):
        build_baseline("svm", "GATA1")
    assert isinstance(build_baseline("gkmsvm", None, max_train=100), GkmsvmBaseline)
    assert set(BASELINES) == {"pwm", "kmer", "gkmsvm"}


def test_gkmsvm_round_trip(toy_gkmsvm, tmp_path):
    loaded = round_trip(toy_gkmsvm, tmp_path)
    X, _ = planted_kmer_data(23, 50, site="GATAAGGC")
    assert isinstance(loaded, GkmsvmBaseline)
    np.testing.assert_array_equal(loaded.decision_function(X), toy_gkmsvm.decision_function(X))
