"""The k-mer baseline: L2 logistic regression on k-mer counts."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch
from scipy import sparse

from gdashboard.data.onehot import check_one_hot
from gdashboard.errors import InputError
from gdashboard.models.baselines.base import CHUNK, Baseline, as_labels

# 4**8 = 65536 columns for k = 8 alone; beyond that the dense coefficient vector
# and the lookup tables grow faster than the signal a linear model can use.
_MAX_K_LIMIT = 8
# Features are standardised and the loss is summed over sequences, so useful C
# are small: on GATA1 (6,400 training sequences) the validation optimum is ~3e-4.
DEFAULT_C_GRID = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 1.0, 10.0)


def onehot_to_codes(X: Any) -> tuple[np.ndarray, np.ndarray]:
    """Base codes ``(N, L)`` int64 (A=0, C=1, G=2, T=3) and a mask of non-``N`` columns."""
    array = check_one_hot(X, dtype=None, min_length=0).numpy()
    valid = array.max(axis=1) > 0
    codes = array.argmax(axis=1).astype(np.int64)
    codes[~valid] = 0
    return codes, valid


def _reverse_complement_index(k: int) -> np.ndarray:
    """For every k-mer index (first base most significant), its reverse complement's index."""
    index = np.arange(4**k, dtype=np.int64)
    rc = np.zeros_like(index)
    for _ in range(k):
        # The last base, complemented, becomes the first (most significant) one.
        rc = rc * 4 + (3 - index % 4)
        index //= 4
    return rc


def _column_lookup(k: int, revcomp: bool) -> tuple[np.ndarray, np.ndarray]:
    """Map each k-mer index to its feature column within k; also each column's k-mer index.

    A merged column stands for the smaller index of a pair, i.e. the
    lexicographically first of a k-mer and its reverse complement.
    """
    index = np.arange(4**k, dtype=np.int64)
    if not revcomp:
        return index, index
    canonical = np.minimum(index, _reverse_complement_index(k))
    kept = np.unique(canonical)
    return np.searchsorted(kept, canonical), kept


def _kmer_string(index: int, k: int) -> str:
    return "".join("ACGT"[(index >> (2 * (k - 1 - j))) & 3] for j in range(k))


def kmer_names(max_k: int = 6, min_k: int = 1, revcomp: bool = True) -> list[str]:
    """Column names of :func:`kmer_counts`; a merged column is named by its smaller k-mer."""
    _check_k(min_k, max_k)
    names = []
    for k in range(min_k, max_k + 1):
        names.extend(_kmer_string(int(i), k) for i in _column_lookup(k, revcomp)[1])
    return names


def _check_k(min_k: int, max_k: int) -> None:
    if not (1 <= min_k <= max_k <= _MAX_K_LIMIT):
        raise ValueError(f"need 1 <= min_k <= max_k <= {_MAX_K_LIMIT}, got min_k={min_k}, max_k={max_k}")


def kmer_counts(X: Any, max_k: int = 6, min_k: int = 1, revcomp: bool = True) -> sparse.csr_matrix:
    """Counts of every k-mer, k = ``min_k``..``max_k``, as a sparse ``(N, n_features)`` matrix.

    Parameters
    ----------
    X : tensor or array ``(N, 4, L)``
        One-hot sequences; an all-zero column (``N``) breaks every k-mer spanning it.
    max_k, min_k : int
        The range of k, inclusive.
    revcomp : bool
        Count a k-mer and its reverse complement in one column (the strand of a
        binding site is arbitrary, and merging halves the features).

    Returns
    -------
    scipy.sparse.csr_matrix of float64; columns are blocks of k = min_k..max_k, in
    the order of :func:`kmer_names`.
    """
    _check_k(min_k, max_k)
    codes, valid = onehot_to_codes(X)
    n, length = codes.shape
    lookups, offsets, total = [], [], 0
    for k in range(min_k, max_k + 1):
        lookup, kept = _column_lookup(k, revcomp)
        lookups.append(lookup)
        offsets.append(total)
        total += len(kept)
    blocks = []
    for start in range(0, max(n, 1), CHUNK):
        c, v = codes[start : start + CHUNK], valid[start : start + CHUNK]
        rows_all, cols_all = [], []
        # Rolling base-4 index: the k-mer at each position is the (k-1)-mer there
        # times 4 plus the next base; validity rolls the same way.
        index, ok = c.copy(), v.copy()
        for k in range(1, max_k + 1):
            if k > 1:
                if k > length:
                    break
                index = index[:, :-1] * 4 + c[:, k - 1 :]
                ok = ok[:, :-1] & v[:, k - 1 :]
            if k < min_k:
                continue
            rows, positions = np.nonzero(ok)
            rows_all.append(rows)
            cols_all.append(offsets[k - min_k] + lookups[k - min_k][index[rows, positions]])
        rows = np.concatenate(rows_all) if rows_all else np.zeros(0, np.int64)
        cols = np.concatenate(cols_all) if cols_all else np.zeros(0, np.int64)
        # COO -> CSR sums the duplicates, which is the counting.
        blocks.append(sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(c), total)))
    counts = sparse.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
    counts.sum_duplicates()
    counts.sort_indices()
    return counts


class KmerBaseline(Baseline):
    """L2 logistic regression on k-mer counts (scikit-learn), k = ``min_k``..``max_k``.

    Features are raw counts of every k-mer, reverse complements merged by default
    (``revcomp=True``; a site counts the same on either strand). k-mers spanning an
    ``N`` are skipped. Each feature is divided by its training standard deviation
    (no centring, so the matrix stays sparse; the intercept absorbs the means) so
    that the L2 penalty treats rare long k-mers and common short ones alike.

    Regularisation: when validation data are given to :meth:`fit`, models are
    fitted on the training data for ``C`` of ``C_grid`` in increasing order and the
    one with the best validation AUC is kept (ties go to the smaller ``C``). The
    search stops once ``patience`` successive ``C`` have not improved on the best
    (validation AUC is near-unimodal in ``C`` and the large ``C`` are the slow
    fits); ``patience=None`` tries the whole grid. The kept model *is* the refit on
    training data with the chosen ``C``: validation data never enter the weights.
    Without validation data (or with only one class in them), or when ``C`` is
    given, ``C`` (default ``1e-3``) is used as is.

    The stored model is the coefficient vector on raw counts (scaling folded in)
    and the intercept, so scores are ``counts @ coef + intercept`` in float64, the
    same before and after saving. lbfgs is deterministic; ``seed`` is passed on as
    ``random_state`` anyway.

    Parameters
    ----------
    max_k, min_k : int
        Range of k (at most 8).
    revcomp : bool
        Merge each k-mer with its reverse complement.
    C : float, optional
        Fixed inverse regularisation strength; skips the validation search.
    C_grid : sequence of float
        Candidates for ``C`` when validation data are given.
    patience : int or None
        Stop the search after this many successive ``C`` without improvement.
    max_iter : int
        lbfgs iterations per fit.
    seed : int
        ``random_state`` of scikit-learn.
    """

    preset = "kmer"
    default_C = 1e-3

    def __init__(
        self,
        max_k: int = 6,
        min_k: int = 1,
        revcomp: bool = True,
        C: float | None = None,
        C_grid=DEFAULT_C_GRID,
        patience: int | None = 2,
        max_iter: int = 1000,
        seed: int = 0,
        tf: str | None = None,
    ):
        _check_k(min_k, max_k)
        self.max_k, self.min_k, self.revcomp = int(max_k), int(min_k), bool(revcomp)
        self.C = None if C is None else float(C)
        self.C_grid = tuple(float(c) for c in C_grid)
        if not self.C_grid:
            raise ValueError("C_grid is empty")
        self.patience = None if patience is None else int(patience)
        self.max_iter, self.seed, self.tf = int(max_iter), int(seed), tf
        self.coef_: np.ndarray | None = None
        self.intercept_: float | None = None
        self.chosen_C_: float | None = None
        self.search_: list[dict] = []
        self.converged_: bool | None = None

    @property
    def n_features(self) -> int:
        return sum(len(_column_lookup(k, self.revcomp)[1]) for k in range(self.min_k, self.max_k + 1))

    def counts(self, X) -> sparse.csr_matrix:
        """This model's k-mer count matrix for ``X``."""
        return kmer_counts(X, max_k=self.max_k, min_k=self.min_k, revcomp=self.revcomp)

    def _fit_one(self, features: sparse.csr_matrix, y: np.ndarray, C: float):
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=C, solver="lbfgs", max_iter=self.max_iter, random_state=self.seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(features, y)
        converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        return model, converged

    def fit(self, X_train, y_train, X_valid=None, y_valid=None) -> "KmerBaseline":
        """Fit on training data, choosing ``C`` on validation data when given. Returns ``self``."""
        from sklearn.metrics import roc_auc_score

        train = self.counts(X_train)
        y = as_labels(y_train, train.shape[0], "training data")
        if len(np.unique(y)) < 2:
            raise InputError("the k-mer baseline needs both bound and unbound training sequences")
        # Standard deviation of each column without densifying: E[x^2] - E[x]^2.
        mean = np.asarray(train.mean(axis=0)).ravel()
        mean_sq = np.asarray(train.multiply(train).mean(axis=0)).ravel()
        std = np.sqrt(np.maximum(mean_sq - mean**2, 0.0))
        # Unseen or constant k-mers keep scale 1: their coefficient stays ~0 anyway.
        scale = np.where(std > 0, std, 1.0)
        scaled = train @ sparse.diags(1.0 / scale)

        self.search_ = []
        valid = None
        if self.C is None and X_valid is not None and y_valid is not None:
            valid = self.counts(X_valid) @ sparse.diags(1.0 / scale)
            y_v = as_labels(y_valid, valid.shape[0], "validation data")
            if len(np.unique(y_v)) < 2:
                valid = None  # AUC undefined: fall back to the fixed C
        if valid is None:
            self.chosen_C_ = self.C if self.C is not None else self.default_C
            best, self.converged_ = self._fit_one(scaled, y, self.chosen_C_)
        else:
            best, best_auc, stale = None, -np.inf, 0
            for C in sorted(self.C_grid):
                if self.patience is not None and stale >= self.patience:
                    break
                model, converged = self._fit_one(scaled, y, C)
                auc = float(roc_auc_score(y_v, model.decision_function(valid)))
                self.search_.append({"C": C, "valid_auc": auc, "converged": converged})
                # Strictly better only: ties keep the smaller, more regularised C.
                if auc > best_auc:
                    best, best_auc, self.chosen_C_, self.converged_ = model, auc, C, converged
                    stale = 0
                else:
                    stale += 1
        self.coef_ = best.coef_.ravel().astype(np.float64) / scale
        self.intercept_ = float(best.intercept_[0])
        return self

    def decision_function(self, X: torch.Tensor) -> np.ndarray:
        """``counts @ coef + intercept``, ``(N,)`` float64 (the log-odds of bound)."""
        if self.coef_ is None:
            raise RuntimeError("KmerBaseline is not fitted")
        return np.asarray(self.counts(X) @ self.coef_, dtype=np.float64).ravel() + self.intercept_

    def top_kmers(self, n: int = 10) -> list[tuple[str, float]]:
        """The ``n`` k-mers with the largest positive coefficients (per raw count)."""
        if self.coef_ is None:
            raise RuntimeError("KmerBaseline is not fitted")
        names = kmer_names(self.max_k, self.min_k, self.revcomp)
        order = np.argsort(-self.coef_, kind="stable")[:n]
        return [(names[i], float(self.coef_[i])) for i in order]

    def get_config(self) -> dict:
        return {
            "preset": self.preset,
            "tf": self.tf,
            "max_k": self.max_k,
            "min_k": self.min_k,
            "revcomp": self.revcomp,
            "C": self.C,
            "C_grid": list(self.C_grid),
            "patience": self.patience,
            "max_iter": self.max_iter,
            "seed": self.seed,
            "n_features": self.n_features,
            "chosen_C": self.chosen_C_,
            "converged": self.converged_,
            "search": list(self.search_),
        }

    def state_tensors(self) -> dict[str, torch.Tensor]:
        """``coef`` ``(n_features,)`` on raw counts and ``intercept`` ``(1,)``, both float64."""
        if self.coef_ is None:
            raise RuntimeError("KmerBaseline is not fitted")
        return {
            "coef": torch.from_numpy(self.coef_.copy()),
            "intercept": torch.tensor([self.intercept_], dtype=torch.float64),
        }

    @classmethod
    def from_state(cls, config: dict, tensors: dict[str, torch.Tensor]) -> "KmerBaseline":
        model = cls(
            max_k=config["max_k"],
            min_k=config.get("min_k", 1),
            revcomp=config.get("revcomp", True),
            C=config.get("C"),
            C_grid=config.get("C_grid", DEFAULT_C_GRID),
            patience=config.get("patience", 2),
            max_iter=config.get("max_iter", 1000),
            seed=config.get("seed", 0),
            tf=config.get("tf"),
        )
        coef = tensors["coef"].to(torch.float64).numpy().copy()
        if coef.shape != (model.n_features,):
            raise ValueError(f"saved k-mer coefficients have shape {tuple(coef.shape)}, expected ({model.n_features},)")
        model.coef_ = coef
        model.intercept_ = float(tensors["intercept"].to(torch.float64).reshape(-1)[0])
        model.chosen_C_ = config.get("chosen_C")
        model.converged_ = config.get("converged")
        model.search_ = list(config.get("search") or [])
        return model
