"""The gapped k-mer SVM baseline, through gkmsvm-lite."""

from __future__ import annotations

import numpy as np
import torch

from gdashboard.data.onehot import check_one_hot
from gdashboard.errors import InputError
from gdashboard.models.baselines.base import CHUNK, Baseline, as_labels

# Above this many training sequences the gkm kernel (quadratic in N: ~10 ms per 1,000
# pairs of 101-bp sequences on one core here) and its Gram matrix (N^2 float64) stop
# being affordable on a workstation: 10,000 is ~20 min and 0.8 GB on one core.
# Larger training sets are subsampled (seeded, both classes kept in proportion) and
# the run records it.
GKMSVM_MAX_TRAIN = 10_000


class GkmsvmBaseline(Baseline):
    """Gapped k-mer SVM (Ghandi et al. 2014) through ``gkmsvm-lite``, with LS-GKM's defaults.

    The field's standard classical baseline for TF binding: an SVM whose kernel counts
    the gapped k-mers two sequences share (``l``-mers with ``k`` informative positions,
    up to ``d`` mismatches, both strands). Everything of the algorithm is the
    library's; this class only adapts it to the baseline interface. Its defaults are
    LS-GKM's (kernel ``-t 2``, the estimated truncated l-mer kernel, ``l=11``, ``k=7``,
    ``d=3``, ``C=1``), as a new user would run it, so validation data are not used.

    ``N`` (an all-zero column) is read by the library as ``A`` (it takes the argmax of
    the one-hot column); the data of this field hold almost none.

    Parameters
    ----------
    l, k, d : int
        Word length, informative positions and mismatch depth of the kernel.
    C : float
        SVM regularisation.
    kernel : str
        A ``gkmsvm-lite`` kernel name or LS-GKM ``-t`` number.
    max_train : int or None
        Training sequences kept at most (see ``GKMSVM_MAX_TRAIN``); ``None`` keeps all.
    seed : int
        Seed of the subsample.
    """

    preset = "gkmsvm"

    def __init__(
        self,
        l: int = 11,  # noqa: E741 - the kernel's own name for the word length
        k: int = 7,
        d: int = 3,
        C: float = 1.0,
        kernel: str | int = "estimated",
        max_train: int | None = GKMSVM_MAX_TRAIN,
        seed: int = 0,
        tf: str | None = None,
    ):
        if not (1 <= k <= l) or d < 0:
            raise ValueError(f"need 1 <= k <= l and d >= 0, got l={l}, k={k}, d={d}")
        self.l, self.k, self.d, self.C, self.kernel = int(l), int(k), int(d), float(C), kernel
        self.max_train = None if max_train is None else int(max_train)
        self.seed, self.tf = int(seed), tf
        self.model_ = None
        self.n_fit_: int | None = None
        self.n_available_: int | None = None

    def _subsample(self, y: np.ndarray) -> np.ndarray:
        """Indices of the sequences to fit on: all, or ``max_train`` of them drawn per class
        in proportion (seeded), in their original order."""
        n = len(y)
        if self.max_train is None or n <= self.max_train:
            return np.arange(n)
        rng = np.random.default_rng(self.seed)
        kept = []
        for label in (0, 1):
            members = np.flatnonzero(y == label)
            share = max(1, round(self.max_train * len(members) / n))
            kept.append(rng.choice(members, size=min(share, len(members)), replace=False))
        return np.sort(np.concatenate(kept))

    def fit(self, X_train, y_train, X_valid=None, y_valid=None) -> "GkmsvmBaseline":
        """Fit on (a subsample of) the training data; validation data are not used."""
        from gkmsvm import train_gkmsvm

        X = check_one_hot(X_train).numpy()
        y = as_labels(y_train, len(X), "training data")
        if len(np.unique(y)) < 2:
            raise InputError("the gkm-SVM baseline needs both bound and unbound training sequences")
        if X.shape[-1] < self.l:
            raise InputError(f"sequences of length {X.shape[-1]} are shorter than the gkm-SVM word length {self.l}")
        kept = self._subsample(y)
        X, y = X[kept], y[kept]
        self.n_available_, self.n_fit_ = len(y_train), len(kept)
        self.model_ = train_gkmsvm(
            X[y == 1], X[y == 0], kernel_type=self.kernel, l=self.l, k=self.k, d=self.d, C=self.C, device="cpu"
        )
        return self

    def decision_function(self, X: torch.Tensor) -> np.ndarray:
        """The SVM's decision values, ``(N,)`` float64 (uncalibrated; higher = bound)."""
        if self.model_ is None:
            raise RuntimeError("GkmsvmBaseline is not fitted")
        X = check_one_hot(X).numpy()
        scores = [self.model_(X[start : start + CHUNK]) for start in range(0, len(X), CHUNK)]
        return np.concatenate(scores).reshape(-1).astype(np.float64) if scores else np.zeros(0)

    def get_config(self) -> dict:
        from importlib.metadata import version

        fitted = self.model_ is not None
        return {
            "preset": self.preset,
            "tf": self.tf,
            "l": self.l,
            "k": self.k,
            "d": self.d,
            "C": self.C,
            "kernel": self.kernel,
            "max_train": self.max_train,
            "seed": self.seed,
            "n_available": self.n_available_,
            "n_fit": self.n_fit_,
            "subsampled": None if self.n_fit_ is None else self.n_fit_ < self.n_available_,
            "n_support": int(self.model_.num_support_vectors) if fitted else None,
            "kernel_type": self.model_.kernel_type if fitted else None,
            "kernel_params": self.model_.kernel_params if fitted else None,
            "library": f"gkmsvm-lite {version('gkmsvm-lite')}",
        }

    def state_tensors(self) -> dict[str, torch.Tensor]:
        """``support_sequences`` ``(S, 4, L)`` uint8 one-hot, ``coefficients`` ``(S,)`` in the
        library's dtype and ``bias`` ``(1,)`` float64: the library's whole model, kept in
        its own precision so the loaded model scores bit for bit the same."""
        if self.model_ is None:
            raise RuntimeError("GkmsvmBaseline is not fitted")
        return {
            "support_sequences": torch.from_numpy(np.asarray(self.model_.support_sequences).astype(np.uint8)),
            "coefficients": torch.from_numpy(np.asarray(self.model_.coefficients).copy()),
            "bias": torch.tensor([float(self.model_.bias)], dtype=torch.float64),
        }

    @classmethod
    def from_state(cls, config: dict, tensors: dict[str, torch.Tensor]) -> "GkmsvmBaseline":
        from gkmsvm import GkmSVM

        model = cls(
            l=config["l"],
            k=config["k"],
            d=config["d"],
            C=config["C"],
            kernel=config["kernel"],
            max_train=config.get("max_train"),
            seed=config.get("seed", 0),
            tf=config.get("tf"),
        )
        model.model_ = GkmSVM(
            support_sequences=tensors["support_sequences"].numpy().astype(np.float32),
            coefficients=tensors["coefficients"].numpy().copy(),
            bias=float(tensors["bias"].reshape(-1)[0]),
            kernel_type=config["kernel_type"],
            kernel_params=config["kernel_params"],
        )
        model.n_available_, model.n_fit_ = config.get("n_available"), config.get("n_fit")
        return model
