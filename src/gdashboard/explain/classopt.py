"""Class optimization: the input that a trained model finds most positive.

Following the paper (Lanchantin et al. 2017, section 3.3, after Simonyan et al.
2013) we look for

    X* = argmax_X  S+(X) - lambda * ||X||^2

(the paper's equation 7 prints ``+ lambda ||X||^2``; a penalty is meant, and the
original code subtracts it) by gradient ascent on a continuous ``(4, L)`` matrix X
with the model frozen in eval mode (:func:`gdashboard.explain.common.frozen`:
its weights get no gradients, dropout is off). X is unconstrained while
optimising (as in the original Torch7 code): it is neither a one-hot sequence
nor a probability matrix, so the result is reported three ways: the raw matrix,
a per-position distribution for a logo (the original code's normalization) and
the argmax sequence with the model's score on it.

Several random restarts run as one batch: each restart is a row of the batch,
the model treats rows independently (eval mode: no dropout, no batch
statistics), and RMSprop, Adam and SGD update every element on its own, so the
batch computes exactly what the restarts would compute one after another, in
one forward/backward per step instead of ``restarts``.

``S+`` here is one of :data:`TARGETS`, which adds the original code's log
probability to the explainers' scores (:func:`gdashboard.explain.common.score`).
Bad options, and a length the model cannot take, raise ValueError. The defaults (steps,
restarts, λ, seed, target) are :class:`gdashboard.methods.ClassOptOptions`'s, the
original code's settings; :func:`explain_classopt` is the registry's function.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gdashboard.data.onehot import ALPHABET
from gdashboard.explain.common import POSITIVE, backward_context, frozen, model_device_dtype
from gdashboard.methods import CLASSOPT_TARGETS, ClassOptOptions

TARGETS = CLASSOPT_TARGETS
_DEFAULTS = ClassOptOptions()
OPTIMIZERS = ("rmsprop", "adam", "sgd")
# Added to every entry before normalising a position (the original code's value):
# it keeps a position whose clamped values are all zero from dividing by zero
# and gives it a flat distribution instead.
LOGO_PSEUDOCOUNT = 0.01


@dataclass
class ClassOptimization:
    """The result of :func:`class_optimize`.

    Attributes
    ----------
    matrix : np.ndarray, float32, shape (4, L)
        The optimized X of the best restart (highest objective), rows ACGT.
        Unconstrained: entries may be negative or above 1.
    probabilities : np.ndarray, float32, shape (4, L)
        ``matrix`` turned into a distribution per position for a sequence logo,
        as the original code did: clamp to [0, 1], divide by the global maximum
        of the clamped matrix (skipped when that maximum is 0), add 0.01, divide
        each position (column) by its sum. Every column sums to 1.
    sequence : str
        The argmax of ``matrix`` per position, over ``ACGT`` (ties go to the
        earlier letter; never ``N``).
    score : float
        The model's ``target`` on the one-hot encoding of ``sequence``.
    objective : float
        ``target(matrix) - l2 * ||matrix||^2`` of the best restart.
    all_matrices : np.ndarray, float32, shape (restarts, 4, L)
    all_sequences : list of str, one per restart
    all_scores : np.ndarray, float32, shape (restarts,)
        ``target`` of each restart's argmax sequence.
    all_objectives : np.ndarray, float32, shape (restarts,)
    best : int
        Index of the best restart.
    target, l2, steps, optimizer, learning_rate, seed : the settings used.
    """

    matrix: np.ndarray
    probabilities: np.ndarray
    sequence: str
    score: float
    objective: float
    all_matrices: np.ndarray
    all_sequences: list[str]
    all_scores: np.ndarray
    all_objectives: np.ndarray
    best: int
    target: str
    l2: float
    steps: int
    optimizer: str
    learning_rate: float
    seed: int


def logo_probabilities(matrix: np.ndarray | torch.Tensor) -> np.ndarray:
    """The original code's normalization of an optimized X for a logo.

    Clamp to [0, 1], divide by the global maximum (skipped when it is 0: the
    matrix is then all zeros and every position comes out uniform), add 0.01,
    normalise every position (column, last axis is position) to sum to 1.

    Parameters
    ----------
    matrix : array, shape (4, L) or (N, 4, L); for a batch the maximum is taken
        per matrix.

    Returns
    -------
    np.ndarray, float32, same shape.
    """
    array = np.asarray(matrix.detach().cpu() if isinstance(matrix, torch.Tensor) else matrix, dtype=np.float32)
    clamped = np.clip(array, 0.0, 1.0)
    peak = clamped.max(axis=(-2, -1), keepdims=True)
    scaled = clamped / np.where(peak > 0, peak, 1.0)
    shifted = scaled + LOGO_PSEUDOCOUNT
    return (shifted / shifted.sum(axis=-2, keepdims=True)).astype(np.float32)


def target_score(logits: torch.Tensor, target: str) -> torch.Tensor:
    """The scalar per row that class optimization maximises.

    ``logit``: the positive logit; ``log_probability``: log p+ (the original
    code's objective); ``log_odds``: positive minus negative logit.
    """
    if target == "logit":
        return logits[:, POSITIVE]
    if target == "log_probability":
        return F.log_softmax(logits, dim=1)[:, POSITIVE]
    if target == "log_odds":
        return logits[:, POSITIVE] - logits[:, 1 - POSITIVE]
    raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")


def initial_matrices(restarts: int, length: int, seed: int) -> torch.Tensor:
    """Starting points ``(restarts, 4, length)``, uniform in [0, 1) as in the original.

    Restart ``r`` is drawn from its own generator seeded with ``seed + r``, so a
    batch of restarts equals ``restarts`` single-restart runs with seeds
    ``seed, seed + 1, ...`` (and does not depend on the batch size).
    """
    return torch.stack(
        [torch.rand((4, length), generator=torch.Generator().manual_seed(seed + r)) for r in range(restarts)]
    )


def _make_optimizer(name: str, parameters, learning_rate: float) -> torch.optim.Optimizer:
    if name == "rmsprop":
        # PyTorch's defaults (alpha 0.99, eps 1e-8) are Torch7 optim.rmsprop's.
        return torch.optim.RMSprop(parameters, lr=learning_rate)
    if name == "adam":
        return torch.optim.Adam(parameters, lr=learning_rate)
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=learning_rate)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def _argmax_sequences(matrices: torch.Tensor) -> list[str]:
    index = matrices.argmax(dim=1).cpu().numpy()
    letters = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)[index]
    return [row.tobytes().decode() for row in letters]


def class_optimize(
    model: nn.Module,
    length: int,
    target: str = _DEFAULTS.target,
    l2: float = _DEFAULTS.l2,
    steps: int = _DEFAULTS.steps,
    optimizer: str = "rmsprop",
    learning_rate: float = 0.05,
    restarts: int = _DEFAULTS.restarts,
    seed: int = _DEFAULTS.seed,
    progress: bool = False,
) -> ClassOptimization:
    """Find the input that maximises the positive class: ``argmax_X S+(X) - l2 * ||X||^2``.

    Parameters
    ----------
    model : nn.Module
        Takes one-hot ``(N, 4, L)`` float32 ACGT and returns ``(N, 2)`` logits.
        Its weights are frozen and it runs in eval mode during the search; its
        ``requires_grad`` flags and every submodule's mode are restored afterwards.
    length : int
        Sequence length L (the models were trained on 101).
    target : {"logit", "log_probability", "log_odds"}
        S+: the positive logit (default: the class score before the softmax,
        as Simonyan et al. define it and this project's spec asks), log p+
        (what the original code maximised) or the log odds of the two classes.
        With two softmax outputs trained by cross-entropy only the difference
        of the two logits is trained: the sum of the two output rows keeps its
        random initial value, so the positive logit carries an untrained
        component. ``log_odds`` (or ``log_probability``) avoids it.
    l2 : float
        lambda, the weight of the squared L2 norm of X (per restart); the default
        is the original code's value.
    steps : int
        Gradient steps (the default is the original code's count).
    optimizer : {"rmsprop", "adam", "sgd"}
        RMSprop was the original code's choice.
    learning_rate : float
        0.05 in the original.
    restarts : int
        Random starting points, optimised together as one batch. Restart ``r``
        starts from X uniform in [0, 1) drawn with seed ``seed + r``; the best
        restart (highest final objective) is reported.
    seed : int
    progress : bool
        Show a progress bar over the steps.

    Returns
    -------
    ClassOptimization

    Raises
    ------
    ValueError
        For an unknown target or optimizer, a non-positive length, restart
        count, a negative step count or l2, or a length the model cannot take.
    """
    _check_settings(target, optimizer, length, restarts, steps, l2)
    length, restarts, steps = int(length), int(restarts), int(steps)
    # X follows the model's device and precision (float32 normally; a float64
    # model gives a float64 search, which the tests use to check batching exactly).
    device, dtype = model_device_dtype(model)

    def objectives(matrices: torch.Tensor) -> torch.Tensor:
        # One objective per restart; lambda applies to each restart's own norm.
        return target_score(model(matrices), target) - l2 * matrices.pow(2).sum(dim=(1, 2))

    with frozen(model):
        _check_length(model, length, device, dtype)
        X = initial_matrices(restarts, length, seed).to(device=device, dtype=dtype).requires_grad_(True)
        opt = _make_optimizer(optimizer, [X], learning_rate)
        with backward_context(model, device):
            _ascend(X, objectives, opt, steps, progress)
        with torch.no_grad():
            final = X.detach()
            all_objectives = objectives(final)
            one_hot = F.one_hot(final.argmax(dim=1), 4).transpose(1, 2).to(final.dtype)
            all_scores = target_score(model(one_hot), target)
    settings = dict(target=target, l2=float(l2), steps=steps, optimizer=optimizer)
    return _best_restart(final, all_objectives, all_scores, settings, float(learning_rate), int(seed))


def _check_settings(target: str, optimizer: str, length: int, restarts: int, steps: int, l2: float) -> None:
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    if int(length) < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    if int(restarts) < 1:
        raise ValueError(f"restarts must be at least 1, got {restarts}")
    if int(steps) < 0:
        raise ValueError(f"steps must be 0 or more, got {steps}")
    if l2 < 0:
        raise ValueError(f"l2 must be 0 or more, got {l2}")


def _check_length(model: nn.Module, length: int, device, dtype) -> None:
    """A ValueError, before any search, when the model cannot take inputs of ``length``."""
    with torch.no_grad():
        try:
            model(torch.zeros((1, 4, length), device=device, dtype=dtype))
        except RuntimeError as error:
            raise ValueError(
                f"the model cannot take sequences of length {length}: {str(error).splitlines()[0]}"
            ) from None


def _ascend(X: torch.Tensor, objectives, opt: torch.optim.Optimizer, steps: int, progress: bool) -> None:
    """``steps`` optimizer steps up the restarts' summed objective, in place on ``X``."""
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, unit="step", desc="class optimization")
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        # Restarts do not interact, so ascending the sum ascends each one.
        (-objectives(X).sum()).backward()
        opt.step()
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.close()


def _best_restart(
    final: torch.Tensor, objectives: torch.Tensor, scores: torch.Tensor, settings: dict, learning_rate, seed
) -> ClassOptimization:
    best = int(objectives.argmax())
    matrices = final.cpu().numpy().astype(np.float32)
    sequences = _argmax_sequences(final)
    return ClassOptimization(
        matrix=matrices[best],
        probabilities=logo_probabilities(matrices[best]),
        sequence=sequences[best],
        score=float(scores[best]),
        objective=float(objectives[best]),
        all_matrices=matrices,
        all_sequences=sequences,
        all_scores=scores.cpu().numpy().astype(np.float32),
        all_objectives=objectives.cpu().numpy().astype(np.float32),
        best=best,
        learning_rate=learning_rate,
        seed=seed,
        **settings,
    )


def explain_classopt(model: nn.Module, X, options, progress: bool = False) -> dict:
    """``matrix``, ``probabilities`` (4, L), ``sequence`` (str array) and ``score`` (scalar) of
    :func:`class_optimize` with :class:`gdashboard.methods.ClassOptOptions`; the input's
    length is ``options.length``, else that of ``X`` (which is otherwise not read)."""
    length = options.length
    if length is None:
        if X is None:
            raise ValueError("class optimisation needs a length: give options.length or sequences")
        length = np.shape(X)[-1]
    result = class_optimize(
        model,
        length,
        target=options.target,
        l2=options.l2,
        steps=options.steps,
        restarts=options.restarts,
        seed=options.seed,
        progress=progress,
    )
    return {
        "matrix": np.asarray(result.matrix),
        "probabilities": np.asarray(result.probabilities),
        "sequence": np.array(result.sequence),
        "score": np.array(result.score),
    }
