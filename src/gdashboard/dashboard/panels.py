"""The numbers behind the dashboard's panels, shared by the API, the web app and the figure.

Everything here is plain computation on runs read through :mod:`gdashboard.results`:
no Dash, no Flask, no plotting. The web app (:mod:`gdashboard.dashboard.app`), the
JSON API (:mod:`gdashboard.dashboard.api`) and the publication figure all call the
same functions, so the three show the same numbers. This module gathers them from:

* :mod:`.experiments` — :class:`Experiment` groups the runs of one experiment and
  loads their models once (:class:`LoadedModel`, with the model's capabilities).
* :mod:`.sequences` — :func:`check_sequence` turns pasted text into a sequence or a
  one-line error; :func:`reverse_complement`.
* :mod:`.jaspar_sites` — the TF's JASPAR motifs as logos and their FIMO sites.
* :mod:`.method_panels` — which registered methods have a panel, a figure row, an
  API answer (:func:`panel_methods`, :func:`figure_row_methods`, :func:`api_methods`)
  and how a view names and colours their arrays.
* :mod:`.views` — :func:`sequence_view` computes the paper's Figure 2 for one
  sequence (each model's score and the methods asked); :func:`variant_view` compares
  a reference with an edited sequence; :func:`view_table`, :func:`jsonable`.
* :mod:`.run_panels` — one run's class-optimised input, TF-MoDISco patterns,
  extracted motifs and ROC curves.

The heavy libraries (torch, memelite's numba code) are imported inside the functions
that need them, so that importing this module stays cheap.
"""

from __future__ import annotations

from gdashboard.dashboard.experiments import Experiment, LoadedModel, find_experiments, seed_key
from gdashboard.dashboard.jaspar_sites import (
    all_jaspar_motifs,
    jaspar_logos,
    jaspar_motif,
    jaspar_motifs,
    sequence_sites,
    warm_up,
)
from gdashboard.dashboard.method_panels import (
    DEFAULT_VIEW_METHODS,
    FIGURE_METHODS,
    api_methods,
    figure_row_methods,
    panel_methods,
    refusal,
    view_keys,
)
from gdashboard.dashboard.run_panels import class_optimized, extracted_motifs, modisco_patterns, roc_curves
from gdashboard.dashboard.sequences import ALLOWED, MAX_SEQUENCE_LENGTH, check_sequence, reverse_complement
from gdashboard.dashboard.views import jsonable, sequence_view, variant_view, view_table

__all__ = [
    "ALLOWED",
    "DEFAULT_VIEW_METHODS",
    "FIGURE_METHODS",
    "MAX_SEQUENCE_LENGTH",
    "Experiment",
    "LoadedModel",
    "all_jaspar_motifs",
    "api_methods",
    "check_sequence",
    "class_optimized",
    "extracted_motifs",
    "figure_row_methods",
    "find_experiments",
    "jaspar_logos",
    "jaspar_motif",
    "jaspar_motifs",
    "jsonable",
    "modisco_patterns",
    "panel_methods",
    "refusal",
    "reverse_complement",
    "roc_curves",
    "seed_key",
    "sequence_sites",
    "sequence_view",
    "variant_view",
    "view_keys",
    "view_table",
    "warm_up",
]
