"""Temporal output scores of recurrent models (the paper's Section 3.2).

The forward score at position ``t`` (1-based) is ``P(+ | X[1..t])``, the positive
class's softmax probability of the model run on the prefix that ends at ``t``; the
backward score at ``t`` is ``P(+ | X[t..L])``, on the suffix that starts at ``t``.
Arrays are 0-based: index ``t - 1`` holds position ``t``.

CNN-RNNs, as in the original code, run their convolutions ONCE over the whole
sequence; only the recurrent part (and the pooling and linear layer after it)
sees prefixes and suffixes of the convolution output. With pooling convolutions
several input positions share one LSTM step and so one score
(:mod:`gdashboard.explain.temporal_positions`: the pooled position rule).

Only recurrent models (:class:`~gdashboard.models.rnn.RecurrentNet`: RNNs and
CNN-RNNs, alone or averaged as below) have these scores: any other model (a CNN
reads the whole sequence at once) raises ValueError, as does input that is not
``(N, 4, L)``. The model runs in eval mode
(:func:`gdashboard.explain.common.evaluating`), without gradients.

The deployed model's scores
---------------------------
A reader takes ``forward[t - 1]`` for the probability that the model a run
deploys (the one ``gdash predict`` scores) gives the prefix, so that is what it
is, also for a model that averages networks
(:mod:`gdashboard.models.averaged`): the softmax of the deployed model's logits on
the prefix, never a mean of probabilities (which is not any model's probability,
and whose last value would not be the sequence's predicted probability).

* A strand-averaged model (``--rc-average``) scores ``(network(x) +
  network(rc(x))) / 2``. The reverse complement of the prefix that ends at
  position ``p`` is the suffix of ``rc(X)`` that starts at ``L - 1 - p``, so its
  prefix logits at ``p`` are the mean of the network's prefix logits on ``X`` at
  ``p`` and of its suffix logits on ``rc(X)`` at ``L - 1 - p`` (suffixes alike,
  with the roles swapped). Each strand's convolutions see that strand's whole
  sequence once, as above.
* A seed ensemble scores the mean of its members' logits; its prefix logits are
  the mean of the members' prefix logits (each member averaged over strands
  first when it is strand-averaged).

So the last forward score and the first backward score are exactly the
probability the model gives the whole sequence, ``softmax(model(X))[:, 1]``.

Algorithm
---------
:func:`temporal_output_scores_naive` is the original algorithm: each sequence
alone, one run of the recurrent part per prefix and per suffix (``2 T`` runs per
sequence and network). :func:`temporal_output_scores` gives the same numbers
(within float32 rounding) with far fewer operations: every prefix of a chunk of
sequences in one batched pass (:mod:`gdashboard.explain.temporal_kernels`, which
explains how), and the suffixes as the prefixes of the time-reversed sequences.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from gdashboard.data.onehot import check_one_hot
from gdashboard.explain.common import evaluating, model_device
from gdashboard.explain.temporal_kernels import Network, Workspace, prefix_logits
from gdashboard.explain.temporal_positions import input_spans, input_steps, pooling_stride
from gdashboard.models.averaged import averaged_explanation
from gdashboard.models.capabilities import describe, model_capabilities
from gdashboard.models.rnn import RecurrentNet

__all__ = [
    "explain_temporal",
    "temporal_output_scores",
    "temporal_output_scores_naive",
    "pooling_stride",
    "input_steps",
    "input_spans",
]

# Sequences per chunk; the fastest on the CPU (see temporal_output_scores).
DEFAULT_BATCH_SIZE = 32


def explain_temporal(model: nn.Module, X, options, progress: bool = False) -> dict:
    """The registry's ``temporal`` method: ``{"forward", "backward"}``, each ``(N, L)`` float32.

    ``options`` is a :class:`gdashboard.methods.TemporalOptions`; see
    :func:`temporal_output_scores`.
    """
    batch_size = options.batch_size if options.batch_size is not None else DEFAULT_BATCH_SIZE
    forward, backward = temporal_output_scores(model, X, batch_size=batch_size, progress=progress)
    return {"forward": forward, "backward": backward}


def _check_network(model) -> RecurrentNet:
    """The plain network the kernels read (one strand, one member), checked."""
    if not isinstance(model, RecurrentNet):
        raise ValueError(f"temporal output scores are computed from RecurrentNets, got {type(model).__name__}")
    lstm = model.lstm
    if not lstm.bidirectional or not lstm.batch_first or getattr(lstm, "proj_size", 0):
        raise ValueError("temporal output scores need a batch-first bidirectional LSTM without projections")
    return model


def _check_input(model: nn.Module, X) -> torch.Tensor:
    """``X`` as a one-hot tensor on the model's device, once the model is known to have scores."""
    if "recurrent" not in model_capabilities(model):
        raise ValueError(
            f"temporal output scores need a recurrent model (an RNN or CNN-RNN, every network of an "
            f"average), got {describe(model)}; a CNN reads the whole sequence at once"
        )
    return check_one_hot(X, device=model_device(model))


def _other_strand(logits: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The other strand's ``(prefix, suffix)`` logits ``(N, L, C)`` on this strand's positions.

    The other strand's suffix starting at its position ``L - 1 - p`` is the reverse
    complement of this strand's prefix ending at ``p`` (and its prefixes of our suffixes).
    """
    prefix, suffix = logits
    return suffix[:, ::-1], prefix[:, ::-1]


def _deployed_logits(network_logits, model: nn.Module, X: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The deployed model's ``(prefix, suffix)`` logits ``(N, L, C)`` at every input position.

    ``network_logits(network, X)`` gives one plain network's; the averaging
    wrappers' means of logits are taken over them the way their ``forward`` takes them.
    """
    return averaged_explanation(lambda network, x: network_logits(_check_network(network), x), model, X, _other_strand)


def _positive_probability(logits: np.ndarray) -> np.ndarray:
    """``softmax(logits)[..., 1]`` of ``(N, L, C)`` logits: ``(N, L)`` float32."""
    logits = torch.from_numpy(np.ascontiguousarray(logits))
    return torch.softmax(logits, dim=-1)[..., 1].numpy().astype(np.float32, copy=False)


# ------------------------------------------------------------------ naive reference


def _naive_network_logits(network: RecurrentNet, X: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """One network's prefix and suffix logits ``(N, L, C)``, one LSTM run per prefix and suffix."""

    def logits(encoded):
        return network.classify(network.pool(network.run_lstm(encoded)))[0]

    n, _, length = X.shape
    prefix, suffix = [], []
    for i in range(n):
        # The convolutions see the whole sequence once; only the LSTM sees slices.
        encoded = network.encode(X[i : i + 1])
        T = encoded.shape[1]
        steps = input_steps(network, length, T)
        prefix.append(torch.stack([logits(encoded[:, : s + 1]) for s in range(T)])[steps])
        suffix.append(torch.stack([logits(encoded[:, s:]) for s in range(T)])[steps])
    return torch.stack(prefix).cpu().numpy(), torch.stack(suffix).cpu().numpy()


def temporal_output_scores_naive(model: nn.Module, X) -> tuple[np.ndarray, np.ndarray]:
    """The original algorithm: each sequence alone, one run per prefix and suffix.

    Slow (``2 T`` LSTM runs per sequence and network) but obviously right; it is
    the reference that :func:`temporal_output_scores` must match. For a pooled
    CNN-RNN it runs once per distinct encoded prefix (suffix), not once per input
    position. An averaged model's scores are those of its mean logits (see the
    module's documentation).

    Parameters
    ----------
    model : RecurrentNet, or a strand average or seed ensemble of RecurrentNets
    X : array-like, shape ``(N, 4, L)``, one-hot

    Returns
    -------
    forward, backward : numpy.ndarray of float32, shape ``(N, L)``
        ``forward[n, t-1] = P(+ | X[n, :, 1..t])``, ``backward[n, t-1] = P(+ | X[n, :, t..L])``.
    """
    X = _check_input(model, X)
    if len(X) == 0:
        return np.empty((0, X.shape[-1]), np.float32), np.empty((0, X.shape[-1]), np.float32)
    with evaluating(model), torch.no_grad():
        prefix, suffix = _deployed_logits(_naive_network_logits, model, X)
    return _positive_probability(prefix), _positive_probability(suffix)


# --------------------------------------------------------------------- fast version


class _FastNetworks:
    """Each plain network's prefix and suffix logits by the batched kernels; its
    kernel-ready weights (both reading directions) and the buffers are built once
    for all chunks."""

    def __init__(self):
        self.networks: dict[int, tuple[Network, Network]] = {}
        self.workspace = Workspace()

    def __call__(self, network: RecurrentNet, X: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        if id(network) not in self.networks:
            net = Network.from_model(network)
            self.networks[id(network)] = (net, net.time_reversed())
        net, reversed_net = self.networks[id(network)]
        encoded = network.encode(X)  # convolutions once, whole sequence
        steps = torch.as_tensor(input_steps(network, X.shape[-1], encoded.shape[1]), device=encoded.device)
        prefix = prefix_logits(encoded, net, self.workspace)
        # A suffix is a prefix of the time-reversed sequence.
        suffix = prefix_logits(encoded.flip(1), reversed_net, self.workspace).flip(0)
        return tuple(part[steps].transpose(0, 1).cpu().numpy() for part in (prefix, suffix))


def temporal_output_scores(
    model: nn.Module, X, batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Forward and backward temporal output scores of a recurrent model.

    Parameters
    ----------
    model : RecurrentNet, or a strand average or seed ensemble of RecurrentNets
        An RNN or CNN-RNN, alone or averaged (:mod:`gdashboard.models.averaged`);
        anything else raises ValueError. It is evaluated in eval mode (every
        submodule's mode is restored afterwards), without gradients, on its own device.
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
        P(+ | X[n, :, t..L])``, the deployed model's probabilities (for an averaged
        model, the softmax of its mean logits: see the module's documentation).
        With pooling convolutions, input position ``p`` (0-based) maps to encoded
        step ``floor(p / stride)``. Equal, within float32 rounding, to
        :func:`temporal_output_scores_naive`; ``forward[:, -1]`` and
        ``backward[:, 0]`` equal ``softmax(model(X))[:, 1]``.
    """
    X = _check_input(model, X)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    n, _, length = X.shape
    forward = np.empty((n, length), np.float32)
    backward = np.empty((n, length), np.float32)
    starts = range(0, n, batch_size)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="temporal output scores", unit="chunk")
    fast = _FastNetworks()
    with evaluating(model), torch.no_grad():
        for start in starts:
            prefix, suffix = _deployed_logits(fast, model, X[start : start + batch_size])
            forward[start : start + len(prefix)] = _positive_probability(prefix)
            backward[start : start + len(suffix)] = _positive_probability(suffix)
    return forward, backward
