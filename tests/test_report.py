"""Tests of the report: Table 2, Table 3 and the files, from synthetic metrics.json files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from gdashboard.errors import InputError
from gdashboard.report import paired_ttest, section, summarise, to_markdown, write_report
from gdashboard.results import collect_motif_results, collect_runs

EXPERIMENTS = [f"TF{i}_K562_TF{i}_USC" for i in range(6)]


def make_run(
    root,
    experiment,
    preset,
    seed=1,
    test_auc=0.8,
    validation_auc=0.8,
    pooling=None,
    available=True,
    reason=None,
    name=None,
):
    """Write one run folder as ``gdash train`` would and return it."""
    if pooling is None and preset.endswith("rnn"):
        pooling = "mean"
    folder = root / (name or f"{experiment}-{preset}-{pooling}-{seed}")
    folder.mkdir(parents=True)
    metrics = {
        "experiment": experiment,
        "tf": experiment.split("_")[0],
        "preset": preset,
        "pooling": pooling,
        "seed": seed,
        "test_auc": test_auc if available else None,
        "test_auprc": None,
        "test_accuracy": None,
        "validation_auc": validation_auc if available else None,
        "available": available,
        "best_epoch": 3,
        "train_seconds": 1.5,
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
            make_run(tmp_path / "runs", experiment, preset, test_auc=auc, validation_auc=float(rng.uniform(0.6, 0.99)))
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


def test_table2_gives_each_models_cost_per_experiment(tmp_path):
    # Seeds are averaged within an experiment first, then experiments: 2 s and 4 s on one,
    # 9 s on another -> (3 + 9) / 2. A run that did not record its cost is left out.
    for seed, seconds in enumerate((2.0, 4.0)):
        folder = make_run(tmp_path, EXPERIMENTS[0], "small-cnn", seed=seed)
        metrics = json.loads((folder / "metrics.json").read_text())
        (folder / "metrics.json").write_text(json.dumps({**metrics, "train_seconds": seconds, "predict_seconds": 0.5}))
    folder = make_run(tmp_path, EXPERIMENTS[1], "small-cnn", seed=0)
    metrics = json.loads((folder / "metrics.json").read_text())
    (folder / "metrics.json").write_text(json.dumps({**metrics, "train_seconds": 9.0}))
    row = summarise(collect_runs([tmp_path])).table2[0]
    assert row["train_seconds"] == pytest.approx(6.0) and row["predict_seconds"] == pytest.approx(0.5)
    (folder / "metrics.json").write_text(json.dumps({**metrics, "train_seconds": "9 s"}))
    with pytest.raises(InputError, match="'train_seconds' must be a number or null"):
        collect_runs([tmp_path])
    (folder / "metrics.json").write_text(json.dumps({**metrics, "train_seconds": -1.0}))
    with pytest.raises(InputError, match="'train_seconds' must not be negative"):
        collect_runs([tmp_path])
    # An old file's NaN (Python's json reads it) is no cost: left out, never a NaN mean.
    (folder / "metrics.json").write_text(json.dumps({**metrics, "train_seconds": float("nan")}))
    row = summarise(collect_runs([tmp_path])).table2[0]
    assert row["train_seconds"] == pytest.approx(3.0)


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
    md = section(report, "per_experiment").to_markdown()
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


def test_auto_is_the_network_with_the_best_validation_auc_and_is_tested_against_the_baselines(tmp_path):
    e0, e1, e2 = EXPERIMENTS[:3]
    # Per experiment: (validation, test) of each network; the best test AUC is never the pick.
    networks = {
        "small-cnn": {e0: (0.90, 0.70), e1: (0.80, 0.95), e2: (0.85, 0.80)},
        "small-cnn-rnn": {e0: (0.80, 0.99), e1: (0.85, 0.75), e2: (0.85, 0.90)},  # e2: a tie
    }
    for preset, per in networks.items():
        for experiment, (validation, test) in per.items():
            make_run(tmp_path, experiment, preset, test_auc=test, validation_auc=validation)
    # A baseline with the best validation AUC everywhere is measured against, never chosen.
    kmer = {e0: 0.60, e1: 0.65, e2: 0.62}
    for experiment, test in kmer.items():
        make_run(tmp_path, experiment, "kmer", test_auc=test, validation_auc=0.99)
    report = summarise(collect_runs([tmp_path]))
    assert {r["experiment"]: r["model"] for r in report.auto} == {
        e0: "small-cnn",
        e1: "small-cnn-rnn",
        e2: "small-cnn",  # equal validation AUCs: the model listed first
    }
    (row,) = report.auto_tests
    chosen = [0.70, 0.75, 0.80]
    expected = stats.ttest_rel(chosen, [kmer[e] for e in (e0, e1, e2)])
    assert (row["a"], row["b"], row["n"]) == ("auto", "kmer", 3)
    assert row["p"] == pytest.approx(expected.pvalue)
    assert "## auto: the network chosen by validation AUC" in to_markdown(report)


def test_auto_prefers_a_seed_ensemble_to_its_members_on_a_tie_only(tmp_path):
    # The ensemble's validation AUC is its members' mean, which is also the cell of those
    # seeds as single models: that tie goes to the ensemble; a better single model still wins.
    e0, e1 = EXPERIMENTS[:2]
    for experiment, plain_validation in ((e0, (0.80, 0.90)), (e1, (0.95, 0.95))):
        for seed, validation in enumerate(plain_validation):
            make_run(tmp_path, experiment, "small-cnn", seed=seed, validation_auc=validation)
        folder = make_run(tmp_path, experiment, "small-cnn", seed="0+1", name=f"{experiment}-ensemble")
        metrics = json.loads((folder / "metrics.json").read_text())
        metrics.update(ensemble=True, validation_auc=0.85, test_auc=0.9)
        (folder / "metrics.json").write_text(json.dumps(metrics))
        make_run(tmp_path, experiment, "small-cnn-rnn", validation_auc=0.7 if experiment == e0 else 0.96)
    # An ensemble of another preset tied with a model is no reason to prefer it: first listed.
    e2 = EXPERIMENTS[2]
    make_run(tmp_path, e2, "small-cnn", validation_auc=0.9)
    folder = make_run(tmp_path, e2, "deepbind", seed="0+1", name=f"{e2}-deepbind-ensemble")
    metrics = json.loads((folder / "metrics.json").read_text())
    (folder / "metrics.json").write_text(json.dumps({**metrics, "ensemble": True, "validation_auc": 0.9}))
    report = summarise(collect_runs([tmp_path]))
    chosen = {r["experiment"]: r["model"] for r in report.auto}
    assert chosen == {e0: "small-cnn +ensemble", e1: "small-cnn-rnn", e2: "small-cnn"}


def test_no_auto_without_a_choice(tmp_path):
    for experiment in EXPERIMENTS[:2]:
        make_run(tmp_path, experiment, "small-cnn")
        make_run(tmp_path, experiment, "kmer")
    report = summarise(collect_runs([tmp_path]))
    assert report.auto == [] and report.auto_tests == []
    assert "auto" not in to_markdown(report)


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


def test_strand_forms_represent_their_architecture_and_ensembles_do_not(tmp_path):
    # Both strands are the networks' default, so a study of default runs has only
    # "+rc-aug+rc-avg" models: they must fill Table 3, and compete with a forward-strand
    # form of the same preset by validation AUC. A seed ensemble is not another form.
    def variant(experiment, preset, name, validation_auc, **options):
        folder = make_run(tmp_path, experiment, preset, validation_auc=validation_auc, name=name)
        metrics = json.loads((folder / "metrics.json").read_text())
        (folder / "metrics.json").write_text(json.dumps({**metrics, **options}))

    both = {"rc_augment": True, "rc_average": True}
    for index, experiment in enumerate(EXPERIMENTS[:3]):
        variant(experiment, "small-cnn", f"{experiment}-cnn-both", 0.8 if index else 0.7, **both)
        variant(experiment, "small-rnn", f"{experiment}-rnn-both", 0.8, **both)
        variant(experiment, "small-cnn", f"{experiment}-cnn-ensemble", 0.99, **both, ensemble=True, seed="1+2")
    make_run(tmp_path, EXPERIMENTS[0], "small-cnn", validation_auc=0.75)  # the forward strand, better here
    report = summarise(collect_runs([tmp_path]))
    chosen = {(r["experiment"], r["architecture"]): r["model"] for r in report.representatives}
    assert chosen == {
        (EXPERIMENTS[0], "CNN"): "small-cnn",
        (EXPERIMENTS[1], "CNN"): "small-cnn +rc-aug+rc-avg",
        (EXPERIMENTS[2], "CNN"): "small-cnn +rc-aug+rc-avg",
        **{(experiment, "RNN"): "small-rnn +rc-aug+rc-avg" for experiment in EXPERIMENTS[:3]},
    }
    counts = {row["architecture"]: row["n_experiments"] for row in report.architectures}
    assert counts == {"CNN": 3, "RNN": 3, "CNN-RNN": 0}


def test_deepbind_on_both_strands_is_still_the_baseline_of_table3_and_auto(tmp_path):
    # A study of default runs trains DeepBind on both strands too: "deepbind +rc-aug+rc-avg"
    # must still be the DeepBind that Table 3, the best-model line and auto are paired with.
    both = {"rc_augment": True, "rc_average": True}
    aucs = {"small-cnn": [0.91, 0.86, 0.95], "deepbind": [0.80, 0.82, 0.88], "kmer": [0.85, 0.80, 0.90]}
    for preset, tests in aucs.items():
        for experiment, test_auc in zip(EXPERIMENTS[:3], tests):
            folder = make_run(tmp_path, experiment, preset, test_auc=test_auc, validation_auc=test_auc)
            if preset != "kmer":
                metrics = json.loads((folder / "metrics.json").read_text())
                (folder / "metrics.json").write_text(json.dumps({**metrics, **both}))
    report = summarise(collect_runs([tmp_path]))
    deepbind = "deepbind +rc-aug+rc-avg"
    assert {r["b"] for r in report.auto_tests} == {deepbind, "kmer"}
    against_deepbind = next(r for r in report.auto_tests if r["b"] == deepbind)
    expected = stats.ttest_rel(aucs["small-cnn"], aucs["deepbind"])
    assert against_deepbind["n"] == 3 and against_deepbind["p"] == pytest.approx(expected.pvalue)
    baseline_rows = {(r["a"], r["b"]) for r in report.table3_architectures if r["kind"] == "baseline"}
    assert ("CNN", deepbind) in baseline_rows and ("CNN", "kmer") in baseline_rows
    assert (report.best_vs_deepbind["a"], report.best_vs_deepbind["b"]) == ("small-cnn +rc-aug+rc-avg", deepbind)
    assert f"vs {deepbind} on 3 shared experiment(s)" in to_markdown(report)


def test_include_max_option_of_the_command_line(tmp_path, capsys):
    from gdashboard.cli import main

    for experiment in EXPERIMENTS[:3]:
        make_run(tmp_path / "runs", experiment, "small-rnn", test_auc=0.7, validation_auc=0.7)
        make_run(tmp_path / "runs", experiment, "small-rnn", pooling="max", test_auc=0.9, validation_auc=0.9)
    representatives = {}
    for flag in ([], ["--include-max"]):
        out = tmp_path / f"out{len(flag)}"
        assert main(["report", str(tmp_path / "runs"), "--out", str(out), *flag]) == 0
        text = (out / "report.md").read_text()
        representatives[len(flag)] = "small-rnn (max) ×3" in text
    capsys.readouterr()
    assert representatives == {0: False, 1: True}


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
    single = paired_ttest("a", {"e1": 0.9}, "b", {"e1": 0.8})
    assert single["p"] is None and single["higher"] is None  # no test, no winner


def test_unavailable_runs_excluded_and_shown_na(grid, tmp_path):
    root, aucs = grid
    for i, experiment in enumerate(EXPERIMENTS):
        available = i < 2
        make_run(
            root,
            experiment,
            "pwm",
            test_auc=0.75 + 0.1 * i,
            available=available,
            reason=None if available else "no JASPAR motif for the TF",
        )
    report = summarise(collect_runs([root]))
    pwm = next(r for r in report.table2 if r["model"] == "pwm")
    assert pwm["n_experiments"] == 2
    assert pwm["n_unavailable"] == 4
    assert pwm["mean"] == pytest.approx(np.mean([0.75, 0.85]))
    row = next(r for r in report.table3_presets if (r["a"], r["b"]) == ("small-cnn", "pwm"))
    assert row["n"] == 2
    assert report.per_experiment[-1]["pwm"] is None
    md = section(report, "per_experiment").to_markdown()
    assert "n/a" in md and "no JASPAR motif for the TF" in md

    paths = write_report([root], tmp_path / "out")
    rows = read_csv(paths["per_experiment"])
    assert [r["pwm"] for r in rows][2:] == ["n/a"] * 4
    assert float(rows[0]["pwm"]) == pytest.approx(0.75)


def test_write_report_files(grid, tmp_path):
    root, aucs = grid
    paths = write_report([root], tmp_path / "out")
    tables = {"per_experiment", "table2", "table3_architectures", "table3_presets", "auto", "auto_tests"}
    assert set(paths) == {"report", *tables}
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
    best = max(
        ["small-rnn", "small-cnn", "med-cnn", "small-cnn-rnn"], key=lambda m: np.mean([aucs[m, e] for e in EXPERIMENTS])
    )
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
    assert "matches the paper's ranking" in to_markdown(report)


def test_malformed_metrics_names_file_and_line(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "metrics.json").write_text('{\n  "experiment": "x",\n  "preset": oops\n}\n')
    with pytest.raises(InputError) as info:
        collect_runs([folder])
    message = str(info.value)
    assert str(folder / "metrics.json") in message
    assert "line 3" in message and "\n" not in message


def test_a_seed_that_is_not_a_number_or_string_is_a_one_line_error(tmp_path):
    folder = make_run(tmp_path, EXPERIMENTS[0], "small-cnn")
    metrics = json.loads((folder / "metrics.json").read_text())
    (folder / "metrics.json").write_text(json.dumps({**metrics, "seed": [1, 2]}))
    with pytest.raises(InputError, match="'seed' must be a number, a string or null") as info:
        collect_runs([folder])
    assert str(folder / "metrics.json") in str(info.value)


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


# --------------------------------------------------------------------------- Table 4

METHODS_BY_PRESET = {
    "small-cnn": ("saliency", "conv"),
    "med-cnn": ("saliency", "conv"),
    "small-rnn": ("saliency", "temporal"),
    "small-cnn-rnn": ("saliency", "temporal", "conv"),
}


def make_motifs(
    folder,
    experiment,
    preset,
    counts,
    classopt=0,
    seed=1,
    pooling=None,
    in_jaspar=True,
    overlap=0.3,
    of=50,
    chance=None,
):
    """Write ``folder/motifs.json`` as ``gdash motifs`` would; ``counts``: method -> (p, q)."""
    if pooling is None and preset.endswith("rnn"):
        pooling = "mean"
    folder.mkdir(parents=True, exist_ok=True)
    methods = {}
    for method in METHODS_BY_PRESET[preset]:
        matches, matches_q = counts.get(method, (0, 0)) if in_jaspar else (None, None)
        methods[method] = {"matches": matches, "matches_q": matches_q, "of": of}
    methods["classopt"] = {
        "matches": classopt if in_jaspar else None,
        "matches_q": classopt if in_jaspar else None,
        "of": 1,
        "sequence": "ACGT",
        "score": 1.0,
    }
    summary = {
        "experiment": experiment,
        "tf": experiment.split("_")[0],
        "preset": preset,
        "pooling": pooling,
        "seed": seed,
        "jaspar_release": "JASPAR2024",
        "tf_in_jaspar": in_jaspar,
        "tf_motifs": ["MA0001.1 X"] if in_jaspar else [],
        "n_positives": of,
        "p_threshold": 0.05,
        "q_threshold": 0.5,
        "window": 9,
        "methods": methods,
        "saliency_fimo_overlap": overlap if in_jaspar else None,
    }
    if chance is not None:  # files from before the chance count have none
        summary["chance"] = {"matches": chance[0], "matches_q": chance[1], "of": of}
    (folder / "motifs.json").write_text(json.dumps(summary))
    return folder / "motifs.json"


@pytest.fixture
def motif_grid(tmp_path):
    """Four experiments; CNN representative chosen by validation AUC; one TF not in JASPAR."""
    root = tmp_path / "runs"
    rng = np.random.default_rng(1)
    expected = {}  # (experiment, preset) -> counts
    experiments = EXPERIMENTS[:4]
    for i, experiment in enumerate(experiments):
        # small-cnn wins validation on even experiments, med-cnn (better test AUC) on odd.
        validation = {
            "small-cnn": 0.9 if i % 2 == 0 else 0.7,
            "med-cnn": 0.7 if i % 2 == 0 else 0.9,
            "small-rnn": 0.8,
            "small-cnn-rnn": 0.85,
        }
        for preset, val in validation.items():
            run = make_run(root, experiment, preset, test_auc=0.95 - val / 10, validation_auc=val)
            counts = {m: (int(rng.integers(10, 50)), int(rng.integers(0, 10))) for m in METHODS_BY_PRESET[preset]}
            classopt = int(rng.integers(0, 2))
            overlap = float(rng.uniform(0, 1))
            expected[experiment, preset] = (counts, classopt, overlap)
            # Inside the run folder, as `gdash motifs RUN --out RUN/motifs` would put it.
            make_motifs(run / "motifs", experiment, preset, counts, classopt=classopt, overlap=overlap)
    # A TF JASPAR lacks: runs and motifs.json, but no counts.
    lacking = "NOPE_K562_NOPE_USC"
    for preset in ["small-cnn", "small-rnn"]:
        make_run(root, lacking, preset, validation_auc=0.8)
        make_motifs(tmp_path / "motifs" / preset, lacking, preset, {}, in_jaspar=False)
    return root, tmp_path / "motifs", experiments, expected


def test_table4_uses_validation_representatives_and_equals_numpy(motif_grid):
    root, motif_dir, experiments, expected = motif_grid
    runs = collect_runs([root, motif_dir])
    motifs = collect_motif_results([root, motif_dir])
    assert len(motifs) == 4 * 4 + 2
    report = summarise(runs, motifs=motifs)
    rows = {r["architecture"]: r for r in report.table4_architectures}
    cnn_reps = ["small-cnn" if i % 2 == 0 else "med-cnn" for i in range(4)]
    cnn = [expected[e, p] for e, p in zip(experiments, cnn_reps)]
    assert rows["CNN"]["n_experiments"] == 4
    assert rows["CNN"]["representatives"] == "small-cnn ×2, med-cnn ×2"
    assert rows["CNN"]["saliency"] == pytest.approx(np.mean([c["saliency"][0] for c, _, _ in cnn]))
    assert rows["CNN"]["conv_q"] == pytest.approx(np.mean([c["conv"][1] for c, _, _ in cnn]))
    assert rows["CNN"]["temporal"] is None and rows["CNN"]["not_applicable"] == "temporal"
    assert rows["CNN"]["saliency_fimo_overlap"] == pytest.approx(np.mean([o for _, _, o in cnn]))
    assert rows["CNN"]["classopt_matches"] == sum(k for _, k, _ in cnn)
    assert rows["CNN"]["classopt_of"] == 4
    rnn = [expected[e, "small-rnn"] for e in experiments]
    assert rows["RNN"]["temporal"] == pytest.approx(np.mean([c["temporal"][0] for c, _, _ in rnn]))
    assert rows["RNN"]["conv"] is None and rows["RNN"]["not_applicable"] == "conv"
    both = [expected[e, "small-cnn-rnn"] for e in experiments]
    assert rows["CNN-RNN"]["conv"] == pytest.approx(np.mean([c["conv"][0] for c, _, _ in both]))
    assert rows["CNN-RNN"]["not_applicable"] == ""
    # Per model: every experiment where the model has motif results.
    presets = {r["model"]: r for r in report.table4_presets}
    med = [expected[e, "med-cnn"] for e in experiments]
    assert presets["med-cnn"]["saliency"] == pytest.approx(np.mean([c["saliency"][0] for c, _, _ in med]))
    assert presets["med-cnn"]["n_experiments"] == 4

    md = to_markdown(report)
    k = sum(k for _, k, _ in cnn)
    assert f"| CNN | 4 | 50 | {rows['CNN']['saliency']:.1f} | {rows['CNN']['conv']:.1f} | – | {k} of 4 |" in md
    assert "Table 4 at q < 0.5" in md
    assert "Table 4 as published in the paper" in md and "| CNN-RNN | 138.6 | 74.2 | 113.2 | 13 of 57 |" in md
    assert "108 K562 experiments, 57 TFs" in md


def _table4_method_columns(columns):
    """The method columns of a Table 4 Markdown header: between ``positives`` and the chance column."""
    return columns[columns.index("positives") + 1 : columns.index("chance (shuffled windows)")]


def test_table4_columns_are_the_registrys_motif_methods_headings(motif_grid, monkeypatch):
    import dataclasses

    from gdashboard.methods import METHODS, motif_methods

    root, motif_dir, _, _ = motif_grid
    report = summarise(collect_runs([root]), motifs=collect_motif_results([root, motif_dir]))
    headings = [METHODS[name].heading for name in motif_methods()]
    assert headings == ["saliency", "convolution activations", "temporal output", "class optimization"]
    for key in ("table4_architectures", "table4_architectures_q", "table4_presets", "table4_presets_q"):
        assert _table4_method_columns(section(report, key).markdown_columns) == headings, key
    assert section(report, "table4_paper").columns == ["architecture", *headings]
    # The CSV: a mean column per windowed method, matches and n for a method with one motif per model.
    csv_columns = section(report, "table4_architectures").columns
    for name in motif_methods():
        wanted = [name] if METHODS[name].per_sequence else [f"{name}_matches", f"{name}_of"]
        assert set(wanted) <= set(csv_columns), name
    # A renamed heading in the registry renames the column: the report keeps no titles of its own.
    monkeypatch.setitem(METHODS, "saliency", dataclasses.replace(METHODS["saliency"], column="saliency map"))
    columns = section(report, "table4_architectures").markdown_columns
    assert _table4_method_columns(columns) == ["saliency map", *headings[1:]]
    assert "| saliency map |" in section(report, "table4_paper").to_markdown()


def test_table4_chance_column_averages_the_shuffled_window_counts(tmp_path):
    root = tmp_path / "runs"
    chances = {EXPERIMENTS[0]: (12, 1), EXPERIMENTS[1]: (20, 3)}
    for experiment, chance in chances.items():
        run = make_run(root, experiment, "small-cnn", validation_auc=0.9)
        make_motifs(run / "motifs", experiment, "small-cnn", {"saliency": (40, 5)}, chance=chance)
    report = summarise(collect_runs([root]), motifs=collect_motif_results([root]))
    row = {r["architecture"]: r for r in report.table4_architectures}["CNN"]
    assert row["chance"] == pytest.approx(16.0) and row["chance_q"] == pytest.approx(2.0)
    md = to_markdown(report)
    assert "chance (shuffled windows)" in md and "| 16.0 |" in md
    # A count above its total is refused.
    bad = tmp_path / "bad"
    make_motifs(bad, EXPERIMENTS[0], "small-cnn", {}, chance=(51, 0))
    with pytest.raises(InputError, match="chance.matches"):
        collect_motif_results([bad])


def test_table4_notes_temporal_counts_of_mixed_extraction_rules(tmp_path):
    root = tmp_path / "runs"
    for version, experiment in zip((2, 3), EXPERIMENTS):
        run = make_run(root, experiment, "small-rnn", validation_auc=0.9)
        path = make_motifs(run / "motifs", experiment, "small-rnn", {"temporal": (30, 2)}, chance=(3, 0))
        summary = json.loads(path.read_text())
        path.write_text(json.dumps(dict(summary, extraction_version=version)))
    report = summarise(collect_runs([root]), motifs=collect_motif_results([root]))
    assert report.table4_notes["temporal_versions"] == [2, 3]
    assert "Mixed rules: the temporal-output counts come from motif results of extraction versions 2, 3" in to_markdown(
        report
    )


def test_table4_notes_motif_results_of_mixed_jaspar_pseudocounts(tmp_path):
    root = tmp_path / "runs"
    for pseudocount, experiment in zip((None, 0.1), EXPERIMENTS):  # None: before the field
        run = make_run(root, experiment, "small-cnn", validation_auc=0.9)
        path = make_motifs(run / "motifs", experiment, "small-cnn", {"saliency": (30, 2)}, chance=(3, 0))
        if pseudocount is not None:
            path.write_text(json.dumps(dict(json.loads(path.read_text()), jaspar_pseudocount=pseudocount)))
    report = summarise(collect_runs([root]), motifs=collect_motif_results([root]))
    assert report.table4_notes["jaspar_pseudocounts"] == [0.1, 0.8]
    assert (
        "Mixed JASPAR matrices: the motif results compared with JASPAR counts plus pseudocounts 0.1, 0.8"
        in to_markdown(report)
    )
    paths = list(root.glob("*/motifs/motifs.json"))
    assert len(paths) == 2
    for path in paths:  # one pseudocount throughout: no note
        path.write_text(json.dumps(dict(json.loads(path.read_text()), jaspar_pseudocount=0.1)))
    report = summarise(collect_runs([root]), motifs=collect_motif_results([root]))
    assert "Mixed JASPAR matrices" not in to_markdown(report)


def test_table4_excludes_tf_not_in_jaspar_with_note(motif_grid, tmp_path):
    root, motif_dir, experiments, _ = motif_grid
    paths = write_report([root, motif_dir], tmp_path / "out")
    assert {"table4_architectures", "table4_presets"} <= set(paths)
    report = summarise(collect_runs([root]), motifs=collect_motif_results([root, motif_dir]))
    assert report.table4_notes["not_in_jaspar"] == {"NOPE": ["NOPE_K562_NOPE_USC"]}
    assert report.table4_notes["experiments"] == experiments
    md = paths["report"].read_text()
    assert "TFs with no motif in JASPAR2024" in md and "NOPE (1 experiment)" in md
    rows = {r["architecture"]: r for r in read_csv(paths["table4_architectures"])}
    assert rows["CNN"]["n_experiments"] == "4" and rows["RNN"]["n_experiments"] == "4"
    assert rows["CNN"]["temporal"] == ""
    assert float(rows["CNN"]["saliency"]) == report.table4_architectures[0]["saliency"]


def test_table4_names_a_tf_whose_pwm_baseline_found_no_jaspar_motif(motif_grid, tmp_path):
    # No motif analysis has run on this experiment yet; its pwm run already says
    # that JASPAR lacks the TF.
    root, motif_dir, _, _ = motif_grid
    make_run(root, "ZERO_K562_ZERO_USC", "small-cnn", validation_auc=0.8)
    make_run(root, "ZERO_K562_ZERO_USC", "pwm", available=False, reason="JASPAR2024 has no vertebrate motif for ZERO")
    report = summarise(collect_runs([root]), motifs=collect_motif_results([root, motif_dir]))
    assert report.table4_notes["not_in_jaspar"] == {"NOPE": ["NOPE_K562_NOPE_USC"], "ZERO": ["ZERO_K562_ZERO_USC"]}
    assert "ZERO (1 experiment)" in to_markdown(report)


def test_table4_missing_representative_and_unmatched_motifs_are_noted(tmp_path):
    root = tmp_path / "runs"
    e0 = EXPERIMENTS[0]
    make_run(root, e0, "small-cnn", validation_auc=0.9)
    make_run(root, e0, "med-cnn", validation_auc=0.7)
    # Only the non-representative has motifs: it must not stand in for small-cnn.
    make_motifs(tmp_path / "m" / "med", e0, "med-cnn", {"saliency": (30, 5)}, classopt=1)
    make_motifs(tmp_path / "m" / "stray", e0, "small-cnn", {"saliency": (10, 1)}, seed=99)
    report = summarise(collect_runs([root]), motifs=collect_motif_results([tmp_path / "m"]))
    cnn = report.table4_architectures[0]
    assert cnn["n_experiments"] == 0 and cnn["saliency"] is None
    assert report.table4_notes["missing"] == [(e0, "CNN", "small-cnn")]
    assert report.table4_notes["unmatched"] == [str(tmp_path / "m" / "stray" / "motifs.json")]
    assert [r["model"] for r in report.table4_presets] == ["med-cnn"]
    md = to_markdown(report)
    assert "no other preset is substituted" in md and "matching no available run" in md


def test_table4_seeds_are_averaged(tmp_path):
    root = tmp_path / "runs"
    e0 = EXPERIMENTS[0]
    for seed, (sal, opt) in enumerate([(10, 1), (20, 0)]):
        run = make_run(root, e0, "small-cnn", seed=seed)
        make_motifs(run / "motifs", e0, "small-cnn", {"saliency": (sal, 0)}, classopt=opt, seed=seed)
    report = summarise(collect_runs([root]), motifs=collect_motif_results([root]))
    cnn = report.table4_architectures[0]
    assert cnn["saliency"] == pytest.approx(15.0)
    assert cnn["classopt_matches"] == pytest.approx(0.5) and cnn["classopt_of"] == 1
    assert "| 0.5 of 1 |" in section(report, "table4_architectures").to_markdown()


def test_no_motifs_no_table4(grid, tmp_path):
    root, _ = grid
    assert collect_motif_results([root]) == []
    paths = write_report([root], tmp_path / "out")
    assert "table4_architectures" not in paths
    assert "Table 4" not in paths["report"].read_text()
    assert not list((tmp_path / "out").glob("table4*"))


def test_motifs_only_folder_does_not_break_run_discovery(tmp_path):
    run = make_run(tmp_path / "runs", EXPERIMENTS[0], "small-cnn")
    motifs = make_motifs(tmp_path / "motifs_out", EXPERIMENTS[0], "small-cnn", {"saliency": (3, 1)})
    runs = collect_runs([tmp_path / "runs", tmp_path / "motifs_out", motifs])
    assert [r["run_dir"] for r in runs] == [str(run)]
    with pytest.raises(InputError, match="no metrics.json in the paths given"):
        collect_runs([tmp_path / "motifs_out"])


def test_malformed_motifs_names_file(grid, tmp_path):
    root, _ = grid
    bad = tmp_path / "m" / "motifs.json"
    bad.parent.mkdir()
    bad.write_text('{\n  "experiment": "x",\n  oops\n}\n')
    with pytest.raises(InputError) as info:
        write_report([root, tmp_path / "m"], tmp_path / "out")
    message = str(info.value)
    assert str(bad) in message and "line 3" in message and "\n" not in message
    bad.write_text(
        json.dumps({"experiment": "x", "preset": "small-cnn", "methods": {"saliency": {"matches": 600, "of": 500}}})
    )
    with pytest.raises(InputError, match="more than its 'of'") as info:
        collect_motif_results([bad])
    assert info.value.path == str(bad) and "\n" not in str(info.value)
    bad.write_text(json.dumps({"experiment": "x", "preset": "small-cnn"}))
    with pytest.raises(InputError, match="missing key 'methods'"):
        collect_motif_results([tmp_path / "m"])


# --------------------------------------------------------------------------- TF-MoDISco rows


def _patterns_json(experiment, preset, seed, first_rank, cofactors, tf_in_jaspar=True):
    pattern = {
        "name": "pos_patterns.pattern_0",
        "rank": 1,
        "n_seqlets": 40,
        "trim": [0, 2],
        "ppm": {"forward": [[1, 0, 0, 0], [0, 1, 0, 0]]},
        "cwm": {"forward": [[1, 0, 0, 0], [0, 1, 0, 0]]},
        "matches": [{"id": "MA0001.1", "name": "X", "p": 1e-5, "q": 0.01}],
    }
    first = None if first_rank is None else {"rank": first_rank, "name": "pos_patterns.pattern_0", "q": 0.01}
    return {
        "format_version": 1,
        "experiment": experiment,
        "tf": experiment.split("_")[0],
        "preset": preset,
        "seed": seed,
        "attribution": "ism",
        "n_sequences": 400,
        "tf_in_jaspar": tf_in_jaspar,
        "patterns": [pattern],
        "first_tf_pattern": first,
        "cofactors": cofactors,
    }


def test_report_gains_the_modisco_rows_beside_table4(tmp_path):
    import shutil

    from gdashboard.report import write_report
    from gdashboard.report.statistics import pattern_found, pattern_rows

    fixture = Path(__file__).parent / "fixtures" / "report_house" / "runs"
    runs = tmp_path / "runs"
    shutil.copytree(fixture, runs)
    motifs = {(m["experiment"], m["preset"], m["seed"]): m for m in collect_motif_results([runs])}
    key = next(k for k, m in motifs.items() if m["tf_in_jaspar"] and "saliency" in m["methods"])
    experiment, preset, seed = key
    folder = runs / "modisco" / experiment / f"{preset}-seed{seed}"
    folder.mkdir(parents=True)
    (folder / "patterns.json").write_text(json.dumps(_patterns_json(experiment, preset, seed, 2, ["ZEB1", "TCF3"])))
    written = write_report([runs], tmp_path / "report")
    rows = list(csv.DictReader(written["patterns"].open()))
    assert len(rows) == 1 and rows[0]["experiment"] == experiment and rows[0]["first_tf_rank"] == "2"
    assert rows[0]["cofactors"] == "ZEB1;TCF3"
    assert rows[0]["window_matches"] == str(motifs[key]["methods"]["saliency"]["matches"])
    markdown = written["report"].read_text()
    assert "TF-MoDISco patterns beside Table 4" in markdown and "Which method finds the TF's motif" in markdown

    # The windows find the TF when they beat the shuffled windows (one-sided Fisher, p < 0.05).
    result = {**_patterns_json("A_x", "small-cnn", 0, None, []), "model": "small-cnn"}
    window = {
        "experiment": "A_x",
        "model": "small-cnn",
        "seed": 0,
        "methods": {"saliency": {"matches": 300, "of": 400}},
        "chance": {"matches": 30, "of": 400},
    }
    row = pattern_rows([result], [window])[0]
    assert row["windows_find_tf"] is True and row["window_p"] < 1e-50 and row["first_tf_rank"] is None
    level = pattern_rows([result], [{**window, "chance": {"matches": 300, "of": 400}}])[0]
    assert level["windows_find_tf"] is False
    other = {**_patterns_json("B_y", "small-cnn", 0, 1, []), "model": "small-cnn"}
    found = pattern_found(pattern_rows([result, other], [window]))
    assert found == [
        {
            "model": "small-cnn",
            "tfs": 2,
            "modisco_finds": 1,
            "tfs_with_windows": 1,
            "windows_find": 1,
            "modisco_finds_of_those": 0,
        }
    ]


def test_a_rerun_removes_the_tables_it_no_longer_makes_but_never_a_users_file(tmp_path):
    for experiment in EXPERIMENTS[:2]:
        make_run(tmp_path / "runs", experiment, "small-cnn", validation_auc=0.9)
        make_run(tmp_path / "runs", experiment, "small-cnn-rnn", validation_auc=0.8)
        make_run(tmp_path / "runs", experiment, "kmer")
    report = tmp_path / "report"
    assert "auto" in write_report([tmp_path / "runs"], report)
    for folder in (tmp_path / "runs").iterdir():  # one network left: nothing to choose, no auto
        if "small-cnn-rnn" in folder.name:
            for file in folder.iterdir():
                file.unlink()
            folder.rmdir()
    write_report([tmp_path / "runs"], report)
    assert not (report / "auto.csv").exists() and not (report / "auto_tests.csv").exists()
    assert (report / "table2.csv").exists()
    # A folder that holds no report: a file that happens to share a table's name is the user's.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "auto_tests.csv").write_text("my own\n")
    write_report([tmp_path / "runs"], mine)
    assert (mine / "auto_tests.csv").read_text() == "my own\n"
