"""Runs trained once per session on a small simulated dataset, for the dashboard's tests."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PRESETS = ("small-cnn", "small-rnn")


@dataclass
class DashboardRuns:
    root: Path  # holds runs/ and the data folder
    runs: Path
    test_file: Path
    experiment: str


@pytest.fixture(scope="session")
def dashboard_runs(tmp_path_factory) -> DashboardRuns:
    """small-cnn and small-rnn trained for 2 epochs on 400 simulated sequences (a few seconds)."""
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.runs import train_run
    from gdashboard.train_options import TrainOptions

    root = tmp_path_factory.mktemp("dashboard")
    paths = write_simulation(simulate(n=400, seed=0), root / "GATA1_sim")
    for preset in PRESETS:
        # restarts=0: a model that has not learned is fine here; only its numbers are compared.
        # The forward strand: the simulated grammar is read on it (both strands are tested with
        # runs of their own).
        options = TrainOptions(epochs=2, restarts=0, rc_augment=False, rc_average=False)
        train_run(paths["train"], paths["test"], preset, root / "runs" / preset, options, progress=False)
    return DashboardRuns(root, root / "runs", paths["test"], "GATA1_sim")


@pytest.fixture(scope="session")
def dashboard_app(dashboard_runs):
    """The Dash app over the session's runs (class optimisation kept short)."""
    from gdashboard.dashboard.app import create_app

    return create_app([dashboard_runs.runs], classopt_steps=20, classopt_restarts=2)


@pytest.fixture(scope="session")
def serving():
    """A context manager: a Flask app served on loopback while inside (``with
    serving(app.server) as url``), by a real HTTP server in a thread."""
    return _serving


@contextmanager
def _serving(flask_app):
    """``flask_app`` served on loopback while inside; yields its base URL,
    ``http://127.0.0.1:PORT``."""
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(10)
