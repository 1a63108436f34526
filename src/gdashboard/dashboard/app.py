"""The web dashboard (``gdash serve``): Dash pages over trained runs, plus the JSON API.

Pages (``dcc.Location``; the whole view lives in the URL, so a copied address shows
the same view):

* ``/`` — every experiment with each model's test AUC (the report's per-experiment
  table and Table 2; Table 4 when motif results exist), a link to each experiment
  (:mod:`.pages_overview`).
* ``/experiment?experiment=NAME`` — its models, ROC and precision-recall curves, a
  filterable table of its test sequences (picking a row opens the sequence view) and
  a box to paste a sequence (:mod:`.pages_experiment`).
* ``/sequence?experiment=NAME&id=ID`` (a test sequence) or ``&sequence=ACGT…``
  (pasted), with ``models=a,b``, ``methods=saliency,ism`` (any method of the registry
  with rows), ``rc=1`` (reverse complement) and ``edits=58T,60C`` (a variant of the
  sequence shown, compared with it) — the paper's Figure 2: JASPAR logos,
  class-optimised logos (computed in a background thread), the sequence with FIMO
  sites, one heat map per method asked, the motifs ``gdash motifs`` extracted, a
  variant control and downloads (:mod:`.pages_sequence`).

The callbacks are in :mod:`.callbacks`. Dash serves its scripts and styles itself
(``serve_locally``); nothing is fetched from another host. The numbers come from
:mod:`gdashboard.dashboard.panels`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import threading
from pathlib import Path
from typing import Iterable

from gdashboard.dashboard import panels
from gdashboard.dashboard.components import element_id
from gdashboard.dashboard.motif_panels import patterns_panel
from gdashboard.dashboard.pages_experiment import experiment_page, test_rows
from gdashboard.dashboard.pages_overview import overview_page
from gdashboard.dashboard.pages_sequence import classopt_panel, resolve_view, sequence_page, view_csv
from gdashboard.dashboard.state import DashboardState, experiment_href, sequence_href
from gdashboard.dashboard.variant_panel import apply_edits, sequence_edits, variant_panel
from gdashboard.errors import InputError
from gdashboard.methods import ClassOptOptions

__all__ = [
    "apply_edits",
    "classopt_panel",
    "create_app",
    "element_id",
    "experiment_href",
    "experiment_page",
    "overview_page",
    "patterns_panel",
    "resolve_view",
    "sequence_edits",
    "sequence_href",
    "sequence_page",
    "serve",
    "test_rows",
    "variant_panel",
    "view_csv",
]

logger = logging.getLogger(__name__)


def classopt_options(
    classopt: ClassOptOptions | None = None, steps: int | None = None, restarts: int | None = None
) -> ClassOptOptions:
    """``classopt`` (default: :class:`~gdashboard.methods.ClassOptOptions`'s own) with the
    steps and restarts given, where given."""
    given = {"steps": steps, "restarts": restarts}
    return dataclasses.replace(classopt or ClassOptOptions(), **{k: v for k, v in given.items() if v is not None})


def _layout():
    from dash import dcc, html

    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            html.Header(
                [
                    dcc.Link("gdashboard", href="/", className="brand"),
                    html.Span(" Deep Motif Dashboard", className="subtitle"),
                ]
            ),
            dcc.Download(id="download-csv"),
            html.Main(id="page", **{"data-testid": "page"}),
        ]
    )


def create_app(
    paths: Iterable[str | Path],
    *,
    classopt: ClassOptOptions | None = None,
    classopt_steps: int | None = None,
    classopt_restarts: int | None = None,
    warm_up: bool = True,
):
    """The dashboard over the runs found in or below ``paths``.

    Parameters
    ----------
    paths
        Run folders or folders holding them (:func:`gdashboard.results.find_runs`).
    classopt
        Class optimisation's options (:func:`gdashboard.explain.run.cached_class_optimization`);
        default :class:`~gdashboard.methods.ClassOptOptions`'s.
    classopt_steps, classopt_restarts
        Shorthands that replace those two of ``classopt``.
    warm_up
        Compile memelite's numba code in a background thread now.

    Returns
    -------
    dash.Dash
        Its Flask server (``app.server``) also serves the JSON API
        (:mod:`gdashboard.dashboard.api`).
    """
    import dash

    from gdashboard.dashboard.api import register_api
    from gdashboard.dashboard.callbacks import register_callbacks

    state = DashboardState(paths, classopt_options(classopt, classopt_steps, classopt_restarts))
    app = dash.Dash(
        __name__,
        title="gdashboard",
        serve_locally=True,
        external_scripts=[],
        external_stylesheets=[],
        suppress_callback_exceptions=True,
        assets_folder=str(Path(__file__).parent / "assets"),
        update_title=None,
    )
    app.gdashboard_state = state
    app.layout = _layout()
    register_api(app.server, state.experiments)
    register_callbacks(app, state)
    if warm_up:
        threading.Thread(target=_warm, name="gdashboard-warm-up", daemon=True).start()
    return app


def _warm() -> None:
    try:
        panels.warm_up()
    except Exception:  # a failed warm-up only means the first view compiles
        logger.exception("warm-up failed")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    paths: Iterable[str | Path], host: str = "127.0.0.1", port: int = 8050, allow_remote: bool = False, **options
) -> None:
    """Serve the dashboard until interrupted (``options``: :func:`create_app`'s).

    Raises
    ------
    InputError
        ``host`` is not a loopback address and ``allow_remote`` is False: the
        dashboard has no authentication, so only this machine may reach it unless
        asked otherwise.
    """
    if not _is_loopback(host) and not allow_remote:
        raise InputError(
            f"refusing to serve on {host}: the dashboard has no login; "
            "pass --allow-remote to let other machines reach it"
        )
    app = create_app(paths, **options)
    app.run(host=host, port=port, debug=False)
