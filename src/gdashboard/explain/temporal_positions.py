"""Which input positions each step of a recurrent model's LSTM stands for.

Temporal output scores (:mod:`gdashboard.explain.temporal`) are given per input
position, but a CNN-RNN's LSTM runs over the output of its convolution stack.

Pooled position rule
--------------------
When the convolution stack max-pools (``large-cnn-rnn``: two pool-2 layers with
``ceil_mode``), the LSTM runs over ``T = ceil(L / stride)`` encoded steps, where
``stride`` is the product of the pooling layers' strides (read from the model,
4 for ``large-cnn-rnn``). Pooled step ``j`` is the max over input positions
``stride*j .. stride*j + stride - 1``, so input position ``p`` (0-based) belongs
to step ``step(p) = floor(p / stride)`` (:func:`input_steps`). The prefix ending at
input position ``p`` is encoded steps ``0 .. step(p)``; the suffix starting at ``p``
is steps ``step(p) .. T - 1``. Positions in one pooled step therefore share a score.
Without pooling ``step(p) = p``.

Each step also reads a few bases either side through the convolutions' kernels:
:func:`input_spans` follows the exact span through the padding and the pooling windows.
"""

from __future__ import annotations

import math

import numpy as np
from torch import nn

from gdashboard.models.rnn import RecurrentNet

__all__ = ["pooling_stride", "input_steps", "input_spans"]


def pooling_stride(model: RecurrentNet) -> int:
    """How many input positions one LSTM step covers: the product of the strides
    of the max-pooling layers in the model's convolution stack (1 for none)."""
    stride = 1
    if model.convolutions is not None:
        for layer in model.convolutions.modules():
            if isinstance(layer, (nn.MaxPool1d, nn.AvgPool1d)):
                s = layer.stride
                stride *= int(s[0] if isinstance(s, (tuple, list)) else s)
    return stride


def input_steps(model: RecurrentNet, length: int, n_steps: int | None = None) -> np.ndarray:
    """The encoded (LSTM) step of every input position.

    Parameters
    ----------
    model : RecurrentNet
    length : int, the input length ``L``
    n_steps : int, optional, the encoded length ``T``; by default ``ceil(L / stride)``

    Returns
    -------
    numpy.ndarray of int64, shape ``(L,)``: ``step[p] = min(p // stride, T - 1)``.
    The prefix ending at input position ``p`` (0-based) is steps ``0..step[p]``,
    the suffix starting at ``p`` is steps ``step[p]..T-1``.
    """
    stride = pooling_stride(model)
    if n_steps is None:
        n_steps = -(-length // stride)
    # The clip only matters for a pooling rule that shortens more than ceil(L/stride).
    return np.minimum(np.arange(length) // stride, n_steps - 1).astype(np.int64)


def _layer_spans(layer: nn.Module, length: int) -> tuple[np.ndarray, np.ndarray] | None:
    """For one layer of a convolution stack: the first and last input index each
    output index reads, or None for a layer that acts position by position."""
    if isinstance(layer, nn.Conv1d):
        (kernel,), (dilation,), (stride,) = layer.kernel_size, layer.dilation, layer.stride
        reach = dilation * (kernel - 1)
        if layer.padding == "same":
            left = reach // 2  # PyTorch puts the odd extra column of padding on the right
            n_out = length
        elif layer.padding == "valid":
            left, n_out = 0, (length - reach - 1) // stride + 1
        else:
            left = layer.padding[0] if isinstance(layer.padding, tuple) else int(layer.padding)
            n_out = (length + 2 * left - reach - 1) // stride + 1
        first = np.arange(n_out) * stride - left
        return np.clip(first, 0, length - 1), np.clip(first + reach, 0, length - 1)
    if isinstance(layer, (nn.MaxPool1d, nn.AvgPool1d)):
        kernel = int(np.ravel(layer.kernel_size)[0])
        stride = int(np.ravel(layer.stride)[0])
        padding = int(np.ravel(layer.padding)[0])
        n_out = (length + 2 * padding - kernel) / stride + 1
        n_out = math.ceil(n_out) if layer.ceil_mode else math.floor(n_out)
        if layer.ceil_mode and (n_out - 1) * stride >= length + padding:
            n_out -= 1  # PyTorch drops a last window that would start in the padding
        first = np.arange(n_out) * stride - padding
        return np.clip(first, 0, length - 1), np.clip(first + kernel - 1, 0, length - 1)
    if isinstance(layer, (nn.Sequential, nn.ModuleList)) or len(list(layer.children())):
        raise ValueError(f"cannot follow positions through a {type(layer).__name__} layer")
    return None


def input_spans(model: RecurrentNet, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The input positions each encoded (LSTM) step reads, per input position.

    A CNN-RNN's LSTM step ``j`` sees the convolution output there, which covers
    several input positions (``small-cnn-rnn``: ``j-4 .. j+4``). So the forward
    output at input position ``p``, the LSTM run over steps ``0..step[p]``, has
    read the input up to ``last[p]``, a few bases past ``p``; the backward output
    at ``p`` has read from ``first[p]`` on. Followed exactly through the
    convolutions' padding and the pooling windows (not estimated).

    Returns
    -------
    first, last : numpy.ndarray of int64, shape ``(L,)``
        The first and last input position read by ``step[p]`` (see
        :func:`input_steps`); both ``arange(L)`` for a plain RNN.
    """
    n_steps = length
    first, last = np.arange(length), np.arange(length)
    if model.convolutions is not None:
        for layer in model.convolutions.modules():
            if layer is model.convolutions or isinstance(layer, nn.Sequential):
                continue
            spans = _layer_spans(layer, n_steps)
            if spans is None:
                continue
            layer_first, layer_last = spans
            first, last = first[layer_first], last[layer_last]
            n_steps = len(layer_first)
    steps = input_steps(model, length, n_steps)
    return first[steps].astype(np.int64), last[steps].astype(np.int64)
