"""The sequence view's motif panels: the TF's JASPAR logos, the motifs ``gdash motifs``
extracted (with their best JASPAR match) and the TF-MoDISco patterns of ``gdash modisco``."""

from __future__ import annotations

from pathlib import Path

from gdashboard.dashboard import panels
from gdashboard.dashboard.components import element_id, graph, testid
from gdashboard.dashboard.plots import logo_figure, weight_logo_figure


def jaspar_panel(tf: str):
    from dash import html

    logos = panels.jaspar_logos(tf)
    if not logos:
        return html.P(f"JASPAR has no motif for {tf}.", **testid("panel-jaspar"))
    graphs = [
        graph(
            element_id("jaspar-logo", str(i)),
            logo_figure(logo["bits"], f"{logo['motif_id']} {logo['motif_name']}"),
            f"jaspar-{logo['motif_id']}",
        )
        for i, logo in enumerate(logos[:4])
    ]
    return html.Div(graphs, className="logos", **testid("panel-jaspar"))


def extracted_panel(experiment: panels.Experiment, labels: tuple[str, ...]):
    from dash import html

    from gdashboard.data.jaspar import MEME_PSEUDOCOUNT
    from gdashboard.motifs.logo import information_matrix

    parts = []
    for label in labels:
        for motif in panels.extracted_motifs(experiment.run(label)):
            row = [
                graph(
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
                        graph(
                            element_id("match", label, Path(motif["folder"]).name, motif["method"]),
                            logo_figure(bits, f"best JASPAR match {hit}"),
                            f"match-{hit.split()[0]}",
                        )
                    )
                else:
                    row.append(html.P(f"best JASPAR match {hit}"))
            parts.append(html.Div(row, className="row"))
    if not parts:
        return html.P("No motif results (run gdash motifs RUNDIR --out RUNDIR/motifs).", **testid("panel-extracted"))
    return html.Div(parts, **testid("panel-extracted"))


def patterns_panel(experiment: panels.Experiment, labels: tuple[str, ...]):
    from dash import html

    parts = []
    for label in labels:
        for pattern in panels.modisco_patterns(experiment.run(label)):
            hits = "; ".join(f"{m['name']} (q = {m['q']:.2g})" for m in pattern["matches"]) or "no JASPAR hit"
            title = f"{label}: {pattern['name']}, {pattern['n_seqlets']} seqlets ({pattern['attribution']})"
            parts.append(
                html.Div(
                    [
                        graph(
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
            "No TF-MoDISco patterns (run gdash modisco RUNDIR --out RUNDIR/modisco).", **testid("panel-patterns")
        )
    return html.Div(parts, **testid("panel-patterns"))
