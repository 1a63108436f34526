"""Non-neural baselines: a JASPAR PWM scan, a k-mer logistic regression and a gapped k-mer SVM.

Both take the same one-hot ``(N, 4, L)`` float32 tensors (ACGT order, an all-zero
column is ``N``) as the neural models and share one small interface, so the training
code can fit, score, save and load them like any other preset::

    model = build_baseline("pwm", tf="GATA1")          # or "kmer", "gkmsvm" (no TF needed)
    model.fit(X_train, y_train, X_valid, y_valid)       # PWM: nothing to learn
    scores = model.decision_function(X_test)            # (N,) float64, higher = bound
    config, tensors = model.get_config(), model.state_tensors()
    same = BASELINES[config["preset"]].from_state(config, tensors)

``config`` is JSON-serialisable and ``tensors`` go into ``model.safetensors``; loading
them back reproduces ``decision_function`` bit for bit and needs neither JASPAR nor
scikit-learn's fitted objects.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from scipy import sparse

from gdashboard.data.jaspar import PWM_PSEUDOCOUNT
from gdashboard.data.onehot import check_one_hot
from gdashboard.errors import InputError

__all__ = [
    "BASELINES",
    "Baseline",
    "GkmsvmBaseline",
    "KmerBaseline",
    "MotifNotFoundError",
    "PWMBaseline",
    "build_baseline",
    "kmer_counts",
    "kmer_names",
    "onehot_to_codes",
]

# Sequences per chunk when scanning or counting: bounds the memory of the
# (chunk, 2, L) score maps and of the per-k index arrays on long sequences.
_CHUNK = 4096
# 4**8 = 65536 columns for k = 8 alone; beyond that the dense coefficient vector
# and the lookup tables grow faster than the signal a linear model can use.
_MAX_K_LIMIT = 8
# Features are standardised and the loss is summed over sequences, so useful C
# are small: on GATA1 (6,400 training sequences) the validation optimum is ~3e-4.
DEFAULT_C_GRID = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 1.0, 10.0)


class MotifNotFoundError(InputError):
    """JASPAR has no motif for the requested TF, so the PWM baseline cannot be built."""


def _as_labels(y: Any, n: int, what: str) -> np.ndarray:
    y = np.asarray(y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else y).reshape(-1)
    if len(y) != n:
        raise ValueError(f"{what}: {len(y)} labels for {n} sequences")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"{what}: labels must be 0 or 1")
    return y.astype(np.int64)


class Baseline(ABC):
    """The interface the training code uses for every non-neural preset."""

    preset: str = ""

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


# ----------------------------------------------------------------------------- PWM


class PWMBaseline(Baseline):
    """Best log-odds match of a TF's JASPAR motif(s), over positions, strands and motifs.

    The score of a sequence is ``max`` over motifs, both strands and every offset of
    ``sum_j pwm[base_j, j]``, with log2-odds against a uniform background. An ``N``
    (all-zero) column adds 0, i.e. it counts as the background.

    A sequence shorter than a motif is scored over the part that fits: it is slid
    through the motif as if padded with ``N`` to the motif's width, so the overhang
    adds 0. That keeps every sequence scorable and matches the ``N`` rule; a
    sequence at least as long as a motif is scanned without any overhang.

    Parameters
    ----------
    motifs : dict of str -> array ``(4, width)``
        Log-odds matrices in ACGT order, keyed by JASPAR matrix id.
    names : dict of str -> str, optional
        Motif names by matrix id (e.g. ``"GATA1::TAL1"``), for reports.
    tf : str, optional
        The TF the motifs were chosen for.
    release : str, optional
        The JASPAR release they came from.
    pseudocount : float, optional
        The pseudocount used to make the log-odds, for the record.
    """

    preset = "pwm"

    def __init__(
        self,
        motifs: dict[str, np.ndarray],
        names: dict[str, str] | None = None,
        tf: str | None = None,
        release: str | None = None,
        pseudocount: float | None = None,
    ):
        if not motifs:
            raise ValueError("PWMBaseline needs at least one motif")
        self.motifs: dict[str, torch.Tensor] = {}
        for matrix_id, pwm in motifs.items():
            pwm = torch.as_tensor(np.asarray(pwm, dtype=np.float64))
            if pwm.ndim != 2 or pwm.shape[0] != 4 or pwm.shape[1] < 1:
                raise ValueError(f"motif {matrix_id}: expected a (4, width) matrix, got {tuple(pwm.shape)}")
            self.motifs[str(matrix_id)] = pwm.contiguous()
        self.names = {k: (names or {}).get(k, k) for k in self.motifs}
        self.tf = tf
        self.release = release
        self.pseudocount = pseudocount

    @classmethod
    def from_tf(
        cls, tf: str, release: str = "JASPAR2024", include_dimers: bool = True, pseudocount: float = PWM_PSEUDOCOUNT
    ) -> "PWMBaseline":
        """All JASPAR CORE vertebrate motifs naming ``tf`` (heterodimers too by default).

        Raises
        ------
        MotifNotFoundError
            When the release has no such motif (e.g. SERBP1, SUZ12, TAF1).
        """
        from gdashboard.data.jaspar import motifs_for_tf

        found = motifs_for_tf(tf, release=release, include_dimers=include_dimers)
        if not found:
            raise MotifNotFoundError(f"{release} has no vertebrate motif for {tf}")
        return cls(
            {m.matrix_id: m.log_odds(pseudocount) for m in found},
            names={m.matrix_id: m.name for m in found},
            tf=tf,
            release=release,
            pseudocount=pseudocount,
        )

    def fit(self, X_train=None, y_train=None, X_valid=None, y_valid=None) -> "PWMBaseline":
        """Nothing to learn: the motifs are fixed. Returns ``self``."""
        return self

    def motif_scores(self, X: torch.Tensor) -> np.ndarray:
        """Best match per motif, ``(N, n_motifs)`` float64, columns in ``self.motifs`` order."""
        # In its own dtype (converted to float64 chunk by chunk below); a sequence
        # shorter than every motif, even of length 0, is scored as overhang.
        X = check_one_hot(X, dtype=None, min_length=0)
        n, _, length = X.shape
        out = np.empty((n, len(self.motifs)), dtype=np.float64)
        for column, pwm in enumerate(self.motifs.values()):
            width = pwm.shape[1]
            # Reverse complement in ACGT order: complement = flip the base axis,
            # reverse = flip the position axis.
            weight = torch.stack([pwm, pwm.flip(0).flip(1)])
            # Short sequences: pad with N so the motif can overhang by exactly the
            # missing width, on either side.
            pad = max(width - length, 0)
            for start in range(0, n, _CHUNK):
                # float64, chunk by chunk: scores are then exact sums of the
                # stored log-odds, without a float64 copy of the whole input.
                scan = F.conv1d(X[start : start + _CHUNK].to(torch.float64), weight, padding=pad)
                out[start : start + _CHUNK, column] = scan.amax(dim=(1, 2)).numpy()
        return out

    def decision_function(self, X: torch.Tensor) -> np.ndarray:
        """Best log2-odds match over all motifs, strands and positions, ``(N,)`` float64."""
        return self.motif_scores(X).max(axis=1)

    def get_config(self) -> dict:
        return {
            "preset": self.preset,
            "tf": self.tf,
            "release": self.release,
            "pseudocount": self.pseudocount,
            "matrix_ids": list(self.motifs),
            "motif_names": [self.names[k] for k in self.motifs],
            "widths": [int(p.shape[1]) for p in self.motifs.values()],
        }

    def state_tensors(self) -> dict[str, torch.Tensor]:
        """One ``(4, width)`` float64 log-odds tensor per motif, keyed by matrix id."""
        return {k: p.clone() for k, p in self.motifs.items()}

    @classmethod
    def from_state(cls, config: dict, tensors: dict[str, torch.Tensor]) -> "PWMBaseline":
        ids = config.get("matrix_ids") or list(tensors)
        missing = [k for k in ids if k not in tensors]
        if missing:
            raise ValueError(f"saved PWM baseline lacks the matrices {missing}")
        names = dict(zip(ids, config.get("motif_names") or ids))
        return cls(
            {k: tensors[k].to(torch.float64).numpy() for k in ids},
            names=names,
            tf=config.get("tf"),
            release=config.get("release"),
            pseudocount=config.get("pseudocount"),
        )


# ----------------------------------------------------------------------------- k-mers


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
    for start in range(0, max(n, 1), _CHUNK):
        c, v = codes[start : start + _CHUNK], valid[start : start + _CHUNK]
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
        y = _as_labels(y_train, train.shape[0], "training data")
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
            y_v = _as_labels(y_valid, valid.shape[0], "validation data")
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


# ----------------------------------------------------------------------------- gapped k-mers

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
        y = _as_labels(y_train, len(X), "training data")
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
        scores = [self.model_(X[start : start + _CHUNK]) for start in range(0, len(X), _CHUNK)]
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


# ----------------------------------------------------------------------------- registry

BASELINES: dict[str, type[Baseline]] = {"pwm": PWMBaseline, "kmer": KmerBaseline, "gkmsvm": GkmsvmBaseline}


def build_baseline(preset: str, tf: str | None = None, **options) -> Baseline:
    """An unfitted baseline of ``preset`` (``"pwm"``, ``"kmer"`` or ``"gkmsvm"``).

    ``"pwm"`` needs ``tf`` and takes :meth:`PWMBaseline.from_tf`'s options (``release``,
    ``include_dimers``, ``pseudocount``); it raises :class:`MotifNotFoundError` when
    JASPAR lacks the TF. ``"kmer"`` and ``"gkmsvm"`` take their class's options and
    only record ``tf``.
    """
    if preset == "pwm":
        if not tf:
            raise InputError("the pwm baseline needs the TF's name to look up its JASPAR motifs")
        return PWMBaseline.from_tf(tf, **options)
    if preset == "kmer":
        return KmerBaseline(tf=tf, **options)
    if preset == "gkmsvm":
        return GkmsvmBaseline(tf=tf, **options)
    raise ValueError(f"unknown baseline {preset!r}; choose one of {', '.join(BASELINES)}")
