"""Tests of the report: Table 2, Table 3 and the files, from synthetic metrics.json files."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from scipy import stats

from gdashboard.errors import InputError
from gdashboard.report import collect_runs, paired_ttest, summarise, write_report

EXPERIMENTS = [f"TF{i}_K562_TF{i}_USC" for i in range(6)]


def make_run(root, experiment, preset, seed=1, test_auc=0.8, validation_auc=0.8,
             pooling=None, available=True, reason=None, name=None):
    """Write one run folder as ``gdash train`` would and return it."""
    if pooling is None and preset.endswith("rnn"):
        pooling = "mean"
    folder = root / (name or f"{experiment}-{preset}-{pooling}-{seed}")
    folder.mkdir(parents=True)
    metrics = {
        "experiment": experiment, "tf": experiment.split("_")[0], "preset": preset,
        "pooling": pooling, "seed": seed,
        "test_auc": test_auc if available else None,
        "test_auprc": None, "test_accuracy": None,
        "validation_auc": validation_auc if available else None,
        "available": available, "best_epoch": 3, "train_seconds": 1.5,
    }
    if reason:
        metrics["reason"] = reason
    (folder / "metrics.json").write_text(json.dumps(metrics))
    return folder


@pytest.fixture
def grid(tmp_path):
    """Six experiments × several presets, AUCs from a seeded generator, one seed each."""
    rng = np.random.default_rng(0)
    aucs = {}
    for preset in ["small-rnn", "small-cnn", "med-cnn", "small-cnn-rnn", "deepbind"]:
        for experiment in EXPERIMENTS:
            auc = float(rng.uniform(0.6, 0.99))
            aucs[preset, experiment] = auc
            make_run(tmp_path / "runs", experiment, preset, test_auc=auc,
                     validation_auc=float(rng.uniform(0.6, 0.99)))
    return tmp_path / "runs", aucs


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_table2_statistics_equal_numpy(grid):
    root, aucs = grid
    report = summarise(collect_runs([root]))
    rows = {r["model"]: r for r in report.table2}
    for preset in ["small-rnn", "small-cnn", "med-cnn", "small-cnn-rnn", "deepbind"]:
        values = np.array([aucs[preset, e] for e in EXPERIMENTS])
        row = rows[preset]
        assert row["n_experiments"] == 6
        assert row["mean"] == pytest.approx(np.mean(values))
        assert row["median"] == pytest.approx(np.median(values))
        assert row["sd"] == pytest.approx(np.std(values, ddof=1))
    assert rows["deepbind"]["architecture"] == "baseline"
    assert rows["small-cnn-rnn"]["architecture"] == "CNN-RNN"


def test_seeds_are_averaged_and_shown_mean_sd(tmp_path):
    seeds = [0.80, 0.84, 0.90]
    for seed, auc in enumerate(seeds):
        make_run(tmp_path, EXPERIMENTS[0], "small-cnn", seed=seed, test_auc=auc)
    make_run(tmp_path, EXPERIMENTS[1], "small-cnn", seed=0, test_auc=0.7)
    report = summarise(collect_runs([tmp_path]))
    first = report.per_experiment[0]
    assert first["small-cnn"] == pytest.approx(np.mean(seeds))
    # Table 2 uses one value per experiment (the seed mean), not one per run.
    row = report.table2[0]
    assert row["n_experiments"] == 2
    assert row["mean"] == pytest.approx(np.mean([np.mean(seeds), 0.7]))
    md = report.section("per_experiment").to_markdown()
    assert f"{np.mean(seeds):.3f} ± {np.std(seeds, ddof=1):.3f}" in md
    assert "| 0.700 |" in md  # a single seed has no ± part


def test_architecture_representative_chosen_by_validation_not_test(tmp_path):
    e0, e1, e2 = EXPERIMENTS[:3]
    # small-cnn has the best validation AUC, med-cnn the best test AUC.
    cnn = {
        "small-cnn": {e0: (0.95, 0.70), e1: (0.95, 0.72), e2: (0.95, 0.71)},
        "med-cnn": {e0: (0.60, 0.90), e1: (0.60, 0.91), e2: (0.60, 0.93)},
    }
    for preset, per in cnn.items():
        for experiment, (validation, test) in per.items():
            make_run(tmp_path, experiment, preset, test_auc=test, validation_auc=validation)
    rnn = {e0: 0.65, e1: 0.80, e2: 0.62}
    for experiment, test in rnn.items():
        make_run(tmp_path, experiment, "small-rnn", test_auc=test, validation_auc=0.7)
    report = summarise(collect_runs([tmp_path]))
    chosen = {(r["experiment"], r["architecture"]): r["model"] for r in report.representatives}
    assert all(chosen[e, "CNN"] == "small-cnn" for e in (e0, e1, e2))
    row = next(r for r in report.table3_architectures if (r["a"], r["b"]) == ("CNN", "RNN"))
    x = [cnn["small-cnn"][e][1] for e in (e0, e1, e2)]
    y = [rnn[e] for e in (e0, e1, e2)]
    expected = stats.ttest_rel(x, y)
    assert row["n"] == 3
    assert row["t"] == pytest.approx(expected.statistic)
    assert row["p"] == pytest.approx(expected.pvalue)
    assert row["mean_difference"] == pytest.approx(np.mean(np.subtract(x, y)))


def test_max_pooling_is_a_separate_model_and_optional_for_architectures(tmp_path):
    for experiment in EXPERIMENTS[:3]:
        make_run(tmp_path, experiment, "small-rnn", test_auc=0.7, validation_auc=0.7)
        make_run(tmp_path, experiment, "small-rnn", pooling="max", test_auc=0.9, validation_auc=0.9)
    runs = collect_runs([tmp_path])
    default = summarise(runs)
    assert default.models == ["small-rnn", "small-rnn (max)"]
    assert {r["model"] for r in default.representatives} == {"small-rnn"}
    with_max = summarise(runs, include_max_in_architectures=True)
    assert {r["model"] for r in with_max.representatives} == {"small-rnn (max)"}


def test_ttests_equal_scipy(grid):
    root, aucs = grid
    report = summarise(collect_runs([root]))
    models = ["small-rnn", "small-cnn", "med-cnn", "small-cnn-rnn", "deepbind"]
    pairs = {(r["a"], r["b"]): r for r in report.table3_presets}
    assert len(pairs) == len(models) * (len(models) - 1) // 2
    for (a, b), row in pairs.items():
        x = [aucs[a, e] for e in EXPERIMENTS]
        y = [aucs[b, e] for e in EXPERIMENTS]
        expected = stats.ttest_rel(x, y)
        assert row["t"] == pytest.approx(expected.statistic)
        assert row["p"] == pytest.approx(expected.pvalue)
        assert row["higher"] == (a if np.mean(x) > np.mean(y) else b)
    # All three architecture pairs, in the paper's order, come first.
    arch = [(r["a"], r["b"]) for r in report.table3_architectures if r["kind"] == "architecture"]
    assert arch == [("CNN", "RNN"), ("CNN-RNN", "RNN"), ("CNN-RNN", "CNN")]


def test_paired_ttest_uses_only_shared_experiments():
    a = {"e1": 0.9, "e2": 0.8, "e3": 0.85, "e4": 0.7}
    b = {"e2": 0.7, "e3": 0.6, "e4": 0.65, "e5": 0.1}
    row = paired_ttest("a", a, "b", b)
    expected = stats.ttest_rel([0.8, 0.85, 0.7], [0.7, 0.6, 0.65])
    assert row["n"] == 3
    assert row["p"] == pytest.approx(expected.pvalue)
    assert paired_ttest("a", {"e1": 0.9}, "b", {"e1": 0.8})["p"] is None


def test_unavailable_runs_excluded_and_shown_na(grid, tmp_path):
    root, aucs = grid
    for i, experiment in enumerate(EXPERIMENTS):
        available = i < 2
        make_run(root, experiment, "pwm", test_auc=0.75 + 0.1 * i, available=available,
                 reason=None if available else "no JASPAR motif for the TF")
    report = summarise(collect_runs([root]))
    pwm = next(r for r in report.table2 if r["model"] == "pwm")
    assert pwm["n_experiments"] == 2
    assert pwm["n_unavailable"] == 4
    assert pwm["mean"] == pytest.approx(np.mean([0.75, 0.85]))
    row = next(r for r in report.table3_presets if (r["a"], r["b"]) == ("small-cnn", "pwm"))
    assert row["n"] == 2
    assert report.per_experiment[-1]["pwm"] is None
    md = report.section("per_experiment").to_markdown()
    assert "n/a" in md and "no JASPAR motif for the TF" in md

    paths = write_report([root], tmp_path / "out")
    rows = read_csv(paths["per_experiment"])
    assert [r["pwm"] for r in rows][2:] == ["n/a"] * 4
    assert float(rows[0]["pwm"]) == pytest.approx(0.75)


def test_write_report_files(grid, tmp_path):
    root, aucs = grid
    paths = write_report([root], tmp_path / "out")
    assert set(paths) == {"report", "per_experiment", "table2",
                          "table3_architectures", "table3_presets"}
    assert all(p.is_file() for p in paths.values())
    assert not list((tmp_path / "out").glob(".*.tmp"))  # temp files were renamed away
    table2 = {r["model"]: r for r in read_csv(paths["table2"])}
    values = [aucs["med-cnn", e] for e in EXPERIMENTS]
    # Full precision in the CSV: reads back as the same float.
    exact = next(r for r in summarise(collect_runs([root])).table2 if r["model"] == "med-cnn")
    assert float(table2["med-cnn"]["mean"]) == exact["mean"]
    assert float(table2["med-cnn"]["mean"]) == pytest.approx(np.mean(values))
    md = paths["report"].read_text()
    for heading in ["Table 2", "Table 3", "Paired t-tests between models", "Test AUC per experiment"]:
        assert heading in md
    assert f"| {np.mean(values):.3f} |" in md
    assert "paper's ranking CNN-RNN > CNN > RNN" in md
    assert "vs deepbind" in md
    best = max(["small-rnn", "small-cnn", "med-cnn", "small-cnn-rnn"],
               key=lambda m: np.mean([aucs[m, e] for e in EXPERIMENTS]))
    line = summarise(collect_runs([root])).best_vs_deepbind
    assert (line["a"], line["b"], line["n"]) == (best, "deepbind", 6)
    assert len(read_csv(paths["table3_architectures"])) == 3 + 3  # 3 pairs + 3 vs deepbind


def test_ranking_line_reports_whether_paper_order_holds(tmp_path):
    for i, experiment in enumerate(EXPERIMENTS[:3]):
        for preset, auc in [("small-rnn", 0.70), ("small-cnn", 0.80), ("small-cnn-rnn", 0.90)]:
            make_run(tmp_path, experiment, preset, test_auc=auc + 0.01 * i)
    report = summarise(collect_runs([tmp_path]))
    assert report.ranking["order"] == ["CNN-RNN", "CNN", "RNN"]
    assert report.ranking["paper_order_holds"] is True
    assert "matches the paper's ranking" in report.to_markdown()


def test_malformed_metrics_names_file_and_line(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "metrics.json").write_text('{\n  "experiment": "x",\n  "preset": oops\n}\n')
    with pytest.raises(InputError) as info:
        collect_runs([folder])
    message = str(info.value)
    assert str(folder / "metrics.json") in message
    assert "line 3" in message and "\n" not in message


def test_missing_metrics_and_missing_key(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no metrics.json.*not a training run folder"):
        collect_runs([empty])
    with pytest.raises(InputError, match="no such file"):
        collect_runs([tmp_path / "nowhere"])
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "metrics.json").write_text(json.dumps({"experiment": "x", "preset": "small-cnn"}))
    with pytest.raises(InputError, match="missing key 'test_auc'") as info:
        collect_runs([folder])
    assert info.value.path == str(folder / "metrics.json")


def test_recursive_discovery_and_duplicates(tmp_path):
    a = make_run(tmp_path / "runs" / "batch1", EXPERIMENTS[0], "small-cnn", test_auc=0.8)
    b = make_run(tmp_path / "runs" / "batch2" / "deeper", EXPERIMENTS[1], "small-cnn", test_auc=0.9)
    # A folder inside a run folder is part of that run, not another run.
    (a / "checkpoints").mkdir()
    (a / "checkpoints" / "metrics.json").write_text("not json")
    runs = collect_runs([tmp_path / "runs", b])  # b is reached twice, read once
    assert sorted(r["run_dir"] for r in runs) == sorted([str(a), str(b)])
    # Two folders with the same experiment, model and seed would double-count a seed.
    make_run(tmp_path / "runs" / "copy", EXPERIMENTS[0], "small-cnn", test_auc=0.7)
    with pytest.raises(InputError, match="same experiment, model and seed"):
        summarise(collect_runs([tmp_path / "runs"]))
