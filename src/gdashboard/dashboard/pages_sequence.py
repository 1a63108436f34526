"""The sequence view (``/sequence?experiment=NAME&id=ID`` or ``&sequence=ACGT…``).

The query may add ``models=a,b``, ``methods=saliency,ism`` (which registered methods
to compute and draw; default :data:`~gdashboard.dashboard.method_panels.DEFAULT_VIEW_METHODS`),
``rc=1`` (reverse complement) and ``edits=58T,60C`` (a variant, compared with the
sequence shown). The page: scores, JASPAR logos, class-optimised logos (computed in
a background thread), the sequence with FIMO sites, one heat map per method asked,
the motifs and patterns found before, a variant control and downloads.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from gdashboard.dashboard import panels
from gdashboard.dashboard.components import element_id, error, graph, testid
from gdashboard.dashboard.method_panels import DEFAULT_VIEW_METHODS, check_methods, panel_methods, substitution_keys
from gdashboard.dashboard.motif_panels import extracted_panel, jaspar_panel, patterns_panel
from gdashboard.dashboard.pages_experiment import paste_box
from gdashboard.dashboard.plots import logo_figure, rows_figure, sequence_figure, substitution_figure
from gdashboard.dashboard.state import DashboardState, experiment_href
from gdashboard.dashboard.variant_panel import apply_edits, compare_variant, variant_panel
from gdashboard.errors import InputError
from gdashboard.methods import get_method


@dataclass(frozen=True)
class ViewRequest:
    """What a sequence page's query asks: the experiment, the sequence shown
    (reverse-complemented when asked), the model labels, the methods and a title."""

    experiment: panels.Experiment
    sequence: str
    labels: tuple[str, ...]
    methods: tuple[str, ...]
    title: str


def _selected_labels(experiment: panels.Experiment, query: dict) -> tuple[str, ...]:
    asked = [m for m in query.get("models", "").split(",") if m]
    labels = tuple(label for label in experiment.labels if not asked or label in asked)
    return labels or tuple(experiment.labels)


def selected_methods(query: dict) -> tuple[str, ...]:
    """The methods a query names (``methods=a,b``; none when empty), in the registry's
    order; the default ones when it names none. ValueError naming an unknown one."""
    if "methods" not in query:
        return DEFAULT_VIEW_METHODS
    asked = set(check_methods([m for m in query["methods"].split(",") if m], panel_methods()))
    return tuple(name for name in panel_methods() if name in asked)


def resolve_view(state: DashboardState, query: dict) -> ViewRequest:
    """The :class:`ViewRequest` of a sequence page's query; ValueError on bad input."""
    name = query.get("experiment", "")
    if name not in state.experiments:
        raise ValueError(f"unknown experiment {name!r}")
    experiment = state.experiments[name]
    if "id" in query:
        sequence = state.test_sequence(experiment, query["id"])
        title = f"test sequence {query['id']}"
    else:
        sequence = panels.check_sequence(query.get("sequence", ""), experiment.lengths)
        title = "pasted sequence"
    if query.get("rc") == "1":
        sequence = panels.reverse_complement(sequence)
        title += " (reverse complement)"
    labels = _selected_labels(experiment, query)
    return ViewRequest(experiment, sequence, labels, selected_methods(query), title)


def scores_panel(view: dict):
    """Each model's log-odds and P(bound) on the sequence."""
    from dash import html

    items = []
    for label, model in view["models"].items():
        items.append(
            html.Li(
                [
                    html.Span(label, className="model-name"),
                    ": log-odds ",
                    html.Span(
                        f"{model['score']:.6g}",
                        className="score",
                        **{"data-testid": "model-score", "data-model": label},
                    ),
                    f" (P(bound) {model['probability']:.3f})",
                ]
            )
        )
    return html.Ul(items, **testid("scores"))


def method_panel(view: dict, method: str, file_stem: str) -> list:
    """A method's heading and heat map of its rows (``METHOD-heatmap``), then one heat map
    per model of each per-base substitution matrix it has (``ism-heatmaps``); a line
    saying why when no selected model gives the method."""
    from dash import html

    record = get_method(method)
    graph_id = element_id(method, "heatmap")
    figure = rows_figure(view, method)
    if figure is None:
        reasons = "; ".join(
            f"{label} {skipped[method]}" for label, skipped in view.get("skipped", {}).items() if method in skipped
        )
        line = f"No selected model gives {record.title.lower()}" + (f" ({reasons})." if reasons else ".")
        return [html.H3(record.title), html.P(line, **testid(f"panel-{graph_id}"))]
    parts = [html.H3(record.title), graph(graph_id, figure, f"{file_stem}-{method}")]
    for name in substitution_keys(record):
        by_base = substitution_figure(view, name, record.name)
        parts.append(graph(element_id(name, "heatmaps"), by_base, f"{file_stem}-{name}-by-base"))
    return parts


def _controls(request: ViewRequest, query: dict):
    from dash import dcc, html

    return html.Div(
        [
            dcc.Checklist(
                id="model-select",
                options=[{"label": label, "value": label} for label in request.experiment.labels],
                value=list(request.labels),
                inline=True,
            ),
            dcc.Checklist(
                id="method-select",
                options=[{"label": get_method(name).title, "value": name} for name in panel_methods()],
                value=list(request.methods),
                inline=True,
            ),
            dcc.Checklist(
                id="rc-toggle",
                options=[{"label": "reverse complement", "value": "rc"}],
                value=["rc"] if query.get("rc") == "1" else [],
                inline=True,
            ),
            html.Button("Download numbers (CSV)", id="download-csv-button", n_clicks=0),
        ],
        className="controls",
    )


def _variant_section(request: ViewRequest, query: dict):
    from dash import dcc, html

    alternative, result = request.sequence, None
    if query.get("edits"):
        try:
            alternative = apply_edits(request.sequence, query["edits"])
            result = variant_panel(compare_variant(request.experiment, request.labels, request.sequence, alternative))
        except ValueError as problem:
            result = error(str(problem).splitlines()[0], "variant-error")
    return html.Div(
        [
            html.Label("Edit bases (same length) and compare:", htmlFor="variant-sequence"),
            dcc.Textarea(id="variant-sequence", value=alternative, style={"width": "100%", "height": "4em"}),
            html.Button("Compare", id="variant-submit", n_clicks=0),
            html.Div(result, id="variant-result", **testid("variant-result")),
        ],
        **testid("panel-variant"),
    )


def sequence_page(state: DashboardState, query: dict):
    from dash import dcc, html

    try:
        request = resolve_view(state, query)
    except (ValueError, InputError) as problem:
        name = query.get("experiment", "")
        back = dcc.Link("← experiment", href=experiment_href(name)) if name in state.experiments else None
        return html.Div([error(str(problem).splitlines()[0]), back])
    experiment, labels = request.experiment, request.labels
    view = state.view(experiment, request.sequence, labels, request.methods)
    state.classopt.request([experiment.run(label) for label in labels])
    file_stem = f"{experiment.name}-{query.get('id', 'pasted')}"
    method_parts = [part for method in request.methods for part in method_panel(view, method, file_stem)]
    return html.Div(
        [
            html.H2(f"{experiment.name}: {request.title}", **testid("view-title")),
            html.Span(dcc.Link("← experiment", href=experiment_href(experiment.name)), **testid("experiment-back")),
            _controls(request, query),
            scores_panel(view),
            html.H3(f"JASPAR motifs of {experiment.tf}"),
            jaspar_panel(experiment.tf),
            html.H3("Class-optimised input per model"),
            html.Div(id="classopt-panel", **testid("panel-classopt")),
            dcc.Interval(id="classopt-poll", interval=1000, n_intervals=0),
            html.H3("Sequence and FIMO sites"),
            graph("sequence-track", sequence_figure(request.sequence, view["sites"]), file_stem),
            *method_parts,
            html.H3("Motifs extracted by gdash motifs"),
            extracted_panel(experiment, labels),
            html.H3("TF-MoDISco patterns"),
            patterns_panel(experiment, labels),
            html.H3("Variant"),
            _variant_section(request, query),
            html.H3("Another sequence"),
            paste_box(experiment.name),
        ]
    )


def classopt_panel(state: DashboardState, query: dict):
    """The class-optimised logos that are ready, a progress bar for the rest; and
    whether polling can stop."""
    from dash import html

    try:
        request = resolve_view(state, query)
    except (ValueError, InputError):
        return None, True
    parts, done = [], 0
    for label in request.labels:
        result = state.classopt.get(request.experiment.run(label))
        if isinstance(result, dict):
            done += 1
            title = f"{label}: class-optimised (score {result['score']:.3g})"
            parts.append(graph(element_id("classopt", label), logo_figure(result["bits"], title), f"{label}-classopt"))
        elif isinstance(result, str):
            done += 1
            parts.append(html.P(f"{label}: class optimisation {result}"))
    total = len(request.labels)
    if done < total:
        parts.insert(
            0,
            html.Div(
                [
                    html.Progress(value=str(done), max=str(total)),
                    f" class optimisation: {done} of {total} models done (computed in the background)",
                ],
                **testid("classopt-progress"),
            ),
        )
    return parts, done == total


def view_csv(view: dict) -> str:
    """:func:`panels.view_table` as CSV text (full float precision)."""
    rows = panels.view_table(view)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["model"], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: "" if value is None else repr(value) if isinstance(value, float) else value
                for key, value in row.items()
            }
        )
    return out.getvalue()
