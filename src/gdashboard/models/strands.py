"""Both strands: a network whose score is the mean of its two strands' scores.

A binding site reads the same on either strand, but a network trained on one strand of
each sequence need not score a sequence and its reverse complement alike. ``--rc-average``
(recorded in the run's ``config.json`` as ``rc_average``) makes it: the run's model is a
:class:`StrandAverage`, whose logits are the mean of the network's logits on the sequence
and on its reverse complement, so its log-odds are the mean of the two strands' log-odds.

Explanations of such a model are those of both strands mapped back to the forward strand
and averaged. Gradient methods (saliency, integrated gradients, class optimisation) get
that from autograd through :class:`StrandAverage`; :func:`average_strands` does it
explicitly for the methods that look inside the network (in-silico mutagenesis's exact
shortcuts, DeepLIFT/SHAP, temporal output scores). The first-layer convolution windows
(``conv``) are a property of the filters and stay those of the forward strand.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch import nn

from gdashboard.data.onehot import reverse_complement


class StrandAverage(nn.Module):
    """``(network(X) + network(reverse_complement(X))) / 2``, logits ``(N, 2)``.

    Attributes the network has and this wrapper has not (``lstm``, ``pooling``,
    ``first_convolution`` ...) are the network's, so code that reads a network's parts
    reads the one network inside.
    """

    def __init__(self, network: nn.Module):
        super().__init__()
        self.network = network

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return 0.5 * (self.network(X) + self.network(reverse_complement(X)))

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(super().__getattr__("network"), name)


def unwrap(model):
    """The network inside a :class:`StrandAverage`, or the model itself."""
    return model.network if isinstance(model, StrandAverage) else model


def average_strands(explain_one: Callable, model, X, flip: Callable | None = None):
    """``explain_one(network, X)`` for a plain model; for a :class:`StrandAverage`, the mean
    of ``explain_one(network, X)`` and of ``explain_one(network, reverse_complement(X))``
    mapped back to the forward strand.

    ``explain_one`` returns one array or a tuple of arrays. The map back is
    :func:`gdashboard.data.onehot.reverse_complement` for ``(N, 4, L)`` arrays and a
    reversal of positions for ``(N, L)`` tracks, unless ``flip`` (taking and returning
    what ``explain_one`` returns) is given.
    """
    if not isinstance(model, StrandAverage):
        return explain_one(model, X)
    X = torch.as_tensor(X)
    forward = explain_one(model.network, X)
    other = explain_one(model.network, reverse_complement(X))
    mapped = flip(other) if flip is not None else _map_back(other)
    if isinstance(forward, tuple):
        return tuple(_mean(a, b) for a, b in zip(forward, mapped))
    return _mean(forward, mapped)


def _map_back(value):
    if isinstance(value, tuple):
        return tuple(_map_back(v) for v in value)
    array = np.asarray(value)
    return np.ascontiguousarray(array[..., ::-1, ::-1] if array.ndim == 3 else array[..., ::-1])


def _mean(a, b):
    a = np.asarray(a)
    return ((a + np.asarray(b)) / 2).astype(a.dtype, copy=False)
