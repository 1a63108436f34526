"""The PWM baseline: the best log-odds match of a TF's JASPAR motifs."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from gdashboard.data.jaspar import PWM_PSEUDOCOUNT
from gdashboard.data.onehot import check_one_hot
from gdashboard.models.baselines.base import CHUNK, Baseline, MotifNotFoundError


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
            for start in range(0, n, CHUNK):
                # float64, chunk by chunk: scores are then exact sums of the
                # stored log-odds, without a float64 copy of the whole input.
                scan = F.conv1d(X[start : start + CHUNK].to(torch.float64), weight, padding=pad)
                out[start : start + CHUNK, column] = scan.amax(dim=(1, 2)).numpy()
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
