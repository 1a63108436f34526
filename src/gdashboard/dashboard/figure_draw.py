"""The publication figure's drawing: logos, the sequence's letters with their sites,
heat rows and colour bars, and :class:`Canvas`, which stacks panels down the page."""

from __future__ import annotations

import numpy as np

from gdashboard.dashboard.figure_layout import (
    COLORBAR_LINE,
    FONT,
    LEFT,
    LOGO,
    LOGO_TITLE,
    MIN_FONT,
    NO_BASE_COLOR,
    RIGHT,
    SECTION,
    SITE_EDGE,
    SITE_FACE,
    TITLE_FONT,
    WIDTH_IN,
    Page,
)


def draw_logo(axis, probabilities: np.ndarray, title: str, ylabel: bool) -> None:
    import logomaker
    import pandas as pd

    from gdashboard.motifs.logo import COLORS, information_matrix

    heights = information_matrix(probabilities)
    frame = pd.DataFrame(heights.T, columns=list("ACGT"))
    logomaker.Logo(frame, ax=axis, color_scheme=COLORS, show_spines=False)
    axis.set_ylim(0, 2)
    axis.set_xlim(-0.5, heights.shape[1] - 0.5)
    axis.set_xticks([])
    axis.set_yticks([0, 1, 2])
    axis.tick_params(axis="y", labelsize=MIN_FONT, length=2, pad=1)
    axis.spines["left"].set_visible(True)
    axis.spines["left"].set_linewidth(0.5)
    axis.spines["bottom"].set_visible(True)
    axis.spines["bottom"].set_linewidth(0.5)
    if ylabel:
        axis.set_ylabel("bits", fontsize=MIN_FONT, labelpad=1)
    axis.set_title(title, fontsize=FONT, pad=2, loc="left")


def draw_letters(axis, sequence: str, groups: list[dict], levels: int, labels: bool) -> None:
    from matplotlib.patches import Rectangle

    from gdashboard.motifs.logo import COLORS

    length = len(sequence)
    for group in groups:
        axis.add_patch(
            Rectangle(
                (group["start"] - 0.5, -0.55),
                group["end"] - group["start"],
                1.1,
                facecolor=SITE_FACE,
                edgecolor=SITE_EDGE,
                linewidth=0.8,
                zorder=1,
            )
        )
        if labels:
            axis.text(
                group["start"] - 0.5,
                0.75 + group["level"] * 1.0,
                group["label"],
                fontsize=MIN_FONT,
                color=SITE_EDGE,
                ha="left",
                va="bottom",
                zorder=3,
            )
    for position, letter in enumerate(sequence):
        axis.text(
            position,
            0,
            letter,
            fontsize=MIN_FONT,
            family="monospace",
            fontweight="bold",
            color=COLORS.get(letter, NO_BASE_COLOR),
            ha="center",
            va="center",
            zorder=2,
        )
    axis.set_xlim(-0.5, length - 0.5)
    axis.set_ylim(-0.6, 0.6 + (levels * 1.0 + 0.2 if labels and levels else 0.0))
    axis.axis("off")


def heat_row(axis, values: np.ndarray, norm, cmap: str, label: str):
    length = len(values)
    image = axis.imshow(
        np.asarray(values, dtype=float)[None, :],
        aspect="auto",
        cmap=cmap,
        norm=norm,
        interpolation="nearest",
        extent=(-0.5, length - 0.5, 0, 1),
    )
    image.set_label(label)
    axis.set_yticks([])
    axis.set_xticks([])
    for spine in axis.spines.values():
        spine.set_linewidth(0.4)
    return image


def position_ticks(axis, length: int) -> None:
    ticks = [1] + list(range(10, length + 1, 10))
    axis.set_xticks([t - 1 for t in ticks])
    axis.set_xticklabels([str(t) for t in ticks])
    axis.tick_params(axis="x", labelsize=MIN_FONT, length=2, pad=1)


class Canvas:
    """A figure being drawn from the top down: ``top`` is where the next panel starts (inches)."""

    def __init__(self, figure, height: float):
        self.figure = figure
        self.page = Page(figure, height)
        self.top = 0.08

    def axes(self, x: float, top: float, width: float, height: float):
        return self.page.axes(x, top, width, height)

    def text(self, x: float, top: float, text: str, **kwargs):
        return self.page.text(x, top, text, **kwargs)

    def section(self, number: int, title: str) -> None:
        """A panel's number and title."""
        self.text(LEFT, self.top, f"{number}", fontsize=TITLE_FONT, fontweight="bold")
        self.text(LEFT + 0.16, self.top, title, fontsize=TITLE_FONT)
        self.top += SECTION

    def row_label(self, text: str, row_top: float) -> None:
        """The name of a row of logos."""
        self.text(LEFT, row_top + LOGO_TITLE + LOGO / 2, text, fontsize=FONT, fontweight="bold", va="center")

    def colorbar(self, norm, cmap: str, label: str, legend: str | None) -> None:
        """A horizontal colour bar at the right, its label before it and ``legend`` at the left."""
        from matplotlib.cm import ScalarMappable

        bar_width = 1.9
        bar_left = WIDTH_IN - RIGHT - bar_width
        cax = self.axes(bar_left, self.top + 0.08, bar_width, 0.08)
        bar = self.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation="horizontal")
        bar.ax.tick_params(labelsize=MIN_FONT, length=2, pad=1)
        bar.outline.set_linewidth(0.4)
        self.text(bar_left - 0.08, self.top + 0.12, label, ha="right", va="center", fontsize=MIN_FONT)
        if legend:
            self.text(LEFT, self.top + 0.12, legend, va="center", fontsize=MIN_FONT)
        self.top += COLORBAR_LINE
