"""The view of one sequence (the paper's Figure 2, any registered method) and of a variant.

:func:`sequence_view` computes each model's score and the explanations asked, only
those, for the models that can give them (:func:`~gdashboard.dashboard.method_panels.refusal`
says why the others cannot); :func:`variant_view` compares a reference with an edited
sequence; :func:`view_table` and :func:`jsonable` turn a view into rows and JSON.
"""

from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

from gdashboard.dashboard.experiments import LoadedModel
from gdashboard.dashboard.jaspar_sites import sequence_sites
from gdashboard.dashboard.method_panels import (
    DEFAULT_VIEW_METHODS,
    api_methods,
    check_methods,
    kept_arrays,
    refusal,
    table_columns,
    table_value,
    view_keys,
)
from gdashboard.dashboard.sequences import check_sequence
from gdashboard.methods import get_method

# parallel.for_each_batch changes torch's process-wide thread count inside its
# sections, which are meant for one calling thread at a time; web requests arrive on
# several threads, so the model computations of a view run one at a time.
_COMPUTE_LOCK = threading.Lock()


def _model_view(loaded: LoadedModel, X, methods: Sequence[str]) -> tuple[dict, dict]:
    """One model's score and arrays of the methods it can give; and why it skipped the others."""
    from gdashboard.evaluate import log_odds, predict_logits, probability
    from gdashboard.explain.run import explain

    # One forward pass gives both numbers: log_odds is what `gdash predict` prints.
    logits = predict_logits(loaded.model, X)
    view = {"score": float(log_odds(logits)[0]), "probability": float(probability(logits)[0])}
    skipped = {}
    for method in methods:
        reason = refusal(method, loaded.capabilities)
        if reason:
            skipped[method] = reason
        else:
            view.update(kept_arrays(method, explain(loaded.model, X, method)))
    return view, skipped


def sequence_view(
    models: Sequence[LoadedModel],
    sequence: str,
    *,
    tf: str | None,
    methods: Sequence[str] = DEFAULT_VIEW_METHODS,
    sites: bool = True,
) -> dict:
    """Every model's score and explanations of one sequence (the paper's Figure 2).

    Parameters
    ----------
    models : sequence of LoadedModel
        The models to show (:meth:`Experiment.models`).
    sequence : str
        An ``ACGTN`` sequence already checked by :func:`check_sequence`.
    tf : str or None
        The TF whose JASPAR motifs are scanned for sites; None scans nothing.
    methods : sequence of str
        The per-sequence methods to compute (registry names or aliases), each with its
        default options; a model that cannot give one skips it.
    sites : bool
        Scan for FIMO sites.

    Returns
    -------
    dict
        ``sequence``, ``length``, ``sites`` (list of dicts: ``motif_id``,
        ``motif_name``, ``start`` 0-based, ``end`` exclusive, ``strand``, ``score``,
        ``p_value``), ``methods`` (the registry names computed), ``models``: label ->
        ``score`` (log-odds, as ``gdash predict`` prints), ``probability`` and each
        method's arrays by their :func:`~gdashboard.dashboard.method_panels.view_keys`
        (``saliency`` (L,), ``forward`` and ``backward`` (L,), ``ism`` (4, L), ...), and
        ``skipped``: label -> {method: why the model cannot give it}.

    Raises
    ------
    ValueError
        A method that is not registered or needs no sequence.
    """
    from gdashboard.data import one_hot_encode

    methods = check_methods(methods, api_methods())
    sequence = check_sequence(sequence, set())
    X = one_hot_encode(sequence)
    views, skipped = {}, {}
    with _COMPUTE_LOCK:
        for loaded in models:
            views[loaded.label], skipped[loaded.label] = _model_view(loaded, X, methods)
    found = sequence_sites(sequence, tf, X) if sites else []
    return {
        "sequence": sequence,
        "length": len(sequence),
        "sites": found,
        "methods": methods,
        "models": views,
        "skipped": {label: reasons for label, reasons in skipped.items() if reasons},
    }


def variant_view(
    models: Sequence[LoadedModel],
    reference: str,
    alternative: str,
    *,
    tf: str | None,
    methods: Sequence[str] = DEFAULT_VIEW_METHODS,
    sites: bool = True,
) -> dict:
    """Both sequences' views and what the edit changes.

    Returns
    -------
    dict
        ``reference`` and ``alternative`` (each a :func:`sequence_view`),
        ``changed`` (0-based positions where they differ) and ``differences``: label
        -> ``score`` (alternative minus reference log-odds), ``probability`` and every
        array of a method with rows that both views hold (``saliency`` (L,) when
        saliency was asked), alternative minus reference.

    Raises
    ------
    ValueError
        The two sequences differ in length.
    """
    if len(reference) != len(alternative):
        raise ValueError(
            f"the variant has {len(alternative)} bases but the reference {len(reference)}; "
            "edit bases without inserting or deleting"
        )
    from gdashboard.data.onehot import one_hot_encode
    from gdashboard.explain.variants import variant_effects

    ref = sequence_view(models, reference, tf=tf, methods=methods, sites=sites)
    alt = sequence_view(models, alternative, tf=tf, methods=methods, sites=sites)
    changed = [i for i, (a, b) in enumerate(zip(ref["sequence"], alt["sequence"])) if a != b]
    X_ref, X_alt = one_hot_encode(ref["sequence"]), one_hot_encode(alt["sequence"])
    names = [name for method in ref["methods"] if get_method(method).rows for name in view_keys(method)]
    differences = {}
    for loaded in models:
        ref_view, alt_view = ref["models"][loaded.label], alt["models"][loaded.label]
        # The score change is gdash variants' own computation (the same function).
        with _COMPUTE_LOCK:
            effect = variant_effects(loaded.model, X_ref, X_alt, [changed[0] if changed else 0], saliency=False)
        difference = {
            "score": float(effect["difference"][0]),
            "probability": alt_view["probability"] - ref_view["probability"],
        }
        for name in names:
            if name in ref_view:
                difference[name] = alt_view[name] - ref_view[name]
        differences[loaded.label] = difference
    return {"reference": ref, "alternative": alt, "changed": changed, "differences": differences}


def view_table(view: dict) -> list[dict]:
    """The numbers of a :func:`sequence_view` as rows, one per model and position.

    Columns: ``model``, ``score``, ``probability``, ``position`` (1-based), ``base``,
    then each computed method's (:func:`~gdashboard.dashboard.method_panels.table_columns`:
    ``saliency``, ``forward``, ``backward``, ``ism_A`` .. ``ism_T`` by default), empty
    where a model has none. What the dashboard's CSV download holds.
    """
    columns = [column for method in view["methods"] for column in table_columns(method)]
    rows = []
    sequence = view["sequence"]
    for label, model in view["models"].items():
        for position, base in enumerate(sequence):
            row = {
                "model": label,
                "score": model["score"],
                "probability": model["probability"],
                "position": position + 1,
                "base": base,
            }
            for column, name, index in columns:
                row[column] = table_value(model, name, index, position)
            rows.append(row)
    return rows


def jsonable(view: dict) -> dict:
    """A copy of a view with numpy arrays as (nested) lists and numpy numbers as floats."""
    if isinstance(view, dict):
        return {key: jsonable(value) for key, value in view.items()}
    if isinstance(view, (list, tuple)):
        return [jsonable(value) for value in view]
    if isinstance(view, np.ndarray):
        return view.astype(np.float64).tolist()
    if isinstance(view, np.generic):
        return view.item()
    return view
