"""Gradient-corrected saliency (Majdandzic & Koo 2022, "Correcting gradient-based
interpretations of deep neural networks for genomics", Genome Biology 24:109).

A network trained on one-hot DNA only ever sees inputs on the simplex (one 1 per
position), so the part of its input gradient that points off the simplex — the same
amount added to all four bases at a position — is unconstrained by the data and is
noise in a saliency map. The correction removes it: at every position the gradient
minus its mean over the four bases,

    g̃[b, t] = ∂S+/∂X[b, t] − ¼ Σ_b' ∂S+/∂X[b', t],

and the attribution is ``g̃ ⊙ X`` (the corrected gradient at the base that is
present). ``S+`` and the gradient are :func:`~gdashboard.explain.saliency.saliency_map`'s,
so the corrected map explains exactly what the saliency map explains (the deployed
model, both strands' mean for a strand-averaged one). The corrected gradient itself is
the method's hypothetical contribution of every base, what TF-MoDISco reads.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from gdashboard.data.onehot import check_one_hot
from gdashboard.explain.saliency import saliency_map


def corrected_gradient(
    model: nn.Module, X, target: str = "logit", batch_size: int = 64, progress: bool = False
) -> np.ndarray:
    """The input gradient minus its mean over the four bases at each position, ``(N, 4, L)`` float32.

    Parameters and errors are :func:`~gdashboard.explain.saliency.saliency_map`'s.
    """
    _, gradient = saliency_map(model, X, target=target, batch_size=batch_size, progress=progress)
    return (gradient - gradient.mean(axis=1, keepdims=True)).astype(np.float32)


def explain_corrected_saliency(model, X, options, progress: bool = False) -> dict:
    """The registry's function: ``attribution`` = corrected gradient ⊙ X and the corrected
    ``gradient``, both ``(N, 4, L)``."""
    batch = {} if options.batch_size is None else {"batch_size": options.batch_size}
    gradient = corrected_gradient(model, X, target=options.target, progress=progress, **batch)
    return {"attribution": (gradient * check_one_hot(X).numpy()).astype(np.float32), "gradient": gradient}


def hypothetical_corrected_saliency(model, X, options, progress: bool = False) -> np.ndarray:
    """TF-MoDISco's hypothetical contributions: the corrected gradient of every base."""
    batch = {} if options.batch_size is None else {"batch_size": options.batch_size}
    return corrected_gradient(model, X, target=options.target, progress=progress, **batch)
