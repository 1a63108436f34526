"""Validation split by whole groups: default 10%, seeded."""

from __future__ import annotations

import numpy as np
import pytest

from gdashboard.data.split import train_validation_split


def _paired_groups(n_pairs: int) -> np.ndarray:
    # Each positive followed by its shuffle, as in train.fa: 0,0,1,1,2,2,...
    return np.repeat(np.arange(n_pairs), 2)


def test_partition_of_all_indices():
    groups = _paired_groups(500)
    train, validation = train_validation_split(groups)
    assert train.dtype == np.int64 and validation.dtype == np.int64
    assert np.intersect1d(train, validation).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, validation])), np.arange(len(groups)))
    assert (np.diff(train) > 0).all() and (np.diff(validation) > 0).all()


def test_groups_stay_together():
    groups = _paired_groups(500)
    train, validation = train_validation_split(groups, seed=3)
    assert np.intersect1d(groups[train], groups[validation]).size == 0
    # every validation group is there whole (both members)
    _, counts = np.unique(groups[validation], return_counts=True)
    assert (counts == 2).all()


def test_groups_of_uneven_sizes_stay_together():
    rng = np.random.default_rng(0)
    groups = rng.permutation(np.repeat(np.arange(300), rng.integers(1, 5, 300)))
    train, validation = train_validation_split(groups, fraction=0.2, seed=1)
    assert np.intersect1d(groups[train], groups[validation]).size == 0
    assert len(np.unique(groups[validation])) == 60


def test_default_fraction_is_ten_percent_of_groups():
    groups = _paired_groups(1000)
    train, validation = train_validation_split(groups)
    assert len(np.unique(groups[validation])) == 100
    assert len(validation) == 200 and len(train) == 1800


@pytest.mark.parametrize("fraction", [0.05, 0.25, 0.5])
def test_fraction(fraction):
    groups = _paired_groups(400)
    _, validation = train_validation_split(groups, fraction=fraction)
    assert len(np.unique(groups[validation])) == round(fraction * 400)


def test_seeded():
    groups = _paired_groups(500)
    a = train_validation_split(groups, seed=7)
    b = train_validation_split(groups, seed=7)
    c = train_validation_split(groups, seed=8)
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[1], c[1])


def test_small_input_keeps_at_least_one_validation_group():
    groups = _paired_groups(3)
    train, validation = train_validation_split(groups)
    assert len(np.unique(groups[validation])) == 1
    assert len(train) == 4


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5])
def test_bad_fraction(fraction):
    with pytest.raises(ValueError, match="between 0 and 1"):
        train_validation_split(_paired_groups(10), fraction=fraction)
