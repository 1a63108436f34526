"""A run finds its data wherever the two went together or apart, and tells a changed file
from a moved one (config.json's "data": relative, absolute, sha256)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from gdashboard.errors import InputError
from gdashboard.results import MissingDataFile, data_reference, locate_data_file, open_run

SEQUENCES = "id\tlabel\tsequence\na\t1\tACGTACGTAC\nb\t0\tTTGACCAAGT\nc\t1\tGGGATAAGCA\n"


def _data(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"train": folder / "train.tsv", "test": folder / "test.tsv"}
    for path in paths.values():
        path.write_text(SEQUENCES)
    return paths


def _hand_made_run(rundir: Path, files: dict[str, Path], **config) -> Path:
    """A run folder whose config.json holds what training writes about its data (no model:
    nothing here loads one)."""
    rundir.mkdir(parents=True, exist_ok=True)
    recorded = {
        "format_version": 1,
        "preset": "kmer",
        "baseline": {},
        "sequence_length": 10,
        "train_file": os.path.relpath(files["train"]),
        "test_file": os.path.relpath(files["test"]),
        "data": {kind: data_reference(path, rundir) for kind, path in files.items()},
        **config,
    }
    (rundir / "config.json").write_text(json.dumps(recorded))
    return rundir


def test_a_reference_holds_the_path_from_the_run_folder_the_absolute_path_and_the_digest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = _data(Path("data"))
    reference = data_reference("data/test.tsv", "runs/one")
    assert reference == {
        "relative": "../../data/test.tsv",
        "absolute": str(tmp_path / "data" / "test.tsv"),
        "sha256": hashlib.sha256(data["test"].read_bytes()).hexdigest(),
    }
    with pytest.raises(InputError, match="cannot read"):
        data_reference("data/absent.tsv", "runs/one")


def test_a_run_made_with_relative_paths_finds_its_test_file_from_another_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = _data(Path("data"))
    rundir = _hand_made_run(Path("runs/one"), data)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    run = open_run(tmp_path / rundir)
    assert run.data_file("test").resolve() == (tmp_path / "data" / "test.tsv")
    assert run.test_sequences().ids == ["a", "b", "c"]


def test_a_run_moved_with_its_data_finds_it_beside_itself_and_a_changed_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _hand_made_run(Path("project/runs/one"), _data(Path("project/data")))
    moved = tmp_path / "moved"
    moved.mkdir()
    for folder in ("runs", "data"):
        shutil.move(str(tmp_path / "project" / folder), str(moved / folder))
    run = open_run(moved / "runs" / "one")
    assert run.data_file("test") == moved / "runs" / "one" / "../../data/test.tsv"
    assert len(run.test_sequences()) == 3

    (moved / "data" / "test.tsv").write_text(SEQUENCES.replace("ACGTACGTAC", "ACGTACGTAA"))
    with pytest.raises(InputError, match="test file .* has changed since the run was trained") as caught:
        run.test_sequences()
    assert not isinstance(caught.value, MissingDataFile)


def test_a_run_moved_alone_finds_its_data_by_the_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = _data(Path("data"))
    _hand_made_run(Path("runs/one"), data)
    (tmp_path / "archive" / "2024").mkdir(parents=True)
    shutil.move(str(tmp_path / "runs"), str(tmp_path / "archive" / "2024" / "runs"))
    run = open_run(tmp_path / "archive" / "2024" / "runs" / "one")
    assert run.data_file("train") == tmp_path / "data" / "train.tsv"


def test_a_missing_file_names_both_places_tried(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = _data(Path("data"))
    rundir = _hand_made_run(tmp_path / "runs" / "one", data)
    data["test"].unlink()
    run = open_run(rundir)
    assert run.test_sequences() is None
    with pytest.raises(MissingDataFile, match="is missing") as caught:
        run.test_sequences(missing_ok=False)
    assert str(rundir / "../../data/test.tsv") in str(caught.value)
    assert str(tmp_path / "data" / "test.tsv") in str(caught.value)


def test_when_the_relative_place_holds_another_file_the_unchanged_absolute_one_is_taken(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = _data(Path("data"))
    shutil.copytree(tmp_path / "data", tmp_path / "elsewhere" / "data")
    _hand_made_run(Path("runs/one"), data)
    shutil.move(str(tmp_path / "runs"), str(tmp_path / "elsewhere" / "runs"))
    (tmp_path / "elsewhere" / "data" / "test.tsv").write_text(SEQUENCES + "d\t0\tAAAAAAAAAA\n")
    run = open_run(tmp_path / "elsewhere" / "runs" / "one")
    assert run.data_file("test") == tmp_path / "data" / "test.tsv"


def test_an_older_run_without_references_reads_its_recorded_path_from_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _data(Path("data"))
    config = {"train_file": "data/train.tsv", "test_file": "data/test.tsv"}
    assert locate_data_file(config, tmp_path / "runs" / "one", "test") == Path("data/test.tsv")
    monkeypatch.chdir(tmp_path / "data")
    with pytest.raises(MissingDataFile, match="test file data/test.tsv that config.json names is missing"):
        locate_data_file(config, tmp_path / "runs" / "one", "test")
    with pytest.raises(MissingDataFile, match="names no train file"):
        locate_data_file({}, tmp_path, "train")


@pytest.mark.parametrize(
    "data",
    [[], {"validation": {}}, {"test": "data/test.tsv"}, {"test": {"relative": 3, "absolute": None, "sha256": None}}],
)
def test_a_malformed_data_record_is_one_line(tmp_path, data):
    _hand_made_run(tmp_path / "run", _data(tmp_path / "data"), data=data)
    with pytest.raises(InputError, match="'data"):
        open_run(tmp_path / "run")


def test_a_trained_run_records_its_data_and_opens_from_elsewhere_and_after_a_move(tmp_path, monkeypatch):
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.runs import train_run
    from gdashboard.train_options import TrainOptions

    monkeypatch.chdir(tmp_path)
    write_simulation(simulate(n=300, seed=3), "project/data")
    train_run(
        "project/data/train.tsv", "project/data/test.tsv", "small-cnn", "project/runs/one", TrainOptions(epochs=1),
        progress=False,
    )  # fmt: skip
    config = json.loads((tmp_path / "project/runs/one/config.json").read_text())
    assert config["test_file"] == "project/data/test.tsv"
    assert config["data"]["test"]["relative"] == "../../data/test.tsv"
    n_test = config["n_test"]
    monkeypatch.chdir(tmp_path / "project" / "runs")
    assert len(open_run(tmp_path / "project/runs/one").test_sequences()) == n_test
    shutil.move(str(tmp_path / "project"), str(tmp_path / "moved"))
    assert len(open_run(tmp_path / "moved/runs/one").test_sequences()) == n_test
