"""``gdash explain``: run one explanation method over a sequence file, write an ``.npz``.

The ``.npz`` loads without pickle (``np.load(path)``): ``ids`` are fixed-width
unicode strings, every other array is numeric. Keys by method:

============  ==========================================================
saliency      ``saliency`` (N, L), ``gradient`` (N, 4, L)
temporal      ``forward``, ``backward`` (N, L): index t−1 holds the prefix
              ending at t, resp. the suffix starting at t
ism           ``ism`` (N, 4, L)
ig, deeplift  ``attribution`` (N, 4, L)
classopt      ``matrix``, ``probabilities`` (4, L), ``sequence`` (str),
              ``score`` (scalar); per sequence-free: ``ids`` is empty
conv          ``start``, ``width``, ``filter`` (N,)
============  ==========================================================

Every file also holds ``ids``, ``labels``, ``method`` and ``rc_average`` (whether its
explanations are of both strands: False for ``conv``, whose windows are the forward strand's
filters').

:func:`explain` works on arrays and, like every method, raises ValueError for
what it cannot do; :func:`explain_file` works on a run folder and a sequence
file and turns that into an :class:`~gdashboard.errors.InputError` naming the
run, which the command line prints as one line.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from gdashboard.errors import InputError
from gdashboard.explain import METHODS
from gdashboard.fileio import atomic_path


def explain(
    model,
    X,
    method: str,
    *,
    target: str = "logit",
    batch_size: int | None = None,
    seed: int = 0,
    n_steps: int = 50,
    baseline: str = "zeros",
    n_shuffles: int = 20,
    steps: int = 1000,
    restarts: int = 16,
    l2: float = 0.009,
    length: int | None = None,
    progress: bool = False,
) -> dict[str, np.ndarray]:
    """Run one method; returns the arrays that ``gdash explain`` writes (without ids).

    ``batch_size=None`` keeps each method's own default (they differ: sequences
    for saliency and conv, mutants for ISM). Class optimisation needs no
    sequences: it optimises an input of ``length`` (default: that of ``X``).
    An unknown method, a bad option or a model the method cannot explain raises
    ValueError.
    """
    batch = {} if batch_size is None else {"batch_size": batch_size}
    if method == "saliency":
        from gdashboard.explain.saliency import saliency_map

        saliency, gradient = saliency_map(model, X, target=target, progress=progress, **batch)
        return {"saliency": saliency, "gradient": gradient}
    if method == "temporal":
        from gdashboard.explain.temporal import temporal_output_scores

        forward, backward = temporal_output_scores(model, X, progress=progress)
        return {"forward": forward, "backward": backward}
    if method == "ism":
        from gdashboard.explain.ism import in_silico_mutagenesis

        return {"ism": in_silico_mutagenesis(model, X, target=target, progress=progress, **batch)}
    if method == "ig":
        from gdashboard.explain.attribution import integrated_gradients

        return {
            "attribution": integrated_gradients(
                model, X, baseline=baseline, n_steps=n_steps, target=target, seed=seed, progress=progress
            )
        }
    if method == "deeplift":
        from gdashboard.explain.attribution import deep_lift_shap

        return {
            "attribution": deep_lift_shap(model, X, n_shuffles=n_shuffles, seed=seed, target=target, progress=progress)
        }
    if method == "conv":
        from gdashboard.explain.conv import max_activation_windows

        start, width, filter_index = max_activation_windows(model, X, **batch)
        return {"start": start, "width": width, "filter": filter_index}
    if method == "classopt":
        from gdashboard.explain.classopt import class_optimize

        result = class_optimize(
            model,
            length or X.shape[-1],
            target=target,
            l2=l2,
            steps=steps,
            restarts=restarts,
            seed=seed,
            progress=progress,
        )
        return {
            "matrix": np.asarray(result.matrix),
            "probabilities": np.asarray(result.probabilities),
            "sequence": np.array(result.sequence),
            "score": np.array(result.score),
        }
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def explain_file(
    rundir: str | os.PathLike,
    path: str | os.PathLike,
    method: str,
    out: str | os.PathLike,
    *,
    limit: int | None = None,
    pad: bool = False,
    rc_average: bool = False,
    **options,
) -> Path:
    """Explain a trained run's decisions on every sequence of a file; write ``out`` (.npz).

    The file's sequences are explained as they are (no shuffled negatives are
    added). ``limit`` keeps the first sequences only. ``rc_average``: explain the mean
    of both strands (each strand's explanation mapped back to the forward strand, then
    averaged), also for a run trained to score one; the file's ``rc_average`` says
    whether its explanations are of both strands.
    """
    from gdashboard.results import open_run

    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    run = open_run(rundir)
    model = run.network("nothing to explain", rc_average=rc_average)
    # The first-layer windows are one network's filters on the forward strand, averaged or not.
    both_strands = bool(rc_average or run.options.get("rc_average")) and method != "conv"
    dataset = run.read_sequences(path, pad=pad)
    if limit is not None:
        dataset = dataset.subset(np.arange(min(limit, len(dataset))))
    try:
        arrays = explain(model, dataset.X, method, **options)
    except ValueError as error:
        # What a method cannot do (a bad option, temporal scores of a CNN) is a
        # ValueError; here it is the user's input. Other errors are bugs and
        # keep their traceback.
        raise InputError(str(error).splitlines()[0], rundir) from None
    ids = np.array(dataset.ids if method != "classopt" else [], dtype=str)
    labels = dataset.labels if method != "classopt" else np.zeros(0, np.int64)
    out = Path(out)
    with atomic_path(out) as temporary, open(temporary, "wb") as handle:
        np.savez_compressed(
            handle, ids=ids, labels=labels, method=np.array(method), rc_average=np.array(both_strands), **arrays
        )
    return out


def cached_class_optimization(
    run,
    *,
    steps: int = 1000,
    restarts: int = 16,
    seed: int = 0,
    target: str = "logit",
    l2: float = 0.009,
    progress: bool = False,
    compute: bool = True,
) -> dict | None:
    """A run's class optimisation (``matrix``, ``probabilities``, ``sequence``, ``score``),
    computed once and cached beside the run (:func:`gdashboard.results.read_classopt_cache`)
    so that a second figure or dashboard view does not recompute it.

    ``run`` is a :class:`gdashboard.results.Run`. With ``compute=False`` only the cache
    answers: None when it holds nothing made with these options.
    """
    from gdashboard.results import read_classopt_cache, write_classopt_cache

    options = {"steps": steps, "restarts": restarts, "seed": seed, "target": target, "l2": l2}
    cached = read_classopt_cache(run.path, options)
    if cached is not None or not compute:
        return cached
    model = run.network("nothing to optimise")
    try:
        arrays = explain(
            model,
            None,
            "classopt",
            length=run.sequence_length,
            steps=steps,
            restarts=restarts,
            seed=seed,
            target=target,
            l2=l2,
            progress=progress,
        )
    except ValueError as error:
        # As in explain_file: a bad option or a length the model cannot take.
        raise InputError(str(error).splitlines()[0], run.path) from None
    write_classopt_cache(run.path, options, arrays)
    return arrays
