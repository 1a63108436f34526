"""The study runner: experiments found, the index under concurrent writers, a study killed
with SIGKILL and resumed, Ray on loopback with a failing task."""

from __future__ import annotations

import csv
import gzip
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gdashboard.cli import main
from gdashboard.errors import InputError
from gdashboard.study import Execution, StudyOptions, run_study
from gdashboard.study.index import StudyIndex
from gdashboard.study.plan import Task, find_experiments, plan
from gdashboard.study.runner import rebuild_index, study_status
from gdashboard.train_options import TrainOptions

GDASH = [sys.executable, "-c", "from gdashboard.cli import entry; entry()"]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """Two small simulated experiments, in the train/test folder layout."""
    from gdashboard.data.simulate import simulate, write_simulation

    root = tmp_path_factory.mktemp("study-data")
    for name, seed in (("GATA1_one", 1), ("GATA1_two", 2)):
        write_simulation(simulate(n=400, seed=seed), root / name)
    return root


def test_find_experiments_in_both_layouts(tmp_path, data):
    deepbind = tmp_path / "encode"
    deepbind.mkdir()
    for part in ("AC", "B"):
        with gzip.open(deepbind / f"SRF_H1_{part}.seq.gz", "wt") as handle:
            handle.write("FoldID\tEventID\tseq\tBound\nA\tseq_1\tACGTACGT\t1\n")
    (deepbind / "LONE_AC.seq.gz").write_bytes(b"")  # no _B file: not an experiment
    found = find_experiments([data, deepbind])
    assert [e.name for e in found] == ["GATA1_one", "GATA1_two", "SRF_H1"]
    assert found[0].train.endswith("GATA1_one/train.tsv") and found[2].test.endswith("SRF_H1_B.seq.gz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no experiment"):
        find_experiments([tmp_path / "empty"])
    with pytest.raises(InputError, match="no such data folder"):
        find_experiments([tmp_path / "missing"])


def test_plan_orders_training_before_motifs_and_skips_baselines():
    from gdashboard.study.plan import ExperimentFiles

    experiments = [ExperimentFiles("A_x", "a/train.tsv", "a/test.tsv")]
    forward = dict(rc_augment=False, rc_average=False)
    tasks = plan(experiments, ["small-cnn", "pwm"], seeds=[0, 1], steps=["modisco", "train", "motifs"], **forward)
    assert [t.id for t in tasks] == [
        "train/A_x/small-cnn-seed0",
        "train/A_x/small-cnn-seed1",
        "train/A_x/pwm-seed0",
        "train/A_x/pwm-seed1",
        "motifs/A_x/small-cnn-seed0",
        "motifs/A_x/small-cnn-seed1",
        "modisco/A_x/small-cnn-seed0",
        "modisco/A_x/small-cnn-seed1",
    ]
    assert tasks[-1].output_folder("S") == Path("S/modisco/A_x/small-cnn-seed1")
    # --pooling max: the recurrent presets' max forms, in their own folders; a CNN has no such form.
    maxed = plan(experiments, ["small-rnn", "small-cnn"], pooling="max", **forward)
    assert [t.id for t in maxed] == ["train/A_x/small-rnn-max-seed0", "train/A_x/small-cnn-seed0"]
    # Both strands, the networks' default: other models of the networks; the baselines read
    # both strands already.
    both = plan(experiments, ["small-cnn", "kmer"])
    assert [t.id for t in both] == ["train/A_x/small-cnn-rc-aug-rc-avg-seed0", "train/A_x/kmer-seed0"]
    assert plan(experiments, ["small-cnn", "kmer"], rc_augment=True, rc_average=True) == both
    # --steps ensemble: one task per network and experiment, after the trainings of its seeds.
    tasks = plan(experiments, ["small-cnn", "pwm"], seeds=[1, 0], steps=["ensemble", "train"], **forward)
    assert [t.id for t in tasks][-1] == "ensemble/A_x/small-cnn-ensemble-seed0+1"
    assert tasks[-1].prerequisites() == ["train/A_x/small-cnn-seed0", "train/A_x/small-cnn-seed1"]
    assert tasks[-1].run_folder("S") == Path("S/runs/A_x/small-cnn-ensemble-seed0+1")
    assert len(tasks) == 5  # four trainings, no ensemble of the baseline
    # Without --steps: the trainings, and their ensemble when there are several seeds.
    assert plan(experiments, ["small-cnn", "pwm"], seeds=[1, 0], **forward) == tasks
    assert [t.step for t in plan(experiments, ["small-cnn"], seeds=[1, 1], **forward)] == ["train"]
    twice = plan(experiments, ["small-cnn"], seeds=[1, 1, 0], **forward)  # a seed given twice trains once
    assert twice == plan(experiments, ["small-cnn"], seeds=[1, 0], **forward)
    with pytest.raises(InputError, match="the ensemble step needs at least two seeds"):
        plan(experiments, ["small-cnn"], steps=["train", "ensemble"])
    with pytest.raises(InputError, match="unknown model preset"):
        plan(experiments, ["huge-cnn"])
    with pytest.raises(InputError, match="unknown step"):
        plan(experiments, ["small-cnn"], steps=["predict"])


def _writer(study: str, worker: int, n: int) -> None:
    index = StudyIndex(study)
    tasks = [Task("train", f"E{worker}", "small-cnn", None, seed, "", "") for seed in range(n)]
    index.add(tasks)
    for task in tasks:
        index.start(task.id, f"host{worker}", "cpu")
        index.finish(task.id, {"test_auc": task.seed / n, "validation_auc": 0.5, "path": f"p/{task.id}"})


def test_index_under_concurrent_writers_loses_nothing(tmp_path):
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_writer, args=(str(tmp_path), worker, 150)) for worker in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]  # no "database is locked" escaped
    rows = StudyIndex(tmp_path).rows()
    assert len(rows) == 600 and {r["state"] for r in rows} == {"done"}
    assert {r["attempts"] for r in rows} == {1}
    assert sorted(r["test_auc"] for r in rows if r["experiment"] == "E3") == [s / 150 for s in range(150)]


def _metrics(study: Path) -> dict:
    found = {}
    for path in sorted((study / "runs").glob("*/*/metrics.json")):
        metrics = json.loads(path.read_text())
        found[f"{path.parent.parent.name}/{path.parent.name}"] = (
            metrics["test_auc"],
            metrics["validation_auc"],
            metrics.get("best_epoch"),
            (path.parent / "test_predictions.tsv").read_text(),
        )
    return found


# small-cnn's folder in a study asked nothing about strands: both strands are the default.
CNN = "small-cnn-rc-aug-rc-avg"
STUDY_ARGS = ["--models", "small-cnn,small-rnn", "--epochs", "6", "--workers", "2", "--threads", "1", "--quiet"]


@pytest.mark.parametrize("executor", ["local", "ray"])
def test_a_study_killed_with_sigkill_resumes_to_the_same_metrics(tmp_path, data, capsys, executor):
    if executor == "ray":
        ray = pytest.importorskip("ray")
        request_shutdown = ray.shutdown  # the in-process runs below start a local Ray
    else:
        request_shutdown = None
    try:
        _killed_and_resumed(tmp_path, data, capsys, [*STUDY_ARGS, "--executor", executor])
    finally:
        if request_shutdown is not None:
            request_shutdown()


def _killed_and_resumed(tmp_path, data, capsys, arguments):
    whole = tmp_path / "whole"
    assert main(["study", "run", "--data", str(data), "--out", str(whole), *arguments]) == 0
    expected = _metrics(whole)
    assert len(expected) == 4

    cut = tmp_path / "cut"
    process = subprocess.Popen(
        [*GDASH, "study", "run", "--data", str(data), "--out", str(cut), *arguments],
        start_new_session=True,  # its own process group: the workers die with it
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 300
    while time.time() < deadline:  # until the first task is done and another one is under way
        if (cut / "study.sqlite").exists():
            states = [r["state"] for r in StudyIndex(cut).rows()]
            # A task is "running" only once a worker has taken it, never while it waits
            # in the queue: at most --workers 2 at once.
            assert states.count("running") <= 2
            if "done" in states and "running" in states:
                break
        time.sleep(0.2)
    else:
        pytest.fail("the study never had a finished and a running task")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)

    capsys.readouterr()
    assert main(["study", "status", str(cut)]) == 0
    before = capsys.readouterr().out
    assert "interrupted" in before and " done" in before
    rows = {r["id"]: r["state"] for r in study_status(cut)}
    assert "running" not in rows.values()  # no runner holds the study: nothing is running

    finished = {path: path.stat().st_mtime_ns for path in (cut / "runs").glob("*/*/metrics.json")}
    assert finished
    assert main(["study", "run", "--data", str(data), "--out", str(cut), *arguments]) == 0
    assert _metrics(cut) == expected
    # What had finished was kept, not trained again.
    assert {path: path.stat().st_mtime_ns for path in finished} == finished
    assert not (cut / ".superseded").exists()
    capsys.readouterr()
    assert main(["study", "status", str(cut)]) == 0
    after = capsys.readouterr().out
    assert after.splitlines()[0] == "4 done, 0 running, 0 failed, 0 pending"
    assert (cut / "report" / "report.md").is_file()

    # The index made again from the folders holds the same results.
    kept = {r["id"]: (r["state"], r["test_auc"], r["validation_auc"], r["path"]) for r in study_status(cut)}
    assert rebuild_index(cut)["done"] == 4
    assert {r["id"]: (r["state"], r["test_auc"], r["validation_auc"], r["path"]) for r in study_status(cut)} == kept


def test_a_second_runner_on_the_same_study_is_refused(tmp_path, data):
    from gdashboard.study.runner import _study_lock

    with _study_lock(tmp_path / "s"):
        with pytest.raises(InputError, match="another gdash study run"):
            run_study([data], ["pwm"], tmp_path / "s", progress=False)


def test_ray_on_loopback_retries_then_records_a_failing_task(tmp_path, data):
    pytest.importorskip("ray")
    import shutil

    broken = tmp_path / "data"
    shutil.copytree(data / "GATA1_one", broken / "GATA1_one")
    # A test file of other-length sequences: training refuses it, on every try.
    (broken / "GATA1_bad").mkdir()
    shutil.copy(data / "GATA1_two" / "train.tsv", broken / "GATA1_bad" / "train.tsv")
    (broken / "GATA1_bad" / "test.tsv").write_text("id\tsequence\tlabel\nx\tACGTACGTAC\t1\ny\tACGTACGTAA\t0\n")
    import ray

    try:
        counts = run_study(
            [broken],
            ["small-cnn", "pwm"],
            tmp_path / "s",
            StudyOptions(train=TrainOptions(epochs=2)),
            Execution(executor="ray", workers=2, retries=1),
            progress=False,
        )
    finally:
        ray.shutdown()
    assert counts["done"] == 2 and counts["failed"] == 2
    rows = {r["id"]: r for r in study_status(tmp_path / "s")}
    failed = rows[f"train/GATA1_bad/{CNN}-seed0"]
    assert failed["state"] == "failed" and failed["attempts"] == 2
    assert "length" in failed["error"] and "\n" not in failed["error"]
    assert rows[f"train/GATA1_one/{CNN}-seed0"]["state"] == "done"
    assert rows[f"train/GATA1_one/{CNN}-seed0"]["test_auc"] is not None


def test_runs_made_elsewhere_are_adopted_not_retrained(tmp_path, data, capsys):
    from gdashboard.runs import train_run

    outside = tmp_path / "outside" / "GATA1_one" / "small-cnn"
    two_epochs = TrainOptions(epochs=2)
    metrics = train_run(
        data / "GATA1_one" / "train.tsv",
        data / "GATA1_one" / "test.tsv",
        "small-cnn",
        outside,
        two_epochs,
        progress=False,
    )
    study = tmp_path / "study"
    assert main(["study", "adopt", str(study), str(tmp_path / "outside")]) == 0
    adopted = study / "runs" / "GATA1_one" / f"{CNN}-seed0"
    assert json.loads((adopted / "metrics.json").read_text())["test_auc"] == metrics["test_auc"]
    stamp = (adopted / "metrics.json").stat().st_mtime_ns
    counts = run_study([data / "GATA1_one"], ["small-cnn"], study, StudyOptions(train=two_epochs), progress=False)
    assert counts["done"] == 1 and (adopted / "metrics.json").stat().st_mtime_ns == stamp  # not trained again

    # The index as a CSV (the figures kept where the run folders are not).
    capsys.readouterr()
    assert main(["study", "index", str(study), "--csv", str(tmp_path / "study.csv")]) == 0
    assert "1 tasks" in capsys.readouterr().out
    with open(tmp_path / "study.csv") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["id"] == f"train/GATA1_one/{CNN}-seed0" and row["state"] == "done"
    assert float(row["test_auc"]) == metrics["test_auc"]
    assert main(["study", "index", str(study)]) == 1  # neither --rebuild nor --csv
    assert main(["study", "index", str(tmp_path), "--csv", str(tmp_path / "none.csv")]) == 1  # no index there
    assert not (tmp_path / "none.csv").exists()


def test_a_forward_strand_study_rerun_asking_nothing_is_refused_not_doubled(tmp_path, data):
    # A study begun before both strands became the default, run again as it was first run.
    def study(**train):
        return StudyOptions(train=TrainOptions(epochs=1, **train))

    forward = study(rc_augment=False, rc_average=False)
    one = [data / "GATA1_one"]
    counts = run_study(one, ["small-cnn", "kmer"], tmp_path, forward, progress=False)
    assert counts["done"] == 2
    with pytest.raises(InputError, match="pass --no-rc-augment --no-rc-average to continue it"):
        run_study(one, ["small-cnn", "kmer"], tmp_path, study(), progress=False)
    known = [row["id"] for row in study_status(tmp_path)]
    assert known == ["train/GATA1_one/kmer-seed0", "train/GATA1_one/small-cnn-seed0"]
    # Saying one option only, or asking for the motif step alone, is not saying which model.
    with pytest.raises(InputError, match="holds train/GATA1_one/small-cnn-seed0, of other strand options"):
        run_study(one, ["small-cnn"], tmp_path, study(rc_augment=False), progress=False)
    with pytest.raises(InputError, match="pass --no-rc-augment --no-rc-average to continue it"):
        motifs_only = StudyOptions(steps=("motifs",), train=TrainOptions(epochs=1))
        run_study(one, ["small-cnn"], tmp_path, motifs_only, progress=False)
    # A baseline alone has no strand forms: nothing to refuse.
    assert run_study(one, ["kmer"], tmp_path, study(), progress=False)["done"] == 2
    assert run_study(one, ["small-cnn"], tmp_path, forward, progress=False)["done"] == 2
    # Once both forms are in the study, asking nothing continues the default's.
    both = study(rc_augment=True, rc_average=True)
    assert run_study(one, ["small-cnn"], tmp_path, both, progress=False)["done"] == 3
    assert run_study(one, ["small-cnn"], tmp_path, study(), progress=False)["done"] == 3


def test_a_study_of_chosen_experiments_with_training_options(tmp_path, data):
    # One setting of a hyperparameter search: every training of the study gets it. A value
    # mistyped (its trainings fail) is corrected while no training has finished.
    forward = dict(epochs=1, rc_augment=False, rc_average=False)

    def asked(experiments="GATA1_two", **setting):  # one name as a bare string
        return StudyOptions(experiments=experiments, train=TrainOptions(**forward, **setting))

    quiet = dict(progress=False, report=False)
    assert run_study([data], ["deepbind"], tmp_path, asked(schedule="sideways"), **quiet)["failed"] == 1
    setting = {"learning_rate": 3e-3, "weight_decay": 1e-5, "model_options": {"n_filters": 8, "dropout": 0.25}}
    assert run_study([data], ["deepbind"], tmp_path, asked(**setting), **quiet)["done"] == 1
    assert json.loads((tmp_path / "train_options.json").read_text()) == setting
    (run,) = [p for p in (tmp_path / "runs").glob("*/*") if p.is_dir()]
    assert run.parent.name == "GATA1_two"
    config = json.loads((run / "config.json").read_text())
    assert config["recipe"]["learning_rate"] == 3e-3 and config["recipe"]["weight_decay"] == 1e-5
    assert config["model_kwargs"]["n_filters"] == 8 and config["model_kwargs"]["dropout"] == 0.25
    made = (run / "metrics.json").stat().st_mtime_ns
    # Run again with the same setting (its options in another order, an empty option for
    # none): nothing to do. With another, or none: refused, as its finished runs would be
    # reused and the others trained another way.
    same = {**setting, "model_options": {"dropout": 0.25, "n_filters": 8}, "patience": None}
    assert run_study([data], ["deepbind"], tmp_path, asked(**same), **quiet)["done"] == 1
    assert (run / "metrics.json").stat().st_mtime_ns == made
    with pytest.raises(InputError, match="was run with the training options .*--train-options"):
        run_study([data], ["deepbind"], tmp_path, asked(None, learning_rate=1e-2), **quiet)
    with pytest.raises(InputError, match="was run with the training options"):
        run_study([data], ["deepbind"], tmp_path, asked(None), **quiet)
    # A study begun without options takes none later; before anything runs: a name not
    # found, none, an option the study decides itself, a baseline's, a value JSON cannot hold.
    plain = tmp_path / "plain"
    assert run_study([data], ["kmer"], plain, asked(["GATA1_one"]), **quiet)["done"] == 1
    with pytest.raises(InputError, match="was run without training options"):
        run_study([data], ["deepbind"], plain, asked(None, learning_rate=1e-2), **quiet)
    other = tmp_path / "other"
    with pytest.raises(InputError, match=r"no experiment named GATA1_three .*\(found: GATA1_one, GATA1_two\)"):
        run_study([data], ["kmer"], other, asked(["GATA1_three"]), **quiet)
    with pytest.raises(InputError, match="give at least one experiment name"):
        run_study([data], ["kmer"], other, asked([]), **quiet)
    with pytest.raises(InputError, match="a study takes no training option 'seed': its trainings' seeds are"):
        run_study([data], ["deepbind"], other, asked(None, seed=3), **quiet)
    with pytest.raises(InputError, match="a study takes no training option 'restarts'; choose among model_options"):
        run_study([data], ["deepbind"], other, asked(None, restarts=0), **quiet)
    with pytest.raises(InputError, match="training options apply to networks; kmer has no recipe"):
        run_study([data], ["deepbind", "kmer"], other, asked(None, learning_rate=1e-2), **quiet)
    with pytest.raises(InputError, match="training options must be JSON values"):
        run_study([data], ["deepbind"], other, asked(None, learning_rate=tmp_path), **quiet)
    with pytest.raises(InputError, match="unknown executor 'slurm'; choose local or ray"):
        run_study([data], ["kmer"], other, asked(None), Execution(executor="slurm"), **quiet)
    with pytest.raises(InputError, match="workers and threads must be at least 1"):
        run_study([data], ["kmer"], other, asked(None), Execution(workers=0), **quiet)
    assert not other.exists()
    # The command line's --experiments and --train-options are the same choices.
    command = ["study", "run", "--data", str(data), "--models", "deepbind", "--epochs", "1", "--quiet"]
    command += ["--no-rc-augment", "--no-rc-average"]
    assert main([*command, "--out", str(tmp_path), "--train-options", json.dumps(setting)]) == 0
    assert main([*command, "--out", str(tmp_path / "cli"), "--experiments", "GATA1_two"]) == 0
    assert [p.name for p in (tmp_path / "cli" / "runs").iterdir()] == ["GATA1_two"]


def test_a_task_is_read_back_from_its_folder_name(tmp_path):
    from gdashboard.study.runner import _task_from_folder_name

    def task(name):
        return _task_from_folder_name(tmp_path / "E_x" / name)

    made = task("small-cnn-rnn-rc-aug-rc-avg-ensemble-seed0+1+2")
    assert (made.preset, made.pooling, made.rc_augment, made.rc_average) == ("small-cnn-rnn", None, True, True)
    assert made.members == (0, 1, 2) and made.id == "ensemble/E_x/small-cnn-rnn-rc-aug-rc-avg-ensemble-seed0+1+2"
    maxed = task("small-rnn-max-rc-aug-ensemble-seed1+3")
    assert (maxed.preset, maxed.pooling, maxed.seed, maxed.members) == ("small-rnn", "max", 1, (1, 3))
    assert maxed.rc_augment and not maxed.rc_average
    # A training's folder: the network's, or a baseline's (which has no strand options).
    trained = task("small-cnn-rc-aug-rc-avg-seed4")
    assert (trained.step, trained.preset, trained.seed, trained.members, trained.rc_average) == (
        "train", "small-cnn", 4, (), True
    )  # fmt: skip
    assert task("gkmsvm-seed0").id == "train/E_x/gkmsvm-seed0" and not task("gkmsvm-seed0").rc_augment
    assert task("huge-cnn-seed0") is None and task("huge-cnn-ensemble-seed0+1") is None
    assert task("small-cnn-ensemble-seed0") is None and task("small-cnn-seedx") is None
    # The index made again keeps such folders: failed (task.error) or interrupted.
    study = tmp_path / "S"
    (study / "runs" / "E_x" / "small-cnn-seed7").mkdir(parents=True)
    (study / "runs" / "E_x" / "small-cnn-seed7" / "task.error").write_text("Traceback ...\nx.y.InputError: boom\n")
    (study / "runs" / "E_x" / "small-cnn-seed8").mkdir()
    assert rebuild_index(study) == {"pending": 1, "running": 0, "done": 0, "failed": 1}
    rows = {r["id"]: r for r in study_status(study)}
    assert rows["train/E_x/small-cnn-seed7"]["error"] == "InputError: boom"
    assert rows["train/E_x/small-cnn-seed8"]["state"] in ("pending", "interrupted")


def test_the_ensemble_step_follows_its_seeds_and_is_made_again_when_they_are(tmp_path, data):
    from gdashboard.results import open_run

    def study(seeds=(0, 1), steps=("train", "ensemble"), epochs=None):
        train = TrainOptions(epochs=epochs, rc_augment=False, rc_average=False)
        return StudyOptions(seeds=seeds, steps=steps, train=train)

    def run(options):
        return run_study([data / "GATA1_one"], ["small-cnn"], tmp_path, options, progress=False)

    # Asked for alone before its seeds are trained, it fails saying so; the next run does it.
    counts = run(study(steps=["ensemble"]))
    assert counts["failed"] == 1 and counts["done"] == 0
    (row,) = study_status(tmp_path)
    assert "its member's training task has not finished" in row["error"] and "small-cnn-seed0" in row["error"]
    # Its folder holds only its log and error; the index made again from the folders keeps it.
    assert rebuild_index(tmp_path)["failed"] == 1
    assert [(r["id"], r["error"]) for r in study_status(tmp_path)] == [(row["id"], row["error"])]
    counts = run(study(epochs=1))
    assert counts == {"pending": 0, "running": 0, "done": 3, "failed": 0}
    folder = tmp_path / "runs" / "GATA1_one" / "small-cnn-ensemble-seed0+1"
    ensemble = open_run(folder)
    assert ensemble.label == "small-cnn +ensemble" and ensemble.seed == "0+1"
    metrics = json.loads((folder / "metrics.json").read_text())
    members = [
        json.loads((tmp_path / "runs" / "GATA1_one" / f"small-cnn-seed{s}" / "metrics.json").read_text())
        for s in (0, 1)
    ]
    assert metrics["train_seconds"] == pytest.approx(sum(m["train_seconds"] for m in members))
    rows = {r["id"]: r for r in study_status(tmp_path)}
    assert rows["ensemble/GATA1_one/small-cnn-ensemble-seed0+1"]["test_auc"] == metrics["test_auc"]
    assert "small-cnn +ensemble" in (tmp_path / "report" / "report.md").read_text()  # the study's report
    kept = {r["id"]: (r["state"], r["path"]) for r in study_status(tmp_path)}
    assert rebuild_index(tmp_path)["done"] == 3
    assert {r["id"]: (r["state"], r["path"]) for r in study_status(tmp_path)} == kept
    made = (folder / "metrics.json").stat().st_mtime_ns
    assert run(study(epochs=1))["done"] == 3
    assert (folder / "metrics.json").stat().st_mtime_ns == made  # current: not made again

    # A higher epoch limit trains its members again; the ensemble of the old ones is set aside
    # with the first member set aside (it would read half-trained weights were the training cut).
    counts = run(study(epochs=2))
    assert counts["done"] == 3
    aside = tmp_path / ".superseded" / "runs" / "GATA1_one"
    assert (aside / "small-cnn-ensemble-seed0+1-member-retrained" / "metrics.json").exists()
    newest_member = max(
        (tmp_path / "runs" / "GATA1_one" / f"small-cnn-seed{s}" / "metrics.json").stat().st_mtime_ns for s in (0, 1)
    )
    assert (folder / "metrics.json").stat().st_mtime_ns >= newest_member

    # Run with another seed set, the study's ensemble is of those seeds; the other one is set
    # aside and forgotten, not averaged with it in the report.
    counts = run(study(seeds=[0, 1, 2], epochs=2))
    assert counts == {"pending": 0, "running": 0, "done": 4, "failed": 0}
    assert (aside / "small-cnn-ensemble-seed0+1-other-seeds" / "metrics.json").exists() and not folder.exists()
    assert "ensemble/GATA1_one/small-cnn-ensemble-seed0+1" not in {r["id"] for r in study_status(tmp_path)}
    assert open_run(tmp_path / "runs" / "GATA1_one" / "small-cnn-ensemble-seed0+1+2").seed == "0+1+2"
    # Without --steps, a rerun leaving some of the ensemble's seeds out (perhaps only to add
    # one) is refused rather than setting the ensemble aside; one of all its seeds goes on.
    with pytest.raises(InputError, match=r"holds small-cnn-ensemble-seed0\+1\+2.*--seeds 0,1,2,3"):
        run(study(seeds=[1, 3], steps=None, epochs=2))
    assert (tmp_path / "runs" / "GATA1_one" / "small-cnn-ensemble-seed0+1+2").exists()


def test_what_reads_a_finished_training_goes_before_the_trainings_not_begun(tmp_path, data):
    # One worker, two experiments: the first experiment's ensemble is made as soon as its
    # seeds are trained, before the second experiment's trainings, not after all of them.
    forward = TrainOptions(epochs=1, rc_augment=False, rc_average=False)
    options = StudyOptions(seeds=(0, 1), steps=("train", "ensemble"), train=forward)
    counts = run_study([data], ["small-cnn"], tmp_path, options, progress=False, report=False)
    assert counts["done"] == 6
    started = {row["id"]: row["started"] for row in study_status(tmp_path)}
    ensemble = started["ensemble/GATA1_one/small-cnn-ensemble-seed0+1"]
    assert started["train/GATA1_one/small-cnn-seed1"] < ensemble < started["train/GATA1_two/small-cnn-seed0"]


def test_the_modisco_step_follows_training_and_is_indexed(tmp_path, data):
    def study(epochs):
        return StudyOptions(steps=("train", "modisco"), train=TrainOptions(epochs=epochs))

    counts = run_study([data / "GATA1_one"], ["small-cnn"], tmp_path, study(2), progress=False)
    assert counts == {"pending": 0, "running": 0, "done": 2, "failed": 0}
    patterns = json.loads((tmp_path / "modisco" / "GATA1_one" / f"{CNN}-seed0" / "patterns.json").read_text())
    assert patterns["experiment"] == "GATA1_one" and patterns["attribution"] == "ism"
    from gdashboard.results import open_run

    # The results layer finds a study's pattern folder beside its run (the dashboard shows it).
    run = open_run(tmp_path / "runs" / "GATA1_one" / f"{CNN}-seed0")
    assert [r["experiment"] for r in run.modisco_results()] == ["GATA1_one"]
    kept = {r["id"]: (r["state"], r["path"]) for r in study_status(tmp_path)}
    assert rebuild_index(tmp_path)["done"] == 2
    assert {r["id"]: (r["state"], r["path"]) for r in study_status(tmp_path)} == kept

    # A higher epoch limit makes the run outdated: trained again, and its patterns redone after.
    patterns_file = tmp_path / "modisco" / "GATA1_one" / f"{CNN}-seed0" / "patterns.json"
    before = patterns_file.stat().st_mtime_ns
    counts = run_study([data / "GATA1_one"], ["small-cnn"], tmp_path, study(3), progress=False)
    assert counts["done"] == 2 and (tmp_path / ".superseded" / "runs" / "GATA1_one").is_dir()
    run_metrics = tmp_path / "runs" / "GATA1_one" / f"{CNN}-seed0" / "metrics.json"
    assert patterns_file.stat().st_mtime_ns > before
    assert patterns_file.stat().st_mtime_ns >= run_metrics.stat().st_mtime_ns


def _spawned_workers() -> list[int]:
    """This process's children started by multiprocessing's spawn (the pool's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:"))
        if parent == os.getpid() and "spawn_main" in command:
            found.append(int(entry))
    return found


def test_a_worker_killed_midway_is_replaced_and_its_task_tried_again(tmp_path, data):
    import threading

    counts: dict = {}
    study = tmp_path / "study"
    runner = threading.Thread(
        target=lambda: counts.update(
            run_study(
                [data / "GATA1_one"],
                ["small-cnn"],
                study,
                StudyOptions(train=TrainOptions(epochs=8)),
                Execution(retries=1),
                progress=False,
                report=False,
            )
        )
    )
    runner.start()
    deadline = time.time() + 120
    while time.time() < deadline:  # until the task runs in a worker that has started training
        workers = _spawned_workers()
        if workers and list((study / "runs").glob("*/*/history.jsonl")):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the task never started")
    for worker in workers:
        os.kill(worker, signal.SIGKILL)
    runner.join(300)
    assert counts["done"] == 1 and counts["failed"] == 0
    [row] = study_status(study)
    assert row["state"] == "done" and row["attempts"] == 2 and row["test_auc"] is not None
