"""The web app's building blocks: element ids, graphs, error lines and tables (Dash)."""

from __future__ import annotations

import re


def graph_config(filename: str) -> dict:
    # Plotly's own export button: SVG for papers (PNG via the format switch on the page).
    return {"displaylogo": False, "toImageButtonOptions": {"format": "svg", "filename": filename, "scale": 2}}


def testid(name: str) -> dict:
    """The ``data-testid`` attribute the browser tests find an element by."""
    return {"data-testid": name}


def element_id(*parts: str) -> str:
    """The page id of an element named by ``parts`` (``"classopt"``, a model label, a
    TF-MoDISco pattern name), joined by ``-``.

    Model labels hold spaces, ``+`` and parentheses (``"small-cnn-rnn +rc-aug+rc-avg"``,
    ``"small-rnn (max)"``) and pattern names dots (``"pos_patterns.pattern_0"``): HTML
    allows no space in an id, Dash no dot, and a CSS selector must escape the rest. So
    every character but ASCII letters, digits and ``-`` becomes ``_`` and its two hex
    digits (``" "`` -> ``_20``, ``_`` itself -> ``_5f``): distinct names keep distinct ids.
    """
    return "-".join(re.sub(r"[^A-Za-z0-9-]", lambda found: f"_{ord(found.group()):02x}", part) for part in parts)


def graph(graph_id: str, figure, filename: str):
    """A Plotly figure in a panel whose test id is ``panel-GRAPH_ID``."""
    from dash import dcc, html

    return html.Div(dcc.Graph(id=graph_id, figure=figure, config=graph_config(filename)), **testid(f"panel-{graph_id}"))


def error(message: str, name: str = "page-error"):
    """A one-line error shown in the page."""
    from dash import html

    return html.Div(message, className="error", **testid(name))


def datatable(table_id: str, rows: list[dict], columns: list[str] | None = None, **options):
    """A sortable table of ``rows``; numeric columns formatted to four significant digits."""
    from dash import dash_table

    columns = columns or (list(rows[0]) if rows else [])
    specs = []
    for column in columns:
        spec = {"name": column, "id": column}
        if rows and all(isinstance(r.get(column), (int, float)) or r.get(column) is None for r in rows):
            spec["type"] = "numeric"
            spec["format"] = {"specifier": ".4~g"}
        specs.append(spec)
    return dash_table.DataTable(
        id=table_id,
        data=rows,
        columns=specs,
        sort_action="native",
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "sans-serif", "fontSize": 13, "padding": "3px 8px"},
        **options,
    )
