"""Models that average others: a network's two strands, and several seeds' networks.

A binding site reads the same on either strand, but a network trained on one strand of
each sequence need not score a sequence and its reverse complement alike. ``--rc-average``
(recorded in the run's ``config.json`` as ``rc_average``) makes it: the run's model is a
:class:`StrandAverage`, whose logits are the mean of the network's logits on the sequence
and on its reverse complement, so its log-odds are the mean of the two strands' log-odds.
A seed ensemble (``gdash ensemble``) is a :class:`SeedEnsemble`: the mean of its members'
logits, hence of their log-odds.

Explanations of such a model are those of its parts averaged (for the other strand, mapped
back to the forward strand first). Gradient methods (saliency, integrated gradients, class
optimisation) get that from autograd through the wrapper; :func:`averaged_explanation` does
it explicitly for the methods that look inside a network (in-silico mutagenesis's exact
shortcuts, DeepLIFT/SHAP, temporal output scores). The first-layer convolution windows
(``conv``) are a property of one network's filters: those of the forward strand and of the
first member.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn

from gdashboard.data.onehot import reverse_complement


class _Averaging(nn.Module):
    """Attributes a wrapper lacks (``lstm``, ``pooling``, ``first_convolution`` ...) are
    those of its first network, so code that reads a network's parts reads one network."""

    def first(self) -> nn.Module:
        raise NotImplementedError

    def parts(self) -> list[nn.Module]:
        raise NotImplementedError

    def capabilities(self) -> frozenset[str]:
        """``averaged``, and what every averaged network can be asked."""
        from gdashboard.models.capabilities import model_capabilities

        shared = frozenset.intersection(*(model_capabilities(part) for part in self.parts()))
        return shared | {"averaged"}

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.first(), name)


class StrandAverage(_Averaging):
    """``(network(X) + network(reverse_complement(X))) / 2``, logits ``(N, 2)``."""

    def __init__(self, network: nn.Module):
        super().__init__()
        self.network = network

    def first(self) -> nn.Module:
        return self._modules["network"]

    def parts(self) -> list[nn.Module]:
        return [self._modules["network"]]

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return 0.5 * (self.network(X) + self.network(reverse_complement(X)))


class SeedEnsemble(_Averaging):
    """The mean of the members' logits ``(N, 2)`` (so of their log-odds)."""

    def __init__(self, members: Sequence[nn.Module]):
        super().__init__()
        if len(members) < 2:
            raise ValueError("an ensemble needs at least two members")
        self.members = nn.ModuleList(members)

    def first(self) -> nn.Module:
        return self._modules["members"][0]

    def parts(self) -> list[nn.Module]:
        return list(self._modules["members"])

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return torch.stack([member(X) for member in self.members]).mean(0)


AVERAGED = (StrandAverage, SeedEnsemble)


def unwrap(model):
    """The first plain network inside averaging wrappers, or the model itself."""
    while isinstance(model, AVERAGED):
        model = model.first()
    return model


def averaged_explanation(explain_one: Callable, model, X, flip: Callable | None = None):
    """``explain_one(model, X)`` for a plain model; for a :class:`SeedEnsemble`, the mean over
    its members; for a :class:`StrandAverage`, the mean of ``explain_one(network, X)`` and of
    ``explain_one(network, reverse_complement(X))`` mapped back to the forward strand.

    ``explain_one`` returns one array or a tuple of arrays. The map back is
    :func:`gdashboard.data.onehot.reverse_complement` for ``(N, 4, L)`` arrays and a
    reversal of positions for ``(N, L)`` tracks, unless ``flip`` (taking and returning
    what ``explain_one`` returns) is given.
    """
    if isinstance(model, SeedEnsemble):
        return _mean([averaged_explanation(explain_one, member, X, flip) for member in model.members])
    if not isinstance(model, StrandAverage):
        return explain_one(model, X)
    X = torch.as_tensor(X)
    forward = averaged_explanation(explain_one, model.network, X, flip)
    other = averaged_explanation(explain_one, model.network, reverse_complement(X), flip)
    return _mean([forward, flip(other) if flip is not None else _map_back(other)])


def _map_back(value):
    if isinstance(value, tuple):
        return tuple(_map_back(v) for v in value)
    array = np.asarray(value)
    return np.ascontiguousarray(array[..., ::-1, ::-1] if array.ndim == 3 else array[..., ::-1])


def _mean(values: list):
    if isinstance(values[0], tuple):
        return tuple(_mean(list(parts)) for parts in zip(*values))
    first = np.asarray(values[0])
    return (np.sum([np.asarray(v) for v in values], axis=0) / len(values)).astype(first.dtype, copy=False)
