import pytest
import torch

from gdashboard.models import build_model
from gdashboard.models.dropout import Dropout, shard_generator


def test_shard_generator_makes_masks_repeatable_and_scales_like_nn_dropout():
    dropout = Dropout(0.5).train()
    X = torch.ones(4000)
    with shard_generator(torch.Generator().manual_seed(7)):
        first = dropout(X)
    with shard_generator(torch.Generator().manual_seed(7)):
        again = dropout(X)
    with shard_generator(torch.Generator().manual_seed(8)):
        other = dropout(X)
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert set(first.unique().tolist()) == {0.0, 2.0}  # kept units scaled by 1 / (1 - p)
    assert 0.45 < float((first > 0).float().mean()) < 0.55


def test_outside_a_shard_and_in_eval_it_is_nn_dropout():
    dropout = Dropout(0.5).train()
    torch.manual_seed(3)
    ours = dropout(torch.ones(100))
    torch.manual_seed(3)
    assert torch.equal(ours, torch.nn.Dropout(0.5).train()(torch.ones(100)))
    with shard_generator(torch.Generator().manual_seed(1)):
        assert torch.equal(dropout.eval()(torch.ones(10)), torch.ones(10))


@pytest.mark.parametrize("preset", ["large-rnn", "large-cnn-rnn"])
def test_layer_by_layer_lstm_equals_nn_lstm(preset):
    torch.manual_seed(0)
    model = build_model(preset).eval()
    inputs = model.encode(torch.nn.functional.one_hot(torch.randint(0, 4, (5, 30)), 4).transpose(1, 2).float())
    expected = model.lstm(inputs)[0]
    torch.testing.assert_close(model.run_lstm(inputs, layerwise=True), expected, rtol=1e-6, atol=1e-6)


def test_layer_by_layer_training_path_equals_nn_lstm_with_gradients():
    # Train mode, dropout off everywhere: the layer-by-layer path (taken in
    # training) and nn.LSTM must give the same outputs and weight gradients.
    torch.manual_seed(0)
    model = build_model("large-rnn").train()
    model.between_layers.p = 0.0
    model.lstm.dropout = 0.0
    inputs = model.encode(torch.nn.functional.one_hot(torch.randint(0, 4, (6, 25)), 4).transpose(1, 2).float())
    weights = list(model.lstm.parameters())
    ours = model.run_lstm(inputs, layerwise=True)
    theirs = model.lstm(inputs)[0]
    torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=1e-6)
    grad_ours = torch.autograd.grad(ours.square().sum(), weights)
    grad_theirs = torch.autograd.grad(theirs.square().sum(), weights)
    for a, b in zip(grad_ours, grad_theirs):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
