"""Sequence logos with logomaker, in the original code's colours."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

# The original DeepMotif logos (weblogo): A green, C blue, G orange, T red.
COLORS = {"A": "#00CC00", "C": "#0000CC", "G": "#FFB300", "T": "#CC0000"}


def information_matrix(probabilities: np.ndarray) -> np.ndarray:
    """Letter heights in bits, ``(4, w)``: probability × information content of the column."""
    p = np.asarray(probabilities, dtype=np.float64)
    p = p / np.clip(p.sum(axis=0, keepdims=True), 1e-12, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(p > 0, p * np.log2(p), 0.0).sum(axis=0)
    return p * (2.0 - entropy)


def save_logo(probabilities: np.ndarray, path: str | os.PathLike, title: str | None = None,
              dpi: int = 200) -> Path:
    """Draw an information-content logo of a ``(4, w)`` probability matrix to a PNG (atomic)."""
    import matplotlib

    matplotlib.use("Agg")
    import logomaker
    import pandas as pd
    from matplotlib import pyplot as plt

    from gdashboard.fileio import atomic_path

    heights = information_matrix(probabilities)
    frame = pd.DataFrame(heights.T, columns=list("ACGT"))
    figure, axis = plt.subplots(figsize=(max(3.0, 0.45 * heights.shape[1]), 2.0))
    logomaker.Logo(frame, ax=axis, color_scheme=COLORS)
    axis.set_ylim(0, 2)
    axis.set_ylabel("bits")
    axis.set_xticks(range(heights.shape[1]))
    axis.set_xticklabels([str(i + 1) for i in range(heights.shape[1])])
    if title:
        axis.set_title(title, fontsize=9)
    figure.tight_layout()
    path = Path(path)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=dpi)
    plt.close(figure)
    return path
