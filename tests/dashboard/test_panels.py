"""The dashboard's computations: sequence checks, views equal to `gdash predict`, variants."""

from __future__ import annotations

import re

import numpy as np
import pytest

from gdashboard.dashboard import panels


@pytest.mark.parametrize(
    "text, expected",
    [
        ("acgtn", "ACGTN"),
        ("  AC GT\nNN\r\n", "ACGTNN"),
        (">seq1 some header\nACGT\nAC\n", "ACGTAC"),
    ],
)
def test_check_sequence_accepts(text, expected):
    assert panels.check_sequence(text, set()) == expected


@pytest.mark.parametrize(
    "text, lengths, message",
    [
        ("", set(), "empty"),
        (" \n\t", set(), "empty"),
        ("ACGTX", set(), "'X' at position 5"),
        ("AC GU", set(), "'U' at position 4"),
        ("ACGT<script>", set(), "'<' at position 5"),
        ("ACGT", {101}, "has 4 bases; the models accept 101"),
        ("ACGT", {5, 101}, "accept 5 or 101"),
        ("A" * 10_001, set(), "more than the limit of 10,000"),
    ],
)
def test_check_sequence_refuses(text, lengths, message):
    with pytest.raises(ValueError, match=None) as error:
        panels.check_sequence(text, lengths)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.fixture(scope="module")
def experiment(dashboard_runs):
    experiments = panels.find_experiments([dashboard_runs.runs])
    assert list(experiments) == [dashboard_runs.experiment]
    return experiments[dashboard_runs.experiment]


def test_experiment(experiment):
    assert experiment.tf == "GATA1"
    assert experiment.lengths == {101}
    # Catalogue order: the RNN before the CNN.
    assert list(experiment.models()) == ["small-rnn", "small-cnn"]
    assert experiment.models()["small-rnn"].recurrent and not experiment.models()["small-cnn"].recurrent
    assert experiment.models() is experiment.models()  # loaded once


def test_sequence_view_equals_predict(experiment, dashboard_runs):
    from gdashboard.data import one_hot_decode
    from gdashboard.runs import predict_file

    dataset = experiment.neural_runs[0].test_sequences()
    models = list(experiment.models().values())
    for index in (0, 7):
        sequence = one_hot_decode(dataset.X[index : index + 1])[0]
        view = panels.sequence_view(models, sequence, tf=experiment.tf)
        assert view["sequence"] == sequence and view["length"] == 101
        for loaded in models:
            _, predicted = predict_file(loaded.run.path, dashboard_runs.test_file)
            model = view["models"][loaded.label]
            assert model["score"] == pytest.approx(predicted[index], rel=1e-5, abs=1e-6)
            assert model["probability"] == pytest.approx(1 / (1 + np.exp(-predicted[index])), rel=1e-5)
            assert model["saliency"].shape == (101,)
            assert model["ism"].shape == (4, 101)
            if loaded.recurrent:
                assert model["forward"].shape == model["backward"].shape == (101,)
                assert np.all((model["forward"] >= 0) & (model["forward"] <= 1))
            else:
                assert "forward" not in model


def test_sequence_view_sites_and_methods(experiment):
    # A strong GATA1 site (consensus of MA0035) in a neutral background.
    sequence = ("AC" * 25 + "TTCTTATCTGT" + "CA" * 25)[:101]
    models = list(experiment.models().values())
    view = panels.sequence_view(models, sequence, tf="GATA1", methods=("saliency",))
    assert view["sites"], "FIMO found no GATA1 site"
    site = view["sites"][0]
    assert set(site) == {"motif_id", "motif_name", "start", "end", "strand", "score", "p_value"}
    assert 0 <= site["start"] < site["end"] <= 101 and site["p_value"] < 1e-4
    assert set(view["models"]["small-rnn"]) == {"score", "probability", "saliency"}
    assert view["methods"] == ("saliency",) and view["skipped"] == {}
    assert panels.sequence_view(models, sequence, tf=None)["sites"] == []
    with pytest.raises(ValueError, match="unknown method"):
        panels.sequence_view(models, sequence, tf=None, methods=("gradcam",))


def test_variant_view(experiment):
    models = list(experiment.models().values())
    reference = ("ACGGT" * 21)[:101]
    alternative = reference[:50] + ("A" if reference[50] != "A" else "C") + reference[51:]
    result = panels.variant_view(models, reference, alternative, tf=None)
    assert result["changed"] == [50]
    for label, difference in result["differences"].items():
        ref, alt = result["reference"]["models"][label], result["alternative"]["models"][label]
        assert difference["score"] == pytest.approx(alt["score"] - ref["score"])
        np.testing.assert_allclose(difference["saliency"], alt["saliency"] - ref["saliency"])
        # The single-base edit's score change is the ISM entry of the reference (logit target),
        # up to the softmax's other logit: check the sign agrees where the change is clear.
    with pytest.raises(ValueError, match="same length|without inserting"):
        panels.variant_view(models, reference, reference[:-1], tf=None)


def test_view_table_and_reverse_complement(experiment):
    models = list(experiment.models().values())
    view = panels.sequence_view(models, "ACGTN" * 20 + "A", tf=None)
    rows = panels.view_table(view)
    assert len(rows) == 2 * 101
    assert rows[0]["position"] == 1 and rows[0]["base"] == "A"
    assert panels.reverse_complement("AACGTN") == "NACGTT"


def test_modisco_patterns_are_shown_where_they_exist(experiment, dashboard_runs, tmp_path):
    import json
    import shutil

    from gdashboard.dashboard.app import overview_page, patterns_panel
    from gdashboard.dashboard.panels import find_experiments, modisco_patterns
    from gdashboard.dashboard.state import DashboardState
    from gdashboard.methods import ClassOptOptions

    runs = tmp_path / "runs"
    shutil.copytree(dashboard_runs.runs, runs)
    cwm = [[0.0, 0, 0, 0], [0.5, 0, 0, -0.1], [0, 0, 0.9, 0], [0, 0, 0, 0]]
    pattern = {
        "name": "pos_patterns.pattern_0",
        "rank": 1,
        "n_seqlets": 42,
        "trim": [1, 3],
        "ppm": {"forward": [[0.25] * 4] * 4},
        "cwm": {"forward": cwm},
        "matches": [{"id": "MA0035.5", "name": "GATA1", "p": 1e-5, "q": 0.01}],
        "matches_tf": True,
    }
    result = {
        "format_version": 1,
        "experiment": dashboard_runs.experiment,
        "tf": "GATA1",
        "preset": "small-cnn",
        "seed": 0,
        "attribution": "ism",
        "tf_in_jaspar": True,
        "patterns": [pattern],
        "first_tf_pattern": {"rank": 1, "name": "pos_patterns.pattern_0", "q": 0.01},
        "cofactors": [],
    }
    (runs / "small-cnn" / "modisco").mkdir()
    (runs / "small-cnn" / "modisco" / "patterns.json").write_text(json.dumps(result))
    # The same pattern name from another attribution: its logo needs an id of its own.
    (runs / "small-cnn" / "modisco-saliency").mkdir()
    saliency = {**result, "attribution": "saliency"}
    (runs / "small-cnn" / "modisco-saliency" / "patterns.json").write_text(json.dumps(saliency))
    chosen = find_experiments([runs])[dashboard_runs.experiment]
    shown, also = modisco_patterns(chosen.run("small-cnn"))
    assert {shown["attribution"], also["attribution"]} == {"ism", "saliency"}
    if shown["attribution"] != "ism":
        shown = also
    np.testing.assert_array_equal(shown["weights"], np.array(cwm)[1:3].T)
    assert shown["matches_tf"] and shown["n_seqlets"] == 42
    assert modisco_patterns(chosen.run("small-rnn")) == []
    layout = patterns_panel(chosen, ("small-cnn", "small-rnn"))
    ids = [component.id for component in layout._traverse() if getattr(component, "id", None)]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", element) for element in ids), ids
    panel = str(layout)
    assert "pos_patterns.pattern_0" in panel and "GATA1 (q = 0.01)" in panel
    assert "No TF-MoDISco patterns" in str(patterns_panel(chosen, ("small-rnn",)))
    # The report's table takes one TF-MoDISco result per run (two are refused, naming the
    # file); the sequence view above shows every one.
    shutil.rmtree(runs / "small-cnn" / "modisco-saliency")
    overview = str(overview_page(DashboardState([runs], ClassOptOptions(steps=2, restarts=1))))
    assert "TF-MoDISco patterns per model" in overview


def test_auto_is_shown_on_the_overview_and_marked_among_the_experiments_models(dashboard_runs, tmp_path):
    import json
    import shutil

    from gdashboard.dashboard.app import experiment_page, overview_page
    from gdashboard.dashboard.state import DashboardState
    from gdashboard.methods import ClassOptOptions
    from gdashboard.runs import train_run

    validation = {
        preset: json.loads((dashboard_runs.runs / preset / "metrics.json").read_text())["validation_auc"]
        for preset in ("small-cnn", "small-rnn")
    }
    best = max(validation, key=validation.get)
    state = DashboardState([dashboard_runs.runs], ClassOptOptions(steps=2, restarts=1))

    def table(layout, table_id):
        return next(c for c in layout._traverse() if getattr(c, "id", None) == table_id).data

    overview = overview_page(state)
    [chosen] = table(overview, "auto-table")
    assert (chosen["experiment"], chosen["model"], chosen["candidates"]) == (dashboard_runs.experiment, best, 2)
    assert chosen["validation_auc"] == validation[best]
    assert not any(getattr(c, "id", None) == "auto-tests" for c in overview._traverse())  # no baseline here
    rows = table(experiment_page(state, {"experiment": dashboard_runs.experiment}), "models-table")
    assert {row["model"]: row["auto"] for row in rows} == {
        label: "chosen" if label == best else "" for label in ("small-cnn", "small-rnn")
    }
    # With a baseline beside them, auto is paired against it (one experiment: no t-test yet).
    runs = tmp_path / "runs"
    shutil.copytree(dashboard_runs.runs, runs)
    data = dashboard_runs.root / "GATA1_sim"
    train_run(data / "train.tsv", dashboard_runs.test_file, "kmer", runs / "kmer", progress=False)
    with_kmer = DashboardState([runs], ClassOptOptions(steps=2, restarts=1))
    [test] = table(overview_page(with_kmer), "auto-tests")
    assert (test["a"], test["b"], test["n"], test["p"]) == ("auto", "kmer", 1, None)
    # ... and on the experiment's page it stands beside the networks: in the table and,
    # dashed, among the curves; it is not one of the models the views explain.
    page = experiment_page(with_kmer, {"experiment": dashboard_runs.experiment})
    rows = {row["model"]: row for row in table(page, "models-table")}
    kmer_auc = json.loads((runs / "kmer" / "metrics.json").read_text())["test_auc"]
    assert rows["kmer"]["architecture"] == "baseline" and rows["kmer"]["test AUC"] == kmer_auc
    assert rows["small-cnn"]["architecture"] == "CNN"
    roc = next(c for c in page._traverse() if getattr(c, "id", None) == "roc-curves").figure
    dashed = {trace.name for trace in roc.data if trace.line.dash == "dash"}
    assert dashed == {f"kmer (AUC {kmer_auc:.3f})"}
    assert with_kmer.experiments[dashboard_runs.experiment].labels == ["small-rnn", "small-cnn"]


def test_element_ids_are_valid_and_keep_names_apart():
    from gdashboard.dashboard.app import element_id

    labels = ["small-cnn-rnn", "small-cnn-rnn +rc-aug+rc-avg", "small-cnn-rnn +rc-aug+rc-avg+ensemble"]
    labels.append("small-rnn (max)")
    names = ["pos_patterns.pattern_0", "pos-patterns.pattern-0", "pos_patterns_pattern_0"]
    ids = [element_id("pattern", label, name) for label in labels for name in names]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", element) for element in ids), ids
    assert element_id("classopt", "small-cnn +rc-aug") == "classopt-small-cnn_20_2brc-aug"
    assert element_id("classopt", "small-cnn") == "classopt-small-cnn"


def test_variant_edits_round_trip_through_the_url():
    from gdashboard.dashboard.app import apply_edits, sequence_edits

    reference = "ACGTACGTAC"
    assert sequence_edits(reference, "CCGTACGTAG") == "1C,10G"
    assert apply_edits(reference, "1C,10G") == "CCGTACGTAG"
    assert sequence_edits(reference, reference) == "" and apply_edits(reference, "") == reference
    for bad in ("0A", "11A", "3X", "A3", "3"):
        with pytest.raises(ValueError, match="bad edit"):
            apply_edits(reference, bad)
    with pytest.raises(ValueError, match="the variant has 9 bases"):
        sequence_edits(reference, reference[:-1])


# ------------------------------------------------------- the registry's methods


def test_every_method_with_rows_has_a_panel_and_a_figure_row_and_every_per_sequence_one_an_api_answer():
    from gdashboard.dashboard.method_panels import api_methods, figure_row_methods, panel_methods, view_keys
    from gdashboard.methods import METHODS, row_methods

    assert panel_methods() == row_methods()
    assert figure_row_methods() == row_methods()
    assert api_methods() == tuple(name for name, method in METHODS.items() if method.per_sequence)
    assert "classopt" not in api_methods() and "conv" in api_methods()
    # Every array of every method has a name of its own in a view, apart from the score's.
    names = [name for method in api_methods() for name in view_keys(method)]
    assert len(names) == len(set(names)) and not {"score", "probability"} & set(names)


def test_a_view_computes_the_methods_asked_and_skips_what_a_model_cannot_give(experiment):
    from gdashboard.dashboard.method_panels import has_arrays, one_hot, panel_methods, refusal, view_rows
    from gdashboard.dashboard.plots import rows_figure
    from gdashboard.data import one_hot_encode
    from gdashboard.explain.run import explain
    from gdashboard.methods import position_rows

    models = list(experiment.models().values())
    sequence = ("GATAAGGCTTACGT" * 8)[:101]
    only = panels.sequence_view(models, sequence, tf=None, methods=("ism",))
    assert only["methods"] == ("ism",)
    assert all(set(model) == {"score", "probability", "ism"} for model in only["models"].values())
    default = panels.sequence_view(models, sequence, tf=None)
    assert default["methods"] == panels.DEFAULT_VIEW_METHODS == ("saliency", "temporal", "ism")
    assert default["skipped"] == {"small-cnn": {"temporal": "needs an RNN or CNN-RNN"}}

    view = panels.sequence_view(models, sequence, tf=None, methods=panel_methods())
    for loaded in models:
        model, skipped = view["models"][loaded.label], view["skipped"].get(loaded.label, {})
        for method in panel_methods():
            can = refusal(method, loaded.capabilities) is None
            assert has_arrays(method, model) == can and (method not in skipped) == can, (loaded.label, method)
    assert set(view["skipped"]["small-rnn"]) == {"deeplift"}  # DeepLIFT refuses recurrent models
    assert set(view["skipped"]["small-cnn"]) == {"temporal"}
    for method in panel_methods():
        assert rows_figure(view, method) is not None, method
    # A view's rows are the registry's rows of the method's own output.
    cnn = experiment.models()["small-cnn"]
    X = one_hot_encode(sequence)
    for method in ("ism", "integrated_gradients", "gradient_x_input"):
        expected = position_rows(method, explain(cnn.model, X, method), X.numpy())[method][0]
        shown = view_rows(method, view["models"]["small-cnn"], one_hot(sequence))[method]
        np.testing.assert_allclose(shown, expected, rtol=1e-6, atol=1e-7)
    columns = panels.view_table(view)[0]
    assert {"saliency", "forward", "backward", "ism_T", "integrated_gradients_A", "deeplift_G"} <= set(columns)
    assert panels.sequence_view(models, sequence, tf=None, methods=("ig",))["methods"] == ("integrated_gradients",)
    with pytest.raises(ValueError, match="classopt cannot be asked here"):
        panels.sequence_view(models, sequence, tf=None, methods=("classopt",))


def _ids(layout) -> set:
    return {component.id for component in layout._traverse() if isinstance(getattr(component, "id", None), str)}


def test_the_sequence_page_draws_the_methods_in_its_url(dashboard_runs, tmp_path):
    import shutil

    from gdashboard.dashboard.callbacks import view_options_query
    from gdashboard.dashboard.pages_sequence import selected_methods, sequence_page
    from gdashboard.dashboard.state import DashboardState
    from gdashboard.methods import ClassOptOptions

    # A page asks for the class optimisations, cached beside the runs: a copy of them.
    shutil.copytree(dashboard_runs.runs, tmp_path / "runs")
    state = DashboardState([tmp_path / "runs"], ClassOptOptions(steps=2, restarts=1))
    query = {"experiment": dashboard_runs.experiment, "sequence": ("GATAAGGCTTACGT" * 8)[:101]}
    default = _ids(sequence_page(state, query))
    assert {"saliency-heatmap", "temporal-heatmap", "ism-heatmap", "ism-heatmaps", "method-select"} <= default
    assert "integrated_5fgradients-heatmap" not in default
    chosen = _ids(sequence_page(state, {**query, "methods": "ig,ism"}))
    assert {"ism-heatmap", "ism-heatmaps", "integrated_5fgradients-heatmap"} <= chosen
    assert not {"saliency-heatmap", "temporal-heatmap"} & chosen
    assert selected_methods({"methods": "ism,saliency"}) == ("saliency", "ism")  # the registry's order
    assert selected_methods({"methods": ""}) == () and selected_methods({}) == panels.DEFAULT_VIEW_METHODS
    # A method no selected model gives says why, in its panel's place.
    page = sequence_page(state, {**query, "models": "small-cnn", "methods": "temporal"})
    line = next(c for c in page._traverse() if getattr(c, "data-testid", None) == "panel-temporal-heatmap")
    assert line.children == "No selected model gives temporal output scores (small-cnn needs an RNN or CNN-RNN)."
    assert "unknown method 'gradcam'" in str(sequence_page(state, {**query, "methods": "gradcam"}))
    # The methods go into the URL only once they leave the default, in the registry's order.
    assert "methods" not in view_options_query(query, ["small-rnn"], ["ism", "temporal", "saliency"], [])
    assert view_options_query(query, [], ["ism", "saliency"], ["rc"])["methods"] == "saliency,ism"
