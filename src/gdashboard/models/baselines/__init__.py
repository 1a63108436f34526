"""Non-neural baselines: a JASPAR PWM scan, a k-mer logistic regression and a gapped k-mer SVM.

One module each (:mod:`.pwm`, :mod:`.kmer`, :mod:`.gkmsvm`; :mod:`.base` holds their
interface); this package names them all. They take the same one-hot ``(N, 4, L)``
float32 tensors (ACGT order, an all-zero column is ``N``) as the neural models and
share one small interface, so the training code can fit, score, save and load them
like any other preset::

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

from gdashboard.errors import InputError
from gdashboard.models.baselines.base import Baseline, MotifNotFoundError
from gdashboard.models.baselines.gkmsvm import GKMSVM_MAX_TRAIN, GkmsvmBaseline
from gdashboard.models.baselines.kmer import DEFAULT_C_GRID, KmerBaseline, kmer_counts, kmer_names, onehot_to_codes
from gdashboard.models.baselines.pwm import PWMBaseline

__all__ = [
    "BASELINES",
    "DEFAULT_C_GRID",
    "GKMSVM_MAX_TRAIN",
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
