"""Which explanation methods the dashboard, the API and the figure show, and how.

Everything here reads the registry (:mod:`gdashboard.methods`); nothing keeps a list
of methods of its own. A method with per-position rows (``Method.rows``) has a heat
map in the sequence view and can be a row of the figure; every per-sequence method
is served by the JSON API. The defaults below are choices of what to compute when
nobody asks, not lists of what exists.

A view keeps, per model and method, the arrays the method's rows are drawn from (all
its arrays when it has no rows), for the one sequence shown. They are named by
:func:`view_keys`: the method's own name when it keeps one array, else the arrays'
keys (``forward`` and ``backward`` of temporal output scores). Pure functions, no
torch: the command line, the API and the tests may call them freely.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdashboard.methods import METHODS, Method, get_method, position_rows, row_methods

# What the sequence view computes when the URL names no method: the view as it was
# before the method picker (saliency, temporal output scores, ISM).
DEFAULT_VIEW_METHODS = ("saliency", "temporal", "ism")
# The paper's Figure 2 rows.
FIGURE_METHODS = ("saliency", "temporal")
BASES = "ACGT"


def panel_methods() -> tuple[str, ...]:
    """The methods with a heat-map panel in the sequence view (every method with rows)."""
    return row_methods()


def figure_row_methods() -> tuple[str, ...]:
    """The methods ``draw_figure(..., methods=...)`` can draw as rows (every method with rows)."""
    return row_methods()


def api_methods() -> tuple[str, ...]:
    """The methods the JSON API's explain route serves (every per-sequence method)."""
    return tuple(name for name, method in METHODS.items() if method.per_sequence)


def check_methods(names, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` as registry names (aliases mapped, repeats dropped, order kept).

    Raises ValueError with one line for a name that is not a method, or not one of ``allowed``.
    """
    if isinstance(names, str):
        names = [names]
    found = []
    for name in names:
        try:
            record = get_method(name)
        except ValueError:
            raise ValueError(f"unknown method {name!r}; choose from {', '.join(allowed)}") from None
        if record.name not in allowed:
            raise ValueError(f"{record.name} cannot be asked here; choose from {', '.join(allowed)}")
        found.append(record.name)
    return tuple(dict.fromkeys(found))


def refusal(method: str | Method, capabilities) -> str | None:
    """Why a model of these capabilities cannot be explained by ``method``, or None when it can."""
    from gdashboard.models.capabilities import DESCRIPTIONS

    record = _record(method)
    missing = sorted(record.requires - set(capabilities))
    if missing:
        return "needs " + " and ".join(DESCRIPTIONS.get(name, name) for name in missing)
    refused = sorted(record.refuses & set(capabilities))
    if refused:
        return "does not explain " + " or ".join(DESCRIPTIONS.get(name, name) for name in refused)
    return None


def _record(method: str | Method) -> Method:
    return method if isinstance(method, Method) else get_method(method)


def _kept(record: Method) -> tuple[str, ...]:
    """The method's arrays a view keeps: those its rows are drawn from, else all."""
    return tuple(dict.fromkeys(key for key, _ in record.rows)) or record.keys


def view_keys(method: str | Method) -> tuple[str, ...]:
    """The names of a method's arrays in a view (and in the API's answer)."""
    record = _record(method)
    kept = _kept(record)
    return (record.name,) if len(kept) == 1 else kept


def kept_arrays(method: str | Method, arrays) -> dict:
    """The first sequence's arrays of a method's output, by their view names."""
    record = _record(method)
    return {name: np.asarray(arrays[key])[0] for key, name in zip(_kept(record), view_keys(record))}


def has_arrays(method: str | Method, model_view) -> bool:
    """Whether a model's view holds the method's arrays (it was asked and the model can give it)."""
    return all(name in model_view for name in view_keys(method))


def one_hot(sequence: str) -> np.ndarray:
    """The ``(1, 4, L)`` float32 one-hot of an ``ACGTN`` sequence (an ``N`` all zeros), numpy:
    what :func:`view_rows` reduces a per-base array with."""
    codes = np.frombuffer(sequence.upper().encode("ascii"), dtype=np.uint8)
    return (codes[None, :] == np.frombuffer(BASES.encode("ascii"), dtype=np.uint8)[:, None]).astype(np.float32)[None]


def view_rows(method: str | Method, model_view, X) -> dict[str, np.ndarray]:
    """A model's ``(L,)`` rows of a method (:func:`gdashboard.methods.position_rows`) from
    its view; ``X`` the sequence's one-hot ``(1, 4, L)`` (numpy)."""
    record = _record(method)
    arrays = {key: np.asarray(model_view[name])[None] for key, name in zip(_kept(record), view_keys(record))}
    return {name: row[0] for name, row in position_rows(record, arrays, X).items()}


def substitution_keys(method: str | Method) -> tuple[str, ...]:
    """View names of a method's per-base substitution matrices (``(4, L)``, e.g. ISM's):
    drawn base by base as well as by their rows."""
    record = _record(method)
    names = dict(zip(_kept(record), view_keys(record)))
    return tuple(names[key] for key, reduce in record.rows if reduce == "mean_substitution")


def table_columns(method: str | Method) -> list[tuple[str, str, int | None]]:
    """The CSV columns of a method: ``(column, view name, base index or None)``.

    A row kept as it is gives one column, a per-base array one per base
    (``ism_A`` .. ``ism_T``), an array of one value per sequence one column.
    """
    record = _record(method)
    per_base = {key for key, reduce in record.rows if reduce}
    columns = []
    for key, name in zip(_kept(record), view_keys(record)):
        if key in per_base:
            columns += [(f"{name}_{base}", name, index) for index, base in enumerate(BASES)]
        else:
            columns.append((name, name, None))
    return columns


def table_value(model_view, name: str, base: int | None, position: int):
    """One cell of :func:`table_columns` at a 0-based position; None where the model has no such array."""
    if name not in model_view:
        return None
    value = np.asarray(model_view[name])
    if value.ndim == 0:
        return value.item()
    return float(value[position] if base is None else value[base, position])


@dataclass(frozen=True)
class RowStyle:
    """How a method's rows are coloured and named.

    scale : ``"sequential"`` (0 to the largest value), ``"diverging"`` (symmetric about
        0) or ``"probability"`` (0 to 1, centred on 0.5); one scale for every model's rows.
    value : the dashboard colour bar's title.
    heading : the figure section's title; ``{scores}`` stands where a one-row method says
        that the number beside each model is its score.
    bar : the figure colour bar's label.
    short : row key -> its short name beside a model's rows (several rows per model).
    """

    scale: str
    value: str
    heading: str
    bar: str
    short: tuple[tuple[str, str], ...] = ()

    def short_name(self, key: str) -> str:
        return dict(self.short).get(key, key)


SCORES_NOTE = "number: its score on this sequence (log-odds)"
# The paper's own wording for its two rows; every other method is named by its title.
_STYLES = {
    "saliency": RowStyle(
        "sequential",
        "saliency",
        f"Saliency map of each model; {SCORES_NOTE}",
        "saliency |gradient × input| (one scale)",
    ),
    "temporal": RowStyle(
        "probability",
        "P(+)",
        "Temporal output of the recurrent models: P(bound) of each prefix (fwd) and suffix (bwd)",
        "P(bound): blue unbound, red bound (one scale)",
        (("forward", "fwd"), ("backward", "bwd")),
    ),
}


def row_style(method: str | Method) -> RowStyle:
    """The method's :class:`RowStyle`: the paper's for its rows, else from the registry
    (a signed method diverges about 0, an unsigned one runs from 0)."""
    record = _record(method)
    if record.name in _STYLES:
        return _STYLES[record.name]
    one_row = len(record.rows) == 1
    return RowStyle(
        "diverging" if record.signed else "sequential",
        record.name,
        f"{record.title} of each model" + (f"; {SCORES_NOTE}" if one_row else ""),
        f"{record.title} (one scale)",
    )


def scale_limits(style: RowStyle, rows) -> tuple[float, float]:
    """``(low, high)`` of a style's one colour scale over every row given."""
    if style.scale == "probability":
        return 0.0, 1.0
    values = [np.asarray(row, dtype=float) for row in rows]
    if style.scale == "diverging":
        largest = max((float(np.abs(v).max()) for v in values if v.size), default=0.0)
        largest = largest if largest > 0 else 1.0
        return -largest, largest
    largest = max((float(v.max()) for v in values if v.size), default=0.0)
    return 0.0, largest if largest > 0 else 1.0
