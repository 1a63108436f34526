"""Averaged models: both strands (the reverse complement, the strand-averaged model and its
explanations, training on both strands, runs that record both) and seed ensembles."""

import json
import shutil

import numpy as np
import pytest
import torch

from gdashboard.data import one_hot_encode, reverse_complement
from gdashboard.explain.ism import in_silico_mutagenesis
from gdashboard.explain.saliency import saliency_map
from gdashboard.explain.temporal import temporal_output_scores, temporal_output_scores_naive
from gdashboard.models import build_model
from gdashboard.models.averaged import SeedEnsemble, StrandAverage, averaged_explanation, unwrap
from gdashboard.models.catalogue import model_folder, model_label, model_order

torch.set_num_threads(1)


def random_one_hot(n, length, seed):
    rng = np.random.default_rng(seed)
    return one_hot_encode(["".join(row) for row in rng.choice(list("ACGT"), size=(n, length))])


@pytest.fixture(scope="module")
def cnn():
    torch.manual_seed(0)
    return StrandAverage(build_model("small-cnn")).eval()


@pytest.fixture(scope="module")
def rnn():
    torch.manual_seed(1)
    return StrandAverage(build_model("small-cnn-rnn")).eval()


def test_reverse_complement_of_one_hot_sequences():
    assert torch.equal(reverse_complement(one_hot_encode(["AACGTN", "GATTAC"])), one_hot_encode(["NACGTT", "GTAATC"]))
    X = random_one_hot(3, 20, 0)
    assert torch.equal(reverse_complement(reverse_complement(X)), X)


def test_a_strand_averaged_model_scores_a_sequence_and_its_reverse_complement_alike(cnn):
    X = random_one_hot(16, 101, 1)
    with torch.no_grad():
        forward, other = cnn(X), cnn(reverse_complement(X))
        network = unwrap(cnn)
        expected = (network(X) + network(reverse_complement(X))) / 2
    assert torch.equal(forward, other)
    torch.testing.assert_close(forward, expected)
    assert unwrap(cnn) is cnn.network and cnn.first_convolution is cnn.network.first_convolution


def test_its_saliency_is_the_mean_of_both_strands_mapped_back(cnn):
    X = random_one_hot(8, 101, 2)
    _, gradient = saliency_map(cnn, X)
    _, forward = saliency_map(unwrap(cnn), X)
    _, other = saliency_map(unwrap(cnn), reverse_complement(X))
    np.testing.assert_allclose(gradient, (forward + other[:, ::-1, ::-1]) / 2, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("which", ["cnn", "rnn"])
def test_its_ism_through_each_strands_shortcut_equals_the_full_ism_of_the_average(which, request):
    model = request.getfixturevalue(which)
    X = random_one_hot(3, 60, 3)
    shortcut = in_silico_mutagenesis(model, X)  # each strand through the network's exact shortcut
    full = in_silico_mutagenesis(model, X, fast=False)  # every mutant through the wrapper itself
    np.testing.assert_allclose(shortcut, full, rtol=1e-4, atol=1e-5)
    # A mutation's effect on the averaged score is the same read from either strand.
    other = in_silico_mutagenesis(model, reverse_complement(X))
    np.testing.assert_allclose(shortcut, other[:, ::-1, ::-1], rtol=1e-4, atol=1e-5)


def test_its_temporal_scores_are_strand_symmetric(rnn):
    X = random_one_hot(4, 60, 4)
    forward, backward = temporal_output_scores(rnn, X)
    other_forward, other_backward = temporal_output_scores(rnn, reverse_complement(X))
    # The other strand's prefixes are this strand's suffixes.
    np.testing.assert_allclose(forward, other_backward[:, ::-1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(backward, other_forward[:, ::-1], rtol=1e-5, atol=1e-6)
    single_forward, _ = temporal_output_scores(unwrap(rnn), X)
    assert not np.allclose(forward, single_forward)  # both strands, not one


def test_average_strands_leaves_a_plain_model_alone():
    torch.manual_seed(2)
    network = build_model("small-cnn").eval()
    X = random_one_hot(2, 50, 5)
    np.testing.assert_array_equal(
        averaged_explanation(in_silico_mutagenesis, network, X), in_silico_mutagenesis(network, X)
    )


def test_labels_and_folders_of_the_strand_options():
    assert model_label("small-cnn", None, rc_augment=True, rc_average=True) == "small-cnn +rc-aug+rc-avg"
    assert model_folder("small-rnn", "max", rc_average=True) == "small-rnn-max-rc-avg"
    assert model_label("small-cnn", None) == "small-cnn"
    labels = ["small-cnn +rc-aug", "small-rnn", "small-cnn", "small-rnn (max)"]
    assert sorted(labels, key=model_order) == ["small-rnn", "small-rnn (max)", "small-cnn", "small-cnn +rc-aug"]


def test_training_on_both_strands_puts_each_sequence_and_its_reverse_complement_in_one_batch(monkeypatch):
    import gdashboard.train as train
    from gdashboard.models.catalogue import Recipe

    seen = []
    original = train.batch_gradients

    def recording(model, parameters, X, y, seeds, index, **options):
        seen.append((X[index].clone(), y[index].clone()))
        return original(model, parameters, X, y, seeds, index=index, **options)

    monkeypatch.setattr(train, "batch_gradients", recording)
    X = random_one_hot(40, 30, 6)
    y = np.arange(40) % 2
    torch.manual_seed(3)
    recipe = Recipe(epochs=1, batch_size=16, rc_augment=True)
    result = train.fit(build_model("small-cnn"), X, y, X[:10], y[:10], recipe, seed=0, progress=False)
    assert len(seen) == 3  # 40 sequences in batches of 16: both strands ride along
    for batch, labels in seen:
        half = len(batch) // 2
        assert torch.equal(batch[half:], reverse_complement(batch[:half]))
        assert torch.equal(labels[half:], labels[:half])
    assert sum(len(batch) for batch, _ in seen) == 80
    assert result.history[0]["train_loss"] < 1.0  # a mean over 80 examples, not a sum over 40


def test_a_run_on_both_strands_records_them_and_scores_both(tmp_path):
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.errors import InputError
    from gdashboard.results import open_run
    from gdashboard.runs import predict_file, train_run
    from gdashboard.train_options import TrainOptions

    write_simulation(simulate(n=400, seed=7), tmp_path / "data")
    data = tmp_path / "data"
    options = TrainOptions(epochs=2, rc_augment=True, rc_average=True)
    metrics = train_run(data / "train.tsv", data / "test.tsv", "small-cnn", tmp_path / "run", options, progress=False)
    assert metrics["rc_augment"] and metrics["rc_average"]
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["recipe"]["rc_augment"] and config["rc_average"]
    run = open_run(tmp_path / "run")
    assert run.label == "small-cnn +rc-aug+rc-avg"
    model = run.model()
    assert isinstance(model, StrandAverage)
    dataset, scores = predict_file(tmp_path / "run", data / "test.tsv")
    saved = np.loadtxt(tmp_path / "run" / "test_predictions.tsv", skiprows=1, usecols=2, delimiter="\t")
    np.testing.assert_allclose(scores, saved, rtol=1e-5, atol=1e-5)
    with torch.no_grad():
        np.testing.assert_array_equal(model(dataset.X).numpy(), model(reverse_complement(dataset.X)).numpy())
    # --resume finds the run asked for only with the same strand options; both strands are
    # the default, so asking nothing finds it too.
    two_epochs = TrainOptions(epochs=2)
    resumed = train_run(data / "train.tsv", data / "test.tsv", "small-cnn", tmp_path / "run", two_epochs, resume=True)
    assert resumed == metrics
    forward = TrainOptions(epochs=2, rc_augment=False, rc_average=False)
    with pytest.raises(InputError, match="rc_average True, not False|rc_augment True, not False"):
        train_run(data / "train.tsv", data / "test.tsv", "small-cnn", tmp_path / "run", forward, resume=True)
    with pytest.raises(InputError, match="apply to neural presets"):
        train_run(data / "train.tsv", data / "test.tsv", "kmer", tmp_path / "kmer", TrainOptions(rc_average=True))


# ----------------------------------------------------------------------------- seed ensembles


def test_an_ensemble_scores_and_explains_as_the_mean_of_its_members():
    torch.manual_seed(4)
    members = [build_model("small-cnn-rnn").eval(), StrandAverage(build_model("small-cnn-rnn")).eval()]
    ensemble = SeedEnsemble(members).eval()
    X = random_one_hot(3, 60, 8)
    with torch.no_grad():
        torch.testing.assert_close(ensemble(X), (members[0](X) + members[1](X)) / 2)
    # ISM: each member through its own shortcut, then the mean.
    ism = in_silico_mutagenesis(ensemble, X)
    np.testing.assert_allclose(ism, in_silico_mutagenesis(ensemble, X, fast=False), rtol=1e-4, atol=1e-5)
    # Temporal scores are the deployed model's probabilities (the softmax of the members'
    # mean prefix logits), so the whole sequence's is the ensemble's own prediction.
    forward, backward = temporal_output_scores(ensemble, X)
    naive_forward, naive_backward = temporal_output_scores_naive(ensemble, X)
    np.testing.assert_allclose(forward, naive_forward, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(backward, naive_backward, rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        predicted = torch.softmax(ensemble(X), dim=1)[:, 1].numpy()
    np.testing.assert_allclose(forward[:, -1], predicted, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(backward[:, 0], predicted, rtol=1e-5, atol=1e-6)
    _, gradient = saliency_map(ensemble, X)
    expected = (saliency_map(members[0], X)[1] + saliency_map(members[1], X)[1]) / 2
    np.testing.assert_allclose(gradient, expected, rtol=1e-5, atol=1e-6)
    assert unwrap(ensemble) is members[0] and ensemble.lstm is members[0].lstm
    with pytest.raises(ValueError, match="at least two"):
        SeedEnsemble(members[:1])


def test_gdash_ensemble_makes_one_model_of_several_seeds(tmp_path, capsys):
    from gdashboard.cli import main
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.report import summarise
    from gdashboard.results import collect_runs, open_run
    from gdashboard.runs import predict_file, train_run
    from gdashboard.train_options import TrainOptions

    write_simulation(simulate(n=400, seed=9), tmp_path / "data")
    data = tmp_path / "data"
    runs = []
    for seed in (0, 1, 2):
        folder = tmp_path / "runs" / f"small-cnn-seed{seed}"
        options = TrainOptions(seed=seed, epochs=2)
        train_run(data / "train.tsv", data / "test.tsv", "small-cnn", folder, options, progress=False)
        runs.append(folder)
    out = tmp_path / "ensembles" / "small-cnn"
    assert main(["ensemble", *map(str, runs), "--out", str(out)]) == 0
    assert "ensemble of 3" in capsys.readouterr().out
    ensemble = open_run(out)
    # Both strands are the default, so its members, and it, read both.
    assert ensemble.label == "small-cnn +rc-aug+rc-avg+ensemble" and ensemble.seed == "0+1+2"
    assert not (out / "model.safetensors").exists()  # the members' weights stay where they are
    dataset, scores = predict_file(out, data / "test.tsv")
    member_scores = [predict_file(run, data / "test.tsv")[1] for run in runs]
    np.testing.assert_allclose(scores, np.mean(member_scores, axis=0), rtol=1e-5, atol=1e-5)
    metrics = json.loads((out / "metrics.json").read_text())
    members = [json.loads((run / "metrics.json").read_text()) for run in runs]
    assert metrics["validation_auc"] == pytest.approx(np.mean([m["validation_auc"] for m in members]))
    # The report takes it as one more model beside the seed mean of its members.
    report = summarise(collect_runs([tmp_path / "runs", tmp_path / "ensembles"]))
    assert report.models == ["small-cnn +rc-aug+rc-avg", "small-cnn +rc-aug+rc-avg+ensemble"]
    # Members must differ only in their seed; a member moved away is named.
    assert main(["ensemble", str(runs[0]), str(runs[0]), "--out", str(tmp_path / "same")]) == 1
    assert "share a seed" in capsys.readouterr().err
    assert main(["ensemble", str(runs[0]), "--out", str(tmp_path / "one")]) == 1
    # ... not in how they were trained: a run of another learning rate is another model.
    other = tmp_path / "runs" / "small-cnn-seed3-lr"
    shutil.copytree(runs[1], other)
    config = json.loads((other / "config.json").read_text())
    config["seed"], config["recipe"]["learning_rate"] = 3, 0.5
    (other / "config.json").write_text(json.dumps(config))
    assert main(["ensemble", str(runs[0]), str(other), "--out", str(tmp_path / "mixed")]) == 1
    error = capsys.readouterr().err
    assert "recipe differs" in error and "learning_rate 0.5, not " in error and "small-cnn-seed3-lr" in error
    assert not (tmp_path / "mixed").exists()
    # The epoch limit alone is no other recipe: early stopping, not the limit, ends most runs.
    config["recipe"]["learning_rate"] = json.loads((runs[1] / "config.json").read_text())["recipe"]["learning_rate"]
    config["recipe"]["epochs"] = 99
    (other / "config.json").write_text(json.dumps(config))
    assert main(["ensemble", str(runs[0]), str(other), "--out", str(tmp_path / "limits")]) == 0
    shutil.rmtree(other)
    (runs[2] / "config.json").rename(runs[2] / "config.moved")
    with pytest.raises(Exception, match="is gone"):
        open_run(out).model()
