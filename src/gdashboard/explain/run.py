"""``gdash explain``: run one explanation method over a sequence file, write an ``.npz``.

The methods, their options and the arrays they return are the registry's
(:data:`gdashboard.methods.METHODS`): :func:`explain` looks the method up, makes its
options, checks that the model has what the method needs (its ``requires``) and
nothing it refuses (its ``refuses``, against
:func:`gdashboard.models.capabilities.model_capabilities`), runs it and checks that it
returned exactly the record's ``keys``.

The ``.npz`` loads without pickle (``np.load(path)``): ``ids`` are fixed-width
unicode strings, every other array is numeric. Besides the method's arrays every file
holds ``ids``, ``labels`` (both empty for a method that reads no sequences: class
optimisation), ``method`` (the registry's name, never an alias) and ``rc_average``
(whether its explanations are of both strands: False for ``conv``, whose windows are
the forward strand's filters').

:func:`explain` works on arrays and, like every method, raises ValueError for
what it cannot do; :func:`explain_file` works on a run folder and a sequence
file and turns that into an :class:`~gdashboard.errors.InputError` naming the
run, which the command line prints as one line.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np

from gdashboard.errors import InputError
from gdashboard.fileio import atomic_path
from gdashboard.methods import METHOD_NAMES, ClassOptOptions, Method, get_method
from gdashboard.models.capabilities import DESCRIPTIONS, describe, model_capabilities


def explain(model, X, method: str, options=None, *, progress: bool = False) -> dict[str, np.ndarray]:
    """Run one method; returns the arrays that ``gdash explain`` writes (without ids).

    ``method`` is a registry name or alias; ``options`` its options dataclass, a dict of
    some of its options, or None for its defaults (``batch_size=None`` keeps the
    method's own). Class optimisation reads no sequences: ``X`` may be None when
    ``options`` gives its ``length``. An unknown method, an option the method lacks or
    a bad value, and a model the method cannot explain raise ValueError.
    """
    record = get_method(method)
    options = method_options(record, options)
    reason = refusal(record, model)
    if reason:
        raise ValueError(reason)
    arrays = record.load()(model, X, options, progress=progress)
    if set(arrays) != set(record.keys):
        raise RuntimeError(f"{record.function} returned {sorted(arrays)}, not the registry's {list(record.keys)}")
    return {key: arrays[key] for key in record.keys}


def method_options(record: Method, options=None):
    """``record``'s options dataclass from None, a dict or an instance, its values checked
    against the fields' ``choices`` and ``min``; ValueError naming what is wrong."""
    if dataclasses.is_dataclass(options) and not isinstance(options, record.options):
        raise ValueError(f"{record.name} takes {record.options.__name__}, not {type(options).__name__}")
    made = record.make_options(options)
    for field in dataclasses.fields(made):
        value = getattr(made, field.name)
        choices, least = field.metadata.get("choices"), field.metadata.get("min")
        if choices is not None and value not in choices:
            raise ValueError(f"{record.name}: {field.name} must be one of {', '.join(choices)}, got {value!r}")
        if least is not None and value is not None and value < least:
            raise ValueError(f"{record.name}: {field.name} must be at least {least}, got {value!r}")
    return made


def refusal(record: Method, model) -> str | None:
    """Why ``record``'s method cannot explain ``model`` (a capability it lacks or one the
    method refuses), or None when it can."""
    capabilities = model_capabilities(model)
    first_word = record.title.split()[0]
    # "Saliency" starts a clause in lower case; "DeepLIFT/SHAP" keeps its capitals.
    subject = record.title if any(c.isupper() for c in first_word[1:]) else record.title[0].lower() + record.title[1:]
    missing = sorted(record.requires - capabilities)
    if missing:
        # "Temporal output scores need", "Saliency needs".
        last = record.title.split()[-1]
        verb = "need" if last.endswith("s") and not last.endswith("sis") else "needs"
        reason = f"{subject} {verb} a {missing[0]} model ({DESCRIPTIONS[missing[0]]})"
    else:
        refused = sorted(record.refuses & capabilities)
        if not refused:
            return None
        reason = f"{subject} cannot explain a {refused[0]} model ({DESCRIPTIONS[refused[0]]})"
    usable = applicable_methods(model)
    return f"{reason}; got {describe(model, capabilities)}; it can have: {', '.join(usable) or 'no method'}"


def applicable_methods(model, methods=METHOD_NAMES) -> tuple[str, ...]:
    """The registry's methods (of ``methods``, in its order) whose ``requires`` and
    ``refuses`` ``model``'s capabilities satisfy."""
    capabilities = model_capabilities(model)
    return tuple(
        name
        for name in methods
        if get_method(name).requires <= capabilities and not get_method(name).refuses & capabilities
    )


def explain_file(
    rundir: str | os.PathLike,
    path: str | os.PathLike,
    method: str,
    out: str | os.PathLike,
    options=None,
    *,
    limit: int | None = None,
    pad: bool = False,
    rc_average: bool = False,
    progress: bool = False,
) -> Path:
    """Explain a trained run's decisions on every sequence of a file; write ``out`` (.npz).

    ``options`` are the method's (as for :func:`explain`). The file's sequences are
    explained as they are (no shuffled negatives are added). ``limit`` keeps the first
    sequences only. ``rc_average``: explain the mean of both strands (each strand's
    explanation mapped back to the forward strand, then averaged), also for a run
    trained to score one; the file's ``rc_average`` says whether its explanations are of
    both strands.
    """
    from gdashboard.results import open_run

    try:
        record = get_method(method)
    except ValueError as error:
        raise InputError(str(error)) from None
    run = open_run(rundir)
    model = run.network("nothing to explain", rc_average=rc_average)
    # The first-layer windows are one network's filters on the forward strand, averaged or not.
    both_strands = bool(rc_average or run.options.get("rc_average")) and record.name != "conv"
    dataset = run.read_sequences(path, pad=pad)
    if limit is not None:
        dataset = dataset.subset(np.arange(min(limit, len(dataset))))
    try:
        arrays = explain(model, dataset.X, record.name, options, progress=progress)
    except ValueError as error:
        # What a method cannot do (a bad option, temporal scores of a CNN) is a
        # ValueError; here it is the user's input. Other errors are bugs and
        # keep their traceback.
        raise InputError(str(error).splitlines()[0], rundir) from None
    ids = np.array(dataset.ids if record.per_sequence else [], dtype=str)
    labels = dataset.labels if record.per_sequence else np.zeros(0, np.int64)
    out = Path(out)
    with atomic_path(out) as temporary, open(temporary, "wb") as handle:
        np.savez_compressed(
            handle, ids=ids, labels=labels, method=np.array(record.name), rc_average=np.array(both_strands), **arrays
        )
    return out


def cached_class_optimization(
    run, options: ClassOptOptions | None = None, *, progress: bool = False, compute: bool = True
) -> dict | None:
    """A run's class optimisation (``matrix``, ``probabilities``, ``sequence``, ``score``),
    computed once and cached beside the run (:func:`gdashboard.results.read_classopt_cache`)
    so that a second figure or dashboard view does not recompute it.

    ``run`` is a :class:`gdashboard.results.Run`; ``options`` are class optimisation's
    (a :class:`~gdashboard.methods.ClassOptOptions`, a dict of some, or None for the
    defaults), the input's length the run's unless ``options.length`` says otherwise.
    With ``compute=False`` only the cache answers: None when it holds nothing made with
    these options.
    """
    from gdashboard.results import read_classopt_cache, write_classopt_cache

    try:
        options = method_options(get_method("classopt"), options)
    except ValueError as error:
        raise InputError(str(error).splitlines()[0], run.path) from None
    key = {name: getattr(options, name) for name in ("steps", "restarts", "seed", "target", "l2")}
    if options.length is not None and options.length != run.sequence_length:
        key["length"] = options.length  # another input than the run's; the run's length is the cache's default
    cached = read_classopt_cache(run.path, key)
    if cached is not None or not compute:
        return cached
    model = run.network("nothing to optimise")
    if options.length is None:
        options = dataclasses.replace(options, length=run.sequence_length)
    try:
        arrays = explain(model, None, "classopt", options, progress=progress)
    except ValueError as error:
        # As in explain_file: a bad option or a length the model cannot take.
        raise InputError(str(error).splitlines()[0], run.path) from None
    write_classopt_cache(run.path, key, arrays)
    return arrays
