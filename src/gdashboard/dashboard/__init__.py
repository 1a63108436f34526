"""Figures for papers and the dashboard.

The numbers (no web framework, no plotting):

* :mod:`~gdashboard.dashboard.panels` — the numbers behind every panel, shared by the
  web app, the API and the publication figure; it gathers :mod:`.experiments`
  (experiments and their models), :mod:`.sequences` (sequence checks),
  :mod:`.jaspar_sites` (JASPAR logos, FIMO sites), :mod:`.views`
  (:func:`~gdashboard.dashboard.views.sequence_view`,
  :func:`~gdashboard.dashboard.views.variant_view`) and :mod:`.run_panels` (one run's
  class optimisation, patterns, motifs, curves).
* :mod:`.method_panels` — which registered methods (:mod:`gdashboard.methods`) have a
  sequence-view panel (:func:`panel_methods`), a figure row (:func:`figure_row_methods`)
  and an API answer, and how a view names and colours their arrays.

What shows them:

* :mod:`.api` — the JSON API (``/api/experiments``, ``/api/methods``,
  ``/api/experiments/<experiment>/explain``) on the web app's Flask server.
* :mod:`.figure` — the publication figure (``gdash figure``), matplotlib: its page
  (:mod:`.figure_layout`), drawing (:mod:`.figure_draw`), method rows
  (:mod:`.figure_rows`) and inputs (:mod:`.figure_inputs`).
* :mod:`.plots` — the web app's interactive Plotly figures.
* :mod:`.state` — what the server holds between requests (test sets, recent views,
  background class optimisations) and the URLs of its views.
* :mod:`.app` — the Dash web app (``create_app``, ``serve``): its pages
  (:mod:`.pages_overview`, :mod:`.pages_experiment`, :mod:`.pages_sequence`, with
  :mod:`.motif_panels`, :mod:`.variant_panel` and :mod:`.components`) and
  :mod:`.callbacks`.

The dashboard reads runs through :mod:`gdashboard.results` only; nothing outside this
package but the command line imports it. The names below are loaded on first use, so
importing the package stays light.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "create_app": "app",
    "serve": "app",
    "draw_figure": "figure",
    "write_figure": "figure",
    "save_figure": "figure",
    "panel_methods": "method_panels",
    "figure_row_methods": "method_panels",
    "api_methods": "method_panels",
    "sequence_view": "views",
    "find_experiments": "experiments",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
