"""The publication figure's page: sizes, fonts, where each panel goes, and the helpers
that group its models and place its texts. No matplotlib import at module level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from gdashboard.models.catalogue import ARCHITECTURES, PRESETS, model_order, paper_architecture

# The page: A4 is 8.27 in wide; the figure fills it less the usual margins.
WIDTH_IN = 7.5
PNG_DPI = 300
FORMATS = (".png", ".svg", ".pdf")
# Font sizes in points, none below MIN_FONT at the figure's own size.
MIN_FONT = 6.0
FONT = 6.5
TITLE_FONT = 7.5
HEADER_FONT = 8.5
# Panel 1: at most this many JASPAR motifs.
MAX_JASPAR_MOTIFS = 3
# Panel 2: the width of the class-optimised window drawn (the whole input if shorter).
CLASSOPT_WINDOW = 20
# The paper's pink boxes around the motif sites.
SITE_EDGE = "#D6247F"
SITE_FACE = "#F9D3E6"
SEQUENTIAL_CMAP = "Reds"  # from 0: saliency
DIVERGING_CMAP = "RdBu_r"  # blue: negative prediction (or below 0), red: positive
NO_BASE_COLOR = "#888888"
DEFAULT_MARK_MEANING = "best of its architecture on validation AUC"
MINUS = "\N{MINUS SIGN}"
# The group of a model that is neither one of the paper's architectures nor a network class.
OTHER = "other"

# Vertical sizes (inches).
HEADER = 0.34
SECTION = 0.22
LOGO_TITLE = 0.15
LOGO = 0.46
LOGO_GAP = 0.1
LETTERS = 0.17
SITE_LEVEL = 0.13
ROW = 0.15
ROW_GAP = 0.035
PAIR_GAP = 0.07
AXIS_LABELS = 0.16
COLORBAR_LINE = 0.36
SECTION_GAP = 0.12
RIGHT = 0.12
LEFT = 0.08
# The line a panel says "nothing here" on.
EMPTY_LINE = 0.22
LOGO_ROW = LOGO_TITLE + LOGO + LOGO_GAP


def signed(value: float) -> str:
    """A log-odds score with its sign and two decimals, a true minus sign for negatives."""
    return f"{value:+.2f}".replace("-", MINUS)


def text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of a text's width in inches (DejaVu Sans averages ~0.55 em)."""
    return len(text) * size * 0.6 / 72


def ordered(labels: Iterable[str]) -> list[str]:
    return sorted(labels, key=model_order)


def architecture_rows(labels: Iterable[str]) -> list[tuple[str, list[str]]]:
    """The models grouped by the paper's architecture (its order), then by the network
    class of the catalogue's other presets (its order), others last."""
    rows: dict[str, list[str]] = {}
    for label in ordered(labels):
        preset = label.split(" ")[0]  # less " (max)" and " +options"
        group = paper_architecture(preset) or (PRESETS[preset].model_class if preset in PRESETS else OTHER)
        rows.setdefault(group, []).append(label)
    classes = [preset.model_class for preset in PRESETS.values()]
    order = list(dict.fromkeys([*ARCHITECTURES, *classes, OTHER]))
    return [(name, rows[name]) for name in order if name in rows]


def site_groups(sites: list[Mapping]) -> list[dict]:
    """Sites at the same place drawn as one box, their names joined."""
    groups: dict[tuple[int, int], dict] = {}
    for site in sites:
        key = (int(site["start"]), int(site["end"]))
        strand = str(site.get("strand", "+")).replace("-", MINUS)
        name = f"{site.get('motif_name') or site.get('motif_id')} ({strand})"
        group = groups.setdefault(key, {"start": key[0], "end": key[1], "names": []})
        if name not in group["names"]:
            group["names"].append(name)
    return [dict(group, label=" / ".join(group["names"])) for _, group in sorted(groups.items())]


def label_levels(groups: list[dict], positions_per_inch: float) -> int:
    """Give each site label a level above the sequence so that no two labels overlap;
    returns the number of levels."""
    ends: list[float] = []  # per level, where its last label ends (positions)
    for group in groups:
        start = group["start"] - 0.5
        end = start + text_width(group["label"], MIN_FONT) * positions_per_inch + 1.0
        for level, last in enumerate(ends):
            if start >= last:
                ends[level] = end
                group["level"] = level
                break
        else:
            group["level"] = len(ends)
            ends.append(end)
    return len(ends)


def logo_probabilities(motif) -> tuple[str, np.ndarray]:
    """(title, (4, w) probabilities) of a JASPAR motif (or an (id, name, matrix) triple)."""
    from gdashboard.data.jaspar import MEME_PSEUDOCOUNT

    if isinstance(motif, tuple):
        matrix_id, name, matrix = motif
        return f"{matrix_id} {name}", np.asarray(matrix, dtype=float)
    return f"{motif.matrix_id} {motif.name}", motif.probabilities(MEME_PSEUDOCOUNT)


class Page:
    """Places axes and texts in inches from the top-left corner of a figure."""

    def __init__(self, figure, height: float):
        self.figure = figure
        self.height = height

    def axes(self, x: float, top: float, width: float, height: float):
        return self.figure.add_axes(
            [x / WIDTH_IN, (self.height - top - height) / self.height, width / WIDTH_IN, height / self.height]
        )

    def text(self, x: float, top: float, text: str, **kwargs):
        kwargs.setdefault("va", "top")
        kwargs.setdefault("fontsize", FONT)
        return self.figure.text(x / WIDTH_IN, (self.height - top) / self.height, text, **kwargs)


@dataclass
class Layout:
    """Where the figure's columns lie (inches) and what its panels hold.

    The sequence-aligned rows start at ``heat_left`` after a name column and a score
    column ending at ``score_right``; panels 1 and 2 are a grid of ``cell``-wide cells
    after a row-label column ending at ``grid_left``.
    """

    sequence: str
    labels: list[str]
    scores: dict[str, float]
    marks: dict[str, str]
    motifs: list
    groups: list[dict]
    levels: int
    logo_rows: list[tuple[str, list[str]]]
    score_right: float
    heat_left: float
    heat_width: float
    grid_left: float
    cell: float
    window: int
    per_position: float

    @property
    def length(self) -> int:
        return len(self.sequence)

    @property
    def sequence_height(self) -> float:
        return LETTERS + self.levels * SITE_LEVEL

    def shown(self, label: str) -> str:
        """A model's name as the figure writes it, with its mark."""
        return f"{label}{self.marks.get(label, '')}"

    def height_above_rows(self) -> float:
        """The header and panels 1 to 3, each with the gap below it."""
        return (
            HEADER
            + SECTION
            + (LOGO_ROW if self.motifs else EMPTY_LINE)
            + SECTION_GAP
            + SECTION
            + (len(self.logo_rows) * LOGO_ROW if self.logo_rows else EMPTY_LINE)
            + SECTION_GAP
            + SECTION
            + self.sequence_height
            + SECTION_GAP
        )


def plan_layout(view: Mapping, motifs: list, classopt: Mapping | None, marks: Mapping[str, str]) -> Layout:
    """The :class:`Layout` of a view's figure (its models in catalogue order)."""
    sequence = str(view["sequence"]).upper()
    entries = view.get("models") or {}
    labels = ordered(entries)
    marks = dict(marks)
    groups = site_groups(list(view.get("sites") or []))
    name_width = max([text_width(f"{label}{marks.get(label, '')}") for label in labels] + [text_width("sequence")])
    score_width = max(text_width(signed(entries[label]["score"])) for label in labels)
    score_right = LEFT + name_width + 0.08 + score_width
    heat_left = score_right + 0.07
    heat_width = WIDTH_IN - heat_left - RIGHT
    length = int(view.get("length", len(sequence)))
    levels = label_levels(groups, length / heat_width)
    logo_rows = architecture_rows([label for label in labels if classopt and label in classopt])
    grid_left = LEFT + text_width("CNN-RNN", FONT) + 0.1
    columns = max([3, len(motifs)] + [len(row) for _, row in logo_rows])
    cell = (WIDTH_IN - grid_left - RIGHT) / columns
    window = min(CLASSOPT_WINDOW, length)
    widths = [logo_probabilities(motif)[1].shape[1] for motif in motifs] + ([window] if logo_rows else [])
    per_position = min(0.12, (cell - 0.32) / max(widths)) if widths else 0.1
    scores = {label: float(entries[label]["score"]) for label in labels}
    return Layout(
        sequence, labels, scores, marks, motifs, groups, levels, logo_rows,
        score_right, heat_left, heat_width, grid_left, cell, window, per_position,
    )  # fmt: skip
