"""The dashboard's JSON API, served by the same Flask server as the web app.

Routes
------
``GET /api/experiments``
    ``{"experiments": [{"name", "tf", "models": [{"label", "preset", "architecture",
    "test_auc"}]}]}``
``GET /api/methods``
    ``{"methods": [{"name", "title", "keys", "requires", "refuses", "panel",
    "figure_row"}]}``: every per-sequence method of the registry
    (:mod:`gdashboard.methods`) that the explain route serves, the names of its arrays
    in an answer (``keys``), the capabilities a model needs and must not have, and
    whether it has a sequence-view panel and a figure row.
``POST /api/experiments/<experiment>/explain``
    Body ``{"sequences": [...], "models": [...] (optional), "methods": [...]
    (optional: any per-sequence method or alias; default saliency, temporal, ism)}``;
    answers ``{"experiment", "results": [{"sequence", "sites", "models": {label:
    {"score", "probability", <arrays>}}, "skipped": {label: {method: why}}}]}`` with
    arrays only for the methods asked and only from the models that can give them
    (temporal scores from recurrent models, ...): ``saliency`` (L), ``forward`` and
    ``backward`` (L), ``ism`` (4 x L), ``integrated_gradients``, ``deeplift`` and
    ``gradient_x_input`` (4 x L), ``start``, ``width`` and ``filter`` (conv). The
    numbers are those of :func:`gdashboard.dashboard.panels.sequence_view`.

Every error under ``/api/`` is ``{"error": "one line"}`` with a 4xx or 500 status, never
a traceback or an HTML page: 400 malformed request, 404 unknown experiment, model or
route, 405 wrong method, 413 body over :data:`MAX_BODY_BYTES` or more than
:data:`MAX_SEQUENCES` sequences, 422 a sequence the models do not accept.
"""

from __future__ import annotations

import json
import logging
from typing import Mapping

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, NotFound

from gdashboard.dashboard.method_panels import (
    DEFAULT_VIEW_METHODS,
    api_methods,
    check_methods,
    figure_row_methods,
    panel_methods,
    view_keys,
)
from gdashboard.dashboard.panels import Experiment, check_sequence, jsonable, sequence_view
from gdashboard.methods import get_method

MAX_SEQUENCES = 100
MAX_BODY_BYTES = 1_000_000
# Names echoed in error messages are cut to this many characters.
ECHO_LIMIT = 80

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """A request the API refuses: an HTTP status and a one-line message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _echo(value) -> str:
    # repr() quotes and escapes control characters; JSON encoding does the rest.
    text = repr(str(value))
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 3] + "..."


def error_response(status: int, message: str) -> Response:
    """``{"error": message}`` with ``status``, the message cut to its first line."""
    response = jsonify({"error": str(message).splitlines()[0] if message else "error"})
    response.status_code = status
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _experiment_summary(experiment: Experiment) -> dict:
    models = []
    for run in experiment.neural_runs:
        metrics = run.metrics or {}
        models.append(
            {
                "label": run.label,
                "preset": run.preset,
                "architecture": metrics.get("architecture"),
                "test_auc": metrics.get("test_auc"),
            }
        )
    return {"name": experiment.name, "tf": experiment.tf, "models": models}


def _string_list(body: Mapping, key: str, required: bool) -> list[str] | None:
    if key not in body or body[key] is None:
        if required:
            raise ApiError(400, f"the body needs '{key}': a list of strings")
        return None
    value = body[key]
    if isinstance(value, str):
        value = [value]  # one sequence or model given alone
    if not isinstance(value, list):
        raise ApiError(400, f"'{key}' must be a list of strings")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ApiError(400, f"'{key}[{index}]' must be a string")
    return value


def parse_explain_request(body, experiment: Experiment) -> tuple[list[str], list[str], tuple[str, ...]]:
    """Check an explain request's body: ``(sequences, model labels, methods)`` or an ApiError."""
    if not isinstance(body, Mapping):
        raise ApiError(400, "the body must be a JSON object")
    unknown_keys = sorted(set(body) - {"sequences", "models", "methods"})
    if unknown_keys:
        raise ApiError(400, f"unknown key {_echo(unknown_keys[0])}; expected sequences, models, methods")
    sequences = _string_list(body, "sequences", required=True)
    if not sequences:
        raise ApiError(400, "'sequences' is empty")
    if len(sequences) > MAX_SEQUENCES:
        raise ApiError(413, f"{len(sequences)} sequences; at most {MAX_SEQUENCES} per request")
    labels = _string_list(body, "models", required=False)
    if labels is None:
        labels = experiment.labels
    for label in labels:
        if label not in experiment.labels:
            raise ApiError(
                404, f"unknown model {_echo(label)} in {experiment.name}; choose from {', '.join(experiment.labels)}"
            )
    methods = _string_list(body, "methods", required=False)
    methods = DEFAULT_VIEW_METHODS if methods is None else _check_methods(methods)
    checked = []
    for index, text in enumerate(sequences):
        try:
            checked.append(check_sequence(text, experiment.lengths))
        except ValueError as error:
            raise ApiError(422, f"sequence {index + 1}: {error}") from None
    return checked, list(dict.fromkeys(labels)), tuple(methods)


def _check_methods(methods: list[str]) -> tuple[str, ...]:
    for method in methods:
        try:
            record = get_method(method)
        except ValueError:
            raise ApiError(400, f"unknown method {_echo(method)}; choose from {', '.join(api_methods())}") from None
        if not record.per_sequence:
            raise ApiError(
                400, f"{record.name} explains a model, not a sequence; choose from {', '.join(api_methods())}"
            )
    return check_methods(methods, api_methods())


def method_summaries() -> list[dict]:
    """What ``GET /api/methods`` lists: every method the explain route serves."""
    with_panel, rows = set(panel_methods()), set(figure_row_methods())
    return [
        {
            "name": name,
            "title": get_method(name).title,
            "keys": list(view_keys(name)),
            "requires": sorted(get_method(name).requires),
            "refuses": sorted(get_method(name).refuses),
            "panel": name in with_panel,
            "figure_row": name in rows,
        }
        for name in api_methods()
    ]


def api_blueprint(experiments: Mapping[str, Experiment]) -> Blueprint:
    """The API's routes over ``experiments`` (name -> :class:`Experiment`)."""
    api = Blueprint("gdashboard_api", __name__, url_prefix="/api")

    @api.get("/experiments")
    def list_experiments():
        return jsonify({"experiments": [_experiment_summary(e) for e in experiments.values()]})

    @api.get("/methods")
    def list_methods():
        return jsonify({"methods": method_summaries()})

    @api.post("/experiments/<experiment>/explain")
    def explain(experiment: str):
        if experiment not in experiments:
            raise ApiError(404, f"unknown experiment {_echo(experiment)}")
        found = experiments[experiment]
        raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            message = error.msg if isinstance(error, json.JSONDecodeError) else "not UTF-8"
            raise ApiError(400, f"malformed JSON: {message}") from None
        sequences, labels, methods = parse_explain_request(body, found)
        loaded = found.models()
        models = [loaded[label] for label in labels]
        results = []
        for sequence in sequences:
            view = sequence_view(models, sequence, tf=found.tf, methods=methods)
            results.append({key: view[key] for key in ("sequence", "sites", "models", "skipped")})
        return jsonify(jsonable({"experiment": found.name, "results": results}))

    @api.route("/", defaults={"rest": ""}, methods=ALL_METHODS)
    @api.route("/<path:rest>", methods=ALL_METHODS)
    def no_route(rest: str):
        # Without this, Dash's catch-all page route would answer unknown /api/ paths
        # (and GET on a POST route) with the app's HTML page.
        allowed = _methods_allowed(request.path)
        if allowed:
            raise ApiError(405, f"method {request.method} not allowed here; use {', '.join(allowed)}")
        raise ApiError(404, "no such API route")

    @api.errorhandler(ApiError)
    def api_error(error: ApiError):
        return error_response(error.status, error.message)

    @api.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        # Logged in full for the operator; the client gets one line and no traceback.
        logger.exception("API request failed")
        return error_response(500, "internal error while computing the view")

    return api


ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _methods_allowed(path: str) -> list[str]:
    """The methods of the API's own routes (not its catch-all) that match ``path``."""
    adapter = current_app.url_map.bind("localhost")
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            continue
        if endpoint.startswith("gdashboard_api.") and endpoint != "gdashboard_api.no_route":
            allowed.append(method)
    return allowed


def http_error(error: HTTPException) -> Response:
    """An HTTP error as the API's JSON error."""
    messages = {
        404: "no such API route",
        405: "method not allowed on this route",
        413: f"request body over the limit of {MAX_BODY_BYTES:,} bytes",
    }
    status = error.code or 500
    response = error_response(status, messages.get(status, error.name or "error"))
    if status == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def register_api(server: Flask, experiments: Mapping[str, Experiment]) -> None:
    """Add the API to a Flask server (the Dash app's ``app.server``).

    Sets ``MAX_CONTENT_LENGTH`` (bodies over :data:`MAX_BODY_BYTES` get 413) and makes
    every HTTP error under ``/api/`` (an unknown route's 404 included, which no
    blueprint sees) a JSON error; other paths keep Flask's own error pages.
    """
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    server.register_blueprint(api_blueprint(experiments))

    @server.errorhandler(HTTPException)
    def json_errors_under_api(error: HTTPException):
        if request.path == "/api" or request.path.startswith("/api/"):
            return http_error(error)
        return error

    from dash.exceptions import DependencyException

    @server.errorhandler(DependencyException)
    def unknown_dependency(error):
        # Dash raises this for a script path it did not register (e.g. one with
        # ``..`` in it); that is a missing file, not a server failure.
        return NotFound()
