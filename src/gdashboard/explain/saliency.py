"""Saliency maps (Simonyan et al. 2013, as the paper uses them).

The saliency map of a sequence ``X0`` is ``|w ⊙ X0|`` summed over the four
channels, with ``w = ∂S+/∂X`` at ``X0`` and ``S+`` the positive class's score
before the softmax (its logit). Because ``X0`` is one-hot, this is the magnitude
of the gradient at the base that is actually there, one value per position.

The score ``S+`` and the input gradient come from
:mod:`gdashboard.explain.common`, which :mod:`gdashboard.explain.ism` and
:mod:`gdashboard.explain.attribution` use too, so that the methods explain
exactly the same quantity.

Registry functions (:mod:`gdashboard.methods`): :func:`explain_saliency` (``saliency``,
``gradient``), :func:`explain_gradient_x_input` (``attribution``: the gradient times the
one-hot input) and :func:`hypothetical_saliency` (TF-MoDISco's hypothetical contributions).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from gdashboard.data.onehot import check_one_hot
from gdashboard.explain.common import (
    backward_context,
    batch_option,
    check_target,
    frozen,
    input_gradient,
    model_device,
)
from gdashboard.parallel import for_each_batch


def saliency_map(
    model: nn.Module, X, target: str = "logit", batch_size: int = 64, progress: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The saliency map of each sequence and the signed input gradient.

    Parameters
    ----------
    model : torch.nn.Module
        Takes one-hot ``(N, 4, L)`` float32 in ACGT order and returns ``(N, 2)``
        logits. It is run in eval mode; its modes are restored afterwards.
    X : torch.Tensor or numpy.ndarray, shape ``(N, 4, L)``
        One-hot sequences (an all-zero column is an ``N``).
    target : {"logit", "log_odds", "probability"}
        The score ``S+`` to differentiate (see :func:`gdashboard.explain.common.score`).
    batch_size : int
        Sequences per forward/backward pass; the result does not depend on it
        beyond floating-point rounding. On a multi-core CPU the batches run
        side by side (:mod:`gdashboard.parallel`), so a few batches per
        core keep every core busy.
    progress : bool
        Show a progress bar.

    Returns
    -------
    saliency : numpy.ndarray, float32, shape ``(N, L)``
        ``|w ⊙ X|`` summed over the channels: the gradient's magnitude at the
        base that is present (0 at an ``N``).
    gradient : numpy.ndarray, float32, shape ``(N, 4, L)``
        The signed gradient ``w = ∂S+/∂X`` at ``X``.

    Raises
    ------
    ValueError
        For an unknown target or an ``X`` that is not ``(N, 4, L)``.
    """
    check_target(target)
    X = check_one_hot(X)
    device = model_device(model)
    gradient = torch.empty_like(X)

    def one_batch(start: int, stop: int) -> None:
        gradient[start:stop] = input_gradient(model, X[start:stop].to(device), target).cpu()

    with frozen(model), backward_context(model, device):
        for_each_batch(one_batch, len(X), batch_size, device, progress, "saliency")
    saliency = (gradient * X).abs().sum(dim=1)
    return saliency.numpy(), gradient.numpy()


def explain_saliency(model: nn.Module, X, options, progress: bool = False) -> dict:
    """``saliency`` (N, L) and the signed ``gradient`` (N, 4, L) (:func:`saliency_map`), for
    :class:`gdashboard.methods.SaliencyOptions`."""
    saliency, gradient = saliency_map(model, X, target=options.target, progress=progress, **batch_option(options))
    return {"saliency": saliency, "gradient": gradient}


def explain_gradient_x_input(model: nn.Module, X, options, progress: bool = False) -> dict:
    """``attribution`` (N, 4, L): the input gradient times the one-hot input (0 but at the
    present base), for :class:`gdashboard.methods.SaliencyOptions`."""
    X = check_one_hot(X)
    _, gradient = saliency_map(model, X, target=options.target, progress=progress, **batch_option(options))
    return {"attribution": (gradient * X.numpy()).astype(np.float32)}


def hypothetical_saliency(model: nn.Module, X, options, progress: bool = False) -> np.ndarray:
    """Hypothetical contributions ``(N, 4, L)`` float32: the input gradient minus its mean
    over the four bases at each position."""
    _, gradient = saliency_map(model, X, target=options.target, progress=progress, **batch_option(options))
    return (gradient - gradient.mean(axis=1, keepdims=True)).astype(np.float32)
