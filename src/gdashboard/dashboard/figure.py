"""The paper's Figure 2 (the Deep Motif Dashboard) for one TF and one test sequence.

One figure, A4 width (:data:`WIDTH_IN` inches), panels from top to bottom:

1. the TF's JASPAR motifs as information-content logos (at most
   :data:`MAX_JASPAR_MOTIFS`, the TF's own motifs before the dimers that name it);
2. each model's class-optimised input (positive class) as a logo: its most
   informative :data:`CLASSOPT_WINDOW`-bp window
   (:func:`gdashboard.motifs.extract.best_window`), or the whole input when it is
   no longer than that; one row per architecture;
3. the test sequence as letters, the FIMO sites of the TF's JASPAR motifs boxed in
   pink and named;
4. and on: one section per method asked (:func:`figure_row_methods`: every method
   of the registry with rows; by default the paper's :data:`FIGURE_METHODS`), drawn
   by :mod:`.figure_rows`. By default: one saliency row per model, its score
   (log-odds) beside its name, one colour scale (0 to the largest value of any model)
   for every row, with its colour bar; then the forward and backward temporal outputs
   of the recurrent models: the probability of binding of each prefix (forward) and
   suffix (backward); one diverging scale for every row, blue below 0.5, red above
   (``TwoSlopeNorm`` centred on 0.5, from 0 to 1), with its colour bar. Every section
   after the first shows the sequence again above its rows, as in the paper. A model
   that cannot give a method (its capabilities) has no row in that section.

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
from typing import Iterable, Mapping, Sequence

import numpy as np

from gdashboard.dashboard.figure_draw import Canvas, draw_letters, draw_logo
from gdashboard.dashboard.figure_inputs import best_of_architecture, chosen_models, pick_motifs, pick_sequence
from gdashboard.dashboard.figure_layout import (
    CLASSOPT_WINDOW,
    DEFAULT_MARK_MEANING,
    EMPTY_LINE,
    FONT,
    FORMATS,
    HEADER,
    HEADER_FONT,
    LEFT,
    LETTERS,
    LOGO,
    LOGO_ROW,
    LOGO_TITLE,
    MAX_JASPAR_MOTIFS,
    PNG_DPI,
    SECTION_GAP,
    WIDTH_IN,
    Layout,
    architecture_rows,
    logo_probabilities,
    plan_layout,
)
from gdashboard.dashboard.figure_rows import FIRST_ROW_PANEL, draw_section, row_sections
from gdashboard.dashboard.method_panels import FIGURE_METHODS, check_methods, figure_row_methods, refusal
from gdashboard.errors import InputError
from gdashboard.methods import ClassOptOptions

__all__ = [
    "CLASSOPT_WINDOW",
    "DEFAULT_MARK_MEANING",
    "FIGURE_METHODS",
    "FORMATS",
    "MAX_JASPAR_MOTIFS",
    "PNG_DPI",
    "WIDTH_IN",
    "architecture_rows",
    "draw_figure",
    "figure_methods",
    "figure_row_methods",
    "save_figure",
    "write_figure",
]

_RC = {"font.size": FONT, "axes.linewidth": 0.5, "xtick.major.width": 0.5, "ytick.major.width": 0.5}


def figure_methods(methods: Sequence[str] | str | None) -> tuple[str, ...]:
    """The figure's rows as registry names (aliases mapped; a comma-separated string is
    split); None: the paper's :data:`FIGURE_METHODS`. InputError naming a method that has no rows."""
    if methods is None:
        return FIGURE_METHODS
    if isinstance(methods, str):
        methods = [name.strip() for name in methods.split(",") if name.strip()]
    try:
        chosen = check_methods(methods, figure_row_methods())
    except ValueError as error:
        raise InputError(str(error)) from None
    if not chosen:
        raise InputError(f"no method given; choose from {', '.join(figure_row_methods())}")
    return chosen


def _draw_header(canvas: Canvas, layout: Layout, experiment: str, tf: str | None, sequence_id: str | None) -> None:
    where = f"test sequence {sequence_id}" if sequence_id else "a given sequence"
    canvas.text(
        LEFT,
        canvas.top,
        f"Deep Motif Dashboard: {experiment}" + (f" ({tf})" if tf else "") + f", {where} ({layout.length} bp)",
        fontsize=HEADER_FONT,
        fontweight="bold",
    )
    canvas.top = HEADER


def _draw_jaspar(canvas: Canvas, layout: Layout, tf: str | None) -> None:
    """Panel 1: the TF's JASPAR motifs."""
    canvas.section(1, f"JASPAR motifs of {tf}" if tf else "JASPAR motifs")
    if layout.motifs:
        canvas.row_label("JASPAR", canvas.top)
        for column, motif in enumerate(layout.motifs):
            title, probabilities = logo_probabilities(motif)
            left = layout.grid_left + column * layout.cell + 0.28
            axis = canvas.axes(left, canvas.top + LOGO_TITLE, probabilities.shape[1] * layout.per_position, LOGO)
            draw_logo(axis, probabilities, title, ylabel=column == 0)
        canvas.top += LOGO_ROW
    else:
        missing = f"JASPAR has no motif for {tf}" if tf else "no TF named: no JASPAR motif"
        canvas.text(layout.grid_left, canvas.top, missing, fontsize=FONT, style="italic")
        canvas.top += EMPTY_LINE
    canvas.top += SECTION_GAP


def _draw_classopt(canvas: Canvas, layout: Layout, classopt: Mapping | None) -> None:
    """Panel 2: each model's class-optimised input, its most informative window."""
    from gdashboard.motifs.extract import best_window

    window, length = layout.window, layout.length
    what = f"its most informative {window}-bp window" if window < length else f"the whole {length}-bp input"
    canvas.section(2, f"Class-optimised input of each model (bound class): {what}")
    if not layout.logo_rows:
        canvas.text(layout.grid_left, canvas.top, "class optimisation not computed", fontsize=FONT, style="italic")
        canvas.top += EMPTY_LINE + SECTION_GAP
        return
    for architecture, row in layout.logo_rows:
        canvas.row_label(architecture, canvas.top)
        for column, label in enumerate(row):
            probabilities = np.asarray(classopt[label], dtype=float)
            start = best_window(probabilities, window) if window < probabilities.shape[1] else 0
            part = probabilities[:, start : start + window]
            title = layout.shown(label) + (f"  ({start + 1}-{start + part.shape[1]})" if window < length else "")
            left = layout.grid_left + column * layout.cell + 0.28
            axis = canvas.axes(left, canvas.top + LOGO_TITLE, part.shape[1] * layout.per_position, LOGO)
            draw_logo(axis, part, title, ylabel=column == 0)
        canvas.top += LOGO_ROW
    canvas.top += SECTION_GAP


def _draw_sequence(canvas: Canvas, layout: Layout) -> None:
    """Panel 3: the sequence, its sites boxed and named."""
    canvas.section(
        3,
        "Test sequence, the sites of the JASPAR motifs boxed (FIMO)"
        if layout.groups
        else "Test sequence (no FIMO site of the JASPAR motifs)",
    )
    height = layout.sequence_height
    axis = canvas.axes(layout.heat_left, canvas.top, layout.heat_width, height)
    draw_letters(axis, layout.sequence, layout.groups, layout.levels, labels=True)
    canvas.text(LEFT, canvas.top + height - LETTERS / 2, "sequence", fontsize=FONT, va="center")
    canvas.top += height + SECTION_GAP


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
    methods: Sequence[str] | None = None,
):
    """Draw the dashboard figure of one sequence (the paper's Figure 2) and return it.

    Parameters
    ----------
    view : dict
        :func:`gdashboard.dashboard.panels.sequence_view`'s result: ``sequence``,
        ``length``, ``sites`` (dicts with ``motif_id``, ``motif_name``, ``start``
        0-based, ``end`` exclusive, ``strand``) and ``models`` (label -> ``score``
        (log-odds) and the arrays of the methods drawn, e.g. ``saliency`` (L,) and, for
        recurrent models, ``forward`` and ``backward`` (L,)).
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
        under the first method's rows says ``mark_meaning``.
    methods : sequence of str, optional
        The methods drawn as rows, in this order (any of :func:`figure_row_methods`,
        aliases accepted); default the paper's :data:`FIGURE_METHODS` (saliency, temporal).

    Returns
    -------
    matplotlib.figure.Figure
        :data:`WIDTH_IN` inches wide, as tall as its rows need. Every heat row is an
        ``AxesImage`` labelled ``ROW:LABEL`` (``saliency:LABEL``, ``forward:LABEL``,
        ``backward:LABEL``, ``ism:LABEL``, ...: the row names of
        :func:`gdashboard.methods.position_rows`); every row of one method shares one norm.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    entries = view.get("models") or {}
    if not entries:
        raise InputError("the view holds no model to draw")
    layout = plan_layout(view, list(jaspar_motifs or [])[:MAX_JASPAR_MOTIFS], classopt, marks or {})
    sections = row_sections(view, layout.labels, figure_methods(methods))
    height = layout.height_above_rows() + sum(section.height(i == 0) for i, section in enumerate(sections)) + 0.05
    used = sorted({mark for label, mark in layout.marks.items() if label in entries and mark})
    legend = f"{' '.join(used)}  {mark_meaning}" if used else None
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(WIDTH_IN, height))
        FigureCanvasAgg(figure)
        canvas = Canvas(figure, height)
        _draw_header(canvas, layout, experiment, tf, sequence_id)
        _draw_jaspar(canvas, layout, tf)
        _draw_classopt(canvas, layout, classopt)
        _draw_sequence(canvas, layout)
        for number, section in enumerate(sections, start=FIRST_ROW_PANEL):
            draw_section(canvas, layout, section, number, legend if number == FIRST_ROW_PANEL else None)
    return figure


def write_figure(
    paths: Iterable[str | os.PathLike],
    *,
    experiment: str,
    out: str | os.PathLike,
    sequence_id: str | None = None,
    sequence_text: str | None = None,
    models: list[str] | None = None,
    methods: Sequence[str] | str | None = None,
    classopt: ClassOptOptions | None = None,
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
        The sequence: an id of the experiment's test set (the first model's
        :meth:`~gdashboard.results.Run.test_sequences`, whose ids are as
        :func:`gdashboard.data.read_dataset` names its records, e.g. ``test:1``) or the
        sequence itself. Neither: the first bound sequence of the test set with a FIMO
        site of the TF's JASPAR motifs, else the first bound one.
    models
        Model labels to show (default: every neural model of the experiment).
    methods
        The methods drawn as rows (:func:`figure_methods`: names or a comma-separated
        string); default the paper's saliency and temporal rows. Only these are computed.
    classopt
        Class optimisation's options (cached beside each run, so computed once);
        default :class:`~gdashboard.methods.ClassOptOptions`'s.
    mark_best
        Mark the model of each architecture with the best validation AUC (``*``).

    Raises
    ------
    InputError
        An unknown experiment, model, method or sequence id, a bad sequence, test
        sequences that cannot be opened or an unknown file type; one line.
    """
    from gdashboard.dashboard import panels

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"cannot write a {suffix or 'suffix-less'} figure; name it .png, .svg or .pdf", out)
    if sequence_id is not None and sequence_text is not None:
        raise InputError("give a sequence id or a sequence, not both")
    methods = figure_methods(methods)
    chosen, loaded = chosen_models(paths, experiment, models)
    first = next(iter(loaded.values())).run
    sequence_id, sequence = pick_sequence(chosen, first, sequence_id, sequence_text)
    view = panels.sequence_view(list(loaded.values()), sequence, tf=chosen.tf, methods=methods, sites=True)
    figure = draw_figure(
        view,
        experiment=experiment,
        tf=chosen.tf,
        jaspar_motifs=pick_motifs(chosen.tf),
        classopt=_class_optimizations(loaded, classopt),
        sequence_id=sequence_id,
        marks=best_of_architecture(loaded) if mark_best else None,
        methods=methods,
    )
    save_figure(figure, out)
    return out


def _class_optimizations(loaded: Mapping, options: ClassOptOptions | None) -> dict[str, np.ndarray]:
    """Label -> class-optimised probabilities of each model that can be optimised (cached beside its run)."""
    from gdashboard.explain.run import cached_class_optimization

    return {
        label: np.asarray(cached_class_optimization(model.run, options)["probabilities"])
        for label, model in loaded.items()
        if refusal("classopt", model.capabilities) is None
    }


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
