"""In-silico mutagenesis: known values on a GATA model, equality with a naive loop."""

import numpy as np
import pytest
import torch

from gdashboard.explain.common import score
from gdashboard.explain.ism import in_silico_mutagenesis
from gdashboard.models import build_model


def naive_ism(model, X, target="logit"):
    """One forward pass per substitution."""
    model.eval()
    out = np.zeros(X.shape, np.float32)
    with torch.no_grad():
        for i in range(len(X)):
            reference = score(model(X[i : i + 1]), target).item()
            for position in range(X.shape[2]):
                for base in range(4):
                    if X[i, base, position] == 1:
                        continue
                    mutant = X[i : i + 1].clone()
                    mutant[0, :, position] = 0
                    mutant[0, base, position] = 1
                    out[i, base, position] = score(model(mutant), target).item() - reference
    return out


def test_gata_ism_hits_the_site_with_known_values(gata_model, gata_sequences, gata_site):
    X = gata_sequences(3)
    effect = in_silico_mutagenesis(gata_model(), X)
    assert effect.shape == X.shape and effect.dtype == np.float32
    site = gata_site
    # Any substitution inside the site drops the filter from 2 to 0: S+ falls by 4.
    inside = effect[:, :, site]
    np.testing.assert_allclose(inside[X[:, :, site].numpy() == 0], -4.0)
    np.testing.assert_array_equal(inside[X[:, :, site].numpy() == 1], 0.0)
    magnitude = np.abs(effect).sum(axis=1)
    assert all(site.start <= i < site.stop for i in magnitude.argmax(axis=1))
    assert np.abs(np.delete(effect, np.s_[site], axis=2)).max() == 0


@pytest.mark.parametrize(
    "preset,kwargs",
    [
        ("small-cnn", {}),
        ("small-rnn", {}),
        ("small-cnn-rnn", {}),
        ("small-rnn", {"pooling": "max"}),
        ("deepbind", {}),
    ],
)
def test_equals_a_naive_loop(preset, kwargs, random_one_hot):
    torch.manual_seed(0)
    model = build_model(preset, **kwargs).eval()
    # Odd length (the ceil-mode pools' partial last window) and an N column.
    X = random_one_hot(2, 67, seed=3)
    X[1, :, 5] = 0.0
    expected = naive_ism(model, X)
    fast = in_silico_mutagenesis(model, X, batch_size=100)
    np.testing.assert_allclose(fast, expected, atol=1e-6, rtol=0)
    assert np.all(fast[1, :, 5] != 0)  # all four bases substituted at the N
    plain = in_silico_mutagenesis(model, X, batch_size=37, fast=False)
    np.testing.assert_allclose(plain, expected, atol=1e-6, rtol=0)


@pytest.mark.parametrize("length", [64, 101])
def test_convnet_shortcut_at_other_lengths_and_targets(length, random_one_hot):
    torch.manual_seed(1)
    model = build_model("med-cnn").eval()
    X = random_one_hot(2, length, seed=4)
    for target in ("log_odds", "probability"):
        fast = in_silico_mutagenesis(model, X, target=target)
        plain = in_silico_mutagenesis(model, X, target=target, fast=False)
        np.testing.assert_allclose(fast, plain, atol=1e-6, rtol=0)


def test_restores_mode(random_one_hot):
    torch.manual_seed(0)
    model = build_model("small-rnn").train()
    X = random_one_hot(1, 20)
    effect = in_silico_mutagenesis(model, X)
    assert model.training
    np.testing.assert_allclose(effect, naive_ism(model, X), atol=1e-6)
