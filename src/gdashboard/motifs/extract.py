"""The paper's motif-extraction rules (Section 4, "Visualization Evaluation").

From each positive test sequence a length-9 subsequence is taken as the
sequence's motif and compared with JASPAR using Tomtom:

1. Saliency: the contiguous length-9 window with the highest sum of saliency
   (:func:`saliency_windows`).
2. Temporal output: the length-9 window read as the forward temporal output
   takes its largest step up, i.e. where the model's score changes most "from
   negative to positive" (:func:`temporal_windows`; the exact rule is
   documented there).
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
import torch

from gdashboard.data.onehot import check_one_hot
from gdashboard.errors import InputError
from gdashboard.motifs.meme import as_probabilities

WIDTH = 9
_TIE = 1e-10


def _numpy(array, name: str) -> np.ndarray:
    if hasattr(array, "detach"):  # a torch tensor
        array = array.detach().cpu().numpy()
    array = np.asarray(array, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name} holds a non-finite value")
    return array


def _one_hot(X, name: str, **options) -> np.ndarray:
    """:func:`~gdashboard.data.onehot.check_one_hot` as a numpy array, its ValueError an InputError."""
    try:
        return check_one_hot(X, name=name, **options).numpy()
    except ValueError as error:
        raise InputError(str(error)) from None


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


def temporal_steps(temporal, direction: str = "forward") -> np.ndarray:
    """How much the temporal output rises with each base read: ``(N, L)`` -> ``(N, L)``.

    Forward, ``forward[n, t] - forward[n, t - 1]``: the change when the prefix
    grows by base ``t``; backward, ``backward[n, t] - backward[n, t + 1]``: the
    change when the suffix grows leftwards by base ``t``. The first output read
    (``t = 0`` forward, ``t = L - 1`` backward) has no output before it and gets
    ``-inf``: only changes between two outputs the model really gave count, no
    invented starting value.
    """
    temporal = _numpy(temporal, "temporal output")
    if temporal.ndim != 2:
        raise InputError(f"temporal output must be (N, L), got shape {temporal.shape}")
    steps = np.full(temporal.shape, -np.inf)
    if direction == "forward":
        steps[:, 1:] = temporal[:, 1:] - temporal[:, :-1]
    elif direction == "backward":
        steps[:, :-1] = temporal[:, :-1] - temporal[:, 1:]
    else:
        raise InputError(f"direction must be 'forward' or 'backward', got {direction!r}")
    return steps


def temporal_windows(temporal, width: int = WIDTH, direction: str = "forward", reach=None) -> np.ndarray:
    """Start of the window read as the temporal output takes its largest step up, per sequence.

    The paper takes "the length-9 subsequence that obtains the strongest score
    change from negative to positive output score". Here: find the base ``t``
    whose reading raises the forward output most (:func:`temporal_steps`; the
    leftmost on ties) and take the ``width`` bases that end with the last base
    the model has then read, ``[reach[t] - width + 1, reach[t]]``, clipped to
    the sequence: the motif whose last base, once read, switches the model
    towards positive. Backward, the window starts with the first base read,
    ``[reach[t], reach[t] + width - 1]``.

    ``reach`` matters for a CNN-RNN: its convolutions let the output at ``t``
    read a few bases past ``t`` (4 for ``small-cnn-rnn``; see
    :func:`gdashboard.explain.temporal.input_spans`); for a plain RNN it is
    ``t`` itself (the default).

    Why not the window across which the output rises most
    (``forward[s + width - 1] - forward[s - 1]``, the rule until extraction
    version 2): a mean-pooled model's prefix output keeps creeping up for many
    bases after the one that switched it (each later step adds to the mean), so
    that rule favours the window that *starts* at the switch, after the motif.
    On the simulated data, whose planted sites are known, it put 3.2 of 9 window
    bases on planted sites for small-rnn against 7.0 for this rule; for the
    CNN-RNNs it did somewhat better than this rule (small-cnn-rnn 6.2 against
    5.8, large-cnn-rnn 3.6 against 2.3; ``benchmarks/temporal_rule_groundtruth.py``,
    BENCHMARKS.md#temporal-rule).

    Parameters
    ----------
    temporal : array (N, L)
        Forward (or, with ``direction="backward"``, backward) temporal output:
        P(positive) on each prefix (suffix).
    width : int
        Window length (9 in the paper).
    direction : {"forward", "backward"}
    reach : int array (L,), optional
        Per position, the last (forward) or first (backward) input position the
        output there has read; by default the position itself.

    Returns
    -------
    numpy.ndarray of int64, (N,)
    """
    steps = temporal_steps(temporal, direction)
    length = steps.shape[1]
    width = _check_width(width, length)
    reach = np.arange(length) if reach is None else np.asarray(reach, dtype=np.int64)
    if reach.shape != (length,) or np.any(np.diff(reach) < 0) or reach.min() < 0 or reach.max() >= length:
        raise InputError(f"reach must be a non-decreasing array of {length} positions in the sequence")
    if length == 1:
        return np.zeros(steps.shape[0], dtype=np.int64)
    # Positions that read no base the position before them had not read (inside
    # a pooled step of large-cnn-rnn, where the outputs are equal by
    # construction) are no step: their exact 0 would otherwise win whenever the
    # output never rises.
    if direction == "forward":
        steps[:, 1:][:, reach[1:] == reach[:-1]] = -np.inf
    else:
        steps[:, :-1][:, reach[:-1] == reach[1:]] = -np.inf
    switch = reach[_leftmost_argmax(steps, np.ones(steps.shape[0]))]
    starts = switch - (width - 1) if direction == "forward" else switch
    return np.clip(starts, 0, length - width).astype(np.int64)


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
        ``X[n, :, s_n:s_n + width]``, in X's dtype.
    """
    X = _one_hot(X, "sequences", dtype=None, min_length=0)  # the width check covers the length
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
    windows = _one_hot(windows, "windows", dtype=torch.float64)
    if windows.shape[0] == 0:
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
