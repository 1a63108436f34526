"""The sequence view's variant control: edits as ``58T,60C`` (what the URL holds), the
comparison of a reference with its variant, and its panel (score changes, Δ saliency)."""

from __future__ import annotations

import numpy as np

from gdashboard.dashboard import panels
from gdashboard.dashboard.components import graph
from gdashboard.dashboard.method_panels import view_keys
from gdashboard.dashboard.plots import DIVERGING, heatmap_figure

# The variant's map: the change of this method's row, alternative minus reference.
VARIANT_METHOD = "saliency"


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


def compare_variant(experiment: panels.Experiment, labels, reference: str, alternative: str) -> dict:
    """:func:`panels.variant_view` of the labelled models, the variant's method only, no sites."""
    models = experiment.models()
    return panels.variant_view(
        [models[label] for label in labels],
        reference,
        alternative,
        tf=experiment.tf,
        methods=(VARIANT_METHOD,),
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
    name = view_keys(VARIANT_METHOD)[0]
    z = np.stack([result["differences"][label][name] for label in labels])
    limit = float(np.abs(z).max()) or 1.0
    figure = heatmap_figure(
        labels,
        z,
        result["alternative"]["sequence"],
        value=f"Δ {name}",
        colorscale=DIVERGING,
        zmin=-limit,
        zmax=limit,
        zmid=0,
    )
    return html.Div(
        [
            html.P(f"Changed positions: {changed}"),
            html.Ul(items),
            graph("variant-saliency", figure, "variant-saliency"),
        ]
    )
