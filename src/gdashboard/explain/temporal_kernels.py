"""The batched reruns behind :func:`gdashboard.explain.temporal.temporal_output_scores`.

:func:`prefix_logits` gives the logits of a BiLSTM's recurrent part (its LSTM,
pooling and linear layer) on EVERY prefix of a batch of encoded sequences at once,
numerically equal to one run per prefix (the naive loop) but with far fewer
operations, using these facts:

* In a BiLSTM's first layer the forward direction is causal: its outputs over a
  prefix are the first outputs of ONE pass over the whole sequence, so one pass
  and a cumulative sum (mean pooling) or cumulative max (max pooling) give that
  direction's pooled part for every prefix. Only the reverse direction depends
  on where the prefix ends and is rerun.
* An LSTM's input projection ``W_ih x + b`` does not depend on where a run
  starts, so it is computed once per position, and the reruns only do the
  recurrent ``W_hh h`` product.
* All reruns of all sequences of a chunk advance together as one batch. Ordering
  the runs by the position where they end makes the runs still going at every
  step a contiguous tail of the state, and makes every step's inputs a
  contiguous slice (or, for a deeper layer's forward direction, one strided
  block) of the tensors that hold them, so nothing is padded and no finished
  run is computed.
* The LSTM cell is written out with ``tanh`` expressed through ``sigmoid``
  (see :func:`_cell`), which halves its elementwise cost on CPU.

Per sequence this costs ``T (T + 1) / 2`` cell steps per rerun direction: one
for a one-layer BiLSTM, three for two layers (against two and four in a loop
that runs the whole model on every prefix).

Deeper layers see both directions of the layer below, which depend on the prefix,
so both their directions are rerun; the first layer's shared forward outputs
still enter them through a projection computed once. Suffixes are prefixes of
the time-reversed sequence read by :meth:`Network.time_reversed`, the network
with its two directions' roles swapped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from gdashboard.models.rnn import RecurrentNet

__all__ = ["Network", "Workspace", "prefix_logits"]


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
class Network:
    layers: list  # of (forward _Direction, reverse _Direction)
    linear_weight_t: torch.Tensor  # (2H, n_classes)
    linear_bias: torch.Tensor
    hidden: int
    pooling: str

    @classmethod
    def from_model(cls, model: RecurrentNet) -> "Network":
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

    def time_reversed(self) -> "Network":
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
        return Network(layers, linear_t, self.linear_bias, H, self.pooling)


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


@dataclass
class _RerunInput:
    """What a rerun direction reads.

    shared : (T, N, 4H) or None
        Input projection (bias included) of the input part that is the same for
        every run; None when there is none (then the bias alone is used).
    dep : (T, T, N, Dd) or None
        Input part that depends on the run (the layer below's rerun outputs), in
        the layout described above.
    dep_weight_t : (Dd, 4H), the input weights of ``dep``
    """

    shared: torch.Tensor | None
    dep: torch.Tensor | None = None
    dep_weight_t: torch.Tensor | None = None


@dataclass
class _RerunOutput:
    """Where a rerun direction's outputs go.

    pool : accumulates outputs for the pooling (last layer), or None
    store : (T, T, N, D) tensor, in the layout above, that receives the outputs
        in columns ``column:column+H`` (a layer below the last), or None
    """

    pool: _Pool | None = None
    store: torch.Tensor | None = None
    column: int = 0


def _rerun(direction: _Direction, reverse: bool, inputs: _RerunInput, H: int, output: _RerunOutput) -> None:
    """Run one direction afresh for every prefix run ``r`` (positions ``0..r``), all as one batch.

    Runs are ordered by ``r`` (the N sequences within); at step ``k`` the runs
    still going are ``r >= k``, the tail of the state. The forward direction at
    step ``k`` reads position ``k`` of each; the reverse direction starts run ``r``
    at position ``r`` and reads position ``r - k``.
    """
    shared_proj, dep, dep_weight_t = inputs.shared, inputs.dep, inputs.dep_weight_t
    pool, store, column = output.pool, output.store, output.column
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
            out = store[k, : T - k, :, column : column + H].view(m, H)
        h, v = _cell(gates, v, H, out=out)
        if pool is not None:
            pool.add(k, N, h)
        if store is not None and not reverse:
            store[: T - k, k, :, column : column + H].copy_(h.view(T - k, N, H))
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


class Workspace:
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


def _deeper_layers(net: Network, x: torch.Tensor, shared: torch.Tensor, dep: torch.Tensor, workspace: Workspace):
    """Layers 2.. of a deeper BiLSTM, both directions rerun: the last layer's two pooled parts.

    ``shared (T, N, H)`` are the first layer's forward outputs (the same for every
    run), ``dep`` its reverse direction's rerun outputs.
    """
    H = net.hidden
    T, N, _ = x.shape
    n_layers = len(net.layers)
    pools = []
    for index in range(1, n_layers):
        # Both directions of a deeper layer see the rerun outputs below, so both
        # are rerun; the layer-1 forward outputs still enter through one projection.
        last = index == n_layers - 1
        out = None if last else workspace.get(f"layer-{index % 2 + 1}", (T, T, N, 2 * H), x)
        for column, (direction, reverse) in enumerate(zip(net.layers[index], (False, True))):
            w = direction.weight_ih  # input columns: [shared | run-dependent] or all run-dependent
            if shared is not None:
                proj = torch.addmm(direction.bias, shared.reshape(T * N, H), w[:, :H].t()).view(T, N, 4 * H)
                inputs = _RerunInput(proj, dep, w[:, H:].t())
            else:
                inputs = _RerunInput(None, dep, w.t())
            pool = _Pool(net.pooling, T, N, H, x) if last else None
            _rerun(direction, reverse, inputs, H, _RerunOutput(pool, out, column * H))
            if last:
                pools.append(pool.value)
        shared, dep = None, out
    return pools


def prefix_logits(encoded: torch.Tensor, net: Network, workspace: Workspace | None = None) -> torch.Tensor:
    """The recurrent part's logits on every prefix of ``encoded (N, T, C)``: ``(T, N, n_classes)``.

    Entry ``[s, n]`` is the network's logits on steps ``0..s`` of sequence ``n``.
    """
    workspace = workspace if workspace is not None else Workspace()
    H = net.hidden
    x = encoded.transpose(0, 1).contiguous()  # (T, N, C): time-major slices are contiguous
    T, N, _ = x.shape
    # Layer 1 reads the prefix itself, which does not depend on where the prefix
    # ends: its input projections are computed once, its forward direction is
    # run once (it is causal) and only its reverse direction is rerun.
    fwd, rev = net.layers[0]
    flat = x.reshape(T * N, -1)
    shared = _full_pass(fwd, torch.addmm(fwd.bias, flat, fwd.weight_ih.t()).view(T, N, 4 * H), H)
    rev_proj = torch.addmm(rev.bias, flat, rev.weight_ih.t()).view(T, N, 4 * H)
    if len(net.layers) == 1:
        # The forward direction over run r is the first r+1 outputs of the full pass.
        cumulative = shared.cumsum(0) if net.pooling == "mean" else shared.cummax(0).values
        pool = _Pool(net.pooling, T, N, H, x)
        _rerun(rev, True, _RerunInput(rev_proj), H, _RerunOutput(pool))
        pools = [cumulative.reshape(T * N, H), pool.value]
    else:
        dep = workspace.get("layer-0", (T, T, N, H), x)
        _rerun(rev, True, _RerunInput(rev_proj), H, _RerunOutput(store=dep))
        pools = _deeper_layers(net, x, shared, dep, workspace)
    pooled = torch.cat(pools, dim=1).view(T, N, 2 * H)
    if net.pooling == "mean":
        pooled = pooled / torch.arange(1, T + 1, dtype=pooled.dtype, device=pooled.device).view(T, 1, 1)
    logits = torch.addmm(net.linear_bias, pooled.reshape(T * N, 2 * H), net.linear_weight_t)
    return logits.view(T, N, -1)
