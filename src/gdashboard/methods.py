"""The registry of explanation methods: one frozen record per method, and each method's options.

The one place explanation methods are written down, the way
:mod:`gdashboard.models.catalogue` writes down the presets. The command line's
choices and options, :func:`gdashboard.explain.explain`, the JSON API, the
dashboard's panels, the figure's rows, Table 4's columns, ``gdash modisco``'s
attributions and the ground-truth benchmark all loop over :data:`METHODS`; none
keeps a list of its own. It imports no torch (each method's function is named by
its module path and loaded on use), so the results layer, the report and the
command line's help can read it.

A method's function takes ``(model, X, options, progress)`` — a model returning
``(N, 2)`` logits, one-hot ``(N, 4, L)`` sequences, the method's options dataclass
and whether to show a progress bar — and returns a dict holding exactly the
record's ``keys``. It raises ValueError for what it cannot do.

Adding a method: write its module (its function and, where it yields one, its
hypothetical-contribution function), add its options dataclass and its record
below, and its tests. Nothing else changes.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass, field

# What a model can be asked (gdashboard.models.capabilities answers for any model).
CAPABILITIES = ("neural", "differentiable", "recurrent", "convolutional", "baseline", "averaged")

SCORE_TARGETS = ("logit", "log_odds", "probability")
CLASSOPT_TARGETS = ("logit", "log_probability", "log_odds")


def _option(default, help: str, **limits):  # noqa: A002 - click's word
    """A dataclass field whose metadata the command line reads (help, choices, min)."""
    return field(default=default, metadata={"help": help, **limits})


_TARGET_HELP = "S+: the positive logit (default), logit+ − logit−, or p+."
_BATCH_HELP = "Sequences (or mutants) per pass; default: the method's own."


@dataclass(frozen=True)
class SaliencyOptions:
    target: str = _option("logit", _TARGET_HELP, choices=SCORE_TARGETS)
    batch_size: int | None = _option(None, _BATCH_HELP, min=1)


@dataclass(frozen=True)
class TemporalOptions:
    batch_size: int | None = _option(None, _BATCH_HELP, min=1)


@dataclass(frozen=True)
class ClassOptOptions:
    # The paper's class optimisation as its authors' code ran it (docs/explanations.md).
    target: str = _option(
        "logit", "S+: the positive logit (default), log p+, or logit+ − logit−.", choices=CLASSOPT_TARGETS
    )
    steps: int = _option(1000, "Class optimisation: gradient steps.", min=1)
    restarts: int = _option(16, "Class optimisation: random restarts (one batch).", min=1)
    l2: float = _option(0.009, "Class optimisation: λ of the L2 penalty.", min=0.0)
    seed: int = _option(0, "Seed of the restarts' starting matrices.")
    length: int | None = _option(None, "Length of the optimised input (default: the sequences').", min=1)


@dataclass(frozen=True)
class ConvOptions:
    batch_size: int | None = _option(None, _BATCH_HELP, min=1)


@dataclass(frozen=True)
class ISMOptions:
    target: str = _option("logit", _TARGET_HELP, choices=SCORE_TARGETS)
    batch_size: int | None = _option(None, _BATCH_HELP, min=1)


@dataclass(frozen=True)
class IntegratedGradientsOptions:
    target: str = _option("logit", _TARGET_HELP, choices=SCORE_TARGETS)
    n_steps: int = _option(50, "Integrated gradients: path steps.", min=1)
    baseline: str = _option("zeros", "Integrated gradients: reference input.", choices=("zeros", "shuffle"))
    seed: int = _option(0, "Seed of the shuffled references.")
    batch_size: int | None = _option(None, _BATCH_HELP, min=1)


@dataclass(frozen=True)
class DeepLiftOptions:
    target: str = _option("logit", _TARGET_HELP, choices=("logit", "log_odds"))
    n_shuffles: int = _option(20, "DeepLIFT/SHAP: shuffled references per sequence.", min=1)
    seed: int = _option(0, "Seed of the shuffled references.")
    batch_size: int | None = _option(None, _BATCH_HELP, min=1)


@dataclass(frozen=True)
class Method:
    """One explanation method.

    name : its one spelling (``aliases`` are accepted on input and mapped to it).
    title : how tables, panels and figure rows name it.
    function : ``"module:function"``, ``(model, X, options, progress) -> dict`` of ``keys``.
    options : its options dataclass; the defaults are the method's.
    keys : the arrays it returns, in order.
    requires : capabilities the model must have (:data:`CAPABILITIES`); ``refuses`` those it must not.
    per_sequence : False for a method that needs no sequences (class optimisation).
    rows : the ``(N, L)`` per-position rows a view or the figure draws, each ``(key, reduce)``:
        ``reduce`` is ``""`` for an ``(N, L)`` array, ``"present_base"`` for an ``(N, 4, L)``
        attribution summed at the present base (:func:`position_rows`).
    strands : how it explains a strand-averaged model or a seed ensemble.
    motif_windows : whether ``gdash motifs`` cuts one window per sequence from it (Table 4).
    hypothetical : ``"module:function"``, ``(model, X, options, progress) -> (N, 4, L)``
        hypothetical contributions for TF-MoDISco, or None.
    score : ``(key, reduce)`` of its one score per position (the ground-truth benchmark's;
        ``"temporal_change"`` is ``|Δforward| + |Δbackward|``), or None.
    signed : whether its per-position scores carry a sign.
    column : Table 4's heading, in the paper's words (default: the title).
    """

    name: str
    title: str
    function: str
    options: type
    keys: tuple[str, ...]
    requires: frozenset[str] = frozenset()
    refuses: frozenset[str] = frozenset()
    per_sequence: bool = True
    rows: tuple[tuple[str, str], ...] = ()
    strands: str = "the deployed model's gradient (both strands' mean log-odds, members' mean)"
    motif_windows: bool = False
    hypothetical: str | None = None
    score: tuple[str, str] | None = None
    signed: bool = True
    aliases: tuple[str, ...] = ()
    column: str = ""

    @property
    def heading(self) -> str:
        """Its column heading in Table 4 (the paper's wording), else its title."""
        return self.column or self.title

    def load(self):
        """The method's function (imports its module: torch)."""
        return _load(self.function)

    def load_hypothetical(self):
        return None if self.hypothetical is None else _load(self.hypothetical)

    def make_options(self, given=None, **overrides):
        """The options dataclass from None, a dict or an instance, with ``overrides``.

        Raises ValueError naming an option that does not belong to this method.
        """
        if isinstance(given, self.options):
            base = given
        else:
            base = self.options()
            overrides = {**dict(given or {}), **overrides}
        known = {f.name for f in dataclasses.fields(self.options)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(
                f"{self.name} takes no option {unknown[0]!r}; its options: {', '.join(sorted(known)) or 'none'}"
            )
        return dataclasses.replace(base, **overrides)


def _load(path: str):
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


_E = "gdashboard.explain"
_PAPER = "(the paper's)"

METHODS: dict[str, Method] = {
    method.name: method
    for method in [
        Method(
            "saliency",
            "Saliency",
            f"{_E}.saliency:explain_saliency",
            SaliencyOptions,
            ("saliency", "gradient"),
            requires=frozenset({"differentiable"}),
            rows=(("saliency", ""),),
            motif_windows=True,
            hypothetical=f"{_E}.saliency:hypothetical_saliency",
            score=("saliency", ""),
            signed=False,
            column="saliency",
        ),
        Method(
            "conv",
            "Convolution activations",
            f"{_E}.conv:explain_conv",
            ConvOptions,
            ("start", "width", "filter"),
            requires=frozenset({"convolutional"}),
            strands="the forward strand's first-layer filters (the first member's)",
            motif_windows=True,
            column="convolution activations",
        ),
        Method(
            "temporal",
            "Temporal output scores",
            f"{_E}.temporal:explain_temporal",
            TemporalOptions,
            ("forward", "backward"),
            requires=frozenset({"recurrent"}),
            rows=(("forward", ""), ("backward", "")),
            strands="the deployed model's P(bound) of every prefix and suffix (softmax of the mean logits)",
            motif_windows=True,
            score=("", "temporal_change"),
            signed=False,
            column="temporal output",
        ),
        Method(
            "classopt",
            "Class optimisation",
            f"{_E}.classopt:explain_classopt",
            ClassOptOptions,
            ("matrix", "probabilities", "sequence", "score"),
            requires=frozenset({"differentiable"}),
            per_sequence=False,
            motif_windows=True,
            column="class optimization",
        ),
        Method(
            "ism",
            "In-silico mutagenesis",
            f"{_E}.ism:explain_ism",
            ISMOptions,
            ("ism",),
            requires=frozenset({"neural"}),
            rows=(("ism", "mean_substitution"),),
            strands="the deployed model's score changes (both strands' mean log-odds, members' mean)",
            hypothetical=f"{_E}.ism:hypothetical_ism",
            score=("ism", "mean_substitution"),
        ),
        Method(
            "integrated_gradients",
            "Integrated gradients",
            f"{_E}.attribution:explain_integrated_gradients",
            IntegratedGradientsOptions,
            ("attribution",),
            requires=frozenset({"differentiable"}),
            rows=(("attribution", "present_base"),),
            hypothetical=f"{_E}.attribution:hypothetical_integrated_gradients",
            score=("attribution", "present_base"),
            aliases=("ig",),
        ),
        Method(
            "deeplift",
            "DeepLIFT/SHAP",
            f"{_E}.attribution:explain_deeplift",
            DeepLiftOptions,
            ("attribution",),
            requires=frozenset({"differentiable"}),
            refuses=frozenset({"recurrent"}),
            rows=(("attribution", "present_base"),),
            hypothetical=f"{_E}.attribution:hypothetical_deeplift",
            score=("attribution", "present_base"),
        ),
        Method(
            "gradient_x_input",
            "Gradient × input",
            f"{_E}.saliency:explain_gradient_x_input",
            SaliencyOptions,
            ("attribution",),
            requires=frozenset({"differentiable"}),
            rows=(("attribution", "present_base"),),
            score=("attribution", "present_base"),
        ),
        Method(
            "corrected_saliency",
            "Gradient-corrected saliency",
            f"{_E}.corrected_saliency:explain_corrected_saliency",
            SaliencyOptions,
            ("attribution", "gradient"),
            requires=frozenset({"differentiable"}),
            rows=(("attribution", "present_base"),),
            hypothetical=f"{_E}.corrected_saliency:hypothetical_corrected_saliency",
            score=("attribution", "present_base"),
        ),
    ]
}
METHOD_NAMES = tuple(METHODS)


def get_method(name: str) -> Method:
    """The record of ``name`` or of one of its aliases; ValueError naming the choices otherwise."""
    if name in METHODS:
        return METHODS[name]
    for method in METHODS.values():
        if name in method.aliases:
            return method
    raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHOD_NAMES)}")


def motif_methods() -> tuple[str, ...]:
    """The methods ``gdash motifs`` cuts windows from (Table 4's columns), in registry order."""
    return tuple(name for name, method in METHODS.items() if method.motif_windows)


def row_methods() -> tuple[str, ...]:
    """The methods with per-position rows: a dashboard heat map and a figure row each."""
    return tuple(name for name, method in METHODS.items() if method.rows)


def score_methods() -> tuple[str, ...]:
    """The methods with one score per position (the ground-truth benchmark's)."""
    return tuple(name for name, method in METHODS.items() if method.score)


def modisco_methods() -> tuple[str, ...]:
    """The methods that give TF-MoDISco hypothetical contributions."""
    return tuple(name for name, method in METHODS.items() if method.hypothetical)


def position_rows(method: str | Method, arrays, X) -> dict:
    """The ``(N, L)`` rows of a method's output ``arrays`` for one-hot ``X`` (numpy ``(N, 4, L)``).

    ``present_base``: the attribution summed over the four channels weighted by the
    one-hot (the contribution of the base that is there). ``mean_substitution``: minus
    the mean change over a position's substitutions (three at a base, four at an N), so
    that positive means mutating the base lowers the score.
    """
    record = method if isinstance(method, Method) else get_method(method)
    return {
        key if len(record.rows) > 1 else record.name: _reduce(record, arrays, key, reduce, X)
        for key, reduce in record.rows
    }


def position_score(method: str | Method, arrays, X):
    """The method's one score per position, ``(N, L)`` float32 (its record's ``score``)."""
    record = method if isinstance(method, Method) else get_method(method)
    if record.score is None:
        raise ValueError(f"{record.name} gives no score per position")
    return _reduce(record, arrays, *record.score, X)


def _reduce(record: Method, arrays, key: str, reduce: str, X):
    import numpy as np

    X = np.asarray(X, dtype=np.float32)
    if reduce == "temporal_change":
        # How much the prefix / suffix probability moves when position t is added
        # (forward[-1] = backward[L] = 0.5, the probability of no evidence).
        forward = np.asarray(arrays["forward"], dtype=np.float32)
        backward = np.asarray(arrays["backward"], dtype=np.float32)
        half = np.full((len(forward), 1), 0.5, np.float32)
        change = np.abs(np.diff(forward, axis=1, prepend=half)) + np.abs(-np.diff(backward, axis=1, append=half))
        return change.astype(np.float32)
    value = np.asarray(arrays[key], dtype=np.float32)
    if reduce == "present_base":
        value = (value * X).sum(axis=-2)
    elif reduce == "mean_substitution":
        # Substitutions per position: every channel not exactly 1 (3 at a base, 4 at an N).
        n_substitutions = (X != 1).sum(axis=-2)
        value = -value.sum(axis=-2) / np.maximum(n_substitutions, 1)
    elif reduce:
        raise ValueError(f"unknown reduction {reduce!r} of {record.name}")
    return value.astype(np.float32)


def options_union() -> dict[str, dataclasses.Field]:
    """Every option of every method, by name (the command line's ``gdash explain`` flags).

    An option shared by several methods is one flag; its help names them. The registry's
    test checks that shared options agree in type.
    """
    found: dict[str, dataclasses.Field] = {}
    for method in METHODS.values():
        for f in dataclasses.fields(method.options):
            found.setdefault(f.name, f)
    return found


def methods_with_option(option: str) -> tuple[str, ...]:
    return tuple(
        name for name, method in METHODS.items() if option in {f.name for f in dataclasses.fields(method.options)}
    )
