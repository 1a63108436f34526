"""The publication figure's method rows: one section per method asked (the paper's
saliency and temporal output rows by default), each model's rows on one colour scale.

A section holds the models whose view has the method's arrays (a model that cannot
give a method has none and is left out); a method no model gives has no section. A
one-row method writes each model's score beside its name; a method of several rows
(temporal: forward and backward) writes their short names instead. Every section after
the first repeats the sequence above its rows, as the paper's temporal panel does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from gdashboard.dashboard.figure_draw import Canvas, draw_letters, heat_row, position_ticks
from gdashboard.dashboard.figure_layout import (
    AXIS_LABELS,
    COLORBAR_LINE,
    DIVERGING_CMAP,
    FONT,
    LEFT,
    LETTERS,
    MIN_FONT,
    PAIR_GAP,
    ROW,
    ROW_GAP,
    SECTION,
    SECTION_GAP,
    SEQUENTIAL_CMAP,
    Layout,
    signed,
)
from gdashboard.dashboard.method_panels import RowStyle, has_arrays, one_hot, row_style, scale_limits, view_rows

# The panels above the rows: JASPAR motifs, class-optimised inputs, the sequence.
FIRST_ROW_PANEL = 4


@dataclass
class RowSection:
    """One method's rows: ``rows`` maps each model label (catalogue order) to its rows
    (row name -> ``(L,)``), every model with the same row names."""

    method: str
    style: RowStyle
    rows: dict[str, dict[str, np.ndarray]]

    @property
    def per_model(self) -> int:
        return len(next(iter(self.rows.values())))

    def height(self, first: bool) -> float:
        """Its height on the page (inches), the gap and the repeated sequence above it included."""
        block = self.per_model * ROW + ROW_GAP + (PAIR_GAP if self.per_model > 1 else 0.0)
        above = 0.0 if first else SECTION_GAP + LETTERS + 0.05
        return above + SECTION + len(self.rows) * block + AXIS_LABELS + COLORBAR_LINE


def row_sections(view: Mapping, labels: list[str], methods: tuple[str, ...]) -> list[RowSection]:
    """The sections of ``methods`` (registry names with rows) that some model of the view gives."""
    X = one_hot(str(view["sequence"]).upper())
    entries = view["models"]
    sections = []
    for method in methods:
        rows = {label: view_rows(method, entries[label], X) for label in labels if has_arrays(method, entries[label])}
        if rows:
            sections.append(RowSection(method, row_style(method), rows))
    return sections


def _norm(style: RowStyle, rows):
    from matplotlib.colors import Normalize, TwoSlopeNorm

    low, high = scale_limits(style, rows)
    if style.scale == "sequential":
        return Normalize(vmin=low, vmax=high), SEQUENTIAL_CMAP
    return TwoSlopeNorm(vcenter=0.5 if style.scale == "probability" else 0.0, vmin=low, vmax=high), DIVERGING_CMAP


def draw_section(canvas: Canvas, layout: Layout, section: RowSection, number: int, legend: str | None) -> None:
    """Draw one method's section at ``canvas.top``; the first (:data:`FIRST_ROW_PANEL`)
    follows the sequence panel, the others repeat the sequence above their rows."""
    first = number == FIRST_ROW_PANEL
    if not first:
        canvas.top += SECTION_GAP
    canvas.section(number, section.style.heading)
    if not first:
        axis = canvas.axes(layout.heat_left, canvas.top, layout.heat_width, LETTERS)
        draw_letters(axis, layout.sequence, layout.groups, 0, labels=False)
        canvas.text(LEFT, canvas.top + LETTERS / 2, "sequence", fontsize=FONT, va="center")
        canvas.top += LETTERS + 0.05
    norm, cmap = _norm(section.style, [row for rows in section.rows.values() for row in rows.values()])
    several = section.per_model > 1
    axis = None
    for label, rows in section.rows.items():
        if several:
            axis = _draw_rows(canvas, layout, section, label, rows, norm, cmap)
            continue
        ((name, values),) = rows.items()
        axis = canvas.axes(layout.heat_left, canvas.top, layout.heat_width, ROW)
        heat_row(axis, values, norm, cmap, f"{name}:{label}")
        canvas.text(LEFT, canvas.top + ROW / 2, layout.shown(label), va="center")
        score = signed(layout.scores[label])
        canvas.text(layout.score_right, canvas.top + ROW / 2, score, va="center", ha="right")
        canvas.top += ROW + ROW_GAP
    position_ticks(axis, layout.length)
    canvas.top += AXIS_LABELS - (PAIR_GAP if several else 0.0)
    canvas.colorbar(norm, cmap, section.style.bar, legend)


def _draw_rows(canvas: Canvas, layout: Layout, section: RowSection, label: str, rows: dict, norm, cmap: str):
    """A model's several rows, each's short name beside it, the model's name beside them all."""
    block_top = canvas.top
    axis = None
    for name, values in rows.items():
        axis = canvas.axes(layout.heat_left, canvas.top, layout.heat_width, ROW)
        heat_row(axis, values, norm, cmap, f"{name}:{label}")
        short = section.style.short_name(name)
        canvas.text(layout.score_right, canvas.top + ROW / 2, short, va="center", ha="right", fontsize=MIN_FONT)
        canvas.top += ROW
    canvas.text(LEFT, block_top + len(rows) * ROW / 2, layout.shown(label), va="center")
    canvas.top += ROW_GAP + PAIR_GAP
    return axis
