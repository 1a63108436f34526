"""Where each of Table 4's methods cuts its motif: one rule per registry name.

``gdash motifs`` runs every method of :func:`gdashboard.methods.motif_methods` that
the model can be asked (the record's ``requires`` and ``refuses``), through
:func:`gdashboard.explain.run.explain`, and hands the arrays to the method's rule in
:data:`WINDOW_RULES`. A rule returns :class:`Windows`: a start and a width per window
and what the windows are cut from (the one-hot sequences for a method with a window per
sequence, the method's one matrix for a method with one motif per model). A new motif
method is a registry record with ``motif_windows=True`` and its rule here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

WINDOW = 9


@dataclass
class Windows:
    """Windows ``source[i, :, starts[i] : starts[i] + widths[i]]``.

    ``details``: what the method adds to its entry of ``motifs.json`` (one motif per
    model: the optimised sequence and its score).
    """

    starts: np.ndarray
    widths: np.ndarray
    source: np.ndarray
    details: dict = field(default_factory=dict)

    def matrices(self) -> list[np.ndarray]:
        """The ``(4, width)`` windows, one per start."""
        return [self.source[i, :, s : s + w] for i, (s, w) in enumerate(zip(self.starts, self.widths))]


def _one_hot(X) -> np.ndarray:
    return X.numpy() if hasattr(X, "numpy") else np.asarray(X)


def saliency_rule(model, X, arrays: dict) -> Windows:
    """The length-9 window with the highest sum of saliency."""
    from gdashboard.motifs.extract import saliency_windows

    starts = saliency_windows(arrays["saliency"], WINDOW)
    return Windows(starts, np.full(len(X), WINDOW), _one_hot(X))


def temporal_rule(model, X, arrays: dict) -> Windows:
    """The length-9 window ending with the last base the model had read when its forward
    temporal output took its largest single step up (a CNN-RNN reads a few bases ahead)."""
    from gdashboard.explain.temporal import input_spans
    from gdashboard.motifs.extract import temporal_windows

    _, read_up_to = input_spans(model, X.shape[-1])
    starts = temporal_windows(arrays["forward"], WINDOW, reach=read_up_to)
    return Windows(starts, np.full(len(X), WINDOW), _one_hot(X))


def conv_rule(model, X, arrays: dict) -> Windows:
    """The input window under the strongest first-layer activation, as wide as the filter
    (clipped where a padded filter hangs over an end of the sequence)."""
    return Windows(arrays["start"], arrays["width"], _one_hot(X))


def classopt_rule(model, X, arrays: dict) -> Windows:
    """The 9-wide window of the class-optimised probability matrix with the highest
    information content, not the whole matrix, whose flat columns would only dilute the
    comparison."""
    from gdashboard.motifs.extract import best_window

    probabilities = np.asarray(arrays["probabilities"])
    start = int(best_window(probabilities, WINDOW))
    details = {"sequence": str(arrays["sequence"]), "score": float(arrays["score"])}
    return Windows(np.array([start]), np.array([WINDOW]), probabilities[None], details)


# Keyed by registry name; every method with motif_windows has one (tests/motifs check it).
WINDOW_RULES: dict[str, Callable[..., Windows]] = {
    "saliency": saliency_rule,
    "temporal": temporal_rule,
    "conv": conv_rule,
    "classopt": classopt_rule,
}
