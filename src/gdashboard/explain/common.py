"""What the explainers share: the explained score, the model's device, its mode, autograd.

* :func:`score` / :func:`check_target` — the score ``S+`` that saliency, ISM,
  integrated gradients, DeepLIFT and the ground-truth scores explain, so that
  they all explain exactly the same quantity.
* :func:`model_device`, :func:`model_device_dtype` — where the model lives; what it
  is comes from :func:`gdashboard.models.capabilities.model_capabilities`.
* :func:`evaluating` — eval mode (dropout off) for a while, every submodule's
  own mode restored afterwards; :func:`frozen` — the same plus the parameters'
  ``requires_grad`` off, every flag restored afterwards: the context of any
  method that differentiates with respect to the input only.
* :func:`backward_context` — lets a backward pass run through a recurrent model
  in eval mode on CUDA; :func:`input_gradient` — ``∂S+/∂X`` of one batch.
* :func:`progress_range` — a range, with a progress bar when asked.
* :func:`batch_option` — a method's ``batch_size`` option as keyword arguments.

Input arrays are checked with :func:`gdashboard.data.onehot.check_one_hot`.
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn

from gdashboard.methods import SCORE_TARGETS
from gdashboard.models.capabilities import model_capabilities

TARGETS = SCORE_TARGETS
# The positive class is column 1 of the models' (N, 2) logits.
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
    """A ValueError unless ``target`` is one of :data:`TARGETS`."""
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}, got {target!r}")


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (the CPU for a model without any)."""
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


def model_device_dtype(model: nn.Module) -> tuple[torch.device, torch.dtype]:
    """Device and dtype of the model's first floating-point parameter (CPU, float32 without one)."""
    for tensor in model.parameters():
        if tensor.is_floating_point():
            return tensor.device, tensor.dtype
    return torch.device("cpu"), torch.float32


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
    """Eval mode and ``requires_grad=False`` on every parameter; every mode and flag restored on exit.

    For methods that differentiate with respect to the input only: with the
    parameters out of the graph, autograd neither records nor saves what their
    gradients would need (the passes run about 5% faster on the CPU), and no
    ``.grad`` of a parameter is ever written. The modes are restored as by
    :func:`evaluating`; a parameter the caller had frozen stays frozen.
    """
    flags = [(parameter, parameter.requires_grad) for parameter in model.parameters()]
    with evaluating(model):
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
    if device.type == "cuda" and "recurrent" in model_capabilities(model):
        return torch.backends.cudnn.flags(enabled=False)
    return contextlib.nullcontext()


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


def progress_range(start: int, stop: int, step: int, progress: bool, desc: str):
    """``range(start, stop, step)``, with a tqdm progress bar named ``desc`` when ``progress``."""
    if not progress:
        return range(start, stop, step)
    from tqdm import trange

    return trange(start, stop, step, desc=desc)


def batch_option(options) -> dict:
    """``{"batch_size": n}`` from a method's options, or ``{}`` for the function's own default (None)."""
    batch_size = getattr(options, "batch_size", None)
    return {} if batch_size is None else {"batch_size": batch_size}
