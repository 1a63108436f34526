import pytest
import torch

from gdashboard.models import NEURAL_PRESETS, build_model
from gdashboard.models.catalogue import PRESETS
from gdashboard.models.presets import model_kwargs
from gdashboard.results import load_model, save_model


@pytest.mark.parametrize("preset", NEURAL_PRESETS)
@pytest.mark.parametrize("length", [101, 60])
def test_output_shape(preset, length):
    torch.manual_seed(0)
    model = build_model(preset).eval()
    logits = model(torch.rand(3, 4, length))
    assert logits.shape == (3, 2)
    assert torch.isfinite(logits).all()


def test_table1_layers():
    small = build_model("small-cnn")
    convolutions = [m for m in small.modules() if isinstance(m, torch.nn.Conv1d)]
    assert [c.kernel_size[0] for c in convolutions] == [9, 5]
    assert all(c.out_channels == 64 for c in convolutions)
    large = build_model("large-cnn")
    assert [c.kernel_size[0] for c in large.modules() if isinstance(c, torch.nn.Conv1d)] == [9, 5, 3, 3]
    rnn = build_model("large-rnn")
    assert rnn.lstm.num_layers == 2 and rnn.lstm.bidirectional and rnn.lstm.hidden_size == 32
    cnn_rnn = build_model("small-cnn-rnn")
    assert cnn_rnn.first_convolution.out_channels == 128 and cnn_rnn.first_convolution.kernel_size == (9,)
    # "same" padding keeps the length for the LSTM
    assert cnn_rnn.encode(torch.rand(2, 4, 101)).shape == (2, 101, 128)
    assert build_model("large-cnn-rnn").encode(torch.rand(2, 4, 101)).shape == (2, 26, 128)


def test_forget_gate_bias_is_one():
    model = build_model("small-rnn")
    h = model.hidden_size
    for name, parameter in model.lstm.named_parameters():
        if name.startswith("bias_ih"):
            assert torch.all(parameter[h : 2 * h] == 1.0)
        if name.startswith("bias_hh"):
            assert torch.all(parameter[h : 2 * h] == 0.0)


def test_mean_and_max_pooling_differ():
    torch.manual_seed(0)
    mean = build_model("small-rnn")
    maximum = build_model("small-rnn", pooling="max")
    maximum.load_state_dict(mean.state_dict())
    X = torch.rand(2, 4, 50)
    outputs, _ = mean.lstm(mean.encode(X))
    assert torch.allclose(mean.pool(outputs), outputs.mean(1))
    assert torch.allclose(maximum.pool(outputs), outputs.amax(1))
    with pytest.raises(ValueError):
        build_model("small-rnn", pooling="sum")


@pytest.mark.parametrize("preset", ["small-cnn", "large-cnn-rnn", "deepbind"])
def test_save_load_round_trip(tmp_path, preset):
    torch.manual_seed(0)
    model = build_model(preset).eval()
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in model_kwargs(preset).items()}
    save_model(model, tmp_path, {"preset": preset, "model_class": PRESETS[preset].model_class, "model_kwargs": kwargs})
    assert (tmp_path / "model.safetensors").exists() and (tmp_path / "config.json").exists()
    loaded = load_model(tmp_path)
    X = torch.rand(4, 4, 101)
    assert torch.equal(model(X), loaded(X))
    assert not loaded.training


def test_a_max_pooled_run_reloads_max_pooled(tmp_path):
    torch.manual_seed(0)
    model = build_model("small-rnn", pooling="max").eval()
    kwargs = model_kwargs("small-rnn", pooling="max")
    save_model(model, tmp_path, {"preset": "small-rnn", "model_class": "RecurrentNet", "model_kwargs": kwargs})
    loaded = load_model(tmp_path)
    assert loaded.pooling == "max"
    X = torch.rand(3, 4, 40)
    assert torch.equal(model(X), loaded(X))


def test_damaged_run_folders_are_one_line_input_errors(tmp_path):
    from gdashboard.errors import InputError

    torch.manual_seed(0)
    model = build_model("small-cnn").eval()
    config = {"preset": "small-cnn", "model_class": "ConvNet", "model_kwargs": model_kwargs("small-cnn")}
    config["model_kwargs"]["kernel_sizes"] = list(config["model_kwargs"]["kernel_sizes"])
    save_model(model, tmp_path, config)
    weights = (tmp_path / "model.safetensors").read_bytes()
    (tmp_path / "model.safetensors").write_bytes(weights[: len(weights) // 2])
    with pytest.raises(InputError, match="cannot read the weights"):
        load_model(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(weights)
    config["model_kwargs"]["n_filters"] = 32  # the weights hold 64 filters
    import json

    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match="do not fit"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_bytes(b"\xff\xfe not text")
    with pytest.raises(InputError, match="UTF-8"):
        load_model(tmp_path)
