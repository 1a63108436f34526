import gzip
import json

import numpy as np
import pytest

from gdashboard.cli import main
from gdashboard.methods import METHOD_NAMES


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_command_has_help(capsys):
    for argv in (
        [],
        ["data"],
        ["data", "simulate"],
        ["data", "inspect"],
        ["train"],
        ["predict"],
        ["report"],
        ["demo"],
        ["explain"],
        ["motifs"],
        ["figure"],
        ["serve"],
        ["modisco"],
        ["variants"],
        ["ensemble"],
        ["data", "fetch"],
        ["data", "from-peaks"],
        ["study"],
        ["study", "run"],
        ["study", "status"],
        ["study", "adopt"],
        ["study", "index"],
    ):
        code, out, _ = run(capsys, *argv, "--help")
        assert code == 0 and "Usage: gdash" in out, argv


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["data", "inspect", "/no/such/file.fa"], "/no/such/file.fa: no such file"),
        (["train", "--train", "x.fa"], "Missing option"),
        (["train", "--train", "a", "--test", "b", "--model", "tiny-cnn", "--out", "o"], "unknown model preset"),
        (["predict", "/no/such/run", "x.fa"], "no config.json"),
        (["bogus"], "No such command"),
        (["figure", "/no/such/run", "--experiment", "X", "--out", "f.png"], "/no/such/run: no such file"),
        (["serve", "/no/such/run"], "/no/such/run: no such file"),
    ],
)
def test_errors_are_one_line(capsys, argv, expected):
    code, out, err = run(capsys, *argv)
    assert code != 0
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bad_file_names_line(capsys, tmp_path):
    path = tmp_path / "bad_B.seq.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("FoldID\tEventID\tseq\tBound\nA\ts1\tACGT\t1\nA\ts2\tACXT\t0\n")
    code, _, err = run(capsys, "data", "inspect", str(path))
    assert code == 1
    expected = "invalid character 'X' at position 3 of the sequence; only A, C, G, T and N are allowed"
    assert err.strip() == f"gdash: error: {path}, line 3: {expected}"


def test_train_predict_report(capsys, simulated, tmp_path):
    import json

    import numpy as np
    from sklearn.metrics import accuracy_score, average_precision_score, roc_auc_score

    rundir = tmp_path / "run"
    train = [
        "train",
        "--train",
        str(simulated / "train.tsv"),
        "--test",
        str(simulated / "test.tsv"),
        "--model",
        "small-cnn",
        "--out",
        str(rundir),
        "--epochs",
        "2",
        "--restarts",
        "0",
        "--quiet",
    ]
    code, out, err = run(capsys, *train)
    assert code == 0, err
    assert "test AUC" in out
    # The predictions file: every test sequence in order, its label, its score;
    # the metrics are sklearn's on those scores.
    test_rows = [line.split("\t") for line in (simulated / "test.tsv").read_text().splitlines()]
    header = test_rows[0]
    test_rows = test_rows[1:]
    saved = [line.split("\t") for line in (rundir / "test_predictions.tsv").read_text().splitlines()]
    assert saved[0] == ["id", "label", "score"]
    assert [row[0] for row in saved[1:]] == [row[header.index("id")] for row in test_rows]
    labels = np.array([int(row[1]) for row in saved[1:]])
    assert labels.tolist() == [int(row[header.index("label")]) for row in test_rows]
    scores = np.array([float(row[2]) for row in saved[1:]])
    metrics = json.loads((rundir / "metrics.json").read_text())
    assert metrics["test_auc"] == pytest.approx(roc_auc_score(labels, scores), abs=2e-3)
    assert metrics["test_auprc"] == pytest.approx(average_precision_score(labels, scores), abs=2e-3)
    assert metrics["test_accuracy"] == pytest.approx(accuracy_score(labels, scores > 0), abs=2e-3)
    # gdash predict gives the same scores.
    code, out, err = run(capsys, "predict", str(rundir), str(simulated / "test.tsv"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "id\tscore"
    assert [line.split("\t")[0] for line in lines[1:]] == [row[0] for row in saved[1:]]
    np.testing.assert_allclose([float(line.split("\t")[1]) for line in lines[1:]], scores, rtol=1e-4, atol=1e-5)
    code, out, err = run(capsys, "report", str(tmp_path), "--out", str(tmp_path / "report"))
    assert code == 0, err
    assert (tmp_path / "report" / "report.md").exists()
    # --resume returns a finished run only when it is the run asked for.
    code, out, err = run(capsys, *train, "--resume")
    assert code == 0, err
    code, out, err = run(capsys, *train, "--resume", "--seed", "3")
    assert code == 1 and "seed 0, not 3" in err and len(err.strip().splitlines()) == 1


def test_rc_average_at_test_time_of_a_forward_strand_run(capsys, simulated, tmp_path):
    import torch

    from gdashboard.data import read_dataset
    from gdashboard.data.onehot import one_hot_decode, one_hot_encode, reverse_complement
    from gdashboard.evaluate import log_odds
    from gdashboard.explain.run import explain
    from gdashboard.explain.variants import variant_effects
    from gdashboard.models.averaged import StrandAverage
    from gdashboard.results import open_run

    test = str(simulated / "test.tsv")
    rundir = tmp_path / "forward"
    forward = ["--no-rc-augment", "--no-rc-average", "--epochs", "1", "--restarts", "0", "--quiet"]
    code, _, err = run(capsys, "train", "--train", str(simulated / "train.tsv"), "--test", test, "--model",
                       "small-cnn", "--out", str(rundir), *forward)  # fmt: skip
    assert code == 0, err
    # gdash predict --rc-average: the mean of the two strands' log-odds of the forward network.
    network = open_run(rundir).model()
    X = read_dataset(test, shuffle_negatives=False).X
    with torch.no_grad():
        expected = (log_odds(network(X)) + log_odds(network(reverse_complement(X)))) / 2
    code, out, err = run(capsys, "predict", str(rundir), test, "--rc-average")
    assert code == 0, err
    scores = np.array([float(line.split("\t")[1]) for line in out.splitlines()[1:]])
    np.testing.assert_allclose(scores, expected, rtol=1e-4, atol=1e-5)
    code, out, err = run(capsys, "predict", str(rundir), test)
    plain = np.array([float(line.split("\t")[1]) for line in out.splitlines()[1:]])
    assert not np.allclose(plain, scores, rtol=1e-3, atol=1e-3)  # the two strands do differ
    # gdash explain --rc-average: the explanation of both strands, and the file says so.
    for flag, both in (["--rc-average"], True), ([], False):
        out_file = tmp_path / f"saliency{len(flag)}.npz"
        code, _, err = run(capsys, "explain", str(rundir), "--test", test, "--method", "saliency", "--limit", "5",
                           "--out", str(out_file), "--quiet", *flag)  # fmt: skip
        assert code == 0, err
        saved = np.load(out_file)
        assert bool(saved["rc_average"]) is both
        model = StrandAverage(network).eval() if both else network
        np.testing.assert_allclose(saved["saliency"], explain(model, X[:5], "saliency")["saliency"], rtol=1e-6)
    # In-silico mutagenesis goes through its own shortcut, strand by strand; the windows of the
    # first layer stay the forward strand's, and the file says so.
    for method, key in (("ism", "ism"), ("conv", "start")):
        out_file = tmp_path / f"{method}.npz"
        code, _, err = run(capsys, "explain", str(rundir), "--test", test, "--method", method, "--limit", "5",
                           "--out", str(out_file), "--quiet", "--rc-average")  # fmt: skip
        assert code == 0, err
        saved = np.load(out_file)
        assert bool(saved["rc_average"]) is (method != "conv")
        expected = explain(StrandAverage(network).eval(), X[:5], method)[key]
        np.testing.assert_allclose(saved[key], expected, rtol=1e-5, atol=1e-6)
    # gdash variants --rc-average: both strands' log-odds and saliency at the variant.
    reference = one_hot_decode(X[:1])[0]
    alternative = reference[:50] + ("A" if reference[50] != "A" else "C") + reference[51:]
    windows = one_hot_encode([reference]), one_hot_encode([alternative])
    effects = variant_effects(StrandAverage(network).eval(), *windows, [50])
    for flag, both in (["--rc-average"], True), ([], False):
        tsv = tmp_path / f"variants{len(flag)}.tsv"
        code, _, err = run(capsys, "variants", str(rundir), "--ref", reference, "--alt", alternative,
                           "--out", str(tsv), *flag)  # fmt: skip
        assert code == 0, err
        header, row = (line.split("\t") for line in tsv.read_text().splitlines())
        scored = dict(zip(header[6:], map(float, row[6:])))
        matches = all(np.isclose(scored[key], effects[key][0], rtol=1e-4, atol=1e-5) for key in scored)
        assert matches is both, (scored, effects)
    # A baseline reads both strands already.
    kmer = tmp_path / "kmer"
    code, _, err = run(capsys, "train", "--train", str(simulated / "train.tsv"), "--test", test, "--model", "kmer",
                       "--out", str(kmer), "--quiet")  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, "predict", str(kmer), test, "--rc-average")
    assert code == 1 and "--rc-average applies to networks; kmer reads both strands already" in err
    assert len(err.strip().splitlines()) == 1


def test_training_refuses_a_split_of_one_class_and_too_short_sequences(capsys, tmp_path):
    # One negative among 20: one of the two splits cannot hold both classes.
    one_negative = tmp_path / "labelled.tsv"
    rng = np.random.default_rng(0)
    rows = ["sequence\tlabel"] + ["".join(rng.choice(list("ACGT"), 30)) + f"\t{int(i > 0)}" for i in range(20)]
    one_negative.write_text("\n".join(rows) + "\n")
    code, _, err = run(
        capsys,
        "train",
        "--train",
        str(one_negative),
        "--test",
        str(one_negative),
        "--model",
        "small-cnn",
        "--out",
        str(tmp_path / "a"),
        "--quiet",
    )
    assert code == 1 and "of one class only" in err and str(one_negative) in err
    short = tmp_path / "short.tsv"
    short.write_text("sequence\tlabel\n" + "".join(f"{'ACGTACGTAC'}\t{i % 2}\n" for i in range(40)))
    code, _, err = run(
        capsys,
        "train",
        "--train",
        str(short),
        "--test",
        str(short),
        "--model",
        "large-cnn",
        "--out",
        str(tmp_path / "b"),
        "--quiet",
    )
    assert code == 1 and "too short for large-cnn" in err and len(err.strip().splitlines()) == 1


def test_an_output_path_the_system_refuses_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run(capsys, "data", "simulate", "--out", str(blocker / "sub"), "--n", "20")
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(blocker) in err


def test_a_test_set_of_one_class_says_auc_is_undefined_and_keeps_the_rest(tmp_path, capsys):
    rng = np.random.default_rng(0)
    train = tmp_path / "train.tsv"
    rows = ["id\tlabel\tsequence"] + [f"s{i}\t{i % 2}\t{''.join(rng.choice(list('ACGT'), 30))}" for i in range(200)]
    train.write_text("\n".join(rows) + "\n")
    test = tmp_path / "test.tsv"
    test.write_text(
        "id\tlabel\tsequence\n" + "".join(f"t{i}\t0\t{''.join(rng.choice(list('ACGT'), 30))}\n" for i in range(20))
    )
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--train",
                str(train),
                "--test",
                str(test),
                "--model",
                "small-cnn",
                "--out",
                str(out),
                "--epochs",
                "1",
                "--quiet",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "the test set holds one class only (20 unbound): AUC undefined; test accuracy" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["available"] is False and metrics["test_auc"] is None and metrics["test_accuracy"] is not None
    assert (out / "test_predictions.tsv").is_file() and (out / "model.safetensors").is_file()
    assert main(["report", str(out), "--out", str(tmp_path / "report")]) == 0  # shown as n/a with the reason


# The command line is made from the library's definitions: the method registry and its options
# dataclasses, TrainOptions, the study's options. The library is replaced by recorders below, so
# these check what the command line hands over, exactly.


@pytest.fixture
def explained(monkeypatch, tmp_path):
    """gdash explain with explain_file recording its arguments instead of explaining."""
    import gdashboard.explain.run

    calls = []

    def record(rundir, path, method, out, options=None, **keywords):
        calls.append({"method": method, "options": options, **keywords})
        return out

    monkeypatch.setattr(gdashboard.explain.run, "explain_file", record)
    return calls


def _explain_argv(tmp_path, method, *more):
    return ["explain", str(tmp_path / "run"), "--test", "t.tsv", "--method", method, "--out", "x.npz", *more]


def _a_value(field) -> tuple[str, object]:
    """A value the option takes other than its default: as typed, as the method is to be given it."""
    if "choices" in field.metadata:
        value = next(c for c in field.metadata["choices"] if c != field.default)
        return value, value
    number = (float if "float" in str(field.type) else int)(3)
    return str(number), number


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_every_registry_method_is_a_choice_of_explain_with_its_options(capsys, tmp_path, explained, name):
    import dataclasses

    from gdashboard.methods import METHODS

    code, out, err = run(capsys, *_explain_argv(tmp_path, name, "--quiet"))
    assert code == 0, err
    assert explained[-1]["method"] == name and explained[-1]["options"] is None  # the method's own defaults
    assert explained[-1]["progress"] is False and explained[-1]["limit"] is None
    assert out.strip() == "x.npz"
    # Every option of the method is a flag, handed over as given and alone.
    given, argv = {}, []
    for field in dataclasses.fields(METHODS[name].options):
        typed, given[field.name] = _a_value(field)
        argv += ["--" + field.name.replace("_", "-"), typed]
    code, _, err = run(capsys, *_explain_argv(tmp_path, name, *argv, "--limit", "4"))
    assert code == 0, err
    assert explained[-1]["options"] == (given or None) and explained[-1]["limit"] == 4
    assert explained[-1]["progress"] is True
    assert METHODS[name].make_options(explained[-1]["options"])  # the method takes them


def test_an_alias_of_a_method_is_taken_and_handed_over_by_its_name(capsys, tmp_path, explained):
    from gdashboard.methods import METHODS

    for method in METHODS.values():
        for alias in method.aliases:
            code, _, err = run(capsys, *_explain_argv(tmp_path, alias))
            assert code == 0, err
            assert explained[-1]["method"] == method.name
    assert any(m.aliases for m in METHODS.values())


def test_explain_help_lists_each_methods_options(capsys):
    import dataclasses

    from gdashboard.methods import METHODS, options_union

    code, out, _ = run(capsys, "explain", "--help")
    assert code == 0
    flags = {name: "--" + name.replace("_", "-") for name in options_union()}
    assert all(flag in out for flag in flags.values())
    listing = out[out.index("Options of each method") :]
    for name, method in METHODS.items():
        line = next(line for line in listing.splitlines() if line.split()[:1] == [name])
        own = [flags[f.name] for f in dataclasses.fields(method.options)]
        assert [word.rstrip(",") for word in line.split()[1 : 1 + len(own)]] == own, line


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_an_option_of_another_method_is_refused_in_one_line(capsys, tmp_path, explained, name):
    import dataclasses

    from gdashboard.methods import METHODS, options_union

    own = {f.name for f in dataclasses.fields(METHODS[name].options)}
    other = next(field for option, field in options_union().items() if option not in own)
    flag = "--" + other.name.replace("_", "-")
    code, out, err = run(capsys, *_explain_argv(tmp_path, name, flag, _a_value(other)[0]))
    assert code in (1, 2) and not explained
    assert err.startswith(f"gdash: error: {flag} does not apply to {name}")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_choice_of_another_method_is_refused_in_one_line(capsys, tmp_path, explained):
    code, _, err = run(capsys, *_explain_argv(tmp_path, "deeplift", "--target", "log_probability"))
    assert code == 2 and not explained
    assert (
        err.strip()
        == "gdash: error: --target log_probability does not apply to deeplift; choose one of logit, log_odds"
    )


def test_train_flags_are_the_training_options(capsys, monkeypatch, tmp_path):
    import dataclasses

    import gdashboard.runs
    from gdashboard.train_options import TrainOptions

    calls = []

    def record(train_path, test_path, preset, out, options=None, **keywords):
        calls.append((options, keywords))
        return {"available": False, "reason": "recorded"}

    monkeypatch.setattr(gdashboard.runs, "train_run", record)
    command = ["train", "--train", "a.tsv", "--test", "b.tsv", "--model", "small-cnn", "--out", str(tmp_path)]
    code, out, err = run(capsys, *command)
    assert code == 0, err
    assert calls[-1] == (TrainOptions(), {"resume": False, "progress": True})
    assert out.strip() == "small-cnn not available: recorded"
    flags = ["--lr", "0.003", "--no-rc-augment", "--rc-average", "--schedule", "cosine", "--warmup-epochs", "2"]
    flags += ["--patience", "3", "--epochs", "4", "--seed", "5", "--batch-size", "16", "--weight-decay", "0.01"]
    flags += ["--validation-fraction", "0.2", "--pad", "--restarts", "0", "--pooling", "max", "--tf", "GATA1"]
    flags += ["--model-options", '{"n_filters": 8}', "--resume", "--quiet"]
    code, _, err = run(capsys, *command, *flags)
    assert code == 0, err
    expected = TrainOptions(
        seed=5, epochs=4, tf="GATA1", pooling="max", model_options={"n_filters": 8}, learning_rate=0.003,
        batch_size=16, schedule="cosine", warmup_epochs=2, patience=3, weight_decay=0.01, validation_fraction=0.2,
        pad=True, restarts=0, rc_augment=False, rc_average=True,
    )  # fmt: skip
    assert calls[-1] == (expected, {"resume": True, "progress": False})
    assert not [f.name for f in dataclasses.fields(TrainOptions) if getattr(expected, f.name) == f.default]
    for bad, message in ((["--validation-fraction", "1"], "0<x<1"), (["--model-options", "[1]"], "JSON object")):
        code, _, err = run(capsys, *command, *bad)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_study_run_builds_the_study_options(capsys, monkeypatch, tmp_path):
    import gdashboard.study
    from gdashboard.study.options import Execution, StudyOptions
    from gdashboard.train_options import TrainOptions

    calls = []

    def record(data_dirs, presets, out, options=None, execution=None, **keywords):
        calls.append((list(data_dirs), presets, options, execution, keywords))
        return {"done": 1}

    monkeypatch.setattr(gdashboard.study, "run_study", record)
    command = ["study", "run", "--data", "d", "--models", "small-cnn,kmer", "--out", str(tmp_path), "--quiet"]
    code, out, err = run(capsys, *command)
    assert code == 0 and out.strip() == "1 done", err
    assert calls[-1][1:] == (["small-cnn", "kmer"], StudyOptions(), Execution(), {"progress": False})
    more = ["--seeds", "0,1", "--steps", "train,motifs", "--experiments", "A,B", "--epochs", "2", "--no-rc-augment"]
    more += ["--train-options", '{"learning_rate": 0.01}', "--workers", "2", "--device", "cpu", "--classopt-steps", "9"]
    code, _, err = run(capsys, *command, *more)
    assert code == 0, err
    train = TrainOptions(epochs=2, learning_rate=0.01, rc_augment=False)
    options = StudyOptions(
        seeds=(0, 1), steps=("train", "motifs"), experiments=("A", "B"), train=train, classopt_steps=9
    )
    assert calls[-1][2:4] == (options, Execution(workers=2, device="cpu"))
    code, _, err = run(capsys, *command, "--epochs", "2", "--train-options", '{"epochs": 3}')
    assert code == 2 and "--train-options and --epochs both set epochs" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, *command, "--train-options", '{"learning_rat": 3}')
    assert code == 1 and "unknown training option 'learning_rat'" in err and len(err.strip().splitlines()) == 1


def test_class_optimisation_steps_default_to_the_methods_own(capsys):
    import dataclasses

    from gdashboard.cli import figure, motifs, serve
    from gdashboard.cli.study import study
    from gdashboard.methods import ClassOptOptions

    steps = next(f.default for f in dataclasses.fields(ClassOptOptions) if f.name == "steps")
    commands = (figure, motifs, serve, study.commands["run"])
    assert {next(p for p in c.params if p.name == "classopt_steps").default for c in commands} == {steps}


def test_modisco_attributions_are_the_registrys(capsys, monkeypatch, tmp_path):
    import gdashboard.motifs.modisco
    from gdashboard.cli import modisco
    from gdashboard.methods import modisco_methods

    assert list(next(p for p in modisco.params if p.name == "attribution").type.choices) == list(modisco_methods())
    calls = []
    monkeypatch.setattr(gdashboard.motifs.modisco, "modisco_analysis", lambda *a, **k: calls.append(k))
    code, _, err = run(capsys, "modisco", str(tmp_path), "--test", "t", "--out", "o", "--attribution", "conv")
    assert code == 2 and "Invalid value for '--attribution'" in err and not calls


def test_figure_rows_and_class_optimisation_are_handed_over(capsys, monkeypatch, tmp_path):
    import gdashboard.dashboard.figure
    from gdashboard.methods import ClassOptOptions

    calls = []

    def record(paths, **keywords):
        calls.append(keywords)
        return tmp_path / "f.png"

    monkeypatch.setattr(gdashboard.dashboard.figure, "write_figure", record)
    command = ["figure", str(tmp_path), "--experiment", "E", "--out", str(tmp_path / "f.png")]
    code, _, err = run(capsys, *command)
    assert code == 0, err
    assert calls[-1]["methods"] is None and calls[-1]["classopt"] == ClassOptOptions()  # the paper's rows
    code, _, err = run(capsys, *command, "--methods", "saliency, ig", "--classopt-steps", "7")
    assert code == 0, err
    assert calls[-1]["methods"] == ["saliency", "ig"] and calls[-1]["classopt"] == ClassOptOptions(steps=7)
    code, _, err = run(capsys, *command, "--methods", ",")
    assert code == 2 and "give at least one method" in err and len(calls) == 2


def test_data_fetch_goes_to_the_data_home_by_default(capsys, monkeypatch, tmp_path):
    import gdashboard.data.fetch

    calls = []
    monkeypatch.setenv("GDASH_DATA", str(tmp_path))
    monkeypatch.setattr(gdashboard.data.fetch, "fetch_paper_data", lambda out, **k: calls.append(out) or [])
    code, out, err = run(capsys, "data", "fetch", "paper", "--quiet")
    assert code == 0, err
    assert calls == [gdashboard.data.fetch.paper_data_folder()] and str(calls[0]).startswith(str(tmp_path))
    assert out.strip() == f"0 experiments in {calls[0]} (gdash study run --data {calls[0]} ...)"


def test_motifs_and_modisco_build_their_options(capsys, monkeypatch, tmp_path):
    import gdashboard.motifs.analysis
    import gdashboard.motifs.modisco
    from gdashboard.methods import ClassOptOptions
    from gdashboard.motifs.analysis import MotifAnalysisOptions
    from gdashboard.motifs.modisco import ModiscoOptions

    calls = []
    summary = {"tf_in_jaspar": True, "methods": {}, "q_threshold": 0.5}
    monkeypatch.setattr(gdashboard.motifs.analysis, "motif_analysis", lambda *a, **k: calls.append((a, k)) or summary)
    argv = ["motifs", "r", "--test", "t", "--out", "o", "--limit", "3", "--classopt-steps", "5", "--tf", "GATA1"]
    code, out, err = run(capsys, *argv)
    assert code == 0 and out.strip() == "o", err
    expected = MotifAnalysisOptions(tf="GATA1", limit=3, classopt=ClassOptOptions(steps=5))
    assert calls[-1][0][3] == expected and calls[-1][1] == {"progress": True}
    patterns = {"n_patterns": 0, "n_sequences": 0, "attribution": "ism", "seconds": {}, "patterns": []}
    patterns |= {"first_tf_pattern": None, "tf_in_jaspar": True, "tf": "X", "q_threshold": 0.05, "cofactors": []}
    monkeypatch.setattr(gdashboard.motifs.modisco, "modisco_analysis", lambda *a, **k: calls.append((a, k)) or patterns)
    argv = ["modisco", "r", "--test", "t", "--out", "o", "--attribution", "ig", "--no-logos", "--quiet"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    expected = ModiscoOptions(attribution="integrated_gradients", logos=False)
    assert calls[-1][0][3] == expected and calls[-1][1] == {"progress": False}
