"""Dinucleotide-preserving shuffles (tangermeme's) and shuffled negatives."""

from __future__ import annotations

import numpy as np
import torch


def dinucleotide_shuffle(X: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """One seeded dinucleotide-preserving shuffle of each sequence in ``X``.

    Wraps :func:`tangermeme.ersatz.dinucleotide_shuffle` (imported here, not at
    package import, because numba compiles it on first use). Sequence ``i`` is
    shuffled with seed ``seed + i``. ``N`` columns are shuffled as a fifth
    character, so every dinucleotide count is kept.

    Parameters
    ----------
    X : torch.Tensor, shape ``(N, 4, L)``
    seed : int

    Returns
    -------
    torch.Tensor, shape ``(N, 4, L)``, the dtype of ``X``.
    """
    from tangermeme.ersatz import dinucleotide_shuffle as _shuffle

    from gdashboard.parallel import torch_threads_kept

    if len(X) == 0:
        return X.clone()
    with torch_threads_kept():
        return _shuffle(X, n=1, random_state=int(seed), allow_N=True)[:, 0]


def add_shuffled_negatives(dataset, seed: int = 0):
    """Append one shuffled negative per positive, in the positive's group.

    The negative's id is the positive's id followed by ``:shuffle``.
    """
    from gdashboard.data.readers import Dataset

    positive = np.flatnonzero(dataset.labels == 1)
    shuffled = dinucleotide_shuffle(dataset.X[torch.as_tensor(positive)], seed=seed)
    return Dataset(
        X=torch.cat([dataset.X, shuffled]),
        labels=np.concatenate([dataset.labels, np.zeros(len(positive), np.int64)]),
        ids=dataset.ids + [f"{dataset.ids[i]}:shuffle" for i in positive],
        groups=np.concatenate([dataset.groups, dataset.groups[positive]]),
        name=dataset.name,
        tf=dataset.tf,
        path=dataset.path,
        n_shuffled=len(positive),
    )
