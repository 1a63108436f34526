"""Temporal output scores of recurrent models (the paper's Section 3.2).

The forward score at position ``t`` (1-based) is ``P(+ | X[1..t])``, the positive
class's softmax probability of the model run on the prefix that ends at ``t``; the
backward score at ``t`` is ``P(+ | X[t..L])``, on the suffix that starts at ``t``.
Arrays are 0-based: index ``t - 1`` holds position ``t``.

CNN-RNNs, as in the original code, run their convolutions ONCE over the whole
sequence; only the recurrent part (and the pooling and linear layer after it)
sees prefixes and suffixes of the convolution output.

Only recurrent models (:class:`~gdashboard.models.rnn.RecurrentNet`: RNNs and
CNN-RNNs) have these scores: any other model (a CNN reads the whole sequence at
once) raises ValueError, as does input that is not ``(N, 4, L)``. The model runs
in eval mode (:func:`gdashboard.explain.common.evaluating`), without gradients.

Pooled position rule
--------------------
When the convolution stack max-pools (``large-cnn-rnn``: two pool-2 layers with
``ceil_mode``), the LSTM runs over ``T = ceil(L / stride)`` encoded steps, where
``stride`` is the product of the pooling layers' strides (read from the model,
4 for ``large-cnn-rnn``). Pooled step ``j`` is the max over input positions
``stride*j .. stride*j + stride - 1``, so input position ``p`` (0-based) belongs
to step ``step(p) = floor(p / stride)``. The prefix ending at input position
``p`` is encoded steps ``0 .. step(p)``; the suffix starting at ``p`` is steps
``step(p) .. T - 1``. Positions in one pooled step therefore share a score.
Without pooling ``step(p) = p``.

Algorithm
---------
:func:`temporal_output_scores_naive` is the original algorithm: each sequence
alone, one run of the recurrent part per prefix and per suffix (``2 T`` runs per
sequence). :func:`temporal_output_scores` gives the same numbers (within float32
rounding) with far fewer operations, using three facts:

* In a BiLSTM's first layer the forward direction is causal: its outputs over a
  prefix are the first outputs of ONE pass over the whole sequence, so one pass
  and a cumulative sum (mean pooling) or cumulative max (max pooling) give that
  direction's pooled part for every prefix. Only the reverse direction depends
  on where the prefix ends and is rerun; symmetrically for suffixes.
* An LSTM's input projection ``W_ih x + b`` does not depend on where a run
  starts, so it is computed once per position, and the reruns only do the
  recurrent ``W_hh h`` product.
* All reruns of all sequences of a chunk advance together as one batch. Ordering
  the runs by the position where they end (prefixes) makes the runs still going
  at every step a contiguous tail of the state, and makes every step's inputs a
  contiguous slice (or, for a deeper layer's forward direction, one strided
  block) of the tensors that hold them, so nothing is padded and no finished
  run is computed.
* The LSTM cell is written out with ``tanh`` expressed through ``sigmoid``
  (see :func:`_cell`), which halves its elementwise cost on CPU.

Per sequence this costs ``T (T + 1) / 2`` cell steps per rerun direction: one
for a one-layer BiLSTM, three for two layers (against two and four in a loop
that runs the whole model on every prefix), for prefixes and again for suffixes.

Deeper layers see both directions of the layer below, which depend on the prefix,
so both their directions are rerun; the first layer's shared forward outputs
still enter them through a projection computed once. Suffixes are prefixes of
the time-reversed sequence with the two directions' roles swapped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from gdashboard.data.onehot import check_one_hot
from gdashboard.explain.common import evaluating, model_device
from gdashboard.models.rnn import RecurrentNet

__all__ = [
    "temporal_output_scores",
    "temporal_output_scores_naive",
    "pooling_stride",
    "input_steps",
    "input_spans",
]


# --------------------------------------------------------------------------- checks


def _check_model(model) -> RecurrentNet:
    if not isinstance(model, RecurrentNet):
        raise ValueError(
            f"temporal output scores need a recurrent model (RecurrentNet: an RNN or CNN-RNN), "
            f"got {type(model).__name__}; a CNN reads the whole sequence at once"
        )
    lstm = model.lstm
    if not lstm.bidirectional or not lstm.batch_first or getattr(lstm, "proj_size", 0):
        raise ValueError("temporal output scores need a batch-first bidirectional LSTM without projections")
    return model


# ----------------------------------------------------------- pooled position rule


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


# ------------------------------------------------------------------ naive reference


def _positive_probability(model: RecurrentNet, encoded: torch.Tensor) -> torch.Tensor:
    outputs, _ = model.lstm(encoded)
    return torch.softmax(model.classify(model.pool(outputs)), dim=-1)[:, 1]


def temporal_output_scores_naive(model: nn.Module, X) -> tuple[np.ndarray, np.ndarray]:
    """The original algorithm: each sequence alone, one run per prefix and suffix.

    Slow (``2 T`` LSTM runs per sequence) but obviously right; it is the reference
    that :func:`temporal_output_scores` must match. For a pooled CNN-RNN it runs
    once per distinct encoded prefix (suffix), not once per input position.

    Parameters
    ----------
    model : RecurrentNet
    X : array-like, shape ``(N, 4, L)``, one-hot

    Returns
    -------
    forward, backward : numpy.ndarray of float32, shape ``(N, L)``
        ``forward[n, t-1] = P(+ | X[n, :, 1..t])``, ``backward[n, t-1] = P(+ | X[n, :, t..L])``.
    """
    model = _check_model(model)
    X = check_one_hot(X, device=model_device(model))
    n, _, length = X.shape
    forward = np.empty((n, length), np.float32)
    backward = np.empty((n, length), np.float32)
    with evaluating(model), torch.no_grad():
        for i in range(n):
            # The convolutions see the whole sequence once; only the LSTM sees slices.
            encoded = model.encode(X[i : i + 1])
            T = encoded.shape[1]
            prefix = torch.stack([_positive_probability(model, encoded[:, : s + 1])[0] for s in range(T)])
            suffix = torch.stack([_positive_probability(model, encoded[:, s:])[0] for s in range(T)])
            steps = input_steps(model, length, T)
            forward[i] = prefix.cpu().numpy()[steps]
            backward[i] = suffix.cpu().numpy()[steps]
    return forward, backward


# --------------------------------------------------------------------- fast version


@dataclass
class _Direction:
    """One direction of one LSTM layer, ready for :func:`_cell`: gates reordered to
    (input, forget, output, cell) and the cell gate's rows doubled (exact in
    floating point), so that ``sigmoid`` of its pre-activation gives
    ``(1 + tanh) / 2``."""

    weight_ih: torch.Tensor  # (4H, D), transposed on use
    weight_hh_t: torch.Tensor  # (H, 4H)
    bias: torch.Tensor  # (4H,)


@dataclass
class _Network:
    layers: list  # of (forward _Direction, reverse _Direction)
    linear_weight_t: torch.Tensor  # (2H, n_classes)
    linear_bias: torch.Tensor
    hidden: int
    pooling: str

    @classmethod
    def from_model(cls, model: RecurrentNet) -> "_Network":
        lstm = model.lstm
        H = lstm.hidden_size
        # PyTorch's gate order is (i, f, g, o); put g last and double it.
        order = torch.cat([torch.arange(0, 2 * H), torch.arange(3 * H, 4 * H), torch.arange(2 * H, 3 * H)])
        scale = torch.ones(4 * H, 1, dtype=lstm.weight_hh_l0.dtype, device=lstm.weight_hh_l0.device)
        scale[3 * H :] = 2.0
        layers = []
        for layer in range(lstm.num_layers):
            pair = []
            for suffix in ("", "_reverse"):
                w_ih = getattr(lstm, f"weight_ih_l{layer}{suffix}")
                w_hh = getattr(lstm, f"weight_hh_l{layer}{suffix}")
                bias = torch.zeros(4 * H, dtype=w_ih.dtype, device=w_ih.device)
                if lstm.bias:
                    bias = getattr(lstm, f"bias_ih_l{layer}{suffix}") + getattr(lstm, f"bias_hh_l{layer}{suffix}")
                pair.append(
                    _Direction(
                        (w_ih[order] * scale).detach(),
                        (w_hh[order] * scale).detach().t().contiguous(),
                        (bias[order] * scale[:, 0]).detach(),
                    )
                )
            layers.append(tuple(pair))
        return cls(layers, model.linear.weight.detach().t().contiguous(), model.linear.bias.detach(), H, model.pooling)

    def time_reversed(self) -> "_Network":
        """The same network read right to left: the two directions trade places, so
        every consumer of a [forward, reverse] concatenation sees its columns swapped."""
        H = self.hidden

        def swap_columns(w):
            return torch.cat([w[:, H:], w[:, :H]], dim=1)

        layers = []
        for index, (fwd, rev) in enumerate(self.layers):
            if index == 0:
                layers.append((rev, fwd))
            else:
                layers.append(
                    (
                        _Direction(swap_columns(rev.weight_ih), rev.weight_hh_t, rev.bias),
                        _Direction(swap_columns(fwd.weight_ih), fwd.weight_hh_t, fwd.bias),
                    )
                )
        linear_t = torch.cat([self.linear_weight_t[H:], self.linear_weight_t[:H]], dim=0)
        return _Network(layers, linear_t, self.linear_bias, H, self.pooling)


def _cell(gates: torch.Tensor, v: torch.Tensor | None, H: int, out: torch.Tensor | None = None):
    """One LSTM cell update.

    ``gates (m, 4H)`` are pre-activations in (i, f, o, g) order with the cell
    gate's pre-activation doubled (see :class:`_Direction`); ``v = -2 c`` is the
    cell state, scaled. Why: on CPU ``tanh`` costs about three ``sigmoid``s, and
    ``tanh(x) = 2 sigmoid(2x) - 1``, so one sigmoid over all four gates gives
    ``g = 2 s - 1``, and keeping ``v = -2c`` turns ``o tanh(c) = o - 2 o sigmoid(v)``
    into a single fused multiply-add; this halves the cell's elementwise time.
    Returns ``(h, v)``; ``h`` is written into ``out`` when given.
    """
    sig = torch.sigmoid(gates)
    i, f, o, s = sig[:, :H], sig[:, H : 2 * H], sig[:, 2 * H : 3 * H], sig[:, 3 * H :]
    # c' = f c + i g  =>  v' = -2c' = f v + 2 i - 4 i s
    if v is None:  # zero initial state: the forget gate has nothing to keep
        v = i * 2.0
    else:
        v = f * v
        v.add_(i, alpha=2.0)
    v.addcmul_(i, s, value=-4.0)
    return torch.addcmul(o, o, torch.sigmoid(v), value=-2.0, out=out), v


class _Pool:
    """Running sum (mean pooling) or max of one direction's outputs, one row per run."""

    def __init__(self, pooling: str, T: int, N: int, H: int, like: torch.Tensor):
        self.mean = pooling == "mean"
        fill = 0.0 if self.mean else -torch.inf
        self.value = torch.full((T * N, H), fill, dtype=like.dtype, device=like.device)

    def add(self, k: int, N: int, h: torch.Tensor) -> None:
        # The runs still going at step k are the tail rows k*N: of the state.
        tail = self.value[k * N :]
        if self.mean:
            tail += h
        else:
            torch.maximum(tail, h, out=tail)


# Run-dependent sequences (a rerun layer's outputs) are stored as S[k, j] = the
# value at position j of the run that ends at position r = j + k, a dense
# (T, T, N, D) tensor of which the entries with j + k < T are used. Why this
# layout: a reverse rerun at step k touches position r - k of every run r >= k,
# which is the contiguous block S[k, :T-k], rows in run order; a forward rerun at
# step q touches position q of every run r >= q, the strided block S[:T-q, q].


def _rerun(
    direction: _Direction,
    reverse: bool,
    shared_proj: torch.Tensor | None,
    dep: torch.Tensor | None,
    dep_weight_t: torch.Tensor | None,
    H: int,
    pool: _Pool | None,
    store: torch.Tensor | None,
    store_column: int,
) -> None:
    """Run one direction afresh for every prefix run ``r`` (positions ``0..r``), all as one batch.

    Runs are ordered by ``r`` (the N sequences within); at step ``k`` the runs
    still going are ``r >= k``, the tail of the state. The forward direction at
    step ``k`` reads position ``k`` of each; the reverse direction starts run ``r``
    at position ``r`` and reads position ``r - k``.

    Parameters
    ----------
    direction : the LSTM direction to run
    reverse : whether it reads right to left
    shared_proj : (T, N, 4H) or None
        Input projection (bias included) of the input part that is the same for
        every run; None when there is none (then the bias alone is used).
    dep : (T, T, N, Dd) or None
        Input part that depends on the run (the layer below's rerun outputs), in
        the layout described above.
    dep_weight_t : (Dd, 4H), the input weights of ``dep``
    pool : accumulates outputs for the pooling (last layer), or None
    store : (T, T, N, D) tensor, in the layout above, that receives the outputs
        in columns ``store_column:store_column+H`` (a layer below the last), or None
    """
    if dep is not None:
        T, N = dep.shape[0], dep.shape[2]
    else:
        T, N = shared_proj.shape[0], shared_proj.shape[1]
        if not reverse:
            raise AssertionError("a forward direction over a run-independent input needs no rerun")
    h = v = None  # v: the scaled cell state of _cell
    for k in range(T):
        m = (T - k) * N
        if dep is None:
            # Positions r - k of runs r = k..T-1 are 0..T-1-k: a contiguous slice.
            gates = shared_proj[: T - k].reshape(m, 4 * H)
            if h is not None:
                gates = torch.addmm(gates, h, direction.weight_hh_t)  # not in place: gates is a view
        else:
            if reverse:
                x = dep[k, : T - k].view(m, -1)
                base = shared_proj[: T - k].reshape(m, 4 * H) if shared_proj is not None else direction.bias
                gates = torch.addmm(base, x, dep_weight_t)
            else:
                gates = torch.mm(dep[: T - k, k].reshape(m, -1), dep_weight_t)
                # Every run reads the same position k, so the shared part broadcasts.
                gates.view(T - k, N, 4 * H).add_(shared_proj[k] if shared_proj is not None else direction.bias)
            if h is not None:
                gates.addmm_(h, direction.weight_hh_t)
        out = None
        if store is not None and reverse:
            # Write h straight into its final place: no copy, and the next step's
            # matrix product reads it there (rows of stride D).
            out = store[k, : T - k, :, store_column : store_column + H].view(m, H)
        h, v = _cell(gates, v, H, out=out)
        if pool is not None:
            pool.add(k, N, h)
        if store is not None and not reverse:
            store[: T - k, k, :, store_column : store_column + H].copy_(h.view(T - k, N, H))
        # Run r = k ends here; dropping its rows keeps the rest one contiguous block.
        h, v = h[N:], v[N:]


def _full_pass(direction: _Direction, proj: torch.Tensor, H: int) -> torch.Tensor:
    """One forward pass over the whole sequence: outputs ``(T, N, H)``."""
    T, N, _ = proj.shape
    out = proj.new_empty(T, N, H)
    h = v = None
    for t in range(T):
        gates = proj[t] if h is None else torch.addmm(proj[t], h, direction.weight_hh_t)
        h, v = _cell(gates, v, H, out=out[t])
    return out


class _Workspace:
    """Large buffers kept from one chunk to the next.

    Why: a fresh tensor of tens of MB is mapped anew by the allocator each time,
    and touching its pages for the first time costs as much as the arithmetic of
    the layer that fills it.
    """

    def __init__(self):
        self.buffers: dict[str, torch.Tensor] = {}

    def get(self, name: str, shape: tuple, like: torch.Tensor) -> torch.Tensor:
        size = math.prod(shape)
        buffer = self.buffers.get(name)
        if buffer is None or buffer.numel() < size or buffer.dtype != like.dtype or buffer.device != like.device:
            buffer = self.buffers[name] = like.new_empty(size)
        return buffer[:size].view(shape)


def _prefix_probabilities(encoded: torch.Tensor, net: _Network, workspace: _Workspace | None = None) -> torch.Tensor:
    """``P(+)`` of the recurrent part on every prefix of ``encoded (N, T, C)``: ``(N, T)``."""
    workspace = workspace if workspace is not None else _Workspace()
    H = net.hidden
    x = encoded.transpose(0, 1).contiguous()  # (T, N, C): time-major slices are contiguous
    T, N, _ = x.shape
    n_layers = len(net.layers)
    pools = []
    # Layer 1 reads the prefix itself, which does not depend on where the prefix
    # ends: its input projections are computed once, its forward direction is
    # run once (it is causal) and only its reverse direction is rerun.
    fwd, rev = net.layers[0]
    flat = x.reshape(T * N, -1)
    shared = _full_pass(fwd, torch.addmm(fwd.bias, flat, fwd.weight_ih.t()).view(T, N, 4 * H), H)
    rev_proj = torch.addmm(rev.bias, flat, rev.weight_ih.t()).view(T, N, 4 * H)
    if n_layers == 1:
        # The forward direction over run r is the first r+1 outputs of the full pass.
        cumulative = shared.cumsum(0) if net.pooling == "mean" else shared.cummax(0).values
        pools.append(cumulative.reshape(T * N, H))
        pool = _Pool(net.pooling, T, N, H, x)
        _rerun(rev, True, rev_proj, None, None, H, pool, None, 0)
        pools.append(pool.value)
    else:
        dep = workspace.get("layer-0", (T, T, N, H), x)
        _rerun(rev, True, rev_proj, None, None, H, None, dep, 0)
        for index in range(1, n_layers):
            # Both directions of a deeper layer see the rerun outputs below, so both
            # are rerun; the layer-1 forward outputs still enter through one projection.
            last = index == n_layers - 1
            out = None if last else workspace.get(f"layer-{index % 2 + 1}", (T, T, N, 2 * H), x)
            for column, (direction, reverse) in enumerate(zip(net.layers[index], (False, True))):
                w = direction.weight_ih  # input columns: [shared | run-dependent] or all run-dependent
                if shared is not None:
                    proj = torch.addmm(direction.bias, shared.reshape(T * N, H), w[:, :H].t()).view(T, N, 4 * H)
                    dep_w = w[:, H:].t()
                else:
                    proj, dep_w = None, w.t()
                pool = _Pool(net.pooling, T, N, H, x) if last else None
                _rerun(direction, reverse, proj, dep, dep_w, H, pool, out, column * H)
                if last:
                    pools.append(pool.value)
            shared, dep = None, out
    pooled = torch.cat(pools, dim=1).view(T, N, 2 * H)
    if net.pooling == "mean":
        pooled = pooled / torch.arange(1, T + 1, dtype=pooled.dtype, device=pooled.device).view(T, 1, 1)
    logits = torch.addmm(net.linear_bias, pooled.reshape(T * N, 2 * H), net.linear_weight_t)
    return torch.softmax(logits, dim=-1)[:, 1].view(T, N).t()


def temporal_output_scores(
    model: nn.Module, X, batch_size: int = 32, progress: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Forward and backward temporal output scores of a recurrent model.

    Parameters
    ----------
    model : RecurrentNet
        An RNN or CNN-RNN; anything else raises ValueError. It is evaluated in
        eval mode (every submodule's mode is restored afterwards), without
        gradients, on its own device.
    X : array-like, shape ``(N, 4, L)``
        One-hot sequences.
    batch_size : int
        Sequences per chunk. Memory per sequence of a chunk is about ``T * 4H``
        floats per tensor for one LSTM layer (0.2 MB in all at ``T = 101``,
        ``H = 32``); each layer below the last stores its rerun outputs,
        ``T * T * H`` floats per direction rerun (1.3 MB). 32 was fastest on CPU.
    progress : bool
        Show a tqdm progress bar over chunks.

    Returns
    -------
    forward, backward : numpy.ndarray of float32, shape ``(N, L)``
        ``forward[n, t-1] = P(+ | X[n, :, 1..t])`` and ``backward[n, t-1] =
        P(+ | X[n, :, t..L])``. With pooling convolutions, input position ``p``
        (0-based) maps to encoded step ``floor(p / stride)`` (see the module's
        documentation). Equal, within float32 rounding, to
        :func:`temporal_output_scores_naive`.

        A seed ensemble gives its members' mean; a strand-averaged model
        (:class:`gdashboard.models.averaged.StrandAverage`) the mean of both strands'
        scores on the forward strand: the other strand's
        suffix starting at its position ``j`` is this strand's prefix ending at
        ``L - 1 - j``, so its backward scores, reversed, average with these forward ones
        (and its forward ones with these backward ones).
    """
    from gdashboard.models.averaged import AVERAGED, averaged_explanation

    if isinstance(model, AVERAGED):
        return averaged_explanation(
            lambda network, x: temporal_output_scores(network, x, batch_size, progress),
            model,
            X,
            flip=lambda scores: (scores[1][..., ::-1], scores[0][..., ::-1]),
        )
    model = _check_model(model)
    X = check_one_hot(X, device=model_device(model))
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    n, _, length = X.shape
    forward = np.empty((n, length), np.float32)
    backward = np.empty((n, length), np.float32)
    starts = range(0, n, batch_size)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="temporal output scores", unit="chunk")
    with evaluating(model), torch.no_grad():
        net = _Network.from_model(model)
        reversed_net = net.time_reversed()
        steps = None
        workspace = _Workspace()
        for start in starts:
            encoded = model.encode(X[start : start + batch_size])  # convolutions once, whole sequence
            if steps is None:
                steps = torch.as_tensor(input_steps(model, length, encoded.shape[1]), device=encoded.device)
            prefix = _prefix_probabilities(encoded, net, workspace)
            # A suffix is a prefix of the time-reversed sequence.
            suffix = _prefix_probabilities(encoded.flip(1), reversed_net, workspace).flip(1)
            stop = start + encoded.shape[0]
            forward[start:stop] = prefix[:, steps].cpu().numpy()
            backward[start:stop] = suffix[:, steps].cpu().numpy()
    return forward, backward
