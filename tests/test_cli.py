import gzip

import pytest

from gdashboard.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_command_has_help(capsys):
    for argv in ([], ["data"], ["data", "simulate"], ["data", "inspect"], ["train"], ["predict"],
                 ["report"], ["demo"]):
        code, out, _ = run(capsys, *argv, "--help")
        assert code == 0 and "Usage: gdash" in out, argv


@pytest.mark.parametrize("argv, expected", [
    (["data", "inspect", "/no/such/file.fa"], "/no/such/file.fa: no such file"),
    (["train", "--train", "x.fa"], "Missing option"),
    (["train", "--train", "a", "--test", "b", "--model", "tiny-cnn", "--out", "o"], "unknown model preset"),
    (["predict", "/no/such/run", "x.fa"], "no config.json"),
    (["bogus"], "No such command"),
])
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
    assert err.strip() == f"gdash: error: {path}, line 3: invalid character 'X' at position 3 of the sequence; only A, C, G, T and N are allowed"


def test_train_predict_report(capsys, simulated, tmp_path):
    rundir = tmp_path / "run"
    code, out, err = run(capsys, "train", "--train", str(simulated / "train.tsv"), "--test",
                         str(simulated / "test.tsv"), "--model", "small-cnn", "--out", str(rundir),
                         "--epochs", "2", "--quiet")
    assert code == 0, err
    assert "test AUC" in out
    code, out, err = run(capsys, "predict", str(rundir), str(simulated / "test.tsv"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "id\tscore"
    n_test = len((simulated / "test.tsv").read_text().splitlines()) - 1
    assert len(lines) == n_test + 1
    float(lines[1].split("\t")[1])
    code, out, err = run(capsys, "report", str(tmp_path), "--out", str(tmp_path / "report"))
    assert code == 0, err
    assert (tmp_path / "report" / "report.md").exists()


def test_an_output_path_the_system_refuses_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run(capsys, "data", "simulate", "--out", str(blocker / "sub"), "--n", "20")
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(blocker) in err
