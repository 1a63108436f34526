"""Saliency maps: known values on a hand-built GATA model, agreement with captum."""

import numpy as np
import pytest
import torch

from gdashboard.explain.saliency import saliency_map, score
from gdashboard.models import build_model
from gdashboard.models.cnn import ConvNet

GATA = "AGATAA"
SITE = 40  # the planted site covers positions 40..45


def one_hot(sequences):
    index = {"A": 0, "C": 1, "G": 2, "T": 3}
    X = torch.zeros(len(sequences), 4, len(sequences[0]))
    for i, sequence in enumerate(sequences):
        for j, base in enumerate(sequence):
            if base in index:
                X[i, index[base], j] = 1.0
    return X


def gata_model():
    """A ConvNet whose only filter is AGATAA: +1 at the consensus base, -1 elsewhere.

    Bias -4: a full match gives 2, one mismatch 0. Logits: (-1, 2) x the global max.
    """
    model = ConvNet(n_filters=1, kernel_sizes=(6,), pool=None, dropout=0.0)
    with torch.no_grad():
        weight = -torch.ones(1, 4, 6)
        weight[0] += 2 * one_hot([GATA])[0]
        model.first_convolution.weight.copy_(weight)
        model.first_convolution.bias.fill_(-4.0)
        model.linear.weight.copy_(torch.tensor([[-1.0], [2.0]]))
        model.linear.bias.zero_()
    return model.eval()


def gata_sequences(n=4, length=101, seed=0):
    rng = np.random.default_rng(seed)
    sequences = []
    while len(sequences) < n:
        background = "".join(rng.choice(list("ACGT"), length))
        if GATA in background:
            continue
        sequences.append(background[:SITE] + GATA + background[SITE + len(GATA):])
    return one_hot(sequences)


def random_one_hot(n, length, seed=0):
    generator = torch.Generator().manual_seed(seed)
    index = torch.randint(0, 4, (n, length), generator=generator)
    return torch.nn.functional.one_hot(index, 4).float().transpose(1, 2).contiguous()


def test_gata_saliency_peaks_on_the_site_with_known_values():
    model, X = gata_model(), gata_sequences()
    saliency, gradient = saliency_map(model, X)
    assert saliency.shape == (4, 101) and gradient.shape == (4, 4, 101)
    assert saliency.dtype == np.float32 and gradient.dtype == np.float32
    site = slice(SITE, SITE + len(GATA))
    assert all(SITE <= i < SITE + len(GATA) for i in saliency.argmax(axis=1))
    # dS+/dX = 2 x the filter inside the site, 0 elsewhere (only that window is the max).
    expected = 2 * model.first_convolution.weight[0].detach().numpy()
    np.testing.assert_allclose(gradient[:, :, site], np.broadcast_to(expected, (4, 4, 6)))
    np.testing.assert_array_equal(np.delete(gradient, np.s_[site], axis=2), 0)
    np.testing.assert_allclose(saliency[:, site], 2.0)
    np.testing.assert_array_equal(np.delete(saliency, np.s_[site], axis=1), 0)


def test_targets_log_odds_and_probability():
    model, X = gata_model(), gata_sequences(n=2)
    weight = model.first_convolution.weight[0].detach().numpy()
    _, gradient = saliency_map(model, X, target="log_odds")
    # (2 - (-1)) x the filter inside the site.
    np.testing.assert_allclose(gradient[:, :, SITE:SITE + 6], np.broadcast_to(3 * weight, (2, 4, 6)))
    _, gradient = saliency_map(model, X, target="probability")
    leaf = X.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(torch.softmax(model(leaf), 1)[:, 1].sum(), leaf)
    np.testing.assert_allclose(gradient, expected.numpy(), atol=1e-7)
    with pytest.raises(ValueError, match="target"):
        saliency_map(model, X, target="loss")


@pytest.mark.parametrize("preset", ["small-cnn", "small-rnn", "small-cnn-rnn"])
def test_agrees_with_captum_saliency(preset):
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


def test_restores_training_mode_and_accumulates_no_parameter_gradients():
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


def test_n_column_has_zero_saliency_and_score_helper():
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
