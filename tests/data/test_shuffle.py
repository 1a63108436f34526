"""Dinucleotide-preserving shuffle: counts kept exactly (N included), seeded, ends kept.

tangermeme's numba shuffle compiles on its first call, so every shuffle these tests
check is drawn once, in one module-scoped fixture.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from gdashboard.data.onehot import one_hot_decode, one_hot_encode
from gdashboard.data.readers import Dataset, add_shuffled_negatives
from gdashboard.data.shuffle import dinucleotide_shuffle

LENGTH = 60


def _random_sequences(n: int, rng: np.random.Generator) -> list[str]:
    return ["".join(rng.choice(list("ACGT"), LENGTH)) for _ in range(n)]


def _sequences() -> list[str]:
    rng = np.random.default_rng(123)
    sequences = _random_sequences(12, rng)
    # Sequences with N: scattered, a run, at the ends, and N-heavy.
    with_n = []
    for i, base in enumerate(_random_sequences(6, rng)):
        s = list(base)
        if i == 0:
            s[10] = s[30] = s[31] = "N"
        elif i == 1:
            s[20:28] = "N" * 8
        elif i == 2:
            s[0] = s[-1] = "N"
        elif i == 3:
            s[::3] = "N" * len(s[::3])
        elif i == 4:
            s[5] = s[40] = s[41] = s[42] = s[50] = "N"
        else:
            s[1:4] = "NNN"
        with_n.append("".join(s))
    # Low-complexity sequences.
    repeats = ["AC" * (LENGTH // 2), "A" * (LENGTH // 2) + "T" * (LENGTH // 2)]
    return sequences + with_n + repeats


def _dinucleotides(sequence: str) -> Counter:
    return Counter(sequence[i : i + 2] for i in range(len(sequence) - 1))


@pytest.fixture(scope="module")
def shuffled():
    """Every shuffle the module checks, drawn in as few calls as possible."""
    sequences = _sequences()
    X = one_hot_encode(sequences)
    dataset = Dataset(
        X=X[:6],
        labels=np.array([1, 0, 1, 1, 0, 1]),
        ids=[f"s{i}" for i in range(6)],
        groups=np.array([0, 1, 2, 3, 4, 5]),
        name="EXP_cell",
        tf="EXP",
        path="x.fa",
    )
    return {
        "sequences": sequences,
        "X": X,
        "seed0": dinucleotide_shuffle(X, seed=0),
        "seed0_again": dinucleotide_shuffle(X, seed=0),
        "seed1": dinucleotide_shuffle(X, seed=1),
        "dataset": dataset,
        "augmented": add_shuffled_negatives(dataset, seed=5),
    }


def test_shape_and_dtype(shuffled):
    assert shuffled["seed0"].shape == shuffled["X"].shape
    assert shuffled["seed0"].dtype == shuffled["X"].dtype
    # still one-hot or all-zero columns
    column_sums = shuffled["seed0"].sum(dim=1)
    assert set(column_sums.unique().tolist()) <= {0.0, 1.0}


@pytest.mark.parametrize("key", ["seed0", "seed1"])
def test_dinucleotide_counts_are_kept_exactly(shuffled, key):
    after = one_hot_decode(shuffled[key])
    for before, now in zip(shuffled["sequences"], after):
        assert _dinucleotides(now) == _dinucleotides(before), (before, now)
        assert Counter(now) == Counter(before)


def test_n_count_and_n_dinucleotides_are_kept(shuffled):
    after = one_hot_decode(shuffled["seed0"])
    with_n = [(b, a) for b, a in zip(shuffled["sequences"], after) if "N" in b]
    assert len(with_n) == 6
    for before, now in with_n:
        assert now.count("N") == before.count("N")
        n_pairs = {k: v for k, v in _dinucleotides(before).items() if "N" in k}
        assert {k: v for k, v in _dinucleotides(now).items() if "N" in k} == n_pairs


def test_first_and_last_base_are_kept(shuffled):
    for before, now in zip(shuffled["sequences"], one_hot_decode(shuffled["seed0"])):
        assert now[0] == before[0] and now[-1] == before[-1]


def test_same_seed_same_result(shuffled):
    assert torch.equal(shuffled["seed0"], shuffled["seed0_again"])


def test_different_seed_different_result(shuffled):
    # 60-bp random sequences have many dinucleotide shuffles: a new seed changes them.
    n_random = 12
    a, b = shuffled["seed0"][:n_random], shuffled["seed1"][:n_random]
    differs = [not torch.equal(a[i], b[i]) for i in range(n_random)]
    assert sum(differs) >= n_random - 1


def test_shuffle_actually_shuffles(shuffled):
    n_random = 12
    same = [torch.equal(shuffled["seed0"][i], shuffled["X"][i]) for i in range(n_random)]
    assert sum(same) <= 1


def test_input_is_not_modified(shuffled):
    assert one_hot_decode(shuffled["X"]) == shuffled["sequences"]


def test_empty_batch():
    X = torch.zeros((0, 4, 10))
    out = dinucleotide_shuffle(X, seed=0)  # returns before tangermeme runs a shuffle
    assert out.shape == (0, 4, 10)


def test_add_shuffled_negatives_one_per_positive(shuffled):
    dataset, augmented = shuffled["dataset"], shuffled["augmented"]
    positives = np.flatnonzero(dataset.labels == 1)
    assert len(augmented) == len(dataset) + len(positives)
    assert augmented.n_shuffled == len(positives)
    # originals first, unchanged
    assert torch.equal(augmented.X[: len(dataset)], dataset.X)
    assert augmented.ids[: len(dataset)] == dataset.ids
    np.testing.assert_array_equal(augmented.labels[: len(dataset)], dataset.labels)
    # then one negative per positive, with the positive's id + ":shuffle" and its group
    new = slice(len(dataset), None)
    assert augmented.ids[new] == [f"{dataset.ids[i]}:shuffle" for i in positives]
    assert (augmented.labels[new] == 0).all()
    np.testing.assert_array_equal(augmented.groups[new], dataset.groups[positives])
    originals = one_hot_decode(dataset.X[torch.as_tensor(positives)])
    for before, now in zip(originals, one_hot_decode(augmented.X[new])):
        assert _dinucleotides(now) == _dinucleotides(before)
    assert (augmented.name, augmented.tf, augmented.path) == ("EXP_cell", "EXP", "x.fa")
