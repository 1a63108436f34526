"""The paper's Figure 2 (the Deep Motif Dashboard) for one TF and one test sequence.

One figure, A4 width (:data:`WIDTH_IN` inches), five panels from top to bottom:

1. the TF's JASPAR motifs as information-content logos (at most
   :data:`MAX_JASPAR_MOTIFS`, the TF's own motifs before the dimers that name it);
2. each model's class-optimised input (positive class) as a logo: its most
   informative :data:`CLASSOPT_WINDOW`-bp window
   (:func:`gdashboard.motifs.extract.best_window`), or the whole input when it is
   no longer than that; one row per architecture;
3. the test sequence as letters, the FIMO sites of the TF's JASPAR motifs boxed in
   pink and named;
4. one saliency row per model, its score (log-odds) beside its name; one colour
   scale (0 to the largest value of any model) for every row, with its colour bar;
5. the forward and backward temporal outputs of the recurrent models: the
   probability of binding of each prefix (forward) and suffix (backward); one
   diverging scale for every row, blue below 0.5, red above (``TwoSlopeNorm``
   centred on 0.5, from 0 to 1), with its colour bar. The sequence is shown again
   above these rows, as in the paper.

:func:`draw_figure` draws from a view (:func:`gdashboard.dashboard.panels.sequence_view`)
and returns the figure; :func:`write_figure` finds the runs, computes the view and
the class optimisations (cached beside each run) and writes a PNG (300 dpi), SVG or
PDF. matplotlib and logomaker are imported inside the functions, so importing this
module stays light; the figure is drawn without pyplot (no global figure state, no
interactive backend).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from gdashboard.errors import InputError
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
SALIENCY_CMAP = "Reds"
TEMPORAL_CMAP = "RdBu_r"  # blue: negative prediction, red: positive
NO_BASE_COLOR = "#888888"
DEFAULT_MARK_MEANING = "best of its architecture on validation AUC"
MINUS = "\N{MINUS SIGN}"

# Vertical sizes (inches).
_HEADER = 0.34
_SECTION = 0.22
_LOGO_TITLE = 0.15
_LOGO = 0.46
_LOGO_GAP = 0.1
_LETTERS = 0.17
_SITE_LEVEL = 0.13
_ROW = 0.15
_ROW_GAP = 0.035
_PAIR_GAP = 0.07
_AXIS_LABELS = 0.16
_COLORBAR_LINE = 0.36
_SECTION_GAP = 0.12
_RIGHT = 0.12
_LEFT = 0.08


def _signed(value: float) -> str:
    """A log-odds score with its sign and two decimals, a true minus sign for negatives."""
    return f"{value:+.2f}".replace("-", MINUS)


def _text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of a text's width in inches (DejaVu Sans averages ~0.55 em)."""
    return len(text) * size * 0.6 / 72


def _ordered(labels: Iterable[str]) -> list[str]:
    return sorted(labels, key=model_order)


def _architecture_rows(labels: Iterable[str]) -> list[tuple[str, list[str]]]:
    """The models grouped by the paper's architecture (its order), others last."""
    rows: dict[str, list[str]] = {}
    for label in _ordered(labels):
        preset = label.split(" ")[0]  # less " (max)" and " +options"
        deepbind = preset in PRESETS and PRESETS[preset].model_class == "DeepBind"
        architecture = paper_architecture(preset) or ("DeepBind" if deepbind else "other")
        rows.setdefault(architecture, []).append(label)
    order = list(ARCHITECTURES) + ["DeepBind", "other"]
    return [(name, rows[name]) for name in order if name in rows]


def _site_groups(sites: list[Mapping]) -> list[dict]:
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


def _label_levels(groups: list[dict], positions_per_inch: float) -> int:
    """Give each site label a level above the sequence so that no two labels overlap;
    returns the number of levels."""
    ends: list[float] = []  # per level, where its last label ends (positions)
    for group in groups:
        start = group["start"] - 0.5
        end = start + _text_width(group["label"], MIN_FONT) * positions_per_inch + 1.0
        for level, last in enumerate(ends):
            if start >= last:
                ends[level] = end
                group["level"] = level
                break
        else:
            group["level"] = len(ends)
            ends.append(end)
    return len(ends)


class _Page:
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


def _logo_probabilities(motif) -> tuple[str, np.ndarray]:
    """(title, (4, w) probabilities) of a JASPAR motif (or an (id, name, matrix) triple)."""
    from gdashboard.data.jaspar import MEME_PSEUDOCOUNT

    if isinstance(motif, tuple):
        matrix_id, name, matrix = motif
        return f"{matrix_id} {name}", np.asarray(matrix, dtype=float)
    return f"{motif.matrix_id} {motif.name}", motif.probabilities(MEME_PSEUDOCOUNT)


def _draw_logo(axis, probabilities: np.ndarray, title: str, ylabel: bool) -> None:
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


def _draw_letters(axis, sequence: str, groups: list[dict], levels: int, labels: bool) -> None:
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


def _heat_row(axis, values: np.ndarray, norm, cmap: str, label: str):
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


def _position_ticks(axis, length: int) -> None:
    ticks = [1] + list(range(10, length + 1, 10))
    axis.set_xticks([t - 1 for t in ticks])
    axis.set_xticklabels([str(t) for t in ticks])
    axis.tick_params(axis="x", labelsize=MIN_FONT, length=2, pad=1)


def draw_figure(
    view: Mapping,
    *,
    experiment: str,
    tf: str | None,
    jaspar_motifs,
    classopt: Mapping[str, np.ndarray] | None,
    sequence_id: str | None,
    marks: Mapping[str, str] | None = None,
    mark_meaning: str = DEFAULT_MARK_MEANING,
):
    """Draw the dashboard figure of one sequence (the paper's Figure 2) and return it.

    Parameters
    ----------
    view : dict
        :func:`gdashboard.dashboard.panels.sequence_view`'s result: ``sequence``,
        ``length``, ``sites`` (dicts with ``motif_id``, ``motif_name``, ``start``
        0-based, ``end`` exclusive, ``strand``) and ``models`` (label -> ``score``
        (log-odds), ``recurrent``, ``saliency`` (L,) and, for recurrent models,
        ``forward`` and ``backward`` (L,)).
    experiment, tf : str
        Named in the figure's header; ``tf`` in panel 1's title.
    jaspar_motifs : list
        The TF's JASPAR motifs (:class:`gdashboard.data.jaspar.Motif`, or
        ``(matrix_id, name, (4, w) matrix)`` triples); the first
        :data:`MAX_JASPAR_MOTIFS` are drawn. Empty: panel 1 says JASPAR has none.
    classopt : dict or None
        Model label -> class-optimised ``(4, L)`` probabilities; None: panel 2 says
        it was not computed. Models missing from it have no logo.
    sequence_id : str or None
        The sequence's id in the test file; None for a sequence given as text.
    marks : dict, optional
        Model label -> a short marker (``"*"``) written after its name; a legend line
        under the saliency rows says ``mark_meaning``.

    Returns
    -------
    matplotlib.figure.Figure
        :data:`WIDTH_IN` inches wide, as tall as its rows need. The saliency and
        temporal heat rows are ``AxesImage`` objects labelled ``saliency:LABEL``,
        ``forward:LABEL`` and ``backward:LABEL``; every saliency row shares one norm,
        every temporal row another.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize, TwoSlopeNorm
    from matplotlib.figure import Figure

    from gdashboard.motifs.extract import best_window

    sequence = str(view["sequence"]).upper()
    length = int(view.get("length", len(sequence)))
    entries = view.get("models") or {}
    labels = _ordered(entries)
    if not labels:
        raise InputError("the view holds no model to draw")
    marks = dict(marks or {})
    motifs = list(jaspar_motifs or [])[:MAX_JASPAR_MOTIFS]
    recurrent = [
        label for label in labels if entries[label].get("recurrent") and entries[label].get("forward") is not None
    ]
    groups = _site_groups(list(view.get("sites") or []))

    # Horizontal layout: a name column, a score column, then the sequence-aligned rows.
    def shown(label: str) -> str:
        return f"{label}{marks.get(label, '')}"

    name_width = max([_text_width(shown(label)) for label in labels] + [_text_width("sequence")])
    score_width = max(_text_width(_signed(entries[label]["score"])) for label in labels)
    score_right = _LEFT + name_width + 0.08 + score_width
    heat_left = score_right + 0.07
    heat_width = WIDTH_IN - heat_left - _RIGHT
    positions_per_inch = length / heat_width
    levels = _label_levels(groups, positions_per_inch)

    # Panel 1 and 2 grid: a row-label column, then equal cells.
    logo_rows = _architecture_rows([label for label in labels if classopt and label in classopt])
    grid_left = _LEFT + _text_width("CNN-RNN", FONT) + 0.1
    columns = max([3, len(motifs)] + [len(row) for _, row in logo_rows])
    cell = (WIDTH_IN - grid_left - _RIGHT) / columns
    window = min(CLASSOPT_WINDOW, length)
    widths = [_logo_probabilities(motif)[1].shape[1] for motif in motifs] + ([window] if logo_rows else [])
    per_position = min(0.12, (cell - 0.32) / max(widths)) if widths else 0.1

    logo_row_height = _LOGO_TITLE + _LOGO + _LOGO_GAP
    sequence_height = _LETTERS + levels * _SITE_LEVEL
    height = (
        _HEADER
        + _SECTION
        + (logo_row_height if motifs else 0.22)
        + _SECTION_GAP
        + _SECTION
        + (len(logo_rows) * logo_row_height if logo_rows else 0.22)
        + _SECTION_GAP
        + _SECTION
        + sequence_height
        + _SECTION_GAP
        + _SECTION
        + len(labels) * (_ROW + _ROW_GAP)
        + _AXIS_LABELS
        + _COLORBAR_LINE
    )
    if recurrent:
        height += (
            _SECTION_GAP
            + _SECTION
            + _LETTERS
            + 0.05
            + len(recurrent) * (2 * _ROW + _ROW_GAP + _PAIR_GAP)
            + _AXIS_LABELS
            + _COLORBAR_LINE
        )
    height += 0.05

    with matplotlib.rc_context(
        {"font.size": FONT, "axes.linewidth": 0.5, "xtick.major.width": 0.5, "ytick.major.width": 0.5}
    ):
        figure = Figure(figsize=(WIDTH_IN, height))
        FigureCanvasAgg(figure)
        page = _Page(figure, height)
        top = 0.08
        where = f"test sequence {sequence_id}" if sequence_id else "a given sequence"
        page.text(
            _LEFT,
            top,
            f"Deep Motif Dashboard: {experiment}" + (f" ({tf})" if tf else "") + f", {where} ({length} bp)",
            fontsize=HEADER_FONT,
            fontweight="bold",
        )
        top = _HEADER

        def section(number: int, title: str) -> None:
            nonlocal top
            page.text(_LEFT, top, f"{number}", fontsize=TITLE_FONT, fontweight="bold")
            page.text(_LEFT + 0.16, top, title, fontsize=TITLE_FONT)
            top += _SECTION

        def row_label(text: str, row_top: float) -> None:
            page.text(_LEFT, row_top + _LOGO_TITLE + _LOGO / 2, text, fontsize=FONT, fontweight="bold", va="center")

        # 1. JASPAR motifs.
        section(1, f"JASPAR motifs of {tf}" if tf else "JASPAR motifs")
        if motifs:
            row_label("JASPAR", top)
            for column, motif in enumerate(motifs):
                title, probabilities = _logo_probabilities(motif)
                axis = page.axes(
                    grid_left + column * cell + 0.28, top + _LOGO_TITLE, probabilities.shape[1] * per_position, _LOGO
                )
                _draw_logo(axis, probabilities, title, ylabel=column == 0)
            top += logo_row_height
        else:
            page.text(
                grid_left,
                top,
                f"JASPAR has no motif for {tf}" if tf else "no TF named: no JASPAR motif",
                fontsize=FONT,
                style="italic",
            )
            top += 0.22
        top += _SECTION_GAP

        # 2. Class optimisation.
        what = f"its most informative {window}-bp window" if window < length else f"the whole {length}-bp input"
        section(2, f"Class-optimised input of each model (bound class): {what}")
        if logo_rows:
            for architecture, row in logo_rows:
                row_label(architecture, top)
                for column, label in enumerate(row):
                    probabilities = np.asarray(classopt[label], dtype=float)
                    start = best_window(probabilities, window) if window < probabilities.shape[1] else 0
                    part = probabilities[:, start : start + window]
                    title = shown(label) + (f"  ({start + 1}-{start + part.shape[1]})" if window < length else "")
                    axis = page.axes(
                        grid_left + column * cell + 0.28, top + _LOGO_TITLE, part.shape[1] * per_position, _LOGO
                    )
                    _draw_logo(axis, part, title, ylabel=column == 0)
                top += logo_row_height
        else:
            page.text(grid_left, top, "class optimisation not computed", fontsize=FONT, style="italic")
            top += 0.22
        top += _SECTION_GAP

        # 3. The sequence and its sites.
        section(
            3,
            "Test sequence, the sites of the JASPAR motifs boxed (FIMO)"
            if groups
            else "Test sequence (no FIMO site of the JASPAR motifs)",
        )
        axis = page.axes(heat_left, top, heat_width, sequence_height)
        _draw_letters(axis, sequence, groups, levels, labels=True)
        page.text(_LEFT, top + sequence_height - _LETTERS / 2, "sequence", fontsize=FONT, va="center")
        top += sequence_height + _SECTION_GAP

        # 4. Saliency.
        section(4, "Saliency map of each model; number: its score on this sequence (log-odds)")
        saliency = {label: np.asarray(entries[label]["saliency"], dtype=float) for label in labels}
        largest = max(float(np.max(values)) if values.size else 0.0 for values in saliency.values())
        saliency_norm = Normalize(vmin=0.0, vmax=largest if largest > 0 else 1.0)
        axis = None
        for label in labels:
            axis = page.axes(heat_left, top, heat_width, _ROW)
            _heat_row(axis, saliency[label], saliency_norm, SALIENCY_CMAP, f"saliency:{label}")
            page.text(_LEFT, top + _ROW / 2, shown(label), va="center")
            page.text(score_right, top + _ROW / 2, _signed(float(entries[label]["score"])), va="center", ha="right")
            top += _ROW + _ROW_GAP
        _position_ticks(axis, length)
        top += _AXIS_LABELS

        def colorbar(norm, cmap: str, label: str, legend: str | None) -> None:
            nonlocal top
            bar_width = 1.9
            bar_left = WIDTH_IN - _RIGHT - bar_width
            cax = page.axes(bar_left, top + 0.08, bar_width, 0.08)
            bar = figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation="horizontal")
            bar.ax.tick_params(labelsize=MIN_FONT, length=2, pad=1)
            bar.outline.set_linewidth(0.4)
            page.text(bar_left - 0.08, top + 0.12, label, ha="right", va="center", fontsize=MIN_FONT)
            if legend:
                page.text(_LEFT, top + 0.12, legend, va="center", fontsize=MIN_FONT)
            top += _COLORBAR_LINE

        used = sorted({mark for label, mark in marks.items() if label in entries and mark})
        legend = f"{' '.join(used)}  {mark_meaning}" if used else None
        colorbar(saliency_norm, SALIENCY_CMAP, "saliency |gradient × input| (one scale)", legend)

        # 5. Temporal outputs.
        if recurrent:
            top += _SECTION_GAP
            section(5, "Temporal output of the recurrent models: P(bound) of each prefix (fwd) and suffix (bwd)")
            axis = page.axes(heat_left, top, heat_width, _LETTERS)
            _draw_letters(axis, sequence, groups, 0, labels=False)
            page.text(_LEFT, top + _LETTERS / 2, "sequence", fontsize=FONT, va="center")
            top += _LETTERS + 0.05
            temporal_norm = TwoSlopeNorm(vcenter=0.5, vmin=0.0, vmax=1.0)
            for label in recurrent:
                pair_top = top
                for direction, short in (("forward", "fwd"), ("backward", "bwd")):
                    axis = page.axes(heat_left, top, heat_width, _ROW)
                    _heat_row(axis, entries[label][direction], temporal_norm, TEMPORAL_CMAP, f"{direction}:{label}")
                    page.text(score_right, top + _ROW / 2, short, va="center", ha="right", fontsize=MIN_FONT)
                    top += _ROW
                page.text(_LEFT, pair_top + _ROW, shown(label), va="center")
                top += _ROW_GAP + _PAIR_GAP
            _position_ticks(axis, length)
            top += _AXIS_LABELS - _PAIR_GAP
            colorbar(temporal_norm, TEMPORAL_CMAP, "P(bound): blue unbound, red bound (one scale)", None)
    return figure


def _best_of_architecture(loaded: Mapping) -> dict[str, str]:
    """``"*"`` for the model of each architecture with the best validation AUC (the first
    in catalogue order on ties), where an architecture has two models or more."""
    by_architecture: dict[str, list[tuple[float, str]]] = {}
    for label in _ordered(loaded):
        run = loaded[label].run
        auc = (run.metrics or {}).get("validation_auc")
        architecture = paper_architecture(run.preset)
        if auc is not None and architecture is not None:
            by_architecture.setdefault(architecture, []).append((float(auc), label))
    marks = {}
    for candidates in by_architecture.values():
        if len(candidates) >= 2:
            best_auc, best = candidates[0]
            for auc, label in candidates[1:]:
                if auc > best_auc:
                    best_auc, best = auc, label
            marks[best] = "*"
    return marks


def _pick_motifs(tf: str | None) -> list:
    """The TF's JASPAR motifs (those whose sites the view boxes), its own before the
    dimers that name it."""
    from gdashboard.dashboard.panels import jaspar_motifs
    from gdashboard.data.jaspar import motif_names_tf

    found = jaspar_motifs(tf)
    return sorted(found, key=lambda motif: len(motif_names_tf(motif.name)) > 1)[:MAX_JASPAR_MOTIFS]


def _test_dataset(run):
    """The run's recorded test file, read as it is, or an InputError saying it is gone."""
    dataset = run.test_sequences()
    if dataset is None:
        recorded = run.config.get("test_file")
        problem = (
            f"the test file {recorded} that config.json names is missing"
            if recorded
            else "config.json names no test_file"
        )
        raise InputError(f"{problem}; give the sequence as text", run.path)
    return dataset


def _sequence_by_id(run, sequence_id: str) -> str:
    from gdashboard.data import one_hot_decode

    dataset = _test_dataset(run)
    try:
        index = dataset.ids.index(sequence_id)
    except ValueError:
        examples = ", ".join(dataset.ids[:3])
        raise InputError(
            f"no sequence with id {sequence_id!r} (its ids are {examples}, ..., {dataset.ids[-1]})", dataset.path
        ) from None
    return one_hot_decode(dataset.X[index : index + 1])[0]


def _first_positive(run, tf: str | None) -> tuple[str, str]:
    """The first bound test sequence with a FIMO site of the TF's JASPAR motifs (the
    paper's Figure 2 shows one, boxed), else the first bound one."""
    from gdashboard.dashboard.panels import jaspar_motifs
    from gdashboard.data import one_hot_decode
    from gdashboard.motifs.sites import find_sites

    dataset = _test_dataset(run)
    positives = np.flatnonzero(dataset.labels == 1)
    if not positives.size:
        raise InputError("the test file holds no bound sequence; give a sequence id", dataset.path)
    index = int(positives[0])
    motifs = jaspar_motifs(tf)
    if motifs:
        with_site = sorted({site.sequence for site in find_sites(list(motifs), dataset.X[positives])})
        if with_site:
            index = int(positives[with_site[0]])
    return dataset.ids[index], one_hot_decode(dataset.X[index : index + 1])[0]


def write_figure(
    paths: Iterable[str | os.PathLike],
    *,
    experiment: str,
    out: str | os.PathLike,
    sequence_id: str | None = None,
    sequence_text: str | None = None,
    models: list[str] | None = None,
    classopt_steps: int = 1000,
    mark_best: bool = True,
) -> Path:
    """Write the dashboard figure (the paper's Figure 2) of one experiment and sequence.

    Parameters
    ----------
    paths
        Run folders, or folders holding them at any depth.
    experiment
        The experiment (e.g. ``GATA1_K562_GATA-1_USC``).
    out
        ``.png`` (300 dpi), ``.svg`` or ``.pdf``; written atomically.
    sequence_id, sequence_text
        The sequence: an id of the experiment's test file (the ``test_file`` of the
        first model's ``config.json``, read as :func:`gdashboard.data.read_dataset`
        names its records, e.g. ``test:1``) or the sequence itself. Neither: the
        first bound sequence of the test file with a FIMO site of the TF's JASPAR
        motifs, else the first bound one.
    models
        Model labels to show (default: every neural model of the experiment).
    classopt_steps
        Steps of the class optimisation (cached beside each run, so computed once).
    mark_best
        Mark the model of each architecture with the best validation AUC (``*``).

    Raises
    ------
    InputError
        An unknown experiment, model or sequence id, a bad sequence or an unknown
        file type; one line.
    """
    from gdashboard.dashboard import panels
    from gdashboard.explain.run import cached_class_optimization

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"cannot write a {suffix or 'suffix-less'} figure; name it .png, .svg or .pdf", out)
    if sequence_id is not None and sequence_text is not None:
        raise InputError("give a sequence id or a sequence, not both")
    experiments = panels.find_experiments(paths)
    if experiment not in experiments:
        available = ", ".join(sorted(experiments)) or "none"
        raise InputError(f"no runs of experiment {experiment!r} in the paths given; available: {available}")
    chosen = experiments[experiment]
    neural = [run.label for run in chosen.neural_runs]
    if not neural:
        raise InputError(f"experiment {experiment} has no trained network to explain")
    if models:
        unknown = [label for label in models if label not in neural]
        if unknown:
            raise InputError(
                f"no model {', '.join(map(repr, unknown))} in experiment {experiment}; "
                f"available: {', '.join(_ordered(neural))}"
            )
    loaded = chosen.models()
    wanted = _ordered(dict.fromkeys(models) if models else loaded)
    loaded = {label: loaded[label] for label in wanted}
    first = loaded[wanted[0]].run

    if sequence_text is not None:
        try:
            sequence = panels.check_sequence(sequence_text, chosen.lengths)
        except ValueError as error:
            raise InputError(str(error).splitlines()[0] if str(error) else "not a DNA sequence") from None
    elif sequence_id is not None:
        sequence = _sequence_by_id(first, sequence_id)
    else:
        sequence_id, sequence = _first_positive(first, chosen.tf)

    tf = chosen.tf
    view = panels.sequence_view(list(loaded.values()), sequence, tf=tf, methods=("saliency", "temporal"), sites=True)
    classopt = {
        label: np.asarray(cached_class_optimization(model.run, steps=classopt_steps)["probabilities"])
        for label, model in loaded.items()
    }
    marks = _best_of_architecture(loaded) if mark_best else None
    figure = draw_figure(
        view,
        experiment=experiment,
        tf=tf,
        jaspar_motifs=_pick_motifs(tf),
        classopt=classopt,
        sequence_id=sequence_id,
        marks=marks,
    )
    save_figure(figure, out)
    return out


def save_figure(figure, out: str | os.PathLike) -> Path:
    """Write a figure by its suffix: PNG at :data:`PNG_DPI` dpi, SVG or PDF (fonts
    embedded as TrueType, editable); atomic, and without a date so that the same
    figure gives the same file."""
    import matplotlib

    from gdashboard.fileio import atomic_path

    out = Path(out)
    kind = out.suffix.lower().lstrip(".")
    if f".{kind}" not in FORMATS:
        raise InputError(f"cannot write a .{kind} figure; name it .png, .svg or .pdf", out)
    metadata = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[kind]
    with matplotlib.rc_context({"pdf.fonttype": 42, "svg.hashsalt": "gdashboard"}):
        with atomic_path(out) as temporary:
            figure.savefig(temporary, format=kind, dpi=PNG_DPI, metadata=metadata)
    return out
