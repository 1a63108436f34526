"""Attribution against ground truth: how well per-position scores find planted motifs.

On simulated data (:mod:`gdashboard.data.simulate`) the positions of the planted
sites are known (:func:`gdashboard.data.simulate.planted_mask`). Each attribution
method is turned into one score per position (:func:`position_scores`), and for
each sequence the AUROC of that score at planted positions against all other
positions is computed (:func:`attribution_auroc`): 1 when every planted base
outranks every background base, 0.5 for chance, 0 for the reverse.

The methods are the registry's with a score per position
(:func:`gdashboard.methods.score_methods`), each turned into one score per position by
its record's ``score`` rule (:func:`gdashboard.methods.position_score`), all explaining
``S+`` (the positive logit by default, as in the other explainers):

``saliency``
    ``|∂S+/∂X ⊙ X|`` summed over channels: the gradient's magnitude at the present
    base. Unsigned.
``gradient_x_input``
    ``∂S+/∂X ⊙ X`` summed over channels: the saliency with its sign kept.
``integrated_gradients``, ``deeplift``
    The attribution of the present base (integrated gradients from the all-zero
    baseline; DeepLIFT/SHAP against 20 dinucleotide-shuffled references, which has no
    rule for an LSTM). Signed.
``ism``
    Minus the mean change of ``S+`` over the substitutions of a position (the three
    other bases; all four at an ``N``): how much mutating the base lowers ``S+``. Signed.
``temporal`` (recurrent models only)
    ``|Δforward| + |Δbackward|`` from the temporal output scores, with
    ``Δforward[t] = forward[t] - forward[t-1]`` (``forward[-1] = 0.5``) and
    ``Δbackward[t] = backward[t] - backward[t+1]`` (``backward[L] = 0.5``): how much the
    prefix / suffix probability moves when position ``t`` is added. Unsigned.

A method whose record ``requires`` a capability the model lacks, or ``refuses`` one it
has, raises ValueError (:func:`gdashboard.explain.run.applicable_methods` lists those a
model can have). The signed scores are ranked as they are: positions that lower ``S+``
rank below neutral ones.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from gdashboard.data.onehot import check_one_hot
from gdashboard.explain.run import explain
from gdashboard.methods import get_method, position_score, score_methods

METHODS = score_methods()


def position_scores(method: str, model: nn.Module, X, *, options=None, progress: bool = False) -> np.ndarray:
    """One attribution score per position, shape ``(N, L)`` float32 (see the module's list).

    Parameters
    ----------
    method : one of :data:`METHODS` (or an alias)
    model : torch.nn.Module
        Takes one-hot ``(N, 4, L)`` and returns ``(N, 2)`` logits.
    X : torch.Tensor or numpy.ndarray, shape ``(N, 4, L)``, one-hot
    options : the method's options (its dataclass, a dict of some of them, or None for
        its defaults), as for :func:`gdashboard.explain.run.explain`.
    progress : bool

    Raises
    ------
    ValueError
        For an unknown method or one without a score per position, an option the
        method lacks, an ``X`` that is not ``(N, 4, L)``, or a model the method cannot
        explain (``temporal`` of a model that is not recurrent, ``deeplift`` of one that is).
    """
    record = get_method(method)
    if record.score is None:
        raise ValueError(f"{record.name} gives no score per position; choose one of {', '.join(METHODS)}")
    X = check_one_hot(X)
    arrays = explain(model, X, record.name, options, progress=progress)
    return position_score(record, arrays, X.numpy())


def attribution_auroc(scores, mask) -> np.ndarray:
    """Per-row AUROC of ``scores`` at ``mask`` positions against the other positions.

    Vectorised with average ranks (ties count one half, as in
    ``sklearn.metrics.roc_auc_score``): ``(Σ ranks of positives - P(P+1)/2) / (P·Q)``
    with ``P`` planted and ``Q`` other positions of the row.

    Parameters
    ----------
    scores : array-like, shape ``(N, L)``
    mask : array-like of bool, shape ``(N, L)``, True at planted positions

    Returns
    -------
    numpy.ndarray of float64, shape ``(N,)``; NaN for a row without both classes.
    """
    from scipy.stats import rankdata

    scores = np.asarray(scores.detach().cpu() if isinstance(scores, torch.Tensor) else scores, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    if scores.ndim != 2 or scores.shape != mask.shape:
        raise ValueError(f"scores and mask must be 2-D of one shape, got {scores.shape} and {mask.shape}")
    ranks = rankdata(scores, axis=1)
    n_pos = mask.sum(axis=1).astype(np.float64)
    n_neg = mask.shape[1] - n_pos
    u = (ranks * mask).sum(axis=1) - n_pos * (n_pos + 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        auroc = u / (n_pos * n_neg)
    auroc[(n_pos == 0) | (n_neg == 0)] = np.nan
    return auroc


def mean_auroc(aurocs) -> dict:
    """``mean``, ``sd`` (ddof 1), ``median`` and ``n`` over the rows that have an AUROC."""
    values = np.asarray(aurocs, dtype=np.float64)
    values = values[np.isfinite(values)]
    n = len(values)
    return {
        "mean": float(values.mean()) if n else float("nan"),
        "sd": float(values.std(ddof=1)) if n > 1 else float("nan"),
        "median": float(np.median(values)) if n else float("nan"),
        "n": int(n),
    }
