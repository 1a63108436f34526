"""The convolution-activation baseline: the input window under the strongest first-layer filter.

DeepBind and DanQ read motifs off a trained model by taking, for each
sequence, the stretch of input that most excites a first-layer filter; the
paper (Table 4, "convolution activations") uses this as the baseline against
which saliency, temporal output scores and class optimization are compared.

For each sequence we take the maximum of the first convolution's output over
all filters and all positions. ReLU is monotone, so this is also the maximum
after the ReLU; using the output before it keeps sequences whose filters are
all negative ordered by how close they came instead of tying them at 0.

A model without a first convolution (a plain RNN), input that is not
``(N, 4, L)`` and sequences shorter than a filter raise ValueError.
:func:`explain_conv` is the registry's function (:mod:`gdashboard.methods`).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from gdashboard.data.onehot import check_one_hot
from gdashboard.explain.common import batch_option


def first_convolution(model: nn.Module) -> nn.Conv1d:
    """The model's first convolution, or a ValueError for a model without one."""
    conv = getattr(model, "first_convolution", None)
    if not isinstance(conv, nn.Conv1d):
        raise ValueError(
            f"{type(model).__name__} has no first convolution (a plain RNN?): "
            "convolution activations need a CNN, CNN-RNN or DeepBind model"
        )
    return conv


def left_padding(conv: nn.Conv1d) -> int:
    """Zero columns the convolution adds before position 0.

    ``padding="same"`` pads ``dilation * (kernel - 1)`` in total, the smaller
    half on the left (PyTorch puts the odd one out on the right).
    """
    if conv.padding == "same":
        return conv.dilation[0] * (conv.kernel_size[0] - 1) // 2
    if conv.padding == "valid":
        return 0
    return int(conv.padding[0])


def max_activation_windows(
    model: nn.Module, X: torch.Tensor | np.ndarray, batch_size: int = 512
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sequence, the input window under the strongest first-layer activation.

    Parameters
    ----------
    model : nn.Module
        A model with a ``first_convolution`` (nn.Conv1d) applied directly to the
        one-hot input: the CNN, CNN-RNN and DeepBind presets.
    X : tensor or array, shape (N, 4, L)
        One-hot sequences.
    batch_size : int
        Sequences per forward pass of the convolution (memory is
        ``batch_size * filters * positions`` floats).

    Returns
    -------
    start, width, filter : np.ndarray of int64, shape (N,)
        The window is ``X[i, :, start[i]:start[i] + width[i]]`` and lies under
        filter ``filter[i]``. Windows are **clipped to the sequence**: a padded
        convolution ("same" padding in the CNN-RNN, ``width - 1`` zeros on each
        side in DeepBind) can peak where its receptive field hangs over an end,
        over padding columns that carry no bases; the window then keeps only the
        part inside ``[0, L)``, so ``start >= 0`` and ``width`` can be smaller
        than the filter's width (``dilation * (kernel - 1) + 1``) only for a
        window that touches position 0 or L - 1. Clipped windows are what a
        motif search can use (they hold only real bases). Ties go to the lowest
        filter, then the earliest position.

    Raises
    ------
    ValueError
        The model has no first convolution (plain RNN), X is not (N, 4, L)
        (or its channels are not the convolution's), or the sequences are
        shorter than an unpadded filter.
    """
    conv = first_convolution(model)
    # Kept in its dtype: each batch is converted to the convolution's on its way.
    X = check_one_hot(X, dtype=None)
    if X.shape[1] != conv.in_channels:
        raise ValueError(f"expected one-hot sequences of shape (N, {conv.in_channels}, L), got {tuple(X.shape)}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    n, length = X.shape[0], X.shape[2]
    kernel_width = conv.dilation[0] * (conv.kernel_size[0] - 1) + 1
    stride = conv.stride[0]
    pad = left_padding(conv)
    if length + 2 * pad < kernel_width and conv.padding != "same":
        raise ValueError(
            f"sequences of length {length} are shorter than the first convolution's filters ({kernel_width})"
        )
    device = conv.weight.device
    positions = []
    filters = []
    with torch.no_grad():
        for begin in range(0, n, batch_size):
            batch = X[begin : begin + batch_size].to(device=device, dtype=conv.weight.dtype)
            output = conv(batch)  # (B, filters, P)
            best = output.flatten(1).argmax(dim=1)  # filter-major: lowest filter wins ties
            filters.append(best // output.shape[2])
            positions.append(best % output.shape[2])
    if n == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty.copy(), empty.copy()
    position = torch.cat(positions).cpu().numpy().astype(np.int64)
    filter_index = torch.cat(filters).cpu().numpy().astype(np.int64)
    raw_start = position * stride - pad
    start = np.clip(raw_start, 0, length)
    end = np.clip(raw_start + kernel_width, 0, length)
    width = np.maximum(end - start, 0)
    return start.astype(np.int64), width.astype(np.int64), filter_index


def explain_conv(model: nn.Module, X, options, progress: bool = False) -> dict:
    """``start``, ``width``, ``filter`` (N,) (:func:`max_activation_windows`), for
    :class:`gdashboard.methods.ConvOptions`; one pass, so no progress bar."""
    start, width, filter_index = max_activation_windows(model, X, **batch_option(options))
    return {"start": start, "width": width, "filter": filter_index}
