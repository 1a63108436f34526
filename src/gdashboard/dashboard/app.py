"""The web dashboard (``gdash serve``): Dash pages over trained runs, plus the JSON API.

Pages (``dcc.Location``; the whole view lives in the URL, so a copied address shows
the same view):

* ``/`` — every experiment with each model's test AUC (the report's per-experiment
  table and Table 2; Table 4 when motif results exist), a link to each experiment.
* ``/experiment?experiment=NAME`` — its models, ROC and precision-recall curves, a
  filterable table of its test sequences (picking a row opens the sequence view) and
  a box to paste a sequence.
* ``/sequence?experiment=NAME&id=ID`` (a test sequence) or ``&sequence=ACGT…``
  (pasted), with ``models=a,b``, ``rc=1`` (reverse complement) and ``edits=58T,60C``
  (a variant of the sequence shown, compared with it) — the paper's
  Figure 2: JASPAR logos, class-optimised logos (computed in a background thread),
  the sequence with FIMO sites, saliency, temporal output scores and ISM heat maps,
  the motifs ``gdash motifs`` extracted, a variant control and downloads.

Dash serves its scripts and styles itself (``serve_locally``); nothing is fetched
from another host. The numbers come from :mod:`gdashboard.dashboard.panels`.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import logging
import re
import threading
from pathlib import Path
from typing import Iterable
from urllib.parse import urlencode

import numpy as np

from gdashboard.dashboard import panels
from gdashboard.dashboard.plots import (
    DIVERGING,
    curves_figures,
    heatmap_figure,
    ism_figure,
    logo_figure,
    saliency_figure,
    sequence_figure,
    temporal_figure,
    weight_logo_figure,
)
from gdashboard.dashboard.state import DashboardState, experiment_href, parse_query, sequence_href
from gdashboard.errors import InputError
from gdashboard.models.catalogue import BASELINES, model_order

logger = logging.getLogger(__name__)


def _graph_config(filename: str) -> dict:
    # Plotly's own export button: SVG for papers (PNG via the format switch on the page).
    return {"displaylogo": False, "toImageButtonOptions": {"format": "svg", "filename": filename, "scale": 2}}


def _testid(name: str) -> dict:
    return {"data-testid": name}


def element_id(*parts: str) -> str:
    """The page id of an element named by ``parts`` (``"classopt"``, a model label, a
    TF-MoDISco pattern name), joined by ``-``.

    Model labels hold spaces, ``+`` and parentheses (``"small-cnn-rnn +rc-aug+rc-avg"``,
    ``"small-rnn (max)"``) and pattern names dots (``"pos_patterns.pattern_0"``): HTML
    allows no space in an id, Dash no dot, and a CSS selector must escape the rest. So
    every character but ASCII letters, digits and ``-`` becomes ``_`` and its two hex
    digits (``" "`` -> ``_20``, ``_`` itself -> ``_5f``): distinct names keep distinct ids.
    """
    return "-".join(re.sub(r"[^A-Za-z0-9-]", lambda found: f"_{ord(found.group()):02x}", part) for part in parts)


# --------------------------------------------------------------------------- pages


def _graph(graph_id: str, figure, filename: str):
    from dash import dcc, html

    return html.Div(
        dcc.Graph(id=graph_id, figure=figure, config=_graph_config(filename)), **_testid(f"panel-{graph_id}")
    )


def _error(message: str, testid: str = "page-error"):
    from dash import html

    return html.Div(message, className="error", **_testid(testid))


def _datatable(table_id: str, rows: list[dict], columns: list[str] | None = None, **options):
    from dash import dash_table

    columns = columns or (list(rows[0]) if rows else [])
    specs = []
    for column in columns:
        spec = {"name": column, "id": column}
        if rows and all(isinstance(r.get(column), (int, float)) or r.get(column) is None for r in rows):
            spec["type"] = "numeric"
            spec["format"] = {"specifier": ".4~g"}
        specs.append(spec)
    return dash_table.DataTable(
        id=table_id,
        data=rows,
        columns=specs,
        sort_action="native",
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "sans-serif", "fontSize": 13, "padding": "3px 8px"},
        **options,
    )


def overview_page(state: DashboardState):
    from dash import dcc, html

    try:
        report = state.report()
    except InputError as error:
        return html.Div([html.H2("Overview"), _error(str(error))])
    # dcc.Link takes no data-* attributes: the list item carries the test id.
    links = html.Ul(
        [
            html.Li(
                dcc.Link(f"{e.name} ({e.tf}, {len(e.neural_runs)} models)", href=experiment_href(e.name)),
                **_testid("experiment-link"),
            )
            for e in state.experiments.values()
        ]
    )
    parts = [
        html.H2("Overview"),
        html.P(f"{len(state.experiments)} experiment(s). Test AUC of every model:"),
        links,
        html.H3("Test AUC per experiment"),
        html.Div(_datatable("overview-table", report.per_experiment), **_testid("overview-table")),
        html.H3("Table 2: test AUC per model"),
        html.Div(_datatable("table2", report.table2), **_testid("table2")),
    ]
    if report.auto:
        parts += [
            html.H3("auto: the network chosen per experiment by validation AUC"),
            html.P(
                "Among every trained network of the experiment, the one with the best mean validation AUC "
                "(a seed ensemble wins the tie with its own seeds); its test AUC was never looked at to "
                "choose it. Below it, auto against each baseline (two-tailed paired t-test over the "
                "experiments both have)."
            ),
            html.Div(_datatable("auto-table", report.auto), **_testid("auto-table")),
        ]
        if report.auto_tests:
            parts.append(html.Div(_datatable("auto-tests", report.auto_tests), **_testid("auto-tests")))
    if report.table4_presets:
        parts += [
            html.H3("Table 4: motif matches per model (gdash motifs)"),
            html.Div(_datatable("table4", report.table4_presets), **_testid("table4")),
        ]
    if report.pattern_rows:
        parts += [
            html.H3("TF-MoDISco patterns per model (gdash modisco)"),
            html.Div(_datatable("patterns", report.pattern_rows), **_testid("patterns")),
        ]
    return html.Div(parts)


def _paste_box(experiment: str, value: str = ""):
    from dash import dcc, html

    return html.Div(
        [
            html.Label("Paste a DNA sequence (A, C, G, T, N):", htmlFor="paste-sequence"),
            dcc.Textarea(id="paste-sequence", value=value, style={"width": "100%", "height": "4em"}),
            html.Button("Explain", id="paste-submit", n_clicks=0),
            html.Div(id="paste-error", className="error", **_testid("paste-error")),
            dcc.Store(id="paste-experiment", data=experiment),
        ],
        className="paste-box",
    )


def test_rows(experiment: panels.Experiment) -> list[dict]:
    """One row per test sequence: id, label and each model's recorded score and verdict."""
    rows: dict[str, dict] = {}
    for run in experiment.neural_runs:
        try:
            predictions = run.predictions()
        except InputError:
            continue
        correct = (predictions.scores > 0) == (predictions.labels == 1)
        for identifier, label, score, right in zip(predictions.ids, predictions.labels, predictions.scores, correct):
            row = rows.setdefault(identifier, {"id": identifier, "label": int(label)})
            row[run.label] = round(float(score), 6)
            row[f"{run.label} verdict"] = "correct" if right else "wrong"
    return list(rows.values())


def experiment_page(state: DashboardState, query: dict):
    from dash import dcc, html

    name = query.get("experiment", "")
    if name not in state.experiments:
        return _error(f"unknown experiment {name!r}")
    experiment = state.experiments[name]
    try:
        chosen = {row["experiment"]: row["model"] for row in state.report().auto}.get(name)
    except InputError:
        chosen = None  # the overview says why the report cannot be made
    # Every run: each seed of a network (the views show its lowest seed), and the baselines.
    runs = sorted((r for r in experiment.runs if r.config), key=lambda r: (model_order(r.label), panels.seed_key(r)))
    model_rows = [
        {
            "model": run.label,
            "auto": "chosen" if run.label == chosen else "",
            "preset": run.preset,
            "architecture": (run.metrics or {}).get("architecture") or ("baseline" if run.preset in BASELINES else ""),
            "seed": str(run.seed),
            "test AUC": (run.metrics or {}).get("test_auc"),
            "validation AUC": (run.metrics or {}).get("validation_auc"),
        }
        for run in runs
    ]
    roc, pr = curves_figures(experiment)
    rows = test_rows(experiment)
    dataset, _ = state.test_set(experiment)
    note = "" if dataset is not None else " (the recorded test file is missing: sequences cannot be opened)"
    return html.Div(
        [
            html.H2(f"{experiment.name} ({experiment.tf})", **_testid("experiment-title")),
            dcc.Link("← overview", href="/"),
            html.Div(_datatable("models-table", model_rows), **_testid("models-table")),
            html.Div(
                [_graph("roc-curves", roc, f"{name}-roc"), _graph("pr-curves", pr, f"{name}-pr")], className="row"
            ),
            html.H3("Test sequences"),
            html.P("Filter a column with e.g. 1, > 0 or wrong; click a row's cell to open its view" + note),
            html.Div(
                _datatable("test-table", rows, filter_action="native", page_size=12, cell_selectable=True),
                **_testid("test-table"),
            ),
            html.H3("Your own sequence"),
            _paste_box(experiment.name),
        ]
    )


def _selected_labels(experiment: panels.Experiment, query: dict) -> tuple[str, ...]:
    asked = [m for m in query.get("models", "").split(",") if m]
    labels = tuple(label for label in experiment.labels if not asked or label in asked)
    return labels or tuple(experiment.labels)


def resolve_view(state: DashboardState, query: dict):
    """The experiment, the sequence shown (reverse-complemented when asked), the model
    labels and a title, from a sequence page's query; ValueError on bad input."""
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
    return experiment, sequence, _selected_labels(experiment, query), title


def _scores_panel(view: dict):
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
    return html.Ul(items, **_testid("scores"))


def _jaspar_panel(tf: str):
    from dash import html

    logos = panels.jaspar_logos(tf)
    if not logos:
        return html.P(f"JASPAR has no motif for {tf}.", **_testid("panel-jaspar"))
    graphs = [
        _graph(
            element_id("jaspar-logo", str(i)),
            logo_figure(logo["bits"], f"{logo['motif_id']} {logo['motif_name']}"),
            f"jaspar-{logo['motif_id']}",
        )
        for i, logo in enumerate(logos[:4])
    ]
    return html.Div(graphs, className="logos", **_testid("panel-jaspar"))


def _extracted_panel(experiment: panels.Experiment, labels: tuple[str, ...]):
    from dash import html

    from gdashboard.data.jaspar import MEME_PSEUDOCOUNT
    from gdashboard.motifs.logo import information_matrix

    parts = []
    for label in labels:
        for motif in panels.extracted_motifs(experiment.run(label)):
            row = [
                _graph(
                    element_id("extracted", label, Path(motif["folder"]).name, motif["method"]),
                    logo_figure(motif["bits"], f"{label}: {motif['method']}"),
                    f"{label}-{motif['method']}",
                )
            ]
            hit = motif.get("best_hit")
            if hit:
                match = panels.jaspar_motif(hit.split()[0])
                if match is not None:
                    bits = information_matrix(match.probabilities(MEME_PSEUDOCOUNT))
                    row.append(
                        _graph(
                            element_id("match", label, Path(motif["folder"]).name, motif["method"]),
                            logo_figure(bits, f"best JASPAR match {hit}"),
                            f"match-{hit.split()[0]}",
                        )
                    )
                else:
                    row.append(html.P(f"best JASPAR match {hit}"))
            parts.append(html.Div(row, className="row"))
    if not parts:
        return html.P("No motif results (run gdash motifs RUNDIR --out RUNDIR/motifs).", **_testid("panel-extracted"))
    return html.Div(parts, **_testid("panel-extracted"))


def _patterns_panel(experiment: panels.Experiment, labels: tuple[str, ...]):
    from dash import html

    parts = []
    for label in labels:
        for pattern in panels.modisco_patterns(experiment.run(label)):
            hits = "; ".join(f"{m['name']} (q = {m['q']:.2g})" for m in pattern["matches"]) or "no JASPAR hit"
            title = f"{label}: {pattern['name']}, {pattern['n_seqlets']} seqlets ({pattern['attribution']})"
            parts.append(
                html.Div(
                    [
                        _graph(
                            element_id("pattern", label, pattern["attribution"], pattern["name"]),
                            weight_logo_figure(pattern["weights"], title),
                            f"{label}-{pattern['name']}",
                        ),
                        html.P(("matches the TF — " if pattern["matches_tf"] else "") + "JASPAR: " + hits),
                    ],
                    className="row",
                )
            )
    if not parts:
        return html.P(
            "No TF-MoDISco patterns (run gdash modisco RUNDIR --out RUNDIR/modisco).", **_testid("panel-patterns")
        )
    return html.Div(parts, **_testid("panel-patterns"))


def sequence_page(state: DashboardState, query: dict):
    from dash import dcc, html

    try:
        experiment, sequence, labels, title = resolve_view(state, query)
    except (ValueError, InputError) as error:
        name = query.get("experiment", "")
        back = dcc.Link("← experiment", href=experiment_href(name)) if name in state.experiments else None
        return html.Div([_error(str(error).splitlines()[0]), back])
    view = state.view(experiment, sequence, labels)
    state.classopt.request([experiment.run(label) for label in labels])
    temporal = temporal_figure(view)
    file_stem = f"{experiment.name}-{query.get('id', 'pasted')}"
    alternative, variant_result = sequence, None
    if query.get("edits"):
        try:
            alternative = apply_edits(sequence, query["edits"])
            variant_result = variant_panel(_variant(experiment, labels, sequence, alternative))
        except ValueError as error:
            variant_result = _error(str(error).splitlines()[0], "variant-error")
    return html.Div(
        [
            html.H2(f"{experiment.name}: {title}", **_testid("view-title")),
            html.Span(dcc.Link("← experiment", href=experiment_href(experiment.name)), **_testid("experiment-back")),
            html.Div(
                [
                    dcc.Checklist(
                        id="model-select",
                        options=[{"label": label, "value": label} for label in experiment.labels],
                        value=list(labels),
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
            ),
            _scores_panel(view),
            html.H3(f"JASPAR motifs of {experiment.tf}"),
            _jaspar_panel(experiment.tf),
            html.H3("Class-optimised input per model"),
            html.Div(id="classopt-panel", **_testid("panel-classopt")),
            dcc.Interval(id="classopt-poll", interval=1000, n_intervals=0),
            html.H3("Sequence and FIMO sites"),
            _graph("sequence-track", sequence_figure(sequence, view["sites"]), file_stem),
            html.H3("Saliency"),
            _graph("saliency-heatmap", saliency_figure(view), f"{file_stem}-saliency"),
            html.H3("Temporal output scores"),
            (
                _graph("temporal-heatmap", temporal, f"{file_stem}-temporal")
                if temporal is not None
                else html.P("No recurrent model selected.", **_testid("panel-temporal-heatmap"))
            ),
            html.H3("In-silico mutagenesis"),
            _graph("ism-heatmaps", ism_figure(view), f"{file_stem}-ism"),
            html.H3("Motifs extracted by gdash motifs"),
            _extracted_panel(experiment, labels),
            html.H3("TF-MoDISco patterns"),
            _patterns_panel(experiment, labels),
            html.H3("Variant"),
            html.Div(
                [
                    html.Label("Edit bases (same length) and compare:", htmlFor="variant-sequence"),
                    dcc.Textarea(id="variant-sequence", value=alternative, style={"width": "100%", "height": "4em"}),
                    html.Button("Compare", id="variant-submit", n_clicks=0),
                    html.Div(variant_result, id="variant-result", **_testid("variant-result")),
                ],
                **_testid("panel-variant"),
            ),
            html.H3("Another sequence"),
            _paste_box(experiment.name),
        ]
    )


def classopt_panel(state: DashboardState, query: dict):
    """The class-optimised logos that are ready, a progress bar for the rest; and
    whether polling can stop."""
    from dash import html

    try:
        experiment, _, labels, _ = resolve_view(state, query)
    except (ValueError, InputError):
        return None, True
    parts, done = [], 0
    for label in labels:
        result = state.classopt.get(experiment.run(label))
        if isinstance(result, dict):
            done += 1
            title = f"{label}: class-optimised (score {result['score']:.3g})"
            parts.append(_graph(element_id("classopt", label), logo_figure(result["bits"], title), f"{label}-classopt"))
        elif isinstance(result, str):
            done += 1
            parts.append(html.P(f"{label}: class optimisation {result}"))
    if done < len(labels):
        parts.insert(
            0,
            html.Div(
                [
                    html.Progress(value=str(done), max=str(len(labels))),
                    f" class optimisation: {done} of {len(labels)} models done (computed in the background)",
                ],
                **_testid("classopt-progress"),
            ),
        )
    return parts, done == len(labels)


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


# --------------------------------------------------------------------------- the app


def create_app(
    paths: Iterable[str | Path], *, classopt_steps: int = 1000, classopt_restarts: int = 16, warm_up: bool = True
):
    """The dashboard over the runs found in or below ``paths``.

    Parameters
    ----------
    paths
        Run folders or folders holding them (:func:`gdashboard.results.find_runs`).
    classopt_steps, classopt_restarts
        Class optimisation settings (:func:`gdashboard.explain.run.cached_class_optimization`).
    warm_up
        Compile memelite's numba code in a background thread now.

    Returns
    -------
    dash.Dash
        Its Flask server (``app.server``) also serves the JSON API
        (:mod:`gdashboard.dashboard.api`).
    """
    import dash
    from dash import Input, Output, State, dcc, html, no_update

    from gdashboard.dashboard.api import register_api

    state = DashboardState(paths, classopt_steps, classopt_restarts)
    app = dash.Dash(
        __name__,
        title="gdashboard",
        serve_locally=True,
        external_scripts=[],
        external_stylesheets=[],
        suppress_callback_exceptions=True,
        assets_folder=str(Path(__file__).parent / "assets"),
        update_title=None,
    )
    app.gdashboard_state = state
    app.layout = html.Div(
        [
            dcc.Location(id="url", refresh=False),
            html.Header(
                [
                    dcc.Link("gdashboard", href="/", className="brand"),
                    html.Span(" Deep Motif Dashboard", className="subtitle"),
                ]
            ),
            dcc.Download(id="download-csv"),
            html.Main(id="page", **_testid("page")),
        ]
    )
    register_api(app.server, state.experiments)

    @app.callback(Output("page", "children"), Input("url", "pathname"), Input("url", "search"))
    def route(pathname, search):
        query = parse_query(search)
        if pathname in (None, "", "/"):
            return overview_page(state)
        if pathname == "/experiment":
            return experiment_page(state, query)
        if pathname == "/sequence":
            return sequence_page(state, query)
        return _error(f"no page {pathname!r}; go to the overview at /")

    @app.callback(
        Output("url", "pathname", allow_duplicate=True),
        Output("url", "search", allow_duplicate=True),
        Input("test-table", "active_cell"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def open_test_sequence(cell, search):
        if not cell or not cell.get("row_id"):
            return no_update, no_update
        name = parse_query(search).get("experiment", "")
        href = sequence_href(name, identifier=str(cell["row_id"]))
        path, _, query = href.partition("?")
        return path, "?" + query

    @app.callback(
        Output("url", "pathname", allow_duplicate=True),
        Output("url", "search", allow_duplicate=True),
        Output("paste-error", "children"),
        Input("paste-submit", "n_clicks"),
        State("paste-sequence", "value"),
        State("paste-experiment", "data"),
        prevent_initial_call=True,
    )
    def paste(n_clicks, text, name):
        if not n_clicks or name not in state.experiments:
            return no_update, no_update, no_update
        try:
            sequence = panels.check_sequence(text or "", state.experiments[name].lengths)
        except ValueError as error:
            return no_update, no_update, str(error)
        path, _, query = sequence_href(name, sequence=sequence).partition("?")
        return path, "?" + query, ""

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("model-select", "value"),
        Input("rc-toggle", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def options_changed(models, rc, search):
        query = parse_query(search)
        query["models"] = ",".join(models or [])
        was_rc = query.get("rc") == "1"
        if "rc" in (rc or []):
            query["rc"] = "1"
        else:
            query.pop("rc", None)
        if was_rc != (query.get("rc") == "1"):
            query.pop("edits", None)  # its positions and bases belong to the other strand
        new = "?" + urlencode(query)
        return no_update if parse_query(new) == parse_query(search) else new

    @app.callback(
        Output("classopt-panel", "children"),
        Output("classopt-poll", "disabled"),
        Input("classopt-poll", "n_intervals"),
        State("url", "search"),
    )
    def poll_classopt(_, search):
        return classopt_panel(state, parse_query(search))

    @app.callback(
        Output("download-csv", "data"),
        Input("download-csv-button", "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def download(n_clicks, search):
        if not n_clicks:
            return no_update
        query = parse_query(search)
        try:
            experiment, sequence, labels, _ = resolve_view(state, query)
        except (ValueError, InputError):
            return no_update
        view = state.view(experiment, sequence, labels)
        return dcc.send_string(view_csv(view), f"{experiment.name}-{query.get('id', 'pasted')}.csv")

    @app.callback(
        Output("variant-result", "children"),
        Output("url", "search", allow_duplicate=True),
        Input("variant-submit", "n_clicks"),
        State("variant-sequence", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def variant(n_clicks, text, search):
        # The edits go into the URL (?edits=58T,60C), so that the variant view is shared
        # like any other; the page drawn for that URL shows the comparison.
        if not n_clicks:
            return no_update, no_update
        query = parse_query(search)
        try:
            experiment, reference, labels, _ = resolve_view(state, query)
            alternative = panels.check_sequence(text or "", experiment.lengths)
            edits = sequence_edits(reference, alternative)
            result = variant_panel(_variant(experiment, labels, reference, alternative))
        except (ValueError, InputError) as error:
            return _error(str(error).splitlines()[0], "variant-error"), no_update
        if edits:
            query["edits"] = edits
        else:
            query.pop("edits", None)
        new = "?" + urlencode(query)
        return result, no_update if parse_query(new) == parse_query(search) else new

    if warm_up:
        threading.Thread(target=_warm, name="gdashboard-warm-up", daemon=True).start()
    return app


def sequence_edits(reference: str, alternative: str) -> str:
    """The bases that differ, as ``58T,60C`` (1-based positions, the new base)."""
    if len(reference) != len(alternative):
        raise ValueError(f"the variant has {len(alternative)} bases; the sequence has {len(reference)}")
    return ",".join(f"{i + 1}{b}" for i, (a, b) in enumerate(zip(reference, alternative)) if a != b)


def apply_edits(sequence: str, edits: str) -> str:
    """The sequence with ``58T,60C``-style edits applied; ValueError naming a bad one."""
    bases = list(sequence)
    for edit in filter(None, (e.strip() for e in edits.split(","))):
        position, base = edit[:-1], edit[-1:].upper()
        if not position.isdigit() or base not in "ACGTN" or not 1 <= int(position) <= len(bases):
            raise ValueError(f"bad edit {edit!r}: give a position from 1 to {len(bases)} and a base (e.g. 58T)")
        bases[int(position) - 1] = base
    return "".join(bases)


def _variant(experiment: panels.Experiment, labels, reference: str, alternative: str) -> dict:
    models = experiment.models()
    return panels.variant_view(
        [models[label] for label in labels],
        reference,
        alternative,
        tf=experiment.tf,
        methods=("saliency",),
        sites=False,
    )


def variant_panel(result: dict):
    """Score changes and saliency differences (alternative minus reference)."""
    from dash import html

    changed = (
        ", ".join(
            f"{i + 1} {result['reference']['sequence'][i]}→{result['alternative']['sequence'][i]}"
            for i in result["changed"][:20]
        )
        or "none"
    )
    items = [
        html.Li(
            [
                f"{label}: score change ",
                html.Span(f"{d['score']:+.4g}", **{"data-testid": "variant-score", "data-model": label}),
            ]
        )
        for label, d in result["differences"].items()
    ]
    labels = list(result["differences"])
    z = np.stack([result["differences"][label]["saliency"] for label in labels])
    limit = float(np.abs(z).max()) or 1.0
    figure = heatmap_figure(
        labels,
        z,
        result["alternative"]["sequence"],
        value="Δ saliency",
        colorscale=DIVERGING,
        zmin=-limit,
        zmax=limit,
        zmid=0,
    )
    return html.Div(
        [
            html.P(f"Changed positions: {changed}"),
            html.Ul(items),
            _graph("variant-saliency", figure, "variant-saliency"),
        ]
    )


def _warm() -> None:
    try:
        panels.warm_up()
    except Exception:  # a failed warm-up only means the first view compiles
        logger.exception("warm-up failed")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    paths: Iterable[str | Path], host: str = "127.0.0.1", port: int = 8050, allow_remote: bool = False, **options
) -> None:
    """Serve the dashboard until interrupted.

    Raises
    ------
    InputError
        ``host`` is not a loopback address and ``allow_remote`` is False: the
        dashboard has no authentication, so only this machine may reach it unless
        asked otherwise.
    """
    if not _is_loopback(host) and not allow_remote:
        raise InputError(
            f"refusing to serve on {host}: the dashboard has no login; "
            "pass --allow-remote to let other machines reach it"
        )
    app = create_app(paths, **options)
    app.run(host=host, port=port, debug=False)
