"""The web app's callbacks: routing, opening a sequence, the view's options (models,
methods, strand), the background class optimisations, the CSV download and the variant.

The whole view lives in the URL (``dcc.Location``): a callback that changes the view
changes the URL's query, and :func:`route` draws the page that query names.
"""

from __future__ import annotations

from urllib.parse import urlencode

from gdashboard.dashboard import panels
from gdashboard.dashboard.components import error
from gdashboard.dashboard.method_panels import DEFAULT_VIEW_METHODS, panel_methods
from gdashboard.dashboard.pages_experiment import experiment_page
from gdashboard.dashboard.pages_overview import overview_page
from gdashboard.dashboard.pages_sequence import classopt_panel, resolve_view, sequence_page, view_csv
from gdashboard.dashboard.state import DashboardState, parse_query, sequence_href
from gdashboard.dashboard.variant_panel import compare_variant, sequence_edits, variant_panel
from gdashboard.errors import InputError


def register_callbacks(app, state: DashboardState) -> None:
    """Every callback of the app over ``state``."""
    _register_pages(app, state)
    _register_view_options(app, state)
    _register_outputs(app, state)


def route(state: DashboardState, pathname: str | None, search: str | None):
    """The page of a URL."""
    query = parse_query(search)
    if pathname in (None, "", "/"):
        return overview_page(state)
    if pathname == "/experiment":
        return experiment_page(state, query)
    if pathname == "/sequence":
        return sequence_page(state, query)
    return error(f"no page {pathname!r}; go to the overview at /")


def _new_search(query: dict, search: str | None):
    """``?query`` when it differs from ``search``, else no update."""
    from dash import no_update

    new = "?" + urlencode(query)
    return no_update if parse_query(new) == parse_query(search) else new


def _register_pages(app, state: DashboardState) -> None:
    from dash import Input, Output, State, no_update

    @app.callback(Output("page", "children"), Input("url", "pathname"), Input("url", "search"))
    def page(pathname, search):
        return route(state, pathname, search)

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
        path, _, query = sequence_href(name, identifier=str(cell["row_id"])).partition("?")
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
        except ValueError as problem:
            return no_update, no_update, str(problem)
        path, _, query = sequence_href(name, sequence=sequence).partition("?")
        return path, "?" + query, ""


def view_options_query(query: dict, models, methods, rc) -> dict:
    """A sequence page's query with the models, methods and strand picked on the page.

    The methods go into the URL in the registry's order, and only once they differ from
    the default (or the URL named them already). A change of strand drops the edits:
    their positions and bases belong to the other strand.
    """
    query = dict(query)
    query["models"] = ",".join(models or [])
    picked = tuple(name for name in panel_methods() if name in set(methods or ()))
    if "methods" in query or picked != DEFAULT_VIEW_METHODS:
        query["methods"] = ",".join(picked)
    was_rc = query.get("rc") == "1"
    if "rc" in (rc or []):
        query["rc"] = "1"
    else:
        query.pop("rc", None)
    if was_rc != (query.get("rc") == "1"):
        query.pop("edits", None)
    return query


def _register_view_options(app, state: DashboardState) -> None:
    from dash import Input, Output, State

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("model-select", "value"),
        Input("method-select", "value"),
        Input("rc-toggle", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def options_changed(models, methods, rc, search):
        from dash import ctx, no_update

        # Dash also calls this when a page is drawn, with the controls that page shows; a
        # page drawn late (its URL already changed again) would put its stale choices back.
        if ctx.triggered_id is None:
            return no_update
        return _new_search(view_options_query(parse_query(search), models, methods, rc), search)

    @app.callback(
        Output("classopt-panel", "children"),
        Output("classopt-poll", "disabled"),
        Input("classopt-poll", "n_intervals"),
        State("url", "search"),
    )
    def poll_classopt(_, search):
        return classopt_panel(state, parse_query(search))


def _register_outputs(app, state: DashboardState) -> None:
    from dash import Input, Output, State, dcc, no_update

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
            request = resolve_view(state, query)
        except (ValueError, InputError):
            return no_update
        view = state.view(request.experiment, request.sequence, request.labels, request.methods)
        return dcc.send_string(view_csv(view), f"{request.experiment.name}-{query.get('id', 'pasted')}.csv")

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
            request = resolve_view(state, query)
            alternative = panels.check_sequence(text or "", request.experiment.lengths)
            edits = sequence_edits(request.sequence, alternative)
            result = variant_panel(compare_variant(request.experiment, request.labels, request.sequence, alternative))
        except (ValueError, InputError) as problem:
            return error(str(problem).splitlines()[0], "variant-error"), no_update
        if edits:
            query["edits"] = edits
        else:
            query.pop("edits", None)
        return result, _new_search(query, search)
