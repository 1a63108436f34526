"""An experiment's page (``/experiment?experiment=NAME``): its models, ROC and
precision-recall curves, its test sequences and a box to paste a sequence."""

from __future__ import annotations

from gdashboard.dashboard import panels
from gdashboard.dashboard.components import datatable, error, graph, testid
from gdashboard.dashboard.plots import curves_figures
from gdashboard.dashboard.state import DashboardState
from gdashboard.errors import InputError
from gdashboard.models.catalogue import BASELINES, model_order


def paste_box(experiment: str, value: str = ""):
    from dash import dcc, html

    return html.Div(
        [
            html.Label("Paste a DNA sequence (A, C, G, T, N):", htmlFor="paste-sequence"),
            dcc.Textarea(id="paste-sequence", value=value, style={"width": "100%", "height": "4em"}),
            html.Button("Explain", id="paste-submit", n_clicks=0),
            html.Div(id="paste-error", className="error", **testid("paste-error")),
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
        return error(f"unknown experiment {name!r}")
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
            html.H2(f"{experiment.name} ({experiment.tf})", **testid("experiment-title")),
            dcc.Link("← overview", href="/"),
            html.Div(datatable("models-table", model_rows), **testid("models-table")),
            html.Div([graph("roc-curves", roc, f"{name}-roc"), graph("pr-curves", pr, f"{name}-pr")], className="row"),
            html.H3("Test sequences"),
            html.P("Filter a column with e.g. 1, > 0 or wrong; click a row's cell to open its view" + note),
            html.Div(
                datatable("test-table", rows, filter_action="native", page_size=12, cell_selectable=True),
                **testid("test-table"),
            ),
            html.H3("Your own sequence"),
            paste_box(experiment.name),
        ]
    )
