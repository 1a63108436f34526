"""Sequence logos with logomaker, in the original code's colours (used by ``gdash motifs``
and, above it, by the dashboard)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from gdashboard.motifs.extract import information_content
from gdashboard.motifs.meme import as_probabilities

# The original DeepMotif logos (weblogo): A green, C blue, G orange, T red.
COLORS = {"A": "#00CC00", "C": "#0000CC", "G": "#FFB300", "T": "#CC0000"}


def information_matrix(probabilities) -> np.ndarray:
    """Letter heights in bits, ``(4, w)``: each column's probabilities times its
    information content (what a sequence logo draws)."""
    return as_probabilities(probabilities, what="logo matrix") * information_content(probabilities)


def save_logo(probabilities: np.ndarray, path: str | os.PathLike, title: str | None = None, dpi: int = 200) -> Path:
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


def save_weight_logo(weights: np.ndarray, path: str | os.PathLike, title: str | None = None, dpi: int = 200) -> Path:
    """Draw a ``(4, w)`` contribution-weight matrix (signed letter heights, as TF-MoDISco's
    logos) to a PNG or SVG, chosen by the path's suffix (atomic)."""
    import matplotlib

    matplotlib.use("Agg")
    import logomaker
    import pandas as pd
    from matplotlib import pyplot as plt

    from gdashboard.fileio import atomic_path

    weights = np.asarray(weights, dtype=float)
    frame = pd.DataFrame(weights.T, columns=list("ACGT"))
    figure, axis = plt.subplots(figsize=(max(3.0, 0.3 * weights.shape[1]), 2.0))
    logomaker.Logo(frame, ax=axis, color_scheme=COLORS)
    axis.axhline(0, color="#666666", linewidth=0.5)
    axis.set_ylabel("contribution")
    if title:
        axis.set_title(title, fontsize=8)
    figure.tight_layout()
    path = Path(path)
    image_format = path.suffix.lstrip(".").lower()
    if image_format not in ("png", "svg", "pdf"):
        raise ValueError(f"a logo is written as .png, .svg or .pdf, not {path.name}")
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format=image_format, dpi=dpi)
    plt.close(figure)
    return path
