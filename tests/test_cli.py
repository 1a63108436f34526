import gzip
import json

import numpy as np
import pytest

from gdashboard.cli import main


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
