"""Recurrent classifiers: the paper's bidirectional LSTM and CNN-RNN presets."""

from __future__ import annotations

import torch
from torch import nn

from gdashboard.models.cnn import ConvStack
from gdashboard.models.dropout import Dropout

POOLINGS = ("mean", "max")


class RecurrentNet(nn.Module):
    """A bidirectional LSTM over one-hot DNA, optionally after a convolution stack.

    ``X (N, 4, L)`` -> [convolutions, "same" padding] -> BiLSTM -> both directions'
    outputs concatenated -> pooled over time (``mean`` as in the paper, or ``max``)
    -> dropout -> linear to ``n_classes`` logits.

    Parameters
    ----------
    hidden_size : int, LSTM units per direction
    n_layers : int, stacked BiLSTM layers (a layer above the first sees both directions)
    conv_filters, conv_kernel_sizes, conv_pool : the convolution stack, or
        ``conv_kernel_sizes=()`` for a plain RNN
    pooling : "mean" or "max", over time
    dropout : float, before the linear layer (and between LSTM layers)
    forget_bias : float, initial forget-gate bias (the original code used 1)
    input_init_scale : float, factor on PyTorch's default initialisation of the
        first LSTM layer's input weights. Why it exists: a positive and its
        dinucleotide shuffle share every mono- and dinucleotide count, and an
        LSTM near its linear regime, averaged over time, is a function of just
        those counts, so the mean-pooled model starts on a plateau where the
        gradient that separates the classes is third order in the weights (see
        BENCHMARKS.md, "Making the mean-pooled BiLSTM learn"). A larger input
        scale puts the gates in their nonlinear range from the first step.
    """

    # A plain RNN's; a CNN-RNN is also convolutional (capabilities()).
    CAPABILITIES = frozenset({"neural", "differentiable", "recurrent"})

    def __init__(
        self,
        hidden_size: int = 32,
        n_layers: int = 1,
        conv_filters: int = 0,
        conv_kernel_sizes=(),
        conv_pool: int | None = None,
        pooling: str = "mean",
        dropout: float = 0.5,
        forget_bias: float = 1.0,
        input_init_scale: float = 1.0,
        n_classes: int = 2,
    ):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        self.pooling = pooling
        if conv_kernel_sizes:
            # No dropout between the convolutions and the LSTM: the original
            # CNN-RNN had none there; dropout acts before the classifier.
            self.convolutions = ConvStack(conv_filters, conv_kernel_sizes, conv_pool, dropout=0.0, padding="same")
            lstm_input = self.convolutions.out_channels
        else:
            self.convolutions = None
            lstm_input = 4
        self.lstm = nn.LSTM(
            lstm_input,
            hidden_size,
            num_layers=n_layers,
            batch_first=True,
            bidirectional=True,
            dropout=dropout if n_layers > 1 else 0.0,
        )
        # The same dropout between stacked layers, applied by run_lstm when training.
        self.between_layers = Dropout(dropout if n_layers > 1 else 0.0)
        self.dropout = Dropout(dropout)
        self.linear = nn.Linear(2 * hidden_size, n_classes)
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.reset_forget_bias(forget_bias)
        if input_init_scale != 1.0:
            with torch.no_grad():
                self.lstm.weight_ih_l0.mul_(input_init_scale)
                self.lstm.weight_ih_l0_reverse.mul_(input_init_scale)

    def reset_forget_bias(self, value: float) -> None:
        # PyTorch orders gates (input, forget, cell, output) and adds two bias
        # vectors; the forget-gate total is set to `value`.
        with torch.no_grad():
            for name, parameter in self.lstm.named_parameters():
                if name.startswith("bias_"):
                    h = self.hidden_size
                    parameter[h : 2 * h] = value if name.startswith("bias_ih") else 0.0

    def encode(self, X: torch.Tensor) -> torch.Tensor:
        """The LSTM's input sequence ``(N, T, C)``: the convolution output, or X itself."""
        features = self.convolutions(X) if self.convolutions is not None else X
        return features.transpose(1, 2)

    def pool(self, outputs: torch.Tensor) -> torch.Tensor:
        """Pool LSTM outputs ``(N, T, 2H)`` over time."""
        if self.pooling == "mean":
            return outputs.mean(dim=1)
        return outputs.amax(dim=1)

    def classify(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.linear(self.dropout(pooled))

    def run_lstm(self, inputs: torch.Tensor, layerwise: bool | None = None) -> torch.Tensor:
        """The BiLSTM's outputs ``(N, T, 2H)`` on ``inputs`` ``(N, T, C)``.

        Training a stacked LSTM with dropout runs its layers one at a time
        (``layerwise``, the default then), with :class:`Dropout` between them:
        ``nn.LSTM`` draws that dropout from the global generator, which
        training shards in parallel threads cannot share reproducibly. The
        layers use ``self.lstm``'s own weights and kernel, so apart from the
        dropout masks the result is the same.
        """
        if layerwise is None:
            layerwise = self.training and self.n_layers > 1 and self.between_layers.p > 0
        if not layerwise:
            return self.lstm(inputs)[0]
        outputs = inputs
        for layer in range(self.n_layers):
            weights = [
                getattr(self.lstm, f"{kind}_l{layer}{suffix}")
                for suffix in ("", "_reverse")
                for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            ]
            zeros = outputs.new_zeros(2, outputs.shape[0], self.hidden_size)
            # torch._VF.lstm is the kernel nn.LSTM.forward itself calls; here
            # with one layer's weights and no internal dropout.
            outputs = torch._VF.lstm(outputs, (zeros, zeros), weights, True, 1, 0.0, self.training, True, True)[0]
            if layer < self.n_layers - 1:
                outputs = self.between_layers(outputs)
        return outputs

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.classify(self.pool(self.run_lstm(self.encode(X))))

    def capabilities(self) -> frozenset[str]:
        """:data:`CAPABILITIES`, and ``convolutional`` with a convolution stack (a CNN-RNN)."""
        return self.CAPABILITIES | ({"convolutional"} if self.convolutions is not None else set())

    @property
    def first_convolution(self) -> nn.Conv1d | None:
        return None if self.convolutions is None else self.convolutions.layers[0]
