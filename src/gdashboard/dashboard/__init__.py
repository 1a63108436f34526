"""Figures for papers and the dashboard.

* :mod:`gdashboard.dashboard.panels` — the numbers behind every panel (experiments
  and their models, sequence checks, :func:`~gdashboard.dashboard.panels.sequence_view`,
  :func:`~gdashboard.dashboard.panels.variant_view`), shared by the web app, the API
  and the publication figure; no web framework.
* :mod:`gdashboard.dashboard.api` — the JSON API (``/api/experiments``,
  ``/api/experiments/<experiment>/explain``) on the web app's Flask server.
* :mod:`gdashboard.dashboard.figure` — the publication figure (``gdash figure``), matplotlib.
* :mod:`gdashboard.dashboard.plots` — the web app's interactive Plotly figures.
* :mod:`gdashboard.dashboard.state` — what the server holds between requests (test
  sets, recent views, background class optimisations) and the URLs of its views.
* :mod:`gdashboard.dashboard.app` — the Dash web app's pages and callbacks
  (``create_app``, ``serve``).

The dashboard reads runs through :mod:`gdashboard.results` only; nothing outside this
package imports it.
"""
