"""Saliency maps: known values on a hand-built GATA model, agreement with captum."""

import numpy as np
import pytest
import torch

from gdashboard.explain.common import score
from gdashboard.explain.saliency import saliency_map
from gdashboard.models import build_model


def test_gata_saliency_peaks_on_the_site_with_known_values(gata_model, gata_sequences, gata_site):
    model, X = gata_model(), gata_sequences(4)
    saliency, gradient = saliency_map(model, X)
    assert saliency.shape == (4, 101) and gradient.shape == (4, 4, 101)
    assert saliency.dtype == np.float32 and gradient.dtype == np.float32
    site = gata_site
    assert all(site.start <= i < site.stop for i in saliency.argmax(axis=1))
    # dS+/dX = 2 x the filter inside the site, 0 elsewhere (only that window is the max).
    expected = 2 * model.first_convolution.weight[0].detach().numpy()
    np.testing.assert_allclose(gradient[:, :, site], np.broadcast_to(expected, (4, 4, 6)))
    np.testing.assert_array_equal(np.delete(gradient, np.s_[site], axis=2), 0)
    np.testing.assert_allclose(saliency[:, site], 2.0)
    np.testing.assert_array_equal(np.delete(saliency, np.s_[site], axis=1), 0)


def test_targets_log_odds_and_probability(gata_model, gata_sequences, gata_site):
    model, X = gata_model(), gata_sequences(n=2)
    weight = model.first_convolution.weight[0].detach().numpy()
    _, gradient = saliency_map(model, X, target="log_odds")
    # (2 - (-1)) x the filter inside the site.
    np.testing.assert_allclose(gradient[:, :, gata_site], np.broadcast_to(3 * weight, (2, 4, 6)))
    _, gradient = saliency_map(model, X, target="probability")
    leaf = X.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(torch.softmax(model(leaf), 1)[:, 1].sum(), leaf)
    np.testing.assert_allclose(gradient, expected.numpy(), atol=1e-7)
    with pytest.raises(ValueError, match="target"):
        saliency_map(model, X, target="loss")


@pytest.mark.parametrize("preset", ["small-cnn", "small-rnn", "small-cnn-rnn"])
def test_agrees_with_captum_saliency(preset, random_one_hot):
    from captum.attr import Saliency

    torch.manual_seed(0)
    model = build_model(preset).eval()
    X = random_one_hot(6, 101, seed=1)
    saliency, gradient = saliency_map(model, X, batch_size=4)
    leaf = X.clone().requires_grad_(True)  # captum warns when it has to set this itself
    theirs = Saliency(model).attribute(leaf, target=1, abs=False).detach().numpy()
    np.testing.assert_allclose(gradient, theirs, atol=1e-6, rtol=0)
    absolute = Saliency(model).attribute(leaf, target=1).detach().numpy()  # captum's |gradient|
    np.testing.assert_allclose(saliency, (absolute * X.numpy()).sum(axis=1), atol=1e-6, rtol=0)


def test_restores_training_mode_and_accumulates_no_parameter_gradients(random_one_hot):
    torch.manual_seed(0)
    model = build_model("small-cnn").train()
    model.linear.bias.requires_grad_(False)  # a user's frozen parameter stays frozen
    X = random_one_hot(5, 64)
    saliency, gradient = saliency_map(model, X, batch_size=2)
    assert model.training and all(module.training for module in model.modules())
    assert all(parameter.grad is None for parameter in model.parameters())
    assert [p.requires_grad for p in model.parameters()] == [True] * 5 + [False]
    # Dropout was off: the same as in eval mode, whatever the batching.
    again, again_gradient = saliency_map(model.eval(), X.numpy(), batch_size=5)
    assert not model.training
    np.testing.assert_allclose(saliency, again, atol=1e-7)
    np.testing.assert_allclose(gradient, again_gradient, atol=1e-7)


def test_n_column_has_zero_saliency_and_score_helper(random_one_hot):
    torch.manual_seed(0)
    model = build_model("small-cnn").eval()
    X = random_one_hot(2, 50)
    X[0, :, 10] = 0.0
    saliency, gradient = saliency_map(model, X)
    assert saliency[0, 10] == 0 and np.abs(gradient[0, :, 10]).sum() > 0
    logits = torch.tensor([[1.0, 3.0]])
    assert score(logits).item() == 3.0
    assert score(logits, "log_odds").item() == 2.0
    assert score(logits, "probability").item() == pytest.approx(1 / (1 + np.exp(-2)))
