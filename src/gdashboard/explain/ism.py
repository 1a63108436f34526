"""In-silico saturation mutagenesis: the change of ``S+`` for every single-base substitution.

``S+`` is the explainers' score (:func:`gdashboard.explain.common.score`, the
positive logit by default); the model runs in eval mode
(:func:`gdashboard.explain.common.evaluating`) without gradients.

Every edit is listed once as a ``(sequence, base, position)`` triple and the
mutants are scored a batch at a time, mixing mutants of several sequences in one
forward pass, with no Python loop per sequence or per position.

Two exact shortcuts (``fast=True``) recompute only what an edit can change:

* :class:`~gdashboard.models.cnn.ConvNet` (the CNN presets): a base at ``p``
  reaches only the few final feature positions whose receptive field holds
  ``p``. Each mutant runs the convolution stack on that window alone and the
  global max combines the window with cached maxima of the reference's
  features to either side.
* :class:`~gdashboard.models.rnn.RecurrentNet` with one BiLSTM layer (small-rnn,
  small-cnn-rnn): the forward LSTM's states before the first changed input
  and the backward LSTM's states after the last are the reference's, so each
  direction restarts from the cached state there and runs only over the rest
  (about ``L`` steps in all instead of ``2L``); the pooled output adds cached
  prefix (suffix) sums or maxima of the reference outputs.

Anything else (DeepBind, stacked LSTMs, pooled CNN-RNNs, other modules) runs
every mutant through the whole model. The shortcuts agree with it to
floating-point rounding; ``fast=False`` forces the plain path.

Registry functions (:mod:`gdashboard.methods`): :func:`explain_ism` (``ism``) and
:func:`hypothetical_ism` (TF-MoDISco's hypothetical contributions).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from gdashboard.data.onehot import check_one_hot
from gdashboard.explain.common import batch_option, check_target, evaluating, model_device, progress_range, score
from gdashboard.models.capabilities import model_capabilities
from gdashboard.parallel import for_each_batch

# Sequences whose reference caches are held at once; bounds memory for large N.
SEQUENCE_CHUNK = 256


def in_silico_mutagenesis(
    model: nn.Module, X, target: str = "logit", batch_size: int = 512, fast: bool = True, progress: bool = False
) -> np.ndarray:
    """``S+(mutant) - S+(X)`` for every single-base substitution of every sequence.

    Parameters
    ----------
    model : torch.nn.Module
        Takes one-hot ``(N, 4, L)`` float32 and returns ``(N, 2)`` logits; run in
        eval mode, modes restored afterwards.
    X : torch.Tensor or numpy.ndarray, shape ``(N, 4, L)``
        One-hot sequences; an all-zero column is an ``N``, for which all four
        bases are substituted.
    target : {"logit", "log_odds", "probability"}
        The score ``S+`` (see :func:`gdashboard.explain.common.score`).
    batch_size : int
        Mutant sequences per forward pass.
    fast : bool
        Use the exact shortcut for ConvNet and one-layer RecurrentNet models
        (see the module's description); False runs every mutant in full.
    progress : bool
        Show a progress bar (over chunks of sequences).

    Returns
    -------
    numpy.ndarray, float32, shape ``(N, 4, L)``
        Entry ``[i, b, p]``: the change of ``S+`` when position ``p`` of sequence
        ``i`` becomes base ``b`` (0 where ``b`` is already there).

    Raises
    ------
    ValueError
        For an unknown target or an ``X`` that is not ``(N, 4, L)``.
    """
    from gdashboard.models.averaged import averaged_explanation

    check_target(target)
    if "averaged" in model_capabilities(model):
        # Each strand (member) through the network's exact shortcut; their mean is the
        # ISM of the averaged score (a mutant's change is linear in the score).
        return averaged_explanation(
            lambda network, x: in_silico_mutagenesis(network, x, target, batch_size, fast, progress), model, X
        )
    X = check_one_hot(X)
    device = model_device(model)
    effect = torch.zeros_like(X)
    if X.numel() == 0:
        return effect.numpy()
    with evaluating(model):
        scorer = (_fast_scorer(model, X.shape[-1]) if fast else None) or _FullScorer(model)
        _score_all(scorer, X, target, batch_size, device, effect, progress)
    return effect.numpy()


def explain_ism(model: nn.Module, X, options, progress: bool = False) -> dict:
    """``ism`` (N, 4, L) (:func:`in_silico_mutagenesis`), for :class:`gdashboard.methods.ISMOptions`."""
    return {"ism": in_silico_mutagenesis(model, X, target=options.target, progress=progress, **batch_option(options))}


def hypothetical_ism(model: nn.Module, X, options, progress: bool = False) -> np.ndarray:
    """Hypothetical contributions ``(N, 4, L)`` float32: each substitution's change minus the
    mean change over the four bases at its position."""
    effect = in_silico_mutagenesis(model, X, target=options.target, progress=progress, **batch_option(options))
    return (effect - effect.mean(axis=1, keepdims=True)).astype(np.float32)


@torch.inference_mode()
def _score_all(scorer, X, target, batch_size, device, effect, progress) -> None:
    """Fill ``effect`` chunk by chunk of sequences, mutants batch by batch."""
    for first in progress_range(0, len(X), SEQUENCE_CHUNK, progress, "mutagenesis"):
        chunk = X[first : first + SEQUENCE_CHUNK].to(device)
        reference = scorer.prepare(chunk)
        S0 = score(reference, target)
        # A base counts as present only where the column holds exactly 1,
        # so an N column (all zeros) gets all four substitutions; the
        # substitution of the present base is skipped (its change is 0).
        sequence, base, position = torch.nonzero(chunk != 1, as_tuple=True)
        # Position-major order: a batch then holds edits at nearby positions,
        # so the recurrent shortcut's reruns in a batch have similar lengths.
        order = torch.argsort(position, stable=True)
        sequence, base, position = sequence[order], base[order], position[order]

        # The scorer's logits only read the caches ``prepare`` made, and each
        # batch writes its own entries of ``effect``: batches may run at once.
        # The closure runs within this iteration (for_each_batch below), so the
        # loop variables it reads are this iteration's.
        def one_batch(start: int, stop: int) -> None:
            s, b, p = sequence[start:stop], base[start:stop], position[start:stop]  # noqa: B023
            S = score(scorer.logits(s, b, p), target)
            effect[first + s.cpu(), b.cpu(), p.cpu()] = (S - S0[s]).float().cpu()  # noqa: B023

        for_each_batch(one_batch, len(sequence), batch_size, device)


def _mutate(windows: torch.Tensor, base: torch.Tensor, offset: torch.Tensor) -> torch.Tensor:
    """Write base ``base[k]`` at column ``offset[k]`` of row ``k`` (in place)."""
    rows = torch.arange(len(windows), device=windows.device)
    windows[rows, :, offset] = 0.0
    windows[rows, base, offset] = 1.0
    return windows


class _FullScorer:
    """Every mutant through the whole model."""

    def __init__(self, model: nn.Module):
        self.model = model

    def prepare(self, X: torch.Tensor) -> torch.Tensor:
        self.X = X
        return self.model(X)

    def logits(self, s, b, p) -> torch.Tensor:
        # Advanced indexing copies, so the chunk itself is not touched.
        return self.model(_mutate(self.X[s], b, p))


def _fast_scorer(model: nn.Module, length: int):
    from gdashboard.models.cnn import ConvNet
    from gdashboard.models.rnn import RecurrentNet

    if type(model) is ConvNet:
        return _ConvNetScorer.build(model, length)
    if type(model) is RecurrentNet:
        return _RecurrentScorer.build(model)
    return None


class _ConvNetScorer:
    """The ConvNet shortcut: the convolution stack on a window around each edit.

    With ``S`` the stack's total stride and ``R`` its receptive field, final
    position ``t`` sees inputs ``[tS, tS + R)``, so an edit at ``p`` changes at
    most ``n = (R - 1) // S + 1`` consecutive final positions, all inside the
    window of final positions ``[t0, t0 + n)``, ``t0 = max(0, p // S - n + 1)``,
    which is computed from inputs ``[t0 S, t0 S + (n - 1) S + R)``. A window
    that starts at a multiple of ``S`` keeps every pooling window aligned with
    the full sequence's. Past the sequence's end the input is padded; positions
    that do not exist in the full model are set to ``-inf`` before each max-pool
    and before the global max, so that a ceil-mode pool's partial last window
    sees only what it sees in the full model.
    """

    def __init__(self, model, steps, stride, field):
        self.model = model
        # (layer, length of its input in the full model, cumulative stride before it)
        self.steps = steps
        self.stride = stride
        self.n = (field - 1) // stride + 1
        self.width = (self.n - 1) * stride + field

    @classmethod
    def build(cls, model, length: int):
        steps, stride, field, current = [], 1, 1, length
        for layer in model.convolutions.layers:
            valid_in = current
            if isinstance(layer, nn.Conv1d):
                if (
                    layer.stride != (1,)
                    or layer.dilation != (1,)
                    or layer.groups != 1
                    or layer.padding not in ((0,), "valid")
                ):
                    return None
                k = layer.kernel_size[0]
                field += (k - 1) * stride
                current -= k - 1
            elif isinstance(layer, nn.MaxPool1d):
                k, step = _single(layer.kernel_size), _single(layer.stride)
                if k != step or _single(layer.padding) != 0 or _single(layer.dilation) != 1 or layer.return_indices:
                    return None
                field += (k - 1) * stride
                current = (math.ceil if layer.ceil_mode else math.floor)(current / k)
            elif isinstance(layer, nn.Dropout):
                continue  # the identity in eval mode
            elif not isinstance(layer, nn.ReLU):
                return None
            if current < 1:
                return None  # too short for the model: let the full path raise
            steps.append((layer, valid_in, stride))
            if isinstance(layer, nn.MaxPool1d):
                stride *= k
        scorer = cls(model, steps, stride, field)
        # A window nearly as long as the sequence saves nothing and pays for
        # the masking (large-cnn on 101 bases): run such models in full.
        return scorer if scorer.width <= 0.6 * length else None

    def _stack(self, windows: torch.Tensor, first: torch.Tensor) -> torch.Tensor:
        """The stack on windows whose first input is position ``first * S``."""
        h = windows
        for layer, valid_in, scale in self.steps:
            if isinstance(layer, nn.MaxPool1d):
                h = _mask_beyond(h, first * (self.stride // scale), valid_in)
            h = layer(h)
        return _mask_beyond(h, first, self.T)

    def prepare(self, X: torch.Tensor) -> torch.Tensor:
        features = self.model.convolutions(X)
        n, channels, T = features.shape
        minus = torch.full((n, channels, 1), -math.inf, dtype=features.dtype, device=features.device)
        # before[:, :, t]: the max over positions < t; after[:, :, t]: over >= t.
        self.before = torch.cat([minus, features.cummax(dim=-1).values], dim=-1)
        self.after = torch.cat([features.flip(-1).cummax(dim=-1).values.flip(-1), minus], dim=-1)
        self.T = T
        self.padded = nn.functional.pad(X, (0, self.width))
        return self.model.linear(features.amax(dim=-1))

    def logits(self, s, b, p) -> torch.Tensor:
        first = torch.clamp(torch.div(p, self.stride, rounding_mode="floor") - self.n + 1, min=0)
        start = first * self.stride
        columns = start[:, None] + torch.arange(self.width, device=p.device)
        # (K, 1) and (K, W) index arrays around a slice give (K, W, 4).
        windows = self.padded[s[:, None], :, columns].transpose(1, 2).contiguous()
        inside = self._stack(_mutate(windows, b, p - start), first).amax(dim=-1)
        stop = torch.clamp(first + self.n, max=self.T)
        outside = torch.maximum(self.before[s, :, first], self.after[s, :, stop])
        return self.model.linear(torch.maximum(inside, outside))


class _RecurrentScorer:
    """The one-layer BiLSTM shortcut: each direction restarts at the first changed input.

    An edit at ``p`` changes the LSTM's inputs at ``[p - r, p + l]`` only: ``r =
    l = 0`` without convolutions, the "same" convolution's reach to either side
    otherwise (one convolution layer at most, so that the zero padding at the
    ends is the model's own). Those inputs are recomputed from the mutant's
    bases around ``p``; every other input is the reference's. The forward
    direction's states before ``p - r`` are the reference's, so it restarts from
    the cached state there and runs to the end; the backward direction restarts
    from the cached state after ``p + l`` and runs down to 0 -- about ``L`` steps
    in all instead of ``2L``, one LSTM call per direction and batch. The pooled
    output adds the reference's outputs outside the rerun spans as cached prefix
    and suffix sums (mean pooling) or maxima (max pooling).
    """

    def __init__(self, model, convolution, after_convolution):
        self.model = model
        self.convolution = convolution
        self.after_convolution = after_convolution
        if convolution is None:
            self.total = self.left = 0
        else:
            self.total = convolution.dilation[0] * (convolution.kernel_size[0] - 1)
            self.left = self.total // 2
        # Output j of a "same" convolution reads inputs [j - left, j - left + total],
        # so input p reaches outputs [p - right, p + left].
        self.right = self.total - self.left
        lstm = model.lstm
        self.hidden = lstm.hidden_size
        # Two one-directional LSTMs holding the bidirectional one's weights, so
        # that each direction runs on its own from its own initial states.
        self.directions = []
        for suffix in ("", "_reverse"):
            single = nn.LSTM(lstm.input_size, lstm.hidden_size, batch_first=True, bias=lstm.bias).to(
                lstm.weight_ih_l0.device, lstm.weight_ih_l0.dtype
            )
            with torch.no_grad():
                for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
                    if hasattr(lstm, name + suffix):
                        getattr(single, name).copy_(getattr(lstm, name + suffix))
            single.eval()
            self.directions.append(single)

    @classmethod
    def build(cls, model):
        lstm = model.lstm
        if (
            lstm.num_layers != 1
            or not lstm.bidirectional
            or not lstm.batch_first
            or lstm.proj_size
            or model.pooling not in ("mean", "max")
        ):
            return None
        convolution, after = None, []
        if model.convolutions is not None:
            for layer in model.convolutions.layers:
                if isinstance(layer, nn.Conv1d):
                    if (
                        convolution is not None
                        or layer.stride != (1,)
                        or layer.groups != 1
                        or layer.padding != "same"
                        or layer.padding_mode != "zeros"
                    ):
                        return None
                    convolution = layer
                elif isinstance(layer, nn.ReLU):
                    after.append(layer)
                elif not isinstance(layer, nn.Dropout):
                    return None  # pooling changes the time axis: run in full
        return cls(model, convolution, after)

    def _states(self, inputs: torch.Tensor, direction: nn.LSTM):
        """Hidden and cell states after every step, ``(N, T, H)`` each, in step order."""
        w_ih, w_hh = direction.weight_ih_l0, direction.weight_hh_l0
        projected = inputs @ w_ih.T
        if direction.bias:
            projected = projected + (direction.bias_ih_l0 + direction.bias_hh_l0)
        n, T, _ = inputs.shape
        h = inputs.new_zeros(n, self.hidden)
        c = inputs.new_zeros(n, self.hidden)
        hs, cs = [], []
        for t in range(T):
            i, f, g, o = (projected[:, t] + h @ w_hh.T).chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            hs.append(h)
            cs.append(c)
        return torch.stack(hs, 1), torch.stack(cs, 1)

    def prepare(self, X: torch.Tensor) -> torch.Tensor:
        model = self.model
        encoded = model.encode(X).contiguous()  # (N, T, F)
        n, T, features = encoded.shape
        self.T = T
        self.flat = encoded.view(n * T, features)
        # Zero padding by the convolution's reach reproduces its "same" padding.
        self.padded = nn.functional.pad(X, (self.total, self.total))
        forward_h, forward_c = self._states(encoded, self.directions[0])
        backward_h, backward_c = self._states(encoded.flip(1), self.directions[1])
        backward_h, backward_c = backward_h.flip(1), backward_c.flip(1)
        zeros = encoded.new_zeros(n, 1, self.hidden)
        # Initial states by restart position: forward from t starts from the
        # state after t - 1 (zeros at t = 0), backward from t from the state at
        # t + 1 (zeros at t = T - 1).
        self.forward_init = (torch.cat([zeros, forward_h], 1), torch.cat([zeros, forward_c], 1))
        self.backward_init = (torch.cat([backward_h, zeros], 1), torch.cat([backward_c, zeros], 1))
        if model.pooling == "mean":
            self.prefix = torch.cat([zeros, forward_h.cumsum(1)], 1)
            self.suffix = torch.cat([backward_h.flip(1).cumsum(1).flip(1), zeros], 1)
        else:
            minus = torch.full_like(zeros, -math.inf)
            self.prefix = torch.cat([minus, forward_h.cummax(1).values], 1)
            self.suffix = torch.cat([backward_h.flip(1).cummax(1).values.flip(1), minus], 1)
        return model.classify(model.pool(torch.cat([forward_h, backward_h], dim=2)))

    def _changed(self, s, b, p) -> torch.Tensor:
        """The mutants' LSTM inputs at positions ``p - right .. p + left``, ``(K, W, F)``."""
        columns = p[:, None] + torch.arange(2 * self.total + 1, device=p.device)
        windows = self.padded[s[:, None], :, columns].transpose(1, 2).contiguous()
        windows = _mutate(windows, b, torch.full_like(p, self.total))
        if self.convolution is not None:
            conv = self.convolution
            windows = nn.functional.conv1d(windows, conv.weight, conv.bias, dilation=conv.dilation)
            for layer in self.after_convolution:
                windows = layer(windows)
        return windows.transpose(1, 2)

    def _inputs(self, s, start, steps, direction, changed, positions):
        """Inputs of a rerun from ``start`` (reference's, then the changed ones written in)."""
        T = self.T
        index = start[:, None] + direction * steps
        valid = (index >= 0) & (index < T)
        flat_index = s[:, None] * T + index.clamp(0, T - 1)
        inputs = self.flat.index_select(0, flat_index.reshape(-1)).view(*index.shape, -1)
        step = direction * (positions - start[:, None])
        inside = (positions >= 0) & (positions < T)
        rows = torch.arange(len(s), device=s.device)[:, None].expand_as(step)
        inputs[rows[inside], step[inside]] = changed[inside]
        return inputs, valid

    def _run(self, direction, inputs, valid, init):
        """Run one direction from ``init`` and pool its outputs where ``valid``.

        Rows are padded to the longest rerun rather than packed: a batch holds
        edits at nearby positions, so little is wasted, and the unpacked LSTM
        kernel is much faster than the packed one on the CPU.
        """
        outputs, _ = direction(inputs, (init[0][None].contiguous(), init[1][None].contiguous()))
        if self.model.pooling == "mean":
            return (outputs * valid[:, :, None]).sum(1)
        return outputs.masked_fill(~valid[:, :, None], -math.inf).amax(1)

    def logits(self, s, b, p) -> torch.Tensor:
        model, T = self.model, self.T
        changed = self._changed(s, b, p)
        positions = p[:, None] - self.right + torch.arange(changed.shape[1], device=p.device)
        first = torch.clamp(p - self.right, min=0)  # the forward direction restarts here
        last = torch.clamp(p + self.left, max=T - 1)  # the backward direction restarts here
        forward_in, forward_valid = self._inputs(
            s, first, torch.arange(T - int(first.min()), device=p.device), 1, changed, positions
        )
        backward_in, backward_valid = self._inputs(
            s, last, torch.arange(int(last.max()) + 1, device=p.device), -1, changed, positions
        )
        forward = self._run(
            self.directions[0],
            forward_in,
            forward_valid,
            (self.forward_init[0][s, first], self.forward_init[1][s, first]),
        )
        backward = self._run(
            self.directions[1],
            backward_in,
            backward_valid,
            (self.backward_init[0][s, last + 1], self.backward_init[1][s, last + 1]),
        )
        if model.pooling == "mean":
            pooled = torch.cat(
                [(self.prefix[s, first] + forward) / T, (self.suffix[s, last + 1] + backward) / T], dim=1
            )
        else:
            pooled = torch.cat(
                [torch.maximum(self.prefix[s, first], forward), torch.maximum(self.suffix[s, last + 1], backward)],
                dim=1,
            )
        return model.classify(pooled)


def _mask_beyond(h: torch.Tensor, first: torch.Tensor, valid: int) -> torch.Tensor:
    """Set the positions at or past ``valid`` (global index ``first + j``) to -inf."""
    index = first[:, None] + torch.arange(h.shape[-1], device=h.device)
    return torch.where((index < valid)[:, None, :], h, torch.tensor(-math.inf, dtype=h.dtype, device=h.device))


def _single(value) -> int:
    return value[0] if isinstance(value, (tuple, list)) else int(value)
