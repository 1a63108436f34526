"""Dinucleotide-preserving shuffles (tangermeme's) of one-hot tensors."""

from __future__ import annotations

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
