"""Every registered explanation method is everywhere it should be: offered by ``gdash explain``
(and written with its declared keys), returned by the library with those keys, served by the
JSON API, shown by the dashboard, drawn as a figure row where it has rows, and a column of Table 4
where it gives motif windows. Each check is a function that raises AssertionError, run for every
record of the registry; the last test registers a broken method and sees every check fail."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from gdashboard.cli import main
from gdashboard.methods import METHOD_NAMES, METHODS, Method, get_method
from gdashboard.train_options import TrainOptions

SEQUENCE = "ACGT" * 10 + "AGATAAGG" + "TGCA" * 10 + "CACCTG" + "ACGTACG"
# Short settings for the costly options, so that every method runs in a second or two.
CHEAP = {"steps": 5, "restarts": 1, "n_steps": 4, "n_shuffles": 2}


@dataclass
class Fixture:
    root: Path
    test_file: Path
    runs: dict  # label -> run folder
    capabilities: dict  # label -> frozenset


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Fixture:
    """A CNN and a CNN-RNN trained one epoch: between them every capability a method needs."""
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.models.capabilities import model_capabilities
    from gdashboard.results import open_run
    from gdashboard.runs import train_run

    root = tmp_path_factory.mktemp("conformance")
    paths = write_simulation(simulate(n=200, length=len(SEQUENCE), seed=0), root / "GATA1_sim")
    runs, capabilities = {}, {}
    for preset in ("small-cnn-rnn", "small-cnn"):
        options = TrainOptions(epochs=1, restarts=0, rc_augment=False, rc_average=False)
        train_run(paths["train"], paths["test"], preset, root / "runs" / preset, options, progress=False)
        runs[preset] = root / "runs" / preset
        capabilities[preset] = model_capabilities(open_run(runs[preset]).model())
    return Fixture(root, paths["test"], runs, capabilities)


def _able(record: Method, trained: Fixture) -> str:
    """A trained model the method can explain."""
    for label, capabilities in trained.capabilities.items():
        if record.requires <= capabilities and not record.refuses & capabilities:
            return label
    raise AssertionError(f"{record.name}: neither a CNN nor a CNN-RNN can be explained by it")


def _cheap(record: Method) -> dict:
    fields = set(record.options.__dataclass_fields__)
    return {name: value for name, value in CHEAP.items() if name in fields}


# ---------------------------------------------------------------------------- the checks


def check_offered_by_gdash_explain(name: str, trained: Fixture, out: Path) -> None:
    import click

    from gdashboard.cli import app

    command = app.commands["explain"]
    choices = next(p for p in command.params if p.name == "method").type
    assert isinstance(choices, click.Choice) and name in choices.choices, f"gdash explain offers no {name}"
    record = get_method(name)
    flags = [item for key, value in _cheap(record).items() for item in (f"--{key.replace('_', '-')}", str(value))]
    run = trained.runs[_able(record, trained)]
    arguments = ["explain", str(run), "--test", str(trained.test_file), "--method", name, "--limit", "3"]
    assert main([*arguments, *flags, "--out", str(out), "--quiet"]) == 0, f"gdash explain --method {name} failed"
    with np.load(out, allow_pickle=False) as written:
        assert str(written["method"]) == name
        assert set(written.files) == {"ids", "labels", "method", "rc_average", *record.keys}, written.files


def check_declared_keys(name: str, trained: Fixture) -> None:
    import gdashboard

    record = get_method(name)
    run = gdashboard.open_run(trained.runs[_able(record, trained)])
    X = run.test_sequences().X[:3]
    arrays = gdashboard.explain_model(run.model(), X, name, _cheap(record))
    assert tuple(arrays) == record.keys, f"{name} returned {tuple(arrays)}, declared {record.keys}"
    if record.per_sequence:
        assert all(len(np.asarray(value)) == 3 for value in arrays.values()), name


def check_served_by_the_api(name: str, client) -> None:
    from gdashboard.dashboard.method_panels import view_keys

    listed = {entry["name"] for entry in client.get("/api/methods").get_json()["methods"]}
    record = get_method(name)
    if not record.per_sequence:
        assert name not in listed, f"the API lists {name}, which explains a model, not a sequence"
        return
    assert name in listed, f"GET /api/methods does not list {name}"
    response = client.post("/api/experiments/GATA1_sim/explain", json={"sequences": [SEQUENCE], "methods": [name]})
    assert response.status_code == 200, response.get_json()
    models = response.get_json()["results"][0]["models"]
    given = [label for label, arrays in models.items() if set(view_keys(name)) <= set(arrays)]
    assert given, f"the API's explain route gave {name} for no model: {models}"


def check_has_a_dashboard_panel(name: str, models) -> None:
    from gdashboard.dashboard.components import element_id
    from gdashboard.dashboard.pages_sequence import method_panel
    from gdashboard.dashboard.views import sequence_view

    record = get_method(name)
    if not record.rows:
        # Without rows a method is shown where its results are: the extracted-motif panel
        # (one row per motif method) and the class-optimised logos.
        assert record.motif_windows, f"{name} has neither rows (a heat map) nor motif windows: no panel shows it"
        return
    view = sequence_view(models, SEQUENCE, tf=None, methods=(name,))
    ids = set(_ids(method_panel(view, name, "conformance")))
    assert element_id(name, "heatmap") in ids, f"the sequence view has no heat map of {name}: {ids}"


def _ids(components):
    """Every component id in a Dash layout (lists and nested children)."""
    for component in components if isinstance(components, (list, tuple)) else [components]:
        if getattr(component, "id", None) is not None:
            yield component.id
        children = getattr(component, "children", None)
        if children is not None and not isinstance(children, str):
            yield from _ids(children)


def check_figure_row(name: str, models) -> None:
    from gdashboard.dashboard.figure_rows import row_sections
    from gdashboard.dashboard.views import sequence_view

    record = get_method(name)
    if not record.rows:
        return  # no rows, no figure row
    view = sequence_view(models, SEQUENCE, tf=None, methods=(name,))
    labels = list(view["models"])
    sections = row_sections(view, labels, (name,))
    assert [section.method for section in sections] == [name], f"the figure draws no row of {name}"


def check_table4_column(name: str) -> None:
    from gdashboard.motifs.window_rules import WINDOW_RULES
    from gdashboard.report.motif_sections import method_headings
    from gdashboard.report.table4 import table4_columns

    record = get_method(name)
    if not record.motif_windows:
        return  # no motif windows, no Table 4 column
    assert name in WINDOW_RULES, f"gdash motifs has no window rule for {name}: its Table 4 column would stay empty"
    assert record.heading in method_headings(), f"Table 4 has no column headed {record.heading!r}"
    assert any(column.startswith(name) for column in table4_columns()), f"Table 4's CSV has no column of {name}"


# ---------------------------------------------------------------------------- every method


@pytest.fixture(scope="module")
def models(trained):
    from gdashboard.dashboard.panels import find_experiments

    return list(find_experiments([trained.root / "runs"])["GATA1_sim"].models().values())


@pytest.fixture(scope="module")
def client(trained):
    from gdashboard.dashboard.app import create_app

    return create_app([trained.root / "runs"], classopt_steps=5, classopt_restarts=1).server.test_client()


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_every_method_is_everywhere(name, trained, models, client, tmp_path):
    check_offered_by_gdash_explain(name, trained, tmp_path / f"{name}.npz")
    check_declared_keys(name, trained)
    check_served_by_the_api(name, client)
    check_has_a_dashboard_panel(name, models)
    check_figure_row(name, models)
    check_table4_column(name)


def test_a_method_registered_without_its_parts_fails_every_check(monkeypatch, trained, models, client, tmp_path):
    import gdashboard.methods as registry

    # Registered after the command line was built, with a function that returns other keys,
    # rows nothing draws under its name, and motif windows no Table 4 column names.
    broken = replace(
        METHODS["saliency"], name="broken", title="Broken", keys=("nothing",), motif_windows=True, column="broken"
    )
    monkeypatch.setitem(registry.METHODS, "broken", broken)
    for check, arguments in [
        (check_offered_by_gdash_explain, (trained, tmp_path / "broken.npz")),
        (check_declared_keys, (trained,)),
        (check_served_by_the_api, (client,)),
        (check_has_a_dashboard_panel, (models,)),
        (check_figure_row, (models,)),
        (check_table4_column, ()),
    ]:
        with pytest.raises((AssertionError, RuntimeError, KeyError)):
            check("broken", *arguments)
