"""Validation split that keeps each positive with its shuffle."""

from __future__ import annotations

import numpy as np


def train_validation_split(groups: np.ndarray, fraction: float = 0.1, seed: int = 0):
    """Split indices into training and validation by whole groups.

    Parameters
    ----------
    groups : numpy.ndarray of int, one per sequence
    fraction : float, the share of groups held out for validation
    seed : int

    Returns
    -------
    (train_index, validation_index) : two sorted int64 arrays
    """
    if not 0 < fraction < 1:
        raise ValueError(f"validation fraction must be between 0 and 1, got {fraction}")
    unique = np.unique(groups)
    rng = np.random.default_rng(seed)
    n_validation = max(1, int(round(fraction * len(unique))))
    held_out = rng.choice(unique, size=n_validation, replace=False)
    is_validation = np.isin(groups, held_out)
    return np.flatnonzero(~is_validation), np.flatnonzero(is_validation)
