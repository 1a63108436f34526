import json
from dataclasses import replace

import numpy as np
import pytest
import torch

from gdashboard.models import build_model
from gdashboard.models.catalogue import Recipe
from gdashboard.results import load_model
from gdashboard.runs import train_run
from gdashboard.train import FitSetup, fit, learning_rate_at
from gdashboard.train_options import TrainOptions


def test_learning_rate_schedules():
    step = Recipe(learning_rate=1e-2, schedule="step", step_epochs=10, epochs=50)
    assert learning_rate_at(step, 0) == 1e-2
    assert learning_rate_at(step, 10.5) == 5e-3
    assert learning_rate_at(step, 25) == 2.5e-3
    warm = Recipe(learning_rate=1e-2, warmup_epochs=2, schedule="cosine", epochs=12)
    assert learning_rate_at(warm, 1) < 1e-2 / 2 + 1e-4
    assert learning_rate_at(warm, 2) == pytest.approx(1e-2)
    assert learning_rate_at(warm, 12) == pytest.approx(0.0, abs=1e-12)


@pytest.fixture(scope="module")
def presence_only(tmp_path_factory):
    """Simulated data whose negatives hold one site alone: presence decides."""
    from gdashboard.data.simulate import simulate, write_simulation

    out = tmp_path_factory.mktemp("GATA1_presence")
    write_simulation(simulate(n=1600, seed=2, negative_mix={"gata-only": 0.5, "ebox-only": 0.5}), out)
    return out


@pytest.mark.slow
def test_small_cnn_learns_simulated_data(presence_only, tmp_path):
    # A small set has few batches per epoch: smaller batches and a higher rate
    # give the optimiser enough steps within a test's time.
    # The forward strand, where the simulated sites sit: this test is the plain recipe's
    # (validation AUC below is the network's own, as its history records it).
    options = TrainOptions(epochs=15, batch_size=64, learning_rate=3e-3, rc_augment=False, rc_average=False)
    metrics = train_run(
        presence_only / "train.tsv", presence_only / "test.tsv", "small-cnn", tmp_path / "run", options, progress=False
    )
    assert metrics["test_auc"] > 0.9
    for name in ("config.json", "model.safetensors", "metrics.json", "history.jsonl", "test_predictions.tsv"):
        assert (tmp_path / "run" / name).exists(), name
    assert not (tmp_path / "run" / "checkpoint.safetensors").exists()
    history = [json.loads(line) for line in (tmp_path / "run" / "history.jsonl").read_text().splitlines()]
    assert len(history) == metrics["epochs_run"]
    # the kept weights are the best validation epoch's
    assert metrics["validation_auc"] == max(h["validation_auc"] for h in history)
    assert history[metrics["best_epoch"] - 1]["validation_auc"] == metrics["validation_auc"]


def test_mean_pooled_small_rnn_learns_with_its_preset_recipe(presence_only, tmp_path):
    # The paper's BiLSTM with outputs averaged over time, the preset's rate and
    # input initialisation; batch 64 for enough steps on a small set. With
    # PyTorch's default initialisation (input_init_scale=1) the same run stays
    # on the plateau (test AUC about 0.6), so this guards the recipe.
    options = TrainOptions(epochs=12, batch_size=64, restarts=0)
    metrics = train_run(
        presence_only / "train.tsv", presence_only / "test.tsv", "small-rnn", tmp_path / "run", options, progress=False
    )
    assert load_model(tmp_path / "run").pooling == "mean"
    assert metrics["test_auc"] > 0.9


def _toy_problem(seed=0, n=256, length=40):
    generator = torch.Generator().manual_seed(seed)
    codes = torch.randint(0, 4, (n, length), generator=generator)
    labels = np.arange(n) % 2
    codes[labels == 1, 10:16] = torch.tensor([0, 2, 0, 3, 0, 0])  # AGATAA
    X = torch.nn.functional.one_hot(codes, 4).permute(0, 2, 1).float()
    return X, labels


def test_fit_is_seeded_and_repeatable():
    X, y = _toy_problem()
    results = []
    for _ in range(2):
        torch.manual_seed(3)
        model = build_model("small-cnn")
        fit(model, X, y, X[:64], y[:64], Recipe(epochs=2, batch_size=64), seed=3, progress=False)
        results.append(model.state_dict())
    for key in results[0]:
        assert torch.equal(results[0][key], results[1][key]), key


@pytest.mark.parametrize(
    "recipe",
    [
        Recipe(epochs=4, batch_size=64, patience=10),
        # the recurrent presets' kind: a rate halved on a schedule, no stop before a minimum
        Recipe(epochs=4, batch_size=64, patience=1, learning_rate=1e-2, schedule="step", step_epochs=1, min_epochs=4),
    ],
    ids=["constant", "step-schedule"],
)
def test_resume_continues_from_saved_epoch(tmp_path, recipe):
    X, y = _toy_problem()

    torch.manual_seed(0)
    whole = build_model("small-cnn")
    whole_result = fit(whole, X, y, X[:64], y[:64], recipe, seed=0, progress=False)

    # Interrupt after two epochs: train with epochs=2 into a checkpoint folder ...
    torch.manual_seed(0)
    first = build_model("small-cnn")
    fit(
        first,
        X,
        y,
        X[:64],
        y[:64],
        replace(recipe, epochs=2),
        seed=0,
        setup=FitSetup(checkpoint_dir=tmp_path, history_path=tmp_path / "history.jsonl"),
        progress=False,
    )
    state = json.loads((tmp_path / "checkpoint.json").read_text())
    assert state["epoch"] == 1  # 0-based: two epochs done
    # An interruption after the history line but before the checkpoint leaves an
    # extra line: resuming rewrites the history from the checkpoint.
    with open(tmp_path / "history.jsonl", "a") as handle:
        handle.write(json.dumps({"epoch": 3, "validation_auc": 0.0}) + "\n")

    # ... then resume in a fresh model: epochs 3 and 4 only, same result as uninterrupted.
    torch.manual_seed(123)
    resumed = build_model("small-cnn")
    result = fit(
        resumed,
        X,
        y,
        X[:64],
        y[:64],
        recipe,
        seed=0,
        setup=FitSetup(checkpoint_dir=tmp_path, resume=True, history_path=tmp_path / "history.jsonl"),
        progress=False,
    )
    assert [h["epoch"] for h in result.history] == [1, 2, 3, 4]
    lines = (tmp_path / "history.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3, 4]
    assert result.best_epoch == whole_result.best_epoch
    assert [h["learning_rate"] for h in result.history] == [h["learning_rate"] for h in whole_result.history]
    for key, value in whole.state_dict().items():
        assert torch.allclose(value, resumed.state_dict()[key], atol=1e-6), key


def test_a_run_resumed_elsewhere_records_every_device_that_trained_it(tmp_path):
    from gdashboard.evaluate import pick_device
    from gdashboard.train import device_description

    X, y = _toy_problem()
    recipe = Recipe(epochs=3, batch_size=64, patience=10)
    here = device_description(pick_device())
    first = fit(
        build_model("small-cnn"),
        X,
        y,
        X[:64],
        y[:64],
        replace(recipe, epochs=2),
        seed=0,
        setup=FitSetup(checkpoint_dir=tmp_path),
        progress=False,
    )
    assert first.devices == [here]
    # As if those two epochs had run on a GPU machine and the run came back here.
    state = _checkpoint_state(tmp_path)
    assert state["devices"] == [here] and json.loads((tmp_path / "checkpoint.json").read_text()) == state
    state["devices"] = ["cuda (Some GPU), torch 2.11.0"]
    _rewrite_checkpoint_state(tmp_path, state)
    resumed = fit(
        build_model("small-cnn"),
        X,
        y,
        X[:64],
        y[:64],
        recipe,
        seed=0,
        setup=FitSetup(checkpoint_dir=tmp_path, resume=True),
        progress=False,
    )
    assert resumed.devices == ["cuda (Some GPU), torch 2.11.0", here]


def test_train_run_refuses_to_overwrite(simulated, tmp_path):
    from gdashboard.errors import InputError

    train_run(simulated / "train.tsv", simulated / "test.tsv", "pwm", tmp_path / "run", progress=False)
    with pytest.raises(InputError, match="already holds a finished run"):
        train_run(simulated / "train.tsv", simulated / "test.tsv", "pwm", tmp_path / "run", progress=False)


def _without_dropout(model):
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
        if isinstance(module, torch.nn.LSTM):
            module.dropout = 0.0
    return model


@pytest.mark.parametrize("preset", ["small-cnn", "large-rnn"])
def test_shard_gradients_equal_the_whole_batch_gradient(preset):
    from gdashboard.train import batch_gradients

    X, y = _toy_problem(n=64)
    y = torch.as_tensor(y)
    torch.manual_seed(0)
    model = _without_dropout(build_model(preset)).train()
    parameters = list(model.parameters())
    whole = torch.autograd.grad(torch.nn.functional.cross_entropy(model(X), y), parameters)
    loss = batch_gradients(model, parameters, X, y, seeds=[1, 2, 3])
    expected_loss = torch.nn.functional.cross_entropy(model(X), y, reduction="sum")
    assert float(loss) == pytest.approx(float(expected_loss.detach()), rel=1e-5)
    for parameter, expected in zip(parameters, whole):
        torch.testing.assert_close(parameter.grad, expected, rtol=1e-5, atol=1e-6)


def test_shard_gradients_of_gathered_rows_clamped_elementwise():
    from gdashboard.train import batch_gradients

    X, y = _toy_problem(n=64)
    y = torch.as_tensor(y)
    torch.manual_seed(0)
    model = _without_dropout(build_model("small-cnn")).train()
    parameters = list(model.parameters())
    index = torch.randperm(64)[:40]
    whole = torch.autograd.grad(torch.nn.functional.cross_entropy(model(X[index]), y[index]), parameters)
    clip = 0.5 * float(torch.cat([g.abs().flatten() for g in whole]).median())  # clamps about half
    whole = [gradient.clamp(-clip, clip) for gradient in whole]  # what clip_grad_value_ does
    before = torch.get_num_threads()
    torch.set_num_threads(2)  # the two shards gather and compute in two threads
    try:
        batch_gradients(model, parameters, X, y, seeds=[1, 2], index=index, clip_value=clip)
    finally:
        torch.set_num_threads(before)
    clamped = 0
    for parameter, expected in zip(parameters, whole):
        torch.testing.assert_close(parameter.grad, expected, rtol=1e-5, atol=1e-6)
        clamped += int((parameter.grad.abs() == clip).sum())
    assert clamped > 100


@pytest.mark.parametrize("preset", ["small-cnn", "large-rnn"])
def test_training_gives_the_same_model_with_one_or_two_threads(preset):
    # Shards run in parallel threads with two, in order with one; dropout
    # draws from each shard's own seeded generator, so the seed alone decides.
    X, y = _toy_problem(n=192)
    before = torch.get_num_threads()
    results = []
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            torch.manual_seed(5)
            model = build_model(preset)
            fit(model, X, y, X[:64], y[:64], Recipe(epochs=2, batch_size=64, patience=10), seed=5, progress=False)
            results.append(model.state_dict())
    finally:
        torch.set_num_threads(before)
    for key in results[0]:
        assert torch.equal(results[0][key], results[1][key]), key


def test_early_stopping_waits_for_min_epochs():
    X, y = _toy_problem(n=128)
    torch.manual_seed(0)
    # A learning rate of 0 never improves on epoch 1: patience 1 alone stops at epoch 2.
    result = fit(
        build_model("small-cnn"),
        X,
        y,
        X[:64],
        y[:64],
        Recipe(epochs=8, batch_size=64, learning_rate=0.0, patience=1, min_epochs=5),
        progress=False,
    )
    assert result.epochs_run == 5 and result.best_epoch == 1
    result = fit(
        build_model("small-cnn"),
        X,
        y,
        X[:64],
        y[:64],
        Recipe(epochs=8, batch_size=64, learning_rate=0.0, patience=1),
        progress=False,
    )
    assert result.epochs_run == 2


def test_a_run_that_has_not_learned_is_restarted_from_new_seeds(tmp_path, monkeypatch):
    import gdashboard.runs as runs
    from gdashboard.runs import restart_seed

    # One sequence repeated with both labels: nothing to learn. Whether its validation AUC
    # lands at or below the not-learned line depends on how the CPU rounds identical rows
    # of a batch (1 ulp apart at alternating rows on some kernels gives 0.0 or 1.0, not
    # 0.5), so the line is raised to "anything short of perfect": every attempt restarts.
    monkeypatch.setattr(runs, "NOT_LEARNED_AUC", 1.0)
    rows = ["sequence\tlabel"] + [f"ACGTTGCAAGGCTTACGATC\t{i % 2}" for i in range(80)]
    (tmp_path / "same.tsv").write_text("\n".join(rows) + "\n")
    data = tmp_path / "same.tsv"
    metrics = train_run(data, data, "small-cnn", tmp_path / "run", TrainOptions(epochs=1), progress=False)
    assert [a["seed"] for a in metrics["attempts"]] == [0, restart_seed(0, 1), restart_seed(0, 2)]
    assert len({a["seed"] for a in metrics["attempts"]}) == 3
    aucs = [a["validation_auc"] for a in metrics["attempts"]]
    assert metrics["kept_attempt"] == aucs.index(max(aucs))  # the best by validation, the first of ties
    assert [a["history"] for a in metrics["attempts"]] == [
        "history.jsonl",
        "restart-1/history.jsonl",
        "restart-2/history.jsonl",
    ]
    for attempt in metrics["attempts"]:
        assert (tmp_path / "run" / attempt["history"]).read_text().count("\n") == 1
    assert not list((tmp_path / "run").rglob("checkpoint*"))
    once = train_run(data, data, "small-cnn", tmp_path / "once", TrainOptions(epochs=1, restarts=0), progress=False)
    assert "attempts" not in once and "kept_attempt" not in once


def test_an_interrupted_restart_resumes_to_the_same_result(tmp_path, monkeypatch):
    import gdashboard.runs as runs

    rows = ["sequence\tlabel"] + [f"ACGTTGCAAGGCTTACGATC\t{i % 2}" for i in range(80)]
    (tmp_path / "same.tsv").write_text("\n".join(rows) + "\n")
    data = tmp_path / "same.tsv"
    two_epochs = TrainOptions(epochs=2)
    whole = train_run(data, data, "small-cnn", tmp_path / "whole", two_epochs, progress=False)

    real_fit, calls = runs.fit, []

    def interrupted_after_the_first_restart(*args, **kwargs):
        result = real_fit(*args, **kwargs)
        calls.append(kwargs["setup"].checkpoint_dir)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return result

    monkeypatch.setattr(runs, "fit", interrupted_after_the_first_restart)
    with pytest.raises(KeyboardInterrupt):
        train_run(data, data, "small-cnn", tmp_path / "run", two_epochs, progress=False)
    assert not (tmp_path / "run" / "metrics.json").exists()
    assert (tmp_path / "run" / "restart-1" / "checkpoint.json").exists()
    monkeypatch.setattr(runs, "fit", real_fit)
    resumed = train_run(data, data, "small-cnn", tmp_path / "run", two_epochs, resume=True, progress=False)
    drop = ("train_seconds", "predict_seconds")
    assert {k: v for k, v in resumed.items() if k not in drop} == {k: v for k, v in whole.items() if k not in drop}
    assert resumed["trained_on"].startswith("cuda (" if torch.cuda.is_available() else "cpu, torch ")
    for attempt in resumed["attempts"]:  # each attempt's history whole, not repeated
        assert (tmp_path / "run" / attempt["history"]).read_text().count("\n") == 2


def test_an_interrupted_run_resumes_only_with_the_strands_it_began_with(tmp_path, monkeypatch):
    import gdashboard.runs as runs
    from gdashboard.errors import InputError

    rows = ["sequence\tlabel"] + [f"ACGTTGCAAGGCTTACGATC\t{i % 2}" for i in range(80)]
    data = tmp_path / "same.tsv"
    data.write_text("\n".join(rows) + "\n")
    real_fit = runs.fit

    def interrupted(*args, **kwargs):
        real_fit(*args, **kwargs)
        raise KeyboardInterrupt

    forward = TrainOptions(epochs=2, rc_augment=False, rc_average=False)
    both = TrainOptions(epochs=2)  # the networks' default
    monkeypatch.setattr(runs, "fit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train_run(data, data, "small-cnn", tmp_path / "run", forward, progress=False)
    monkeypatch.setattr(runs, "fit", real_fit)
    assert _checkpoint_state(tmp_path / "run")["run_options"] == {"rc_augment": False, "rc_average": False}
    # Both strands are the default: resuming without asking for the forward strand would
    # finish a forward-strand run on both strands; it is refused, naming the options.
    with pytest.raises(InputError, match="interrupted run with rc_augment False, not True; rc_average False, not True"):
        train_run(data, data, "small-cnn", tmp_path / "run", both, resume=True, progress=False)
    # A checkpoint from before the options were recorded: resumed only when told which strands.
    state = _checkpoint_state(tmp_path / "run")
    del state["run_options"]
    _rewrite_checkpoint_state(tmp_path / "run", state)
    with pytest.raises(InputError, match="begun before its strand options were recorded"):
        train_run(data, data, "small-cnn", tmp_path / "run", both, resume=True, progress=False)
    metrics = train_run(data, data, "small-cnn", tmp_path / "run", forward, resume=True, progress=False)
    assert "rc_augment" not in metrics and "rc_average" not in metrics
    # Finished, it is the run asked for only with its own options too.
    with pytest.raises(InputError, match="finished run with rc_augment False, not True; rc_average False, not True"):
        train_run(data, data, "small-cnn", tmp_path / "run", both, resume=True, progress=False)


def _checkpoint_state(folder):
    from safetensors import safe_open

    with safe_open(str(folder / "checkpoint.safetensors"), framework="pt") as handle:
        return json.loads(handle.metadata()["state"])


def _rewrite_checkpoint_state(folder, state):
    from safetensors.torch import load_file, save_file

    tensors = load_file(str(folder / "checkpoint.safetensors"))
    save_file(tensors, str(folder / "checkpoint.safetensors"), metadata={"state": json.dumps(state)})


def test_a_kill_between_the_checkpoints_two_files_resumes_exactly(tmp_path):
    """The weights and the counters of a checkpoint are one file: a process killed after the
    tensors were renamed into place but before checkpoint.json was rewritten (a stale copy
    from the epoch before) resumes exactly as if never stopped."""
    import shutil

    X, y = _toy_problem()
    recipe = Recipe(epochs=4, batch_size=64, patience=10)
    torch.manual_seed(0)
    whole = build_model("small-cnn")
    fit(whole, X, y, X[:64], y[:64], recipe, seed=0, progress=False)

    torch.manual_seed(0)
    fit(
        build_model("small-cnn"),
        X,
        y,
        X[:64],
        y[:64],
        replace(recipe, epochs=1),
        seed=0,
        setup=FitSetup(checkpoint_dir=tmp_path),
        progress=False,
    )
    shutil.copy(tmp_path / "checkpoint.json", tmp_path / "epoch1.json")
    torch.manual_seed(0)
    fit(
        build_model("small-cnn"),
        X,
        y,
        X[:64],
        y[:64],
        replace(recipe, epochs=2),
        seed=0,
        setup=FitSetup(checkpoint_dir=tmp_path, resume=True),
        progress=False,
    )
    shutil.copy(tmp_path / "epoch1.json", tmp_path / "checkpoint.json")  # the stale copy
    resumed = build_model("small-cnn")
    resuming = FitSetup(checkpoint_dir=tmp_path, resume=True)
    result = fit(resumed, X, y, X[:64], y[:64], recipe, seed=0, setup=resuming, progress=False)
    assert [h["epoch"] for h in result.history] == [1, 2, 3, 4]
    for key, value in whole.state_dict().items():
        assert torch.allclose(value, resumed.state_dict()[key], atol=1e-6), key


def test_a_gkmsvm_run_learns_and_scores_the_same_once_read_back(tmp_path):
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.runs import predict_file

    # Negatives hold one site alone: the presence of both (which k-mers see) decides.
    write_simulation(simulate(n=500, seed=5, negative_mix={"gata-only": 0.5, "ebox-only": 0.5}), tmp_path / "data")
    data = tmp_path / "data"
    metrics = train_run(data / "train.tsv", data / "test.tsv", "gkmsvm", tmp_path / "run", progress=False)
    assert metrics["available"] and metrics["test_auc"] > 0.8
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["baseline"]["n_fit"] == config["n_train"] and not config["baseline"]["subsampled"]
    dataset, scores = predict_file(tmp_path / "run", data / "test.tsv")
    saved = np.loadtxt(tmp_path / "run" / "test_predictions.tsv", skiprows=1, usecols=2, delimiter="\t")
    np.testing.assert_allclose(scores, saved, rtol=1e-5, atol=1e-6)  # the file keeps 6 digits


# config.json of a small-rnn run trained, before TrainOptions, with
# train_run(..., seed=2, epochs=1, pooling="max", learning_rate=2e-3, batch_size=32, weight_decay=1e-5,
# schedule="cosine", warmup_epochs=1, patience=3, validation_fraction=0.2, restarts=0, rc_augment=True,
# rc_average=False, model_options={"hidden_size": 8}) on simulate(n=300, seed=4); other code and
# older runs read these keys and values.
RECORDED_CONFIG = {
    "format_version": 1,
    "preset": "small-rnn",
    "architecture": "RNN",
    "experiment": "GATA1_golden",
    "tf": "GATA1",
    "sequence_length": 101,
    "seed": 2,
    "train_file": "GATA1_golden/train.tsv",
    "test_file": "GATA1_golden/test.tsv",
    "validation_fraction": 0.2,
    "n_train": 192,
    "n_validation": 48,
    "n_test": 60,
    "n_shuffled_negatives": 0,
    "model_class": "RecurrentNet",
    "model_kwargs": {"hidden_size": 8, "n_layers": 1, "input_init_scale": 16.0, "pooling": "max"},
    "recipe": {
        "learning_rate": 0.002,
        "epochs": 1,
        "batch_size": 32,
        "warmup_epochs": 1,
        "schedule": "cosine",
        "step_epochs": 10,
        "clip_value": 5.0,
        "weight_decay": 1e-05,
        "patience": 3,
        "min_epochs": 20,
        "rc_augment": True,
    },
}


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    from gdashboard.data.simulate import simulate, write_simulation

    root = tmp_path_factory.mktemp("golden")
    write_simulation(simulate(n=300, seed=4), root / "GATA1_golden")
    return root


def test_train_options_record_the_config_that_keywords_did(golden, monkeypatch):
    from gdashboard.results import data_reference

    # As gdash train builds them from its flags (--seed 2 --epochs 1 --pooling max --lr 0.002 ...).
    options = TrainOptions.from_mapping(
        {
            "seed": 2,
            "epochs": 1,
            "pooling": "max",
            "learning_rate": 2e-3,
            "batch_size": 32,
            "weight_decay": 1e-5,
            "schedule": "cosine",
            "warmup_epochs": 1,
            "patience": 3,
            "validation_fraction": 0.2,
            "restarts": 0,
            "rc_augment": True,
            "rc_average": False,
            "model_options": {"hidden_size": 8},
        }
    )
    monkeypatch.chdir(golden)
    train_run("GATA1_golden/train.tsv", "GATA1_golden/test.tsv", "small-rnn", "run", options, progress=False)
    config = json.loads((golden / "run" / "config.json").read_text())
    data = config.pop("data")
    assert config == RECORDED_CONFIG and list(config) == list(RECORDED_CONFIG)
    # Where the files are from the run folder, where they were, and their digest.
    assert data == {kind: data_reference(f"GATA1_golden/{kind}.tsv", golden / "run") for kind in ("train", "test")}
    assert data["test"]["relative"] == "../GATA1_golden/test.tsv"
    assert data["test"]["absolute"] == str(golden / "GATA1_golden" / "test.tsv")


def test_train_options_refuse_an_unknown_option_by_name():
    with pytest.raises(ValueError, match=r"unknown training option 'learning_rat'; choose among .*learning_rate"):
        TrainOptions.from_mapping({"learning_rat": 1e-3})
    assert TrainOptions.from_mapping(None) == TrainOptions()


def test_an_ensemble_moved_with_its_runs_and_data_finds_its_test_file(golden, tmp_path):
    import shutil

    from gdashboard.ensemble import make_ensemble
    from gdashboard.results import open_run

    root = tmp_path / "before"
    shutil.copytree(golden / "GATA1_golden", root / "GATA1_golden")
    data = root / "GATA1_golden"
    for seed in (0, 1):
        options = TrainOptions(seed=seed, epochs=1, restarts=0, rc_augment=False, rc_average=False)
        train_run(
            data / "train.tsv", data / "test.tsv", "small-cnn", root / "runs" / f"seed{seed}", options, progress=False
        )
    metrics = make_ensemble([root / "runs" / "seed0", root / "runs" / "seed1"], root / "ensembles" / "both")
    config = json.loads((root / "ensembles" / "both" / "config.json").read_text())
    # The members' references, from the ensemble's own folder: the same files and digests.
    member = json.loads((root / "runs" / "seed0" / "config.json").read_text())
    assert config["data"]["test"]["relative"] == "../../GATA1_golden/test.tsv"
    assert config["data"]["test"]["sha256"] == member["data"]["test"]["sha256"]
    assert config["test_file"] == member["test_file"] == str(data / "test.tsv")
    moved = tmp_path / "after"
    shutil.move(root, moved)
    ensemble = open_run(moved / "ensembles" / "both")
    assert ensemble.data_file("test") == moved / "ensembles" / "both" / "../../GATA1_golden/test.tsv"
    again = make_ensemble([moved / "runs" / "seed0", moved / "runs" / "seed1"], moved / "ensembles" / "again")
    assert again["test_auc"] == metrics["test_auc"]
