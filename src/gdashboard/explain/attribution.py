"""Reference-based attributions: integrated gradients and DeepLIFT/SHAP.

Both explain the same score ``S+`` as :mod:`gdashboard.explain.saliency`
(:func:`gdashboard.explain.common.score`, the positive logit by default) and
return ``(N, 4, L)`` attributions whose sum over a sequence approximates
``S+(X) - S+(reference)``. Integrated gradients runs the model frozen in eval
mode (:func:`gdashboard.explain.common.frozen`), DeepLIFT/SHAP in eval mode.
DeepLIFT/SHAP has no rule for an LSTM: a recurrent model raises ValueError, as
do bad options and input that is not ``(N, 4, L)``.

Registry functions (:mod:`gdashboard.methods`): :func:`explain_integrated_gradients`,
:func:`explain_deeplift` (``attribution``) and their hypothetical contributions for
TF-MoDISco, :func:`hypothetical_integrated_gradients` and :func:`hypothetical_deeplift`.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from gdashboard.data.onehot import check_one_hot
from gdashboard.explain.common import (
    backward_context,
    batch_option,
    check_target,
    evaluating,
    frozen,
    input_gradient,
    model_device,
    score,
)
from gdashboard.models.capabilities import model_capabilities
from gdashboard.parallel import for_each_batch

# Quadrature rules of the path integral (captum's names).
QUADRATURES = ("gausslegendre", "riemann_trapezoid")
BASELINES = ("zeros", "shuffle")


def shuffled_references(X: torch.Tensor, n: int = 1, seed: int = 0) -> torch.Tensor:
    """``n`` seeded dinucleotide shuffles of each sequence, shape ``(N, n, 4, L)``.

    tangermeme's shuffle (imported here, not at module import, because numba
    compiles it on first use); with ``n=1`` this is exactly
    :func:`gdashboard.data.shuffle.dinucleotide_shuffle` ``(X, seed)``. ``N``
    columns are shuffled as a fifth character.
    """
    if len(X) == 0:
        return X.new_zeros(0, n, *X.shape[1:])
    from tangermeme.ersatz import dinucleotide_shuffle

    from gdashboard.parallel import torch_threads_kept

    with torch_threads_kept():
        return dinucleotide_shuffle(X, n=n, random_state=int(seed), allow_N=True).to(torch.float32)


def quadrature(n_steps: int, method: str = "gausslegendre") -> tuple[np.ndarray, np.ndarray]:
    """Path points ``alpha`` in [0, 1] and their weights, as captum builds them.

    ``"gausslegendre"`` (captum's default) maps numpy's Gauss-Legendre nodes and
    weights from [-1, 1] to [0, 1]; ``"riemann_trapezoid"`` takes ``n_steps``
    evenly spaced points with the end points at half weight. Using captum's
    rules keeps our integrated gradients equal to captum's up to rounding.
    """
    if method == "gausslegendre":
        if n_steps < 1:
            raise ValueError("n_steps must be at least 1")
        nodes, weights = np.polynomial.legendre.leggauss(n_steps)
        return 0.5 * (1 + nodes), 0.5 * weights
    if method == "riemann_trapezoid":
        if n_steps < 2:
            raise ValueError("n_steps must be at least 2 for the trapezoid rule")
        weights = np.full(n_steps, 1.0 / n_steps)
        weights[[0, -1]] /= 2
        return torch.linspace(0, 1, n_steps, dtype=torch.float32).double().numpy(), weights
    raise ValueError(f"method must be one of {', '.join(QUADRATURES)}, got {method!r}")


def _baselines(X: torch.Tensor, baseline, n_shuffles: int, seed: int) -> torch.Tensor:
    """The baselines as ``(N, K, 4, L)``: K = 1 except for several shuffles."""
    if isinstance(baseline, str):
        if baseline == "zeros":
            return torch.zeros_like(X)[:, None]
        if baseline == "shuffle":
            if n_shuffles < 1:
                raise ValueError("n_shuffles must be at least 1")
            return shuffled_references(X, n_shuffles, seed)
        raise ValueError(f"baseline must be one of {', '.join(BASELINES)} or an array, got {baseline!r}")
    reference = torch.as_tensor(baseline).detach().to("cpu", torch.float32)
    if reference.shape == X.shape[1:]:
        reference = reference.expand_as(X)
    if reference.shape != X.shape:
        raise ValueError(
            f"a baseline array must have shape {tuple(X.shape)} or {tuple(X.shape[1:])}, got {tuple(reference.shape)}"
        )
    return reference[:, None]


def integrated_gradients(
    model: nn.Module,
    X,
    baseline="zeros",
    n_steps: int = 50,
    target: str = "logit",
    seed: int = 0,
    batch_size: int = 512,
    method: str = "gausslegendre",
    n_shuffles: int = 1,
    progress: bool = False,
    hypothetical: bool = False,
) -> np.ndarray:
    """Integrated gradients (Sundararajan et al. 2017) of ``S+`` along the straight path.

    ``attr = (X - X') ⊙ Σ_k w_k ∂S+/∂X (X' + α_k (X - X'))`` with captum's
    quadrature (:func:`quadrature`), so it matches captum's
    ``IntegratedGradients(...).attribute(X, baselines=X', target=1, n_steps=...,
    method=...)`` up to floating-point rounding. All ``n_steps`` path points of a
    chunk of sequences go through the model as one batch; only the input
    gradient is computed (no parameter gradients).

    Parameters
    ----------
    model : torch.nn.Module
        Takes one-hot ``(N, 4, L)`` float32 and returns ``(N, 2)`` logits; run in
        eval mode, modes restored afterwards.
    X : torch.Tensor or numpy.ndarray, shape ``(N, 4, L)``
    baseline : "zeros", "shuffle" or array
        ``"zeros"``: the all-zero input. ``"shuffle"``: a seeded dinucleotide
        shuffle of each sequence (``n_shuffles`` of them, attributions averaged).
        An array of shape ``(N, 4, L)`` or ``(4, L)`` is used as given.
    n_steps : int
        Path points (captum's default is 50).
    target : {"logit", "log_odds", "probability"}
    seed : int
        Seed of the shuffled baselines.
    batch_size : int
        Path points (rows) per forward/backward pass; a chunk holds
        ``max(1, batch_size // n_steps)`` sequence-baseline pairs. On the CPU a
        few hundred rows run fastest (they stay in cache).
    method : {"gausslegendre", "riemann_trapezoid"}
    n_shuffles : int
        Shuffled baselines per sequence (``baseline="shuffle"`` only).
    progress : bool
    hypothetical : bool
        Return every base's hypothetical contribution instead (what TF-MoDISco
        reads): with ``g`` the path-averaged gradient, base ``b`` at a position
        contributes ``Σ_c g_c (e_b - X')_c = g_b - Σ_c g_c X'_c``, the rule
        DeepLIFT/SHAP's hypothetical scores follow with its multipliers. At the
        base present it equals the ordinary attribution summed over channels.

    Returns
    -------
    numpy.ndarray, float32, shape ``(N, 4, L)``
        Summed over a sequence, approximately ``S+(X) - mean S+(baseline)``
        (with ``hypothetical``, the hypothetical contributions).

    Raises
    ------
    ValueError
        For an unknown target, method or baseline, a baseline array of the
        wrong shape, an ``X`` that is not ``(N, 4, L)`` or too few steps.
    """
    check_target(target)
    X = check_one_hot(X)
    n, _, length = X.shape
    references = _baselines(X, baseline, n_shuffles, seed)
    k = references.shape[1]
    # One row per (sequence, baseline) pair, sequence-major, so that the mean
    # over a sequence's baselines is a reshape.
    inputs = X.repeat_interleave(k, dim=0)
    references = references.reshape(n * k, 4, length)
    device = model_device(model)
    alphas, weights = quadrature(n_steps, method)
    alphas = torch.as_tensor(alphas, dtype=torch.float32, device=device).view(-1, 1, 1, 1)
    weights = torch.as_tensor(weights, dtype=torch.float32, device=device).view(-1, 1, 1, 1)
    chunk = max(1, batch_size // n_steps)
    attribution = torch.empty_like(inputs)

    def one_chunk(start: int, stop: int) -> None:
        x = inputs[start:stop].to(device)
        x0 = references[start:stop].to(device)
        difference = x - x0
        # (steps, chunk, 4, L) -> one batch: the path points of every pair,
        # formed exactly as captum forms them (x0 + alpha * (x - x0)). A
        # cheaper but algebraically equal path (e.g. interpolating the first
        # convolution's output) rounds differently, which can flip a max
        # between near-equal activations and move the result by ~1e-5.
        path = (x0[None] + alphas * difference[None]).reshape(-1, 4, length)
        gradient = input_gradient(model, path, target).view(n_steps, len(x), 4, length)
        averaged = (gradient * weights).sum(dim=0)
        if hypothetical:
            attribution[start:stop] = (averaged - (averaged * x0).sum(dim=1, keepdim=True)).cpu()
        else:
            attribution[start:stop] = (averaged * difference).cpu()

    with frozen(model), backward_context(model, device):
        for_each_batch(one_chunk, len(inputs), chunk, device, progress, "integrated gradients")
    return attribution.view(n, k, 4, length).mean(dim=1).numpy()


def explain_integrated_gradients(model: nn.Module, X, options, progress: bool = False) -> dict:
    """``attribution`` (N, 4, L) (:func:`integrated_gradients`), for
    :class:`gdashboard.methods.IntegratedGradientsOptions`."""
    return {"attribution": _integrated_gradients(model, X, options, progress, hypothetical=False)}


def hypothetical_integrated_gradients(model: nn.Module, X, options, progress: bool = False) -> np.ndarray:
    """Hypothetical contributions ``(N, 4, L)`` float32 (``integrated_gradients(hypothetical=True)``)."""
    return _integrated_gradients(model, X, options, progress, hypothetical=True).astype(np.float32)


def _integrated_gradients(model, X, options, progress: bool, hypothetical: bool) -> np.ndarray:
    return integrated_gradients(
        model,
        X,
        baseline=options.baseline,
        n_steps=options.n_steps,
        target=options.target,
        seed=options.seed,
        progress=progress,
        hypothetical=hypothetical,
        **batch_option(options),
    )


# --------------------------------------------------------------------------- DeepLIFT/SHAP


class _ConvNetForDeepLift(nn.Module):
    """:class:`~gdashboard.models.cnn.ConvNet` rewritten with hookable modules.

    tangermeme applies DeepLIFT's rules through hooks on ``nn`` modules; the
    ConvNet's global max is a bare ``amax`` call, which it would treat as
    linear and break the attributions' sum. Here the same layers (shared, not
    copied) run with the global max as an ``nn.MaxPool1d`` over the whole length.
    """

    def __init__(self, model: nn.Module, target: str):
        super().__init__()
        self.model = model
        self.global_max = nn.MaxPool1d(1)
        self.target = target

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        features = self.model.convolutions(X)
        # The window is the whole length, set per call because L may vary.
        self.global_max.kernel_size = self.global_max.stride = features.shape[-1]
        pooled = self.global_max(features).flatten(1)
        return score(self.model.linear(pooled), self.target)[:, None]


class _DeepBindForDeepLift(nn.Module):
    """:class:`~gdashboard.models.cnn.DeepBind` with its ReLUs and global max as modules.

    Two separate ``nn.ReLU`` instances, because each caches its own input and
    output for the rescale rule.
    """

    def __init__(self, model: nn.Module, target: str):
        super().__init__()
        self.model = model
        self.relu_convolution = nn.ReLU()
        self.relu_hidden = nn.ReLU()
        self.global_max = nn.MaxPool1d(1)
        self.target = target

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        model = self.model
        activation = self.relu_convolution(model.convolution(X))
        self.global_max.kernel_size = self.global_max.stride = activation.shape[-1]
        pooled = torch.cat([self.global_max(activation).flatten(1), activation.mean(dim=-1)], dim=1)
        hidden = self.relu_hidden(model.hidden(pooled))
        return score(model.linear(model.dropout(hidden)), self.target)[:, None]


class _ScoreOnly(nn.Module):
    """Any other model, returning ``S+`` as ``(N, 1)``; only its ``nn`` modules get rules."""

    def __init__(self, model: nn.Module, target: str):
        super().__init__()
        self.model = model
        self.target = target

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return score(self.model(X), self.target)[:, None]


def deep_lift_model(model: nn.Module, target: str = "logit") -> nn.Module:
    """The single-output ``(N, 1)`` model that tangermeme's ``deep_lift_shap`` attributes.

    Raises
    ------
    ValueError
        For a recurrent model (an LSTM has no DeepLIFT rule in tangermeme) and
        for ``target="probability"`` (the softmax is applied functionally).
    """
    from gdashboard.models.cnn import ConvNet, DeepBind

    if "recurrent" in model_capabilities(model):
        raise ValueError(
            "DeepLIFT/SHAP needs a convolutional model (the CNN presets or "
            "deepbind), not a recurrent one; use saliency, in-silico mutagenesis "
            "or integrated gradients instead"
        )
    if target not in ("logit", "log_odds"):
        raise ValueError(f"DeepLIFT/SHAP explains target 'logit' or 'log_odds', got {target!r}")
    if isinstance(model, ConvNet):
        return _ConvNetForDeepLift(model, target)
    if isinstance(model, DeepBind):
        return _DeepBindForDeepLift(model, target)
    return _ScoreOnly(model, target)


def deep_lift_shap(
    model: nn.Module,
    X,
    n_shuffles: int = 20,
    seed: int = 0,
    target: str = "logit",
    batch_size: int = 256,
    hypothetical: bool = False,
    return_references: bool = False,
    progress: bool = False,
):
    """DeepLIFT/SHAP attributions against dinucleotide-shuffled references, via tangermeme.

    The model is wrapped to return ``S+`` alone as ``(N, 1)`` (tangermeme's
    ``deep_lift_shap`` needs one output and is called with ``target=0``); for
    the ConvNet presets and DeepBind the wrapper re-expresses the global max and
    the ReLUs as modules so that DeepLIFT's rules apply to them. The references
    are ``n_shuffles`` seeded dinucleotide shuffles of each sequence, made here
    so that sequences with ``N`` columns are accepted.

    Parameters
    ----------
    model : torch.nn.Module
        A CNN preset, deepbind, or another non-recurrent model.
    X : torch.Tensor or numpy.ndarray, shape ``(N, 4, L)``
    n_shuffles : int
        References per sequence.
    seed : int
        Seed of the shuffles.
    target : {"logit", "log_odds"}
    batch_size : int
        Sequence-reference pairs per pass (tangermeme's meaning).
    hypothetical : bool
        Return the attribution of every base at every position instead of only
        the base present.
    return_references : bool
        Also return the references, ``(N, n_shuffles, 4, L)``.
    progress : bool

    Returns
    -------
    numpy.ndarray, float32, shape ``(N, 4, L)``
        Summed over a (non-hypothetical, fully one-hot) sequence, equal to
        ``S+(X) - mean_k S+(reference_k)`` up to rounding.
    references : numpy.ndarray, shape ``(N, n_shuffles, 4, L)``, if requested

    Raises
    ------
    ValueError
        For a recurrent model, a target other than ``"logit"`` or
        ``"log_odds"``, an ``X`` that is not ``(N, 4, L)`` or ``n_shuffles < 1``.
    """
    import warnings

    from tangermeme.deep_lift_shap import deep_lift_shap as _deep_lift_shap

    from gdashboard.models.averaged import averaged_explanation
    from gdashboard.parallel import torch_threads_kept

    if "averaged" in model_capabilities(model):
        if return_references:
            raise ValueError("an averaged model (both strands, or a seed ensemble) has no one set of references")
        return averaged_explanation(
            lambda network, x: deep_lift_shap(network, x, n_shuffles, seed, target, batch_size, hypothetical),
            model,
            X,
        )
    wrapped = deep_lift_model(model, target)
    X = check_one_hot(X)
    if n_shuffles < 1:
        raise ValueError("n_shuffles must be at least 1")
    references = shuffled_references(X, n_shuffles, seed)
    has_n = bool((X.sum(dim=1) == 0).any())
    with evaluating(model), warnings.catch_warnings(), torch_threads_kept():
        if has_n:
            # tangermeme insists on a strict one-hot X and warns (with
            # only_warn) about N columns, which are a legitimate input here.
            warnings.filterwarnings("ignore", message=".*one-hot.*")
            warnings.filterwarnings("ignore", message=".*ohe.*")
        wrapped.eval()
        attributions = _deep_lift_shap(
            wrapped,
            X,
            target=0,
            batch_size=batch_size,
            references=references,
            hypothetical=hypothetical,
            only_warn=has_n,
            device=model_device(model),
            verbose=progress,
        )
    attributions = attributions.to(torch.float32).numpy()
    if return_references:
        return attributions, references.numpy()
    return attributions


def explain_deeplift(model: nn.Module, X, options, progress: bool = False) -> dict:
    """``attribution`` (N, 4, L) (:func:`deep_lift_shap`), for :class:`gdashboard.methods.DeepLiftOptions`."""
    return {"attribution": _deep_lift(model, X, options, progress, hypothetical=False)}


def hypothetical_deeplift(model: nn.Module, X, options, progress: bool = False) -> np.ndarray:
    """Hypothetical contributions ``(N, 4, L)`` float32 (``deep_lift_shap(hypothetical=True)``)."""
    return _deep_lift(model, X, options, progress, hypothetical=True).astype(np.float32)


def _deep_lift(model, X, options, progress: bool, hypothetical: bool) -> np.ndarray:
    return deep_lift_shap(
        model,
        X,
        n_shuffles=options.n_shuffles,
        seed=options.seed,
        target=options.target,
        hypothetical=hypothetical,
        progress=progress,
        **batch_option(options),
    )
