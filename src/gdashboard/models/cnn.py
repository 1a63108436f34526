"""Convolutional classifiers: the paper's CNN presets and the DeepBind baseline."""

from __future__ import annotations

import torch
from torch import nn

from gdashboard.models.dropout import Dropout


class ConvStack(nn.Module):
    """Convolution -> ReLU -> max-pool -> dropout, once per layer.

    Parameters
    ----------
    n_filters : int, filters of every layer
    kernel_sizes : sequence of int, one per layer
    pool : int or None, max-pool width and stride after each layer (None: no pooling)
    dropout : float, dropout after each layer (0 disables it)
    padding : "valid" or "same"
    """

    def __init__(
        self,
        n_filters: int,
        kernel_sizes,
        pool: int | None = 2,
        dropout: float = 0.5,
        padding: str = "valid",
        in_channels: int = 4,
    ):
        super().__init__()
        layers: list[nn.Module] = []
        channels = in_channels
        for kernel_size in kernel_sizes:
            layers.append(nn.Conv1d(channels, n_filters, kernel_size, padding=padding))
            layers.append(nn.ReLU())
            if pool and pool > 1:
                # ceil_mode keeps the last, partial window so that no position
                # is silently dropped from the receptive field.
                layers.append(nn.MaxPool1d(pool, ceil_mode=True))
            if dropout > 0:
                layers.append(Dropout(dropout))
            channels = n_filters
        self.layers = nn.Sequential(*layers)
        self.out_channels = channels
        self.kernel_sizes = tuple(kernel_sizes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.layers(X)


class ConvNet(nn.Module):
    """The paper's CNN: a convolution stack, a max over all positions, a linear layer.

    Input ``(N, 4, L)`` one-hot, output ``(N, n_classes)`` logits. Convolutions are
    unpadded ("valid"), as in the original Torch7 code.
    """

    CAPABILITIES = frozenset({"neural", "differentiable", "convolutional"})

    def __init__(
        self, n_filters: int = 64, kernel_sizes=(9, 5), pool: int | None = 2, dropout: float = 0.5, n_classes: int = 2
    ):
        super().__init__()
        self.convolutions = ConvStack(n_filters, kernel_sizes, pool, dropout, padding="valid")
        self.linear = nn.Linear(self.convolutions.out_channels, n_classes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        features = self.convolutions(X)
        return self.linear(features.amax(dim=-1))

    @property
    def first_convolution(self) -> nn.Conv1d:
        return self.convolutions.layers[0]


class DeepBind(nn.Module):
    """The DeepBind architecture (Alipanahi et al. 2015), the paper's neural baseline.

    One convolution of 16 filters of width 24, ReLU, global max and average
    pooling (concatenated, 32 values), a hidden layer of 32 ReLU units, dropout,
    linear to ``n_classes``. The input is padded by ``width - 1`` zero columns on
    each side so that a motif at the very edge is still seen whole, as DeepBind
    pads its input.
    """

    CAPABILITIES = frozenset({"neural", "differentiable", "convolutional"})

    def __init__(
        self, n_filters: int = 16, kernel_size: int = 24, hidden: int = 32, dropout: float = 0.5, n_classes: int = 2
    ):
        super().__init__()
        self.convolution = nn.Conv1d(4, n_filters, kernel_size, padding=kernel_size - 1)
        self.hidden = nn.Linear(2 * n_filters, hidden)
        self.dropout = Dropout(dropout)
        self.linear = nn.Linear(hidden, n_classes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        activation = torch.relu(self.convolution(X))
        pooled = torch.cat([activation.amax(dim=-1), activation.mean(dim=-1)], dim=1)
        return self.linear(self.dropout(torch.relu(self.hidden(pooled))))

    @property
    def first_convolution(self) -> nn.Conv1d:
        return self.convolution
