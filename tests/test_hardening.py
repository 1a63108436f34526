"""Faults and hand-edited inputs: each a one-line error (or a safe fallback), with nothing
corrupt left behind."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from gdashboard.errors import InputError
from gdashboard.train_options import TrainOptions


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    from gdashboard.data.simulate import simulate, write_simulation

    out = tmp_path_factory.mktemp("hardening")
    write_simulation(simulate(n=300, seed=4), out)
    return out


@pytest.fixture(scope="module")
def run(data, tmp_path_factory) -> Path:
    from gdashboard.runs import train_run

    folder = tmp_path_factory.mktemp("run") / "small-cnn"
    train_run(
        data / "train.tsv", data / "test.tsv", "small-cnn", folder, TrainOptions(epochs=1, restarts=0), progress=False
    )
    return folder


def test_duplicate_ids_are_refused_naming_both_lines(tmp_path):
    from gdashboard.data import read_dataset

    path = tmp_path / "dup.tsv"
    path.write_text("id\tlabel\tsequence\na\t1\tACGT\nb\t0\tACGA\na\t0\tTTGA\n")
    with pytest.raises(InputError, match=r"dup.tsv, line 4: duplicate id 'a' \(also on line 2\)"):
        read_dataset(path)


def test_a_diverging_loss_stops_training_says_so_and_keeps_the_last_good_checkpoint(data, tmp_path):
    import re

    from safetensors.torch import load_file

    from gdashboard.runs import train_run
    from gdashboard.train import CHECKPOINT_STATE, CHECKPOINT_TENSORS

    out = tmp_path / "run"
    not_finite = r"(the loss is|the scores of the validation sequences are) not finite \(try a lower --lr\)"
    with pytest.raises(InputError, match=not_finite) as raised:
        train_run(
            data / "train.tsv", data / "test.tsv", "small-cnn", out, TrainOptions(learning_rate=1e30), progress=False
        )
    assert not (out / "metrics.json").exists()
    epoch = int(re.search(r"diverged in epoch (\d+)", str(raised.value)).group(1))
    if epoch > 1:  # the epochs before it were checkpointed, with finite weights
        assert "the last good epoch's checkpoint is kept" in str(raised.value)

        def strict(constant):
            raise AssertionError(f"{constant} in checkpoint.json: not JSON")

        state = json.loads((out / CHECKPOINT_STATE).read_text(), parse_constant=strict)
        assert state["epoch"] + 1 == epoch - 1
        assert all(torch.isfinite(t).all() for t in load_file(str(out / CHECKPOINT_TENSORS)).values())
    else:  # no epoch finished: no checkpoint, and the message does not pretend otherwise
        assert "no good epoch to keep" in str(raised.value) and not (out / CHECKPOINT_TENSORS).exists()


def test_a_loss_that_becomes_nan_after_a_good_epoch_keeps_that_epochs_checkpoint(data, tmp_path, monkeypatch):
    from safetensors.torch import load_file

    import gdashboard.train as train
    from gdashboard.runs import train_run

    saved, real_save, real_gradients = [], train._save_checkpoint, train.batch_gradients

    def save(*args, **kwargs):
        real_save(*args, **kwargs)
        saved.append(args[-1]["epoch"])

    def gradients(*args, **kwargs):  # from the second epoch on, the loss is NaN
        loss = real_gradients(*args, **kwargs)
        return loss * float("nan") if saved else loss

    monkeypatch.setattr(train, "_save_checkpoint", save)
    monkeypatch.setattr(train, "batch_gradients", gradients)
    out = tmp_path / "run"
    message = r"training diverged in epoch 2: the loss is not finite .*; the last good epoch's checkpoint is kept"
    with pytest.raises(InputError, match=message):
        train_run(data / "train.tsv", data / "test.tsv", "small-cnn", out, TrainOptions(restarts=0), progress=False)
    assert saved == [0] and not (out / "metrics.json").exists()
    state = json.loads((out / train.CHECKPOINT_STATE).read_text())
    assert state["epoch"] == 0 and state["best_epoch"] == 1
    assert all(torch.isfinite(t).all() for t in load_file(str(out / train.CHECKPOINT_TENSORS)).values())


def test_finite_scores_whose_validation_loss_is_infinite_stop_training_too(data, tmp_path, monkeypatch):
    import gdashboard.train as train
    from gdashboard.runs import train_run

    def overflowing(model, X, batch_size=256):  # finite, but far past where cross-entropy is finite
        scores = torch.full((len(X), 2), 3e38)
        scores[::2, 1] = -3e38
        scores[1::2, 0] = -3e38
        return scores

    monkeypatch.setattr(train, "predict_logits", overflowing)
    with pytest.raises(InputError, match="training diverged in epoch 1: the scores of the validation sequences"):
        train_run(
            data / "train.tsv",
            data / "test.tsv",
            "small-cnn",
            tmp_path / "run",
            TrainOptions(restarts=0),
            progress=False,
        )
    assert not (tmp_path / "run" / "checkpoint.json").exists()  # no inf written anywhere


def test_a_second_train_on_a_busy_run_folder_is_refused_and_corrupts_nothing(data, tmp_path):
    from gdashboard.runs import LOCK_FILE, train_run

    out = tmp_path / "run"
    out.mkdir()
    with open(out / LOCK_FILE, "a") as held:  # what a training process holds
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(InputError, match="another process is training this run folder now"):
            train_run(data / "train.tsv", data / "test.tsv", "small-cnn", out, TrainOptions(epochs=1), progress=False)
    assert [p.name for p in out.iterdir()] == [LOCK_FILE]
    # The study runner waits instead (a worker of a killed study may still be finishing the run).
    import threading

    held = open(out / LOCK_FILE, "a")
    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    threading.Timer(1.0, held.close).start()
    one_epoch = TrainOptions(epochs=1)
    waited = train_run(data / "train.tsv", data / "test.tsv", "small-cnn", out, one_epoch, progress=False, lock_wait=60)
    assert waited["available"]
    # Released: the folder trains; a failure in a folder made for it leaves nothing behind.
    assert (out / "metrics.json").is_file()
    with pytest.raises(InputError):
        train_run(data / "train.tsv", tmp_path / "missing.tsv", "small-cnn", tmp_path / "new", progress=False)
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c.pop("preset"), "'preset' must be a non-empty string"),
        (lambda c: c.update(sequence_length="x"), "'sequence_length' must be a positive integer, not 'x'"),
        (lambda c: c.pop("model_kwargs"), "needs 'model_class' (a string) and 'model_kwargs' (an object)"),
        (lambda c: c.update(preset="kmer"), "the kmer baseline's config needs 'baseline' (an object)"),
        (lambda c: c.update(ensemble={}), "'ensemble' must hold 'members'"),
        (lambda c: c.update(format_version=2), "run folder format version 2; this gdashboard reads version 1"),
    ],
)
def test_a_config_edited_by_hand_is_a_one_line_error(run, tmp_path, edit, message):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    config = json.loads((copy / "config.json").read_text())
    edit(config)
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        from gdashboard.results import open_run

        open_run(copy).model()


def test_a_missing_weights_file_is_named(run, tmp_path):
    import shutil

    from gdashboard.results import open_run

    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    (copy / "model.safetensors").unlink()
    with pytest.raises(InputError, match="no model.safetensors: the run has not finished training"):
        open_run(copy).model()


def test_a_damaged_class_optimisation_cache_is_recomputed_not_trusted(run, tmp_path):
    import shutil

    from gdashboard.results import CLASSOPT_CACHE_FILE, read_classopt_cache, write_classopt_cache

    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    options = {"steps": 2, "restarts": 1, "seed": 0, "target": "logit", "l2": 0.009}
    arrays = {
        "matrix": np.zeros((4, 5)),
        "probabilities": np.zeros((4, 5)),
        "sequence": np.array("ACGTA"),
        "score": np.array(1.0),
    }
    write_classopt_cache(copy, options, arrays)
    assert read_classopt_cache(copy, options) is not None
    data = (copy / CLASSOPT_CACHE_FILE).read_bytes()
    for damaged in (data[: len(data) // 2], b"", b"PK\x03\x04garbage"):
        (copy / CLASSOPT_CACHE_FILE).write_bytes(damaged)
        assert read_classopt_cache(copy, options) is None


def test_no_pickle_where_a_file_may_come_from_someone_else():
    import ast

    source = Path(__file__).resolve().parents[1] / "src" / "gdashboard"
    for path in source.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
                assert not {"pickle", "dill", "joblib", "cloudpickle"} & set(names), f"{path}:{node.lineno}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
                assert (owner, node.func.attr) not in {("torch", "load"), ("yaml", "load")}, f"{path}:{node.lineno}"
                if (owner, node.func.attr) == ("np", "load"):
                    flags = {k.arg: getattr(k.value, "value", None) for k in node.keywords}
                    assert flags.get("allow_pickle") is False, (
                        f"{path}:{node.lineno}: np.load without allow_pickle=False"
                    )


def test_a_full_disk_while_saving_weights_is_one_line_naming_the_file(data, tmp_path, monkeypatch, capsys):
    import safetensors.torch

    from gdashboard.cli import main

    class SafetensorError(Exception):  # what safetensors raises for an I/O failure
        pass

    def full(*args, **kwargs):
        raise SafetensorError("Error while serializing: IoError(Os { code: 28, kind: StorageFull })")

    monkeypatch.setattr(safetensors.torch, "save_file", full)
    monkeypatch.setattr("gdashboard.models.io.save_file", full)
    out = tmp_path / "run"
    command = ["train", "--train", str(data / "train.tsv"), "--test", str(data / "test.tsv"), "--model", "small-cnn"]
    assert main([*command, "--out", str(out), "--epochs", "1", "--quiet"]) == 1
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "StorageFull" in error
    assert error.startswith(f"gdash: error: {out / 'checkpoint.safetensors'}: ")
    assert not list(out.glob(".*.tmp")) and not (out / "metrics.json").exists()  # nothing half-written


def test_a_read_only_output_folder_is_one_line(data, tmp_path, capsys):
    import os

    from gdashboard.cli import main

    if os.geteuid() == 0:
        pytest.skip(
            "root writes into read-only folders; "
            "test_a_read_only_filesystem_is_one_line_and_changes_nothing covers root"
        )
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        command = [
            "train",
            "--train",
            str(data / "train.tsv"),
            "--test",
            str(data / "test.tsv"),
            "--model",
            "small-cnn",
        ]
        assert main([*command, "--out", str(folder / "run"), "--epochs", "1", "--quiet"]) == 1
        error = capsys.readouterr().err.strip()
        assert len(error.splitlines()) == 1 and "Permission denied" in error
    finally:
        folder.chmod(0o700)


# A real filesystem that fills up or is read-only: a tmpfs of a given size, mounted in a private
# mount namespace of an unprivileged user namespace (``unshare``), so neither root nor cleanup
# is needed; the commands and the inspection run inside, since the mount vanishes with them.
_INSIDE = r"""
import hashlib, json, os, subprocess, sys
from pathlib import Path

mount, steps = Path(sys.argv[1]), json.loads(sys.argv[2])
results = []
for step in steps:
    if step == "remount-read-only":
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    elif step == "fill":  # leave two pages free: a write of more than 8 KB fails midway
        filler = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        size = 0
        try:
            while True:
                size += os.write(filler, b"x" * 4096)
        except OSError:
            pass
        os.ftruncate(filler, max(0, size - 8192))
        os.close(filler)
    else:
        done = subprocess.run(step, capture_output=True, text=True)
        files = {
            str(p.relative_to(mount)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(mount.rglob("*")) if p.is_file() and p.name != "filler"
        }
        results.append({"returncode": done.returncode, "stderr": done.stderr, "files": files})
print(json.dumps(results))
"""


def _in_a_small_filesystem(mount: Path, size: str, steps: list) -> list[dict]:
    import subprocess
    import sys

    mount.mkdir()
    try:  # the very mount the test needs, not only the namespaces
        probe = subprocess.run(
            ["unshare", "--user", "--map-root-user", "--mount", "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs"]
            + [str(mount)],
            capture_output=True,
            text=True,
        )
    except FileNotFoundError:
        pytest.skip("no unshare here (util-linux) to mount a small tmpfs")
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs in a user namespace here (unshare: {probe.stderr.strip()})")
    mount_it = f'mount -t tmpfs -o size={size} tmpfs "$0" && exec "$@"'
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mount_it, str(mount)]
        + [sys.executable, "-c", _INSIDE, str(mount), json.dumps(steps)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _gdash(*arguments) -> list[str]:
    import sys

    return [sys.executable, "-c", "from gdashboard.cli import entry; entry()", *map(str, arguments)]


def test_a_full_disk_on_a_real_filesystem_is_one_line_and_leaves_nothing_half_written(data, run, tmp_path):
    mount = tmp_path / "small"
    train = _gdash(
        "train", "--train", data / "train.tsv", "--test", data / "test.tsv", "--model", "small-cnn",
        "--out", mount / "run", "--epochs", "1", "--quiet",
    )  # fmt: skip
    report = _gdash("report", run, "--out", mount / "report")
    trained, reported, full = _in_a_small_filesystem(mount, "64k", [train, report, "fill", report])
    # The weights (90 KB) do not fit: one line naming the file, no metrics, no temporary.
    assert trained["returncode"] == 1 and len(trained["stderr"].strip().splitlines()) == 1
    assert "No space left on device" in trained["stderr"]
    assert trained["stderr"].startswith(f"gdash: error: {mount / 'run'}/")
    assert not [name for name in trained["files"] if name.endswith(".tmp") or name.endswith("metrics.json")]
    # A report that fits, then the same report on a full disk: one line, and the first report
    # is still there whole (not some of its tables replaced), with no staging folder left.
    assert reported["returncode"] == 0, reported["stderr"]
    assert full["returncode"] == 1 and len(full["stderr"].strip().splitlines()) == 1
    assert "No space left on device" in full["stderr"]
    before = {name: digest for name, digest in reported["files"].items() if name.startswith("report/")}
    after = {name: digest for name, digest in full["files"].items() if name.startswith("report/")}
    assert before and after == before


def test_a_read_only_filesystem_is_one_line_and_changes_nothing(data, run, tmp_path):
    mount = tmp_path / "read-only"
    report = _gdash("report", run, "--out", mount / "report")
    train = _gdash(
        "train", "--train", data / "train.tsv", "--test", data / "test.tsv", "--model", "small-cnn",
        "--out", mount / "run", "--epochs", "1", "--quiet",
    )  # fmt: skip
    explain = _gdash(
        "explain",
        run,
        "--test",
        data / "test.tsv",
        "--method",
        "saliency",
        "--quiet",
        "--out",
        mount / "report" / "x.npz",
    )
    steps = [report, "remount-read-only", report, train, explain]
    reported, again, trained, explained = _in_a_small_filesystem(mount, "4m", steps)
    assert reported["returncode"] == 0, reported["stderr"]
    for refused in (again, trained, explained):  # a folder's files; a new folder; one file in a folder
        assert refused["returncode"] == 1 and len(refused["stderr"].strip().splitlines()) == 1
        assert "Read-only file system" in refused["stderr"] and "Traceback" not in refused["stderr"]
        assert ".tmp" not in refused["stderr"]  # the file or folder asked for is named, not a temporary
    assert explained["files"] == trained["files"] == again["files"] == reported["files"]


def test_gdash_train_killed_with_sigkill_resumes_to_the_same_model(tmp_path, dead_pid):
    import os
    import signal
    import subprocess
    import time

    from gdashboard.data.simulate import simulate, write_simulation

    write_simulation(simulate(n=2000, seed=5), tmp_path / "data")
    arguments = ["train", "--train", tmp_path / "data" / "train.tsv", "--test", tmp_path / "data" / "test.tsv"]
    arguments += ["--model", "small-cnn", "--epochs", "6", "--restarts", "0", "--quiet"]
    subprocess.run(_gdash(*arguments, "--out", tmp_path / "whole"), check=True, capture_output=True)
    cut = tmp_path / "cut"
    process = subprocess.Popen(_gdash(*arguments, "--out", cut), start_new_session=True)
    deadline = time.monotonic() + 300
    while not (cut / "checkpoint.json").exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    if (cut / "metrics.json").exists():
        pytest.skip("training ended before the kill landed; nothing interrupted to resume")
    # What a kill in the middle of writing the checkpoint leaves (the kill above rarely lands
    # there): a temporary of a process that is gone.
    from gdashboard.fileio import temporary_prefix

    planted = temporary_prefix("checkpoint.safetensors").replace(f".{os.getpid()}@", f".{dead_pid}@")
    (cut / (planted + "abc_1234.tmp")).write_bytes(b"half")
    subprocess.run(_gdash(*arguments, "--out", cut, "--resume"), check=True, capture_output=True)
    whole = json.loads((tmp_path / "whole" / "metrics.json").read_text())
    resumed = json.loads((cut / "metrics.json").read_text())
    drop = ("train_seconds", "predict_seconds")
    assert {k: v for k, v in resumed.items() if k not in drop} == {k: v for k, v in whole.items() if k not in drop}
    assert not list(cut.glob(".*.tmp"))  # the temporary the kill left was removed by the next write


def test_gdash_explain_killed_midway_leaves_no_output_and_a_rerun_gives_the_same_file(run, data, tmp_path):
    import os
    import signal
    import subprocess
    import time

    arguments = ["explain", str(run), "--test", str(data / "test.tsv"), "--method", "ig", "--n-steps", "400"]
    whole = tmp_path / "whole.npz"
    subprocess.run(_gdash(*arguments, "--out", str(whole)), check=True, capture_output=True)
    cut = tmp_path / "cut.npz"
    process = subprocess.Popen(_gdash(*arguments, "--out", str(cut)), start_new_session=True)
    time.sleep(3)  # importing torch and starting the work; ISM of the whole test set takes longer
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    # The output appears whole or not at all (on a fast machine the work may have ended).
    if cut.exists():
        with np.load(whole, allow_pickle=False) as a, np.load(cut, allow_pickle=False) as b:
            assert all(np.array_equal(a[k], b[k]) for k in a.files)
        cut.unlink()
    subprocess.run(_gdash(*arguments, "--out", str(cut)), check=True, capture_output=True)
    with np.load(whole, allow_pickle=False) as a, np.load(cut, allow_pickle=False) as b:
        assert a.files == b.files and all(np.array_equal(a[k], b[k]) for k in a.files)


def test_gdash_motifs_killed_midway_is_rerun_to_the_same_result(run, data, tmp_path):
    import os
    import signal
    import subprocess
    import time

    # Class optimisation kept short: what is tested is the kill and the rerun, not its 1000 steps.
    arguments = [
        "motifs",
        str(run),
        "--test",
        str(data / "test.tsv"),
        "--limit",
        "20",
        "--classopt-steps",
        "20",
        "--quiet",
    ]
    subprocess.run(_gdash(*arguments, "--out", str(tmp_path / "whole")), check=True, capture_output=True)
    process = subprocess.Popen(_gdash(*arguments, "--out", str(tmp_path / "cut")), start_new_session=True)
    time.sleep(4)  # imports done, the analysis under way (it takes longer)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    whole = json.loads((tmp_path / "whole" / "motifs.json").read_text())

    def same_result() -> bool:
        again = json.loads((tmp_path / "cut" / "motifs.json").read_text())
        return again["methods"] == whole["methods"] and again["chance"] == whole["chance"]

    # motifs.json is written last (atomically): present only when the analysis is complete.
    if (tmp_path / "cut" / "motifs.json").exists():
        assert same_result()
    subprocess.run(_gdash(*arguments, "--out", str(tmp_path / "cut")), check=True, capture_output=True)
    assert same_result()
