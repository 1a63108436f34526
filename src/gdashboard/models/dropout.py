"""Dropout that reproduces from a seed when training shards run side by side.

:func:`gdashboard.train.fit` splits each batch into shards whose gradients are
computed in parallel threads (:mod:`gdashboard.parallel`). ``nn.Dropout`` draws
its masks from PyTorch's global generator, which threads would consume in an
unpredictable order, so training would no longer repeat from its seed. This
:class:`Dropout` draws from the generator that the current thread's shard was
given (:func:`shard_generator`) and behaves exactly as ``nn.Dropout`` otherwise
(outside a shard, in eval mode, or with ``p = 0``). It holds no state, so saved
weights load into either.
"""

from __future__ import annotations

import contextlib
import threading

import torch
from torch import nn

_current = threading.local()


@contextlib.contextmanager
def shard_generator(generator: torch.Generator | None):
    """Within this block (in this thread), :class:`Dropout` draws from ``generator``."""
    previous = getattr(_current, "generator", None)
    _current.generator = generator
    try:
        yield generator
    finally:
        _current.generator = previous


class Dropout(nn.Dropout):
    """``nn.Dropout`` whose masks come from the current shard's generator, if any."""

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        generator = getattr(_current, "generator", None)
        if generator is None or not self.training or self.p == 0:
            return super().forward(X)
        keep = 1.0 - self.p
        if keep == 0.0:
            return X * 0.0
        # As ATen's CPU dropout computes it (a Bernoulli mask divided by the
        # keep probability, then one product), from this shard's generator.
        mask = torch.empty_like(X).bernoulli_(keep, generator=generator).div_(keep)
        return X * mask
