"""TF-MoDISco patterns (gdash modisco): the pieces, the folder format, and the end-to-end
check on the simulated GATA1 -> E-box data with a trained small-cnn-rnn."""

import json

import numpy as np
import pytest
import torch

from gdashboard.cli import main
from gdashboard.errors import InputError
from gdashboard.methods import METHODS, DeepLiftOptions, ISMOptions, modisco_methods
from gdashboard.models import build_model
from gdashboard.motifs.modisco import (
    ATTRIBUTIONS,
    Q_THRESHOLD,
    default_attribution,
    hypothetical_contributions,
    reverse_complement,
    summarise_patterns,
    trim_bounds,
)
from gdashboard.results import MODISCO_FILE, collect_modisco_results, normalise_modisco_result
from gdashboard.train_options import TrainOptions


def random_one_hot(n, length, seed=0):
    generator = np.random.default_rng(seed)
    return torch.as_tensor(np.eye(4, dtype=np.float32)[generator.integers(0, 4, (n, length))].transpose(0, 2, 1))


def test_trim_bounds_follow_modiscos_report_rule():
    cwm = np.zeros((10, 4))
    cwm[3, 0], cwm[4, 1], cwm[6, 2], cwm[8, 3] = 1.0, -0.5, 0.31, 0.29
    # |cwm| summed per position reaches 30% of the largest (1.0) at 3, 4 and 6; 8 falls short.
    assert trim_bounds(cwm) == (3, 7)
    assert trim_bounds(cwm, threshold=0.6) == (3, 4)


def test_reverse_complement_of_a_matrix():
    matrix = np.array([[1.0, 0, 0, 0], [0, 0, 0.2, 0.8]])  # A, then mostly T
    np.testing.assert_array_equal(reverse_complement(matrix), [[0.8, 0.2, 0, 0], [0, 0, 0, 1.0]])


def test_default_attribution_is_ism_for_every_architecture():
    # BENCHMARKS.md#attribution-groundtruth: ISM has the best planted-site AUROC on CNN, RNN and CNN-RNN.
    assert {default_attribution(a) for a in ("CNN", "RNN", "CNN-RNN", None)} == {"ism"}


def test_hypothetical_contributions_definitions():
    torch.manual_seed(0)
    model = build_model("small-cnn").eval()
    X = random_one_hot(3, 40)
    from gdashboard.explain.ism import in_silico_mutagenesis
    from gdashboard.explain.saliency import saliency_map

    ism = hypothetical_contributions(model, X, "ism")
    effect = in_silico_mutagenesis(model, X)
    np.testing.assert_allclose(ism, effect - effect.mean(axis=1, keepdims=True), atol=1e-6)
    # At the base present: minus the mean change of mutating it, times 3/4.
    np.testing.assert_allclose((ism * X.numpy()).sum(1), -effect.sum(1) / 4, atol=1e-6)
    saliency = hypothetical_contributions(model, X, "saliency")
    gradient = saliency_map(model, X)[1]
    np.testing.assert_allclose(saliency, gradient - gradient.mean(axis=1, keepdims=True), atol=1e-6)
    for attribution in ("integrated_gradients", "deeplift"):
        values = hypothetical_contributions(model, X, attribution)
        assert values.shape == (3, 4, 40) and values.dtype == np.float32 and np.isfinite(values).all()
    with pytest.raises(ValueError, match="attribution must be one of"):
        hypothetical_contributions(model, X, "nonsense")
    with pytest.raises(ValueError, match="recurrent"):
        hypothetical_contributions(build_model("small-rnn"), X, "deeplift")


def test_attributions_are_the_registrys_methods_with_hypothetical_contributions():
    assert ATTRIBUTIONS == modisco_methods()
    assert set(ATTRIBUTIONS) == {name for name, record in METHODS.items() if record.hypothetical}


def test_hypothetical_contributions_call_the_records_function_with_its_options(monkeypatch):
    import gdashboard.explain.attribution as attribution
    import gdashboard.explain.ism as ism

    calls = []

    def recorder(model, X, options, progress=False):
        calls.append((options, progress))
        return np.ones(tuple(X.shape), dtype=np.float64)

    monkeypatch.setattr(attribution, "hypothetical_deeplift", recorder)
    monkeypatch.setattr(ism, "hypothetical_ism", recorder)
    X = random_one_hot(2, 20)
    values = hypothetical_contributions(None, X, "deeplift", seed=7, progress=True)
    assert values.dtype == np.float32 and values.shape == (2, 4, 20)
    hypothetical_contributions(None, X, "ism", seed=7)  # ISM has no seed: its defaults
    assert calls == [(DeepLiftOptions(seed=7), True), (ISMOptions(), False)]


def test_hypothetical_contributions_accept_an_alias():
    torch.manual_seed(0)
    model = build_model("small-cnn").eval()
    X = random_one_hot(2, 30)
    np.testing.assert_array_equal(
        hypothetical_contributions(model, X, "ig"), hypothetical_contributions(model, X, "integrated_gradients")
    )


def _pattern(rank, name, matches, matches_tf, n_seqlets=30):
    return {
        "name": name,
        "rank": rank,
        "n_seqlets": n_seqlets,
        "trim": [0, 2],
        "ppm": {"forward": [[1, 0, 0, 0], [0, 1, 0, 0]]},
        "cwm": {"forward": [[1, 0, 0, 0], [0, 1, 0, 0]]},
        "matches": matches,
        "matches_tf": matches_tf,
    }


def _match(name, q):
    return {"id": "MA0000.1", "name": name, "p": q / 10, "q": q}


def test_summarise_patterns_first_tf_pattern_cofactors_and_family():
    patterns = [
        _pattern(1, "pos_patterns.pattern_0", [_match("ZEB1", 0.003), _match("TCF3", 0.004)], False),
        _pattern(2, "pos_patterns.pattern_1", [_match("GATA1", 0.03)], True),
        _pattern(3, "pos_patterns.pattern_2", [_match("ZEB1", 0.001)], False),
        _pattern(4, "neg_patterns.pattern_0", [_match("CTCF", 0.2)], False),  # not significant
        _pattern(5, "pos_patterns.pattern_3", [_match("GATA2", 0.01)], True),
        _pattern(6, "pos_patterns.pattern_4", [dict(_match("GATA5", 0.01), families=["C4-GATA-related"])], False),
    ]
    summary = summarise_patterns(patterns, {"C4-GATA-related"})
    assert summary["first_tf_pattern"] == {"rank": 2, "name": "pos_patterns.pattern_1", "n_seqlets": 30, "q": 0.03}
    assert summary["cofactors"] == ["ZEB1"] and summary["family"] == ["GATA5"]
    assert summarise_patterns(patterns)["cofactors"] == ["ZEB1", "GATA5"]  # no family known: a partner
    assert summarise_patterns([]) == {"first_tf_pattern": None, "cofactors": [], "family": []}


def _result(**changes):
    result = {
        "format_version": 1,
        "experiment": "GATA1_simulated",
        "preset": "small-cnn",
        "tf": "GATA1",
        "attribution": "ism",
        "patterns": [_pattern(1, "pos_patterns.pattern_0", [_match("GATA1", 0.01)], True)],
        "first_tf_pattern": {"rank": 1, "name": "pos_patterns.pattern_0", "q": 0.01},
        "cofactors": [],
    }
    result.update(changes)
    return result


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"format_version": 0}, "pattern format version 0"),
        ({"patterns": {}}, "'patterns' must be a list"),
        ({"patterns": [{"name": "x"}]}, "pattern 0 lacks 'rank'"),
        ({"patterns": [dict(_pattern(1, "p", [], False), trim=[1, 9])]}, "'trim' must be"),
        ({"patterns": [dict(_pattern(1, "p", [], False), ppm={"forward": [[1, 0, 0]]})]}, "'ppm' must hold"),
        ({"patterns": [_pattern(1, "p", [{"id": "MA1"}], False)]}, "each match needs"),
        ({"first_tf_pattern": {"rank": "1"}}, "'first_tf_pattern'"),
        ({"attribution": None}, "'attribution' must be a string"),
    ],
)
def test_normalise_modisco_result_names_the_problem(changes, message):
    with pytest.raises(InputError, match=message):
        normalise_modisco_result(_result(**changes), "patterns.json")


def test_collect_modisco_results_finds_files_below_folders(tmp_path):
    folder = tmp_path / "run" / "modisco"
    folder.mkdir(parents=True)
    (folder / MODISCO_FILE).write_text(json.dumps(_result()))
    found = collect_modisco_results([tmp_path, folder / MODISCO_FILE])
    assert len(found) == 1 and found[0]["patterns_path"] == str(folder / MODISCO_FILE)
    with pytest.raises(InputError, match="no such file"):
        collect_modisco_results([tmp_path / "missing"])


def test_cli_refuses_deeplift_on_a_recurrent_run_in_one_line(tmp_path, capsys):
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.runs import train_run

    data = write_simulation(simulate(n=200, seed=1), tmp_path / "GATA1_simulated")
    train_run(data["train"], data["test"], "small-rnn", tmp_path / "run", TrainOptions(epochs=1), progress=False)
    arguments = ["modisco", str(tmp_path / "run"), "--test", str(data["test"]), "--out", str(tmp_path / "m")]
    capsys.readouterr()
    assert main(arguments + ["--attribution", "deeplift"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("gdash: error: ") and "recurrent" in error and error.count("\n") == 1
    assert not (tmp_path / "m" / MODISCO_FILE).exists()


def test_attributions_that_are_not_finite_stop_before_tf_modisco_runs(tmp_path, monkeypatch, capsys):
    import numpy as np

    import gdashboard.motifs.modisco as modisco
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.runs import train_run

    data = write_simulation(simulate(n=200, seed=1), tmp_path / "GATA1_simulated")
    train_run(data["train"], data["test"], "small-cnn", tmp_path / "run", TrainOptions(epochs=1), progress=False)

    def diverged(model, X, *args, **kwargs):  # what a diverged model's attributions look like
        return np.full(tuple(X.shape), np.nan, dtype=np.float32)

    def never(*args, **kwargs):
        raise AssertionError("TF-MoDISco ran on attributions that are not numbers")

    monkeypatch.setattr(modisco, "hypothetical_contributions", diverged)
    monkeypatch.setattr(modisco, "run_modisco", never)
    arguments = ["modisco", str(tmp_path / "run"), "--test", str(data["test"]), "--out", str(tmp_path / "m")]
    capsys.readouterr()
    assert main(arguments) == 1
    error = capsys.readouterr().err
    assert "attributions are not all finite numbers" in error and error.count("\n") == 1
    assert not (tmp_path / "m" / MODISCO_FILE).exists()


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def simulated_cnn_rnn(tmp_path_factory):
    """small-cnn-rnn trained with its preset recipe on the default simulated data, as the demo
    trains it: on the forward strand, the one its grammar is read on."""
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.runs import train_run

    folder = tmp_path_factory.mktemp("modisco")
    data = write_simulation(simulate(n=4000, seed=0), folder / "GATA1_simulated")
    forward = TrainOptions(rc_augment=False, rc_average=False)
    metrics = train_run(data["train"], data["test"], "small-cnn-rnn", folder / "run", forward, progress=False)
    return folder, data, metrics


def test_patterns_of_a_trained_cnn_rnn_match_gata1_and_the_ebox(simulated_cnn_rnn):
    from gdashboard.data.jaspar import motif_family
    from gdashboard.data.simulate import read_sites
    from gdashboard.motifs.modisco import ModiscoOptions, modisco_analysis

    folder, data, metrics = simulated_cnn_rnn
    assert metrics["test_auc"] > 0.9, "the model did not learn the grammar; nothing to test"
    # 200 of the 400 positive test sequences: about 100 GATA1 and 100 E-box seqlets, well
    # above TF-MoDISco's 20-seqlet patterns, at half the time of all 400.
    summary = modisco_analysis(folder / "run", data["test"], folder / "patterns", ModiscoOptions(limit=200))
    assert summary["attribution"] == "ism" and summary["n_sequences"] == 200
    written = collect_modisco_results([folder / "patterns"])[0]
    assert written["patterns"] == json.loads(json.dumps(summary["patterns"]))
    assert (folder / "patterns" / "patterns.meme").read_text().count("MOTIF ") == summary["n_patterns"]
    assert (folder / "patterns" / "modisco_results.h5").is_file()
    assert len(list((folder / "patterns" / "logos").glob("*.svg"))) == 2 * summary["n_patterns"]

    e_box_family = set(motif_family("MA0522.4"))  # TCF3's JASPAR family (E2A)

    def significant(pattern, accept):
        return any(m["q"] < Q_THRESHOLD and accept(m) for m in pattern["matches"])

    gata = [p for p in summary["patterns"] if significant(p, lambda m: "GATA1" in m["name"].upper().split("::"))]
    ebox = [p for p in summary["patterns"] if significant(p, lambda m: e_box_family & set(motif_family(m["id"])))]
    assert gata, [(p["name"], p["matches"]) for p in summary["patterns"]]
    assert ebox, [(p["name"], p["matches"]) for p in summary["patterns"]]
    assert summary["first_tf_pattern"] is not None

    # The planted sites account for most seqlets of those patterns: each seqlet's
    # core (the pattern's trimmed span) overlaps a planted site of that motif.
    sites = {}
    for site in read_sites(data["sites"]):
        sites.setdefault((site["id"], site["motif"]), []).append((site["start"], site["end"]))

    def on_planted(pattern, motif):
        hits = [
            any(start < s["core_end"] and s["core_start"] < end for start, end in sites.get((s["sequence"], motif), []))
            for s in pattern["seqlets"]
        ]
        return sum(hits) / len(hits)

    for pattern in gata:
        assert on_planted(pattern, "GATA1") > 0.5, pattern["name"]
    for pattern in ebox:
        assert on_planted(pattern, "TCF3") > 0.5, pattern["name"]
