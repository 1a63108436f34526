"""In-silico saturation mutagenesis: the change of ``S+`` for every single-base substitution."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from gdashboard.explain.saliency import (as_input, check_target, evaluating, model_device,
                                         progress_range, score)


def _scores(model: nn.Module, X: torch.Tensor, target: str, batch_size: int,
            device: torch.device) -> torch.Tensor:
    out = torch.empty(len(X), dtype=torch.float32)
    for start in range(0, len(X), batch_size):
        out[start:start + batch_size] = score(model(X[start:start + batch_size].to(device)),
                                              target).float().cpu()
    return out


def in_silico_mutagenesis(model: nn.Module, X, target: str = "logit", batch_size: int = 1024,
                          progress: bool = False) -> np.ndarray:
    """``S+(mutant) - S+(X)`` for every single-base substitution of every sequence.

    All edits are listed once as ``(sequence, base, position)`` triples and the
    mutants are built a batch at a time by gathering the sequences and writing
    the new column with vectorised indexing, so a forward pass mixes mutants of
    several sequences and no Python loop runs per sequence or per position.
    Substituting the base already present is skipped (its change is 0 by
    definition), which saves a quarter of the forward passes.

    Parameters
    ----------
    model : torch.nn.Module
        Takes one-hot ``(N, 4, L)`` float32 and returns ``(N, 2)`` logits; run in
        eval mode, modes restored afterwards.
    X : torch.Tensor or numpy.ndarray, shape ``(N, 4, L)``
        One-hot sequences; an all-zero column is an ``N``, for which all four
        bases are substituted.
    target : {"logit", "log_odds", "probability"}
        The score ``S+`` (see :func:`gdashboard.explain.saliency.score`).
    batch_size : int
        Mutant sequences per forward pass.
    progress : bool
        Show a progress bar.

    Returns
    -------
    numpy.ndarray, float32, shape ``(N, 4, L)``
        Entry ``[i, b, p]``: the change of ``S+`` when position ``p`` of sequence
        ``i`` becomes base ``b`` (0 where ``b`` is already there).
    """
    check_target(target)
    X = as_input(X)
    device = model_device(model)
    n, _, length = X.shape
    effect = torch.zeros_like(X)
    # A base counts as present only where the column holds exactly 1, so an N
    # column (all zeros) gets all four substitutions.
    sequence, base, position = torch.nonzero(X != 1, as_tuple=True)
    with evaluating(model), torch.inference_mode():
        reference = _scores(model, X, target, batch_size, device)
        for start in progress_range(0, len(sequence), batch_size, progress, "mutagenesis"):
            stop = start + batch_size
            s, b, p = sequence[start:stop], base[start:stop], position[start:stop]
            rows = torch.arange(len(s))
            mutants = X[s]  # advanced indexing copies, so X itself is not touched
            mutants[rows, :, p] = 0.0
            mutants[rows, b, p] = 1.0
            S = score(model(mutants.to(device)), target).float().cpu()
            effect[s, b, p] = S - reference[s]
    return effect.numpy()
