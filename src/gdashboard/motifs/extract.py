"""The paper's motif-extraction rules (Section 4, "Visualization Evaluation").

From each positive test sequence a length-9 subsequence is taken as the
sequence's motif and compared with JASPAR using Tomtom:

1. Saliency: the contiguous length-9 window with the highest sum of saliency
   (:func:`saliency_windows`).
2. Temporal output: the length-9 window over which the forward temporal output
   rises most, i.e. where the model's score changes most "from negative to
   positive" (:func:`temporal_windows`; the exact rule is documented there).
3. Class optimization: the optimized sequence is a whole ``(4, L)`` probability
   matrix; :func:`best_window` picks its most informative 9-wide window.

:func:`window_matrices` cuts the chosen windows out of the one-hot sequences and
:func:`aggregate_pfm` stacks them into one position frequency matrix (the
aggregate logo of all aligned windows). Every function is vectorised over the
batch.

Ties: where several windows score the same, the leftmost wins. Window scores
come from differences of cumulative sums, whose rounding can make equal windows
differ in the last bits, so "the same" means within ``1e-10`` times the row's
total absolute value (far below any real difference).
"""

from __future__ import annotations

import numpy as np

from gdashboard.errors import InputError
from gdashboard.motifs.meme import as_probabilities

WIDTH = 9
PRIOR = None  # no invented output before the first base: see temporal_rise
_TIE = 1e-10


def _numpy(array, name: str) -> np.ndarray:
    if hasattr(array, "detach"):  # a torch tensor
        array = array.detach().cpu().numpy()
    array = np.asarray(array, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name} holds a non-finite value")
    return array


def _check_width(width: int, length: int) -> int:
    width = int(width)
    if width < 1:
        raise InputError(f"window width must be at least 1, got {width}")
    if length < width:
        raise InputError(f"sequences of length {length} are shorter than the window width {width}")
    return width


def window_sums(values, width: int = WIDTH) -> np.ndarray:
    """Sums of every contiguous window: ``(N, L)`` -> ``(N, L - width + 1)``.

    Entry ``[n, s]`` is ``values[n, s:s + width].sum()``, from cumulative sums.
    """
    values = _numpy(values, "values")
    if values.ndim != 2:
        raise InputError(f"expected an (N, L) array, got shape {values.shape}")
    width = _check_width(width, values.shape[1])
    cumulative = np.zeros((values.shape[0], values.shape[1] + 1))
    np.cumsum(values, axis=1, out=cumulative[:, 1:])
    return cumulative[:, width:] - cumulative[:, :-width]


def _leftmost_argmax(scores: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Per row, the first index whose score is within ``_TIE * scale`` of the row's maximum."""
    best = scores.max(axis=1, keepdims=True)
    tolerance = _TIE * np.maximum(scale, np.finfo(float).tiny)[:, None]
    return np.argmax(scores >= best - tolerance, axis=1).astype(np.int64)


def saliency_windows(saliency, width: int = WIDTH) -> np.ndarray:
    """Start of the contiguous window with the highest summed saliency, per sequence.

    Parameters
    ----------
    saliency : array (N, L), or (N, 4, L)
        Per-position saliency. A ``(N, 4, L)`` map (``|gradient| x input``,
        non-zero only on each position's base) is summed over the letters.
    width : int
        Window length (9 in the paper).

    Returns
    -------
    numpy.ndarray of int64, (N,)
        ``s`` maximising ``saliency[n, s:s + width].sum()``, leftmost on ties;
        ``0 <= s <= L - width``.
    """
    saliency = _numpy(saliency, "saliency")
    if saliency.ndim == 3:
        if saliency.shape[1] != 4:
            raise InputError(f"a 3-D saliency map must be (N, 4, L), got shape {saliency.shape}")
        saliency = saliency.sum(axis=1)
    if saliency.ndim != 2:
        raise InputError(f"saliency must be (N, L), got shape {saliency.shape}")
    sums = window_sums(saliency, width)
    return _leftmost_argmax(sums, np.abs(saliency).sum(axis=1))


def temporal_rise(temporal, width: int = WIDTH, prior: float | None = PRIOR,
                  direction: str = "forward") -> np.ndarray:
    """How much the temporal output rises across each window: ``(N, L)`` -> ``(N, L - width + 1)``.

    Forward: ``forward[n, i]`` is the model's P(positive) on the prefix
    ``X[n, :, :i + 1]`` (positions 0..i, 0-based). Reading the window
    ``[s, s + width)`` moves the output from ``forward[s - 1]`` (the prefix
    before the window) to ``forward[s + width - 1]`` (the prefix ending with it),
    so the rise is ``forward[s + width - 1] - forward[s - 1]``.

    Backward: ``backward[n, i]`` is P(positive) on the suffix ``X[n, :, i:]``,
    read right to left, so the window ``[s, s + width)`` moves the output from
    ``backward[s + width]`` to ``backward[s]``; the rise is
    ``backward[s] - backward[s + width]``.

    The window at the edge where reading starts (``s = 0`` forward,
    ``s = L - width`` backward) has no output before it. By default
    (``prior=None``) its rise is ``-inf``, so it is never chosen unless it is the
    only window: only changes between two outputs the model really gave count.
    An invented starting value (``prior``, e.g. 0.5) makes that window compete
    with a made-up baseline; on the real data it then drew 12–69 of 500 windows
    (about 5 expected) for 11 of 12 mean-pooled models, whose outputs on a few
    bases sit well away from 0.5.
    """
    temporal = _numpy(temporal, "temporal output")
    if temporal.ndim != 2:
        raise InputError(f"temporal output must be (N, L), got shape {temporal.shape}")
    n, length = temporal.shape
    width = _check_width(width, length)
    # Without a prior the edge window is computed against a placeholder and then
    # marked unscorable.
    prior_column = np.full((n, 1), 0.0 if prior is None else float(prior))
    if direction == "forward":
        padded = np.concatenate([prior_column, temporal], axis=1)  # padded[k] = forward[k - 1]
        rise, edge = padded[:, width:] - padded[:, :-width], 0
    elif direction == "backward":
        padded = np.concatenate([temporal, prior_column], axis=1)  # padded[L] = prior
        rise, edge = padded[:, :-width] - padded[:, width:], -1
    else:
        raise InputError(f"direction must be 'forward' or 'backward', got {direction!r}")
    if prior is None:
        rise[:, edge] = -np.inf
    return rise


def temporal_windows(temporal, width: int = WIDTH, prior: float | None = PRIOR,
                     direction: str = "forward") -> np.ndarray:
    """Start of the window where the temporal output rises most, per sequence.

    The paper takes "the length-9 subsequence that obtains the strongest score
    change from negative to positive output score". Here that is the window
    ``[s, s + width)`` maximising the rise of the output across it (see
    :func:`temporal_rise`): for the forward output
    ``forward[s + width - 1] - forward[s - 1]``, ``1 <= s`` (the first window
    has no output before it, unless a ``prior`` is given).
    The rise is measured on P(positive), whose negative/positive boundary is
    0.5, so the largest rise is the strongest move towards "positive"; a window
    is chosen even when no window crosses 0.5 (filter on
    :func:`temporal_rise` to drop those). When the output jumps at a single
    position ``j`` every window containing ``j`` rises about equally and the
    leftmost tie wins, so the window ends at ``j``: the motif whose last base,
    once read, switches the forward model to positive. Ties within
    ``1e-10`` go to the leftmost window.

    Parameters
    ----------
    temporal : array (N, L)
        Forward (or, with ``direction="backward"``, backward) temporal output:
        P(positive) on each prefix (suffix).
    width : int
        Window length (9 in the paper).
    prior : float or None
        An output to assume before any base is read; None (the default): none,
        and the first window is not scored.
    direction : {"forward", "backward"}

    Returns
    -------
    numpy.ndarray of int64, (N,)
        ``1 <= s <= L - width`` forward, ``0 <= s <= L - width - 1`` backward
        (0 if ``L == width``), without a ``prior``.
    """
    rise = temporal_rise(temporal, width, prior, direction)
    return _leftmost_argmax(rise, np.ones(rise.shape[0]))


def window_matrices(X, starts, width: int = WIDTH) -> np.ndarray:
    """Cut one window per sequence out of one-hot sequences.

    Parameters
    ----------
    X : array or tensor (N, 4, L)
    starts : int array (N,)
        Window starts; clipped to ``[0, L - width]`` so that every window lies
        inside its sequence.
    width : int

    Returns
    -------
    numpy.ndarray (N, 4, width)
        ``X[n, :, s_n:s_n + width]``, in X's dtype (float64 for a tensor).
    """
    if hasattr(X, "detach"):
        X = X.detach().cpu().numpy()
    X = np.asarray(X)
    if X.ndim != 3 or X.shape[1] != 4:
        raise InputError(f"sequences must be (N, 4, L), got shape {X.shape}")
    n, _, length = X.shape
    width = _check_width(width, length)
    starts = np.asarray(starts)
    if starts.shape != (n,):
        raise InputError(f"expected {n} window starts, got shape {starts.shape}")
    starts = np.clip(starts.astype(np.int64), 0, length - width)
    columns = starts[:, None] + np.arange(width)[None, :]  # (N, width)
    return np.take_along_axis(X, np.broadcast_to(columns[:, None, :], (n, 4, width)), axis=2)


def aggregate_pfm(windows) -> np.ndarray:
    """Column frequencies of aligned windows: ``(N, 4, w)`` -> ``(4, w)`` probabilities.

    The windows are summed and each column divided by its total; a column with
    no base at all (every window ``N`` there) is uniform.
    """
    windows = _numpy(windows, "windows")
    if windows.ndim != 3 or windows.shape[1] != 4 or windows.shape[0] == 0:
        raise InputError(f"windows must be a non-empty (N, 4, width) array, got shape {windows.shape}")
    return as_probabilities(windows.sum(axis=0), what="aggregate of the windows")


def information_content(matrix) -> np.ndarray:
    """Information content (bits) of each column of a ``(4, L)`` matrix against a uniform background.

    ``2 + sum_b p_b log2 p_b`` after normalising each column to probabilities:
    0 for a uniform column, 2 for a certain one.
    """
    probabilities = as_probabilities(_numpy(matrix, "matrix"), what="matrix")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probabilities > 0, probabilities * np.log2(probabilities), 0.0)
    return 2.0 + terms.sum(axis=0)


def best_window(matrix, width: int = WIDTH) -> int:
    """Start of the most informative window of a class-optimization matrix.

    The class-optimized input is a ``(4, L)`` probability matrix (one column per
    position; see ``gdashboard.explain.classopt``). Its motif is the
    ``width``-wide window with the highest total information content
    (:func:`information_content`, bits against a uniform background): the
    window where the optimization committed most to particular bases. Leftmost
    on ties. Information content is what a sequence logo draws (the height of
    each letter stack), so the window is the tallest stretch of the
    class-optimization logo. Give non-negative values (e.g. the logo
    probabilities of ``gdashboard.explain.classopt``); columns are normalised.

    Returns
    -------
    int
        ``0 <= start <= L - width``.
    """
    content = information_content(matrix)[None, :]
    sums = window_sums(content, width)
    return int(_leftmost_argmax(sums, np.abs(content).sum(axis=1))[0])
