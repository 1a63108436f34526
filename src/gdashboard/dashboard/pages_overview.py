"""The overview page (``/``): every experiment, the report's tables of test AUC, auto,
and Table 4 and TF-MoDISco patterns where they exist."""

from __future__ import annotations

from gdashboard.dashboard.components import datatable, error, testid
from gdashboard.dashboard.state import DashboardState, experiment_href
from gdashboard.errors import InputError


def overview_page(state: DashboardState):
    from dash import dcc, html

    try:
        report = state.report()
    except InputError as problem:
        return html.Div([html.H2("Overview"), error(str(problem))])
    # dcc.Link takes no data-* attributes: the list item carries the test id.
    links = html.Ul(
        [
            html.Li(
                dcc.Link(f"{e.name} ({e.tf}, {len(e.neural_runs)} models)", href=experiment_href(e.name)),
                **testid("experiment-link"),
            )
            for e in state.experiments.values()
        ]
    )
    parts = [
        html.H2("Overview"),
        html.P(f"{len(state.experiments)} experiment(s). Test AUC of every model:"),
        links,
        html.H3("Test AUC per experiment"),
        html.Div(datatable("overview-table", report.per_experiment), **testid("overview-table")),
        html.H3("Table 2: test AUC per model"),
        html.Div(datatable("table2", report.table2), **testid("table2")),
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
            html.Div(datatable("auto-table", report.auto), **testid("auto-table")),
        ]
        if report.auto_tests:
            parts.append(html.Div(datatable("auto-tests", report.auto_tests), **testid("auto-tests")))
    if report.table4_presets:
        parts += [
            html.H3("Table 4: motif matches per model (gdash motifs)"),
            html.Div(datatable("table4", report.table4_presets), **testid("table4")),
        ]
    if report.pattern_rows:
        parts += [
            html.H3("TF-MoDISco patterns per model (gdash modisco)"),
            html.Div(datatable("patterns", report.pattern_rows), **testid("patterns")),
        ]
    return html.Div(parts)
