"""The dashboard's interactive Plotly figures: logos, the sequence with its FIMO sites,
heat maps of every registered method's rows (saliency, temporal output scores, ISM, ...)
and of per-base substitution matrices (ISM's), ROC and precision-recall curves.

Each method's panel has one colour scale shared by every model's row (as the paper's
Figure 2), with hover giving position, base and value. The publication figure
(:mod:`gdashboard.dashboard.figure`) draws the same panels with matplotlib.
"""

from __future__ import annotations

import numpy as np

from gdashboard.dashboard import panels
from gdashboard.dashboard.method_panels import has_arrays, one_hot, row_style, scale_limits, view_rows

BASE_COLORS = {"A": "#00CC00", "C": "#0000CC", "G": "#FFB300", "T": "#CC0000", "N": "#888888"}
# Blue below, red above the midpoint (0 for ISM, 0.5 for temporal scores).
DIVERGING = "RdBu_r"
# From 0 (white) to the largest value: saliency and other unsigned scores.
SEQUENTIAL = "Reds"
# The figures along the sequence (its track, saliency, temporal, ISM) share fixed margins,
# wide enough for the longest row label on the left and a colour bar on the right, so
# that position p lies at the same pixel column in every one of them.
TRACK_MARGIN = {"l": 190, "r": 110, "t": 10, "b": 25}


def logo_figure(bits: np.ndarray, title: str, start: int = 1, height: int = 170):
    """A sequence logo as stacked bars, letters sorted by height in each column (the
    tallest on top), coloured as the project's logos; hover gives position, base, bits."""
    import plotly.graph_objects as go

    bits = np.asarray(bits, dtype=float)
    width = bits.shape[1]
    positions = np.arange(start, start + width)
    order = np.argsort(bits, axis=0, kind="stable")  # rank 0 = smallest, drawn at the bottom
    figure = go.Figure()
    for rank in range(4):
        for base_index, base in enumerate("ACGT"):
            here = order[rank] == base_index
            if not here.any():
                continue
            heights = np.where(here, bits[base_index], np.nan)
            figure.add_bar(
                x=positions,
                y=heights,
                name=base,
                marker_color=BASE_COLORS[base],
                text=[base] * width,
                textposition="inside",
                insidetextanchor="middle",
                showlegend=False,
                hovertemplate=f"position %{{x}}<br>base {base}<br>%{{y:.3f}} bits<extra></extra>",
            )
    figure.update_layout(
        barmode="stack",
        bargap=0.05,
        title={"text": title, "font": {"size": 13}},
        height=height,
        margin={"l": 40, "r": 10, "t": 30, "b": 25},
        yaxis={"title": "bits", "range": [0, 2]},
        plot_bgcolor="white",
    )
    return figure


def weight_logo_figure(weights: np.ndarray, title: str, height: int = 170):
    """A contribution-weight logo (TF-MoDISco's CWM, ``(4, w)``): letters above the axis
    for contributions that raise the score, below for those that lower it; hover gives
    position, base and weight."""
    import plotly.graph_objects as go

    weights = np.asarray(weights, dtype=float)
    positions = np.arange(1, weights.shape[1] + 1)
    figure = go.Figure()
    for base_index, base in enumerate("ACGT"):
        figure.add_bar(
            x=positions,
            y=weights[base_index],
            name=base,
            marker_color=BASE_COLORS[base],
            text=[base] * weights.shape[1],
            textposition="inside",
            insidetextanchor="middle",
            showlegend=False,
            hovertemplate=f"position %{{x}}<br>base {base}<br>weight %{{y:.4f}}<extra></extra>",
        )
    figure.update_layout(
        barmode="relative",
        bargap=0.05,
        title={"text": title, "font": {"size": 13}},
        height=height,
        margin={"l": 40, "r": 10, "t": 30, "b": 25},
        yaxis={"title": "contribution", "zeroline": True},
        plot_bgcolor="white",
    )
    return figure


def sequence_figure(sequence: str, sites: list[dict]):
    """The sequence as letters, FIMO sites boxed (hover a box's marker for its motif)."""
    import plotly.graph_objects as go

    positions = np.arange(1, len(sequence) + 1)
    figure = go.Figure()
    figure.add_scatter(
        x=positions,
        y=np.zeros(len(sequence)),
        mode="text",
        text=list(sequence),
        textfont={"color": [BASE_COLORS[b] for b in sequence], "size": 12, "family": "monospace"},
        hovertemplate="position %{x}<br>base %{text}<extra></extra>",
        showlegend=False,
    )
    for site in sites:
        figure.add_shape(
            type="rect",
            x0=site["start"] + 0.5,
            x1=site["end"] + 0.5,
            y0=-0.6,
            y1=0.6,
            line={"color": "#E0499B", "width": 2},
            fillcolor="rgba(224,73,155,0.12)",
        )
    if sites:
        figure.add_scatter(
            x=[(s["start"] + s["end"] + 1) / 2 for s in sites],
            y=[0.75] * len(sites),
            mode="markers",
            marker={"symbol": "triangle-down", "color": "#E0499B", "size": 8},
            showlegend=False,
            customdata=[
                [s["motif_id"], s["motif_name"], s["start"] + 1, s["end"], s["strand"], s["p_value"]] for s in sites
            ],
            hovertemplate="%{customdata[0]} %{customdata[1]}<br>positions %{customdata[2]}-%{customdata[3]} "
            "(%{customdata[4]})<br>p = %{customdata[5]:.2e}<extra></extra>",
        )
    figure.update_layout(
        height=120,
        margin=TRACK_MARGIN,
        plot_bgcolor="white",
        yaxis={"visible": False, "range": [-1, 1]},
        xaxis={"range": [0.5, len(sequence) + 0.5]},
    )
    return figure


def row_label(label: str, model: dict) -> str:
    return f"{label} ({model['score']:.3g})"


def heatmap_figure(
    rows: list[str],
    z: np.ndarray,
    sequence: str,
    *,
    value: str,
    colorscale,
    zmin=None,
    zmax=None,
    zmid=None,
    height_per_row: int = 32,
):
    """One heat map, rows sharing one colour scale; hover gives position, base, value."""
    import plotly.graph_objects as go

    length = len(sequence)
    custom = np.tile(np.array(list(sequence)), (len(rows), 1))
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=np.arange(1, length + 1),
            y=rows,
            customdata=custom,
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            zmid=zmid,
            colorbar={"title": {"text": value}, "thickness": 12},
            hovertemplate=f"%{{y}}<br>position %{{x}}<br>base %{{customdata}}<br>{value} %{{z:.4g}}<extra></extra>",
        )
    )
    figure.update_layout(
        height=70 + height_per_row * len(rows),
        margin=TRACK_MARGIN,
        xaxis={"range": [0.5, length + 0.5]},
        yaxis={"autorange": "reversed", "automargin": False},
        plot_bgcolor="white",
    )
    return figure


def rows_figure(view: dict, method: str):
    """A method's rows (:func:`~gdashboard.dashboard.method_panels.view_rows`) of every
    model that gives them, on one colour scale (:func:`~gdashboard.dashboard.method_panels.row_style`);
    None when no model in the view gives them."""
    style = row_style(method)
    X = one_hot(view["sequence"])
    rows, z = [], []
    for label, model in view["models"].items():
        if not has_arrays(method, model):
            continue
        found = view_rows(method, model, X)
        for name, values in found.items():
            rows.append(row_label(label, model) if len(found) == 1 else f"{label} {name}")
            z.append(values)
    if not rows:
        return None
    low, high = scale_limits(style, z)
    return heatmap_figure(
        rows,
        np.stack(z),
        view["sequence"],
        value=style.value,
        colorscale=SEQUENTIAL if style.scale == "sequential" else DIVERGING,
        zmin=low,
        zmax=high,
        zmid={"diverging": 0, "probability": 0.5}.get(style.scale),
    )


def substitution_figure(view: dict, name: str, value: str):
    """One heat map per model of its per-base substitution matrix ``name`` (ISM's ``(4, L)``:
    A, C, G, T rows), on one shared colour scale centred on 0."""
    from plotly.subplots import make_subplots

    labels = [label for label, model in view["models"].items() if name in model]
    sequence = view["sequence"]
    limit = max(float(np.abs(view["models"][label][name]).max()) for label in labels) or 1.0
    figure = make_subplots(
        rows=len(labels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.04,
        subplot_titles=[row_label(label, view["models"][label]) for label in labels],
    )
    custom = np.array([[f"{original}→{base}" for original in sequence] for base in "ACGT"])
    for row, label in enumerate(labels, start=1):
        figure.add_heatmap(
            z=view["models"][label][name],
            x=np.arange(1, len(sequence) + 1),
            y=list("ACGT"),
            customdata=custom,
            coloraxis="coloraxis",
            row=row,
            col=1,
            hovertemplate="position %{x}<br>%{customdata}<br>change %{z:.4g}<extra></extra>",
        )
    figure.update_layout(
        coloraxis={
            "colorscale": DIVERGING,
            "cmin": -limit,
            "cmax": limit,
            "cmid": 0,
            "colorbar": {"title": {"text": value}, "thickness": 12},
        },
        height=60 + 120 * len(labels),
        margin={**TRACK_MARGIN, "t": 30},
    )
    figure.update_xaxes(range=[0.5, len(sequence) + 0.5])
    return figure


def curves_figures(experiment: panels.Experiment):
    """ROC and precision-recall curves of every model's test predictions, the baselines'
    dashed."""
    import plotly.graph_objects as go

    roc, pr = go.Figure(), go.Figure()
    dashed = {"dash": "dash"}  # the baselines
    drawn = [(run, {}) for run in experiment.neural_runs] + [(run, dashed) for run in experiment.baseline_runs]
    for run, line in drawn:
        curves = panels.roc_curves(run)
        if not curves:
            continue
        roc.add_scatter(
            x=curves["fpr"], y=curves["tpr"], mode="lines", line=line, name=f"{run.label} (AUC {curves['auc']:.3f})"
        )
        pr.add_scatter(
            x=curves["recall"],
            y=curves["precision"],
            mode="lines",
            line=line,
            name=f"{run.label} (AUPRC {curves['auprc']:.3f})",
        )
    roc.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "#999"}, showlegend=False)
    roc.update_layout(
        title="ROC (test set)",
        xaxis_title="false positive rate",
        yaxis_title="true positive rate",
        height=360,
        margin={"t": 40},
    )
    pr.update_layout(
        title="Precision-recall (test set)", xaxis_title="recall", yaxis_title="precision", height=360, margin={"t": 40}
    )
    return roc, pr
