"""Saliency maps (Simonyan et al. 2013, as the paper uses them) and shared helpers.

The saliency map of a sequence ``X0`` is ``|w ⊙ X0|`` summed over the four
channels, with ``w = ∂S+/∂X`` at ``X0`` and ``S+`` the positive class's score
before the softmax (its logit). Because ``X0`` is one-hot, this is the magnitude
of the gradient at the base that is actually there, one value per position.

The helpers here (the score, the model's device and mode, input conversion) are
shared with :mod:`gdashboard.explain.ism` and
:mod:`gdashboard.explain.attribution` so that the three methods explain exactly
the same quantity.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from torch import nn

from gdashboard.parallel import for_each_batch

TARGETS = ("logit", "log_odds", "probability")
POSITIVE = 1


def score(logits: torch.Tensor, target: str = "logit") -> torch.Tensor:
    """The explained score ``S+`` of each sequence from the model's ``(N, 2)`` logits.

    Parameters
    ----------
    logits : torch.Tensor, shape ``(N, 2)``
    target : {"logit", "log_odds", "probability"}
        ``"logit"``: the positive logit (the paper's class score before the
        softmax). ``"log_odds"``: positive minus negative logit, which equals
        ``log(p+ / p-)``. ``"probability"``: the softmax probability ``p+``.

    Returns
    -------
    torch.Tensor, shape ``(N,)``
    """
    if target == "logit":
        return logits[:, POSITIVE]
    if target == "log_odds":
        return logits[:, POSITIVE] - logits[:, 1 - POSITIVE]
    if target == "probability":
        return torch.softmax(logits, dim=1)[:, POSITIVE]
    raise ValueError(f"target must be one of {', '.join(TARGETS)}, got {target!r}")


def check_target(target: str) -> None:
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}, got {target!r}")


def as_input(X) -> torch.Tensor:
    """``X`` as a float32 CPU tensor of shape ``(N, 4, L)`` (numpy arrays accepted)."""
    X = torch.as_tensor(X)
    if X.ndim != 3 or X.shape[1] != 4:
        raise ValueError(f"X must have shape (N, 4, L), got {tuple(X.shape)}")
    return X.detach().to("cpu", torch.float32)


def model_device(model: nn.Module) -> torch.device:
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


def is_recurrent(model: nn.Module) -> bool:
    return any(isinstance(module, nn.RNNBase) for module in model.modules())


@contextlib.contextmanager
def evaluating(model: nn.Module):
    """Put ``model`` in eval mode, then restore every submodule's own mode.

    Each submodule's flag is saved, not just the top one, so that a model that
    came in with mixed modes leaves exactly as it came.
    """
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for module, training in modes:
            module.training = training


@contextlib.contextmanager
def frozen(model: nn.Module):
    """Stop the parameters requiring gradients for a while, then restore each flag.

    Only the input gradient is wanted; with the parameters out of the graph,
    autograd neither records nor saves what their gradients would need, which
    makes the forward and backward passes about 5% faster on the CPU.
    """
    flags = [(parameter, parameter.requires_grad) for parameter in model.parameters()]
    try:
        for parameter, _ in flags:
            parameter.requires_grad_(False)
        yield model
    finally:
        for parameter, flag in flags:
            parameter.requires_grad_(flag)


def backward_context(model: nn.Module, device: torch.device):
    """A context in which a backward pass through ``model`` in eval mode works.

    cuDNN's RNN backward refuses to run in eval mode, and switching to train
    mode would turn dropout on; cuDNN is disabled instead (the native LSTM
    kernels give the same gradients). Nothing is needed on the CPU.
    """
    if device.type == "cuda" and is_recurrent(model):
        return torch.backends.cudnn.flags(enabled=False)
    return contextlib.nullcontext()


def progress_range(start: int, stop: int, step: int, progress: bool, desc: str):
    if not progress:
        return range(start, stop, step)
    from tqdm import trange

    return trange(start, stop, step, desc=desc)


def input_gradient(model: nn.Module, X: torch.Tensor, target: str) -> torch.Tensor:
    """``∂S+/∂X`` for one batch already on the model's device, without parameter grads.

    ``torch.autograd.grad`` with the input as its only ``inputs`` computes no
    parameter gradients, so ``.grad`` of the parameters is never touched.
    """
    X = X.detach().requires_grad_(True)
    with torch.enable_grad():
        S = score(model(X), target)
        (gradient,) = torch.autograd.grad(S.sum(), X)
    return gradient


def saliency_map(model: nn.Module, X, target: str = "logit", batch_size: int = 64,
                 progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The saliency map of each sequence and the signed input gradient.

    Parameters
    ----------
    model : torch.nn.Module
        Takes one-hot ``(N, 4, L)`` float32 in ACGT order and returns ``(N, 2)``
        logits. It is run in eval mode; its modes are restored afterwards.
    X : torch.Tensor or numpy.ndarray, shape ``(N, 4, L)``
        One-hot sequences (an all-zero column is an ``N``).
    target : {"logit", "log_odds", "probability"}
        The score ``S+`` to differentiate (see :func:`score`).
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
    """
    check_target(target)
    X = as_input(X)
    device = model_device(model)
    gradient = torch.empty_like(X)

    def one_batch(start: int, stop: int) -> None:
        gradient[start:stop] = input_gradient(model, X[start:stop].to(device), target).cpu()

    with evaluating(model), frozen(model), backward_context(model, device):
        for_each_batch(one_batch, len(X), batch_size, device, progress, "saliency")
    saliency = (gradient * X).abs().sum(dim=1)
    return saliency.numpy(), gradient.numpy()
