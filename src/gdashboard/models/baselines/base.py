"""What every baseline shares: the interface the training code uses, label checks, chunking."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import torch

from gdashboard.errors import InputError

# Sequences per chunk when scanning or counting: bounds the memory of the
# (chunk, 2, L) score maps and of the per-k index arrays on long sequences.
CHUNK = 4096


class MotifNotFoundError(InputError):
    """JASPAR has no motif for the requested TF, so the PWM baseline cannot be built."""


def as_labels(y: Any, n: int, what: str) -> np.ndarray:
    y = np.asarray(y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else y).reshape(-1)
    if len(y) != n:
        raise ValueError(f"{what}: {len(y)} labels for {n} sequences")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"{what}: labels must be 0 or 1")
    return y.astype(np.int64)


class Baseline(ABC):
    """The interface the training code uses for every non-neural preset."""

    preset: str = ""
    CAPABILITIES = frozenset({"baseline"})

    @abstractmethod
    def fit(self, X_train, y_train, X_valid=None, y_valid=None) -> "Baseline":
        """Learn from training data (validation data only choose hyper-parameters)."""

    @abstractmethod
    def decision_function(self, X: torch.Tensor) -> np.ndarray:
        """``(N,)`` float64 scores, higher = bound."""

    @abstractmethod
    def get_config(self) -> dict:
        """JSON-serialisable settings, including ``"preset"``."""

    @abstractmethod
    def state_tensors(self) -> dict[str, torch.Tensor]:
        """The learnt numbers, for ``model.safetensors``."""

    @classmethod
    @abstractmethod
    def from_state(cls, config: dict, tensors: dict[str, torch.Tensor]) -> "Baseline":
        """Rebuild a model from :meth:`get_config` and :meth:`state_tensors`."""
