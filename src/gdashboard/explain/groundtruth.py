"""Attribution against ground truth: how well per-position scores find planted motifs.

On simulated data (:mod:`gdashboard.data.simulate`) the positions of the planted
sites are known (:func:`gdashboard.data.simulate.planted_mask`). Each attribution
method is turned into one score per position (:func:`position_scores`), and for
each sequence the AUROC of that score at planted positions against all other
positions is computed (:func:`attribution_auroc`): 1 when every planted base
outranks every background base, 0.5 for chance, 0 for the reverse.

Per-position scores (``S+`` is the positive logit, as in the other explainers)
-------------------------------------------------------------------------------
``saliency``
    ``|∂S+/∂X ⊙ X|`` summed over channels (:func:`~gdashboard.explain.saliency.saliency_map`):
    the gradient's magnitude at the present base. Unsigned.
``gradient_x_input``
    ``∂S+/∂X ⊙ X`` summed over channels: the signed gradient at the present base
    (positive where a larger weight on that base raises ``S+``). It is the
    saliency with its sign kept.
``integrated_gradients``
    Integrated gradients from the all-zero baseline summed over channels
    (:func:`~gdashboard.explain.attribution.integrated_gradients`). Signed.
``deeplift`` (non-recurrent models only)
    DeepLIFT/SHAP against 20 dinucleotide-shuffled references, summed over
    channels (:func:`~gdashboard.explain.attribution.deep_lift_shap`): it has no
    rule for an LSTM. Signed.
``ism``
    Minus the mean change of ``S+`` over the substitutions of a position (the
    three other bases; all four at an ``N``)
    (:func:`~gdashboard.explain.ism.in_silico_mutagenesis`): how much mutating the
    base lowers ``S+``. Signed.
``temporal`` (recurrent models only)
    ``|Δforward| + |Δbackward|`` from the temporal output scores
    (:func:`~gdashboard.explain.temporal.temporal_output_scores`), with
    ``Δforward[t] = forward[t] - forward[t-1]`` (``forward[-1] = 0.5``) and
    ``Δbackward[t] = backward[t] - backward[t+1]`` (``backward[L] = 0.5``): how
    much the prefix / suffix probability moves when position ``t`` is added.
    Unsigned, since a change either way marks a position the model reads.

The signed scores are ranked as they are: positions that lower ``S+`` rank
below neutral ones.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from gdashboard.data.onehot import check_one_hot

METHODS = ("saliency", "gradient_x_input", "integrated_gradients", "deeplift", "ism", "temporal")
RECURRENT_ONLY = ("temporal",)
NON_RECURRENT_ONLY = ("deeplift",)


def position_scores(
    method: str, model: nn.Module, X, *, target: str = "logit", n_steps: int = 50, batch_size: int | None = None
) -> np.ndarray:
    """One attribution score per position, shape ``(N, L)`` float32 (see the module's list).

    Parameters
    ----------
    method : one of :data:`METHODS`
    model : torch.nn.Module
        Takes one-hot ``(N, 4, L)`` and returns ``(N, 2)`` logits; ``temporal``
        needs a :class:`~gdashboard.models.rnn.RecurrentNet`.
    X : torch.Tensor or numpy.ndarray, shape ``(N, 4, L)``, one-hot
    target : str
        The explained score for the gradient and ISM methods (see
        :func:`gdashboard.explain.common.score`); ``temporal`` always uses ``P(+)``.
    n_steps : int
        Integrated-gradient path points.
    batch_size : int, optional
        Passed on to the underlying explainer (its own default when None).

    Raises
    ------
    ValueError
        For an unknown method or target, an ``X`` that is not ``(N, 4, L)``, or
        ``temporal`` on a model that is not recurrent, or ``deeplift`` on one that is.
    """
    X = check_one_hot(X)
    extra = {} if batch_size is None else {"batch_size": batch_size}
    if method in ("saliency", "gradient_x_input"):
        from gdashboard.explain.saliency import saliency_map

        saliency, gradient = saliency_map(model, X, target=target, **extra)
        if method == "saliency":
            return saliency.astype(np.float32)
        return (gradient * X.numpy()).sum(axis=1).astype(np.float32)
    if method == "integrated_gradients":
        from gdashboard.explain.attribution import integrated_gradients

        attribution = integrated_gradients(model, X, n_steps=n_steps, target=target, **extra)
        return attribution.sum(axis=1).astype(np.float32)
    if method == "deeplift":
        from gdashboard.explain.attribution import deep_lift_shap

        return deep_lift_shap(model, X, target=target, **extra).sum(axis=1).astype(np.float32)
    if method == "ism":
        from gdashboard.explain.ism import in_silico_mutagenesis

        effect = in_silico_mutagenesis(model, X, target=target, **extra)
        # Substitutions per position: every channel not exactly 1 (3 at a base, 4 at an N).
        n_subs = (X.numpy() != 1).sum(axis=1)
        return (-effect.sum(axis=1) / np.maximum(n_subs, 1)).astype(np.float32)
    if method == "temporal":
        from gdashboard.explain.temporal import temporal_output_scores

        forward, backward = temporal_output_scores(model, X, **extra)
        half = np.full((len(forward), 1), 0.5, np.float32)
        d_forward = np.diff(forward, axis=1, prepend=half)
        d_backward = -np.diff(backward, axis=1, append=half)
        return (np.abs(d_forward) + np.abs(d_backward)).astype(np.float32)
    raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")


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
