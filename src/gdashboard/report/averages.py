"""The few summaries every table uses: means that skip what is missing, the sample sd."""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np


def mean(values: Sequence[float]) -> float | None:
    """The mean, None for no values."""
    return float(np.mean(values)) if len(values) else None


def mean_known(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None (None when none is)."""
    return mean([value for value in values if value is not None])


def sd(values: Sequence[float]) -> float | None:
    # Sample standard deviation; undefined (None) for a single value.
    return float(np.std(values, ddof=1)) if len(values) >= 2 else None


def describe(values: Sequence[float]) -> dict:
    """``n_experiments``, ``mean``, ``median`` and ``sd`` of per-experiment values."""
    return {
        "n_experiments": len(values),
        "mean": mean(values),
        "median": float(np.median(values)) if len(values) else None,
        "sd": sd(values),
    }
