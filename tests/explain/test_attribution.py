"""Integrated gradients (against captum) and DeepLIFT/SHAP (via tangermeme)."""

import numpy as np
import pytest
import torch

from gdashboard.explain.attribution import (
    deep_lift_model,
    deep_lift_shap,
    integrated_gradients,
    quadrature,
    shuffled_references,
)
from gdashboard.explain.common import score
from gdashboard.models import build_model


def positive_logit(model, X):
    with torch.no_grad():
        return model.eval()(torch.as_tensor(X, dtype=torch.float32))[:, 1].numpy()


def test_gata_integrated_gradients_on_the_site(gata_model, gata_sequences, gata_site):
    model, X = gata_model(), gata_sequences(3)
    attribution = integrated_gradients(model, X, n_steps=50)
    site = gata_site
    # Only the site's window is ever the max along the path 0 -> X.
    assert np.abs(np.delete(attribution, np.s_[site], axis=2)).max() == 0
    per_position = attribution.sum(axis=1)
    assert all(site.start <= i < site.stop for i in per_position.argmax(axis=1))
    # The filter's window passes the ReLU for alpha > 2/3, where dS+/dX = 2 at
    # each consensus base: the attribution there is 2 x the weight of those nodes.
    alphas, weights = quadrature(50)
    expected = 2 * weights[alphas > 2 / 3].sum()
    present = X[:, :, site].numpy() == 1
    np.testing.assert_allclose(attribution[:, :, site][present], expected, rtol=1e-5)
    # Completeness, S+(X) - S+(0) = 2 x 2, up to the quadrature's error at the kink.
    np.testing.assert_allclose(attribution.sum(axis=(1, 2)), 4.0, rtol=0.05)


@pytest.mark.parametrize("preset", ["small-cnn", "small-rnn", "small-cnn-rnn"])
@pytest.mark.parametrize("method", ["gausslegendre", "riemann_trapezoid"])
def test_agrees_with_captum_integrated_gradients(preset, method, random_one_hot):
    from captum.attr import IntegratedGradients

    torch.manual_seed(0)
    model = build_model(preset).eval()
    X = random_one_hot(4, 101, seed=2)
    ours = integrated_gradients(model, X, n_steps=16, method=method, batch_size=40)
    theirs = (
        IntegratedGradients(model)
        .attribute(X, baselines=torch.zeros_like(X), target=1, n_steps=16, method=method)
        .detach()
        .numpy()
    )
    np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=0)
    assert all(parameter.requires_grad and parameter.grad is None for parameter in model.parameters())


def test_shuffle_baseline_is_the_seeded_dinucleotide_shuffle(random_one_hot):
    from captum.attr import IntegratedGradients

    from gdashboard.data.shuffle import dinucleotide_shuffle

    torch.manual_seed(0)
    model = build_model("small-cnn").eval()
    X = random_one_hot(3, 80, seed=5)
    baseline = dinucleotide_shuffle(X, seed=7)
    torch.testing.assert_close(shuffled_references(X, 1, seed=7)[:, 0], baseline)
    ours = integrated_gradients(model, X, baseline="shuffle", seed=7, n_steps=32)
    theirs = IntegratedGradients(model).attribute(X, baselines=baseline, target=1, n_steps=32)
    np.testing.assert_allclose(ours, theirs.detach().numpy(), atol=1e-5, rtol=0)
    # Several shuffles: the average of the single-baseline attributions.
    several = integrated_gradients(model, X, baseline="shuffle", seed=7, n_steps=8, n_shuffles=3)
    references = shuffled_references(X, 3, seed=7)
    mean = np.mean([integrated_gradients(model, X, baseline=references[:, k], n_steps=8) for k in range(3)], axis=0)
    np.testing.assert_allclose(several, mean, atol=1e-6)


@pytest.mark.parametrize("baseline", ["zeros", "shuffle"])
def test_hypothetical_integrated_gradients(baseline, random_one_hot):
    torch.manual_seed(0)
    model = build_model("small-cnn").eval()
    X = random_one_hot(3, 60, seed=4)
    ordinary = integrated_gradients(model, X, baseline=baseline, n_steps=8)
    hypothetical = integrated_gradients(model, X, baseline=baseline, n_steps=8, hypothetical=True)
    # At the base present: the ordinary attribution summed over channels.
    np.testing.assert_allclose((hypothetical * X.numpy()).sum(axis=1), ordinary.sum(axis=1), atol=1e-6)
    if baseline == "zeros":
        # From the all-zero baseline: the path-averaged gradient of every base,
        # which the ordinary attribution shows at the base present.
        np.testing.assert_allclose(hypothetical * X.numpy(), ordinary, atol=1e-6)
        assert np.abs(hypothetical * (1 - X.numpy())).max() > 0


def test_deep_lift_shap_convergence_on_small_cnn_and_deepbind(random_one_hot):
    X = random_one_hot(3, 101, seed=6)
    for preset in ("small-cnn", "deepbind"):
        torch.manual_seed(0)
        model = build_model(preset).eval()
        attribution, references = deep_lift_shap(model, X, n_shuffles=8, seed=1, return_references=True)
        assert attribution.shape == X.shape and references.shape == (3, 8, 4, 101)
        expected = positive_logit(model, X) - positive_logit(model, references.reshape(-1, 4, 101)).reshape(3, 8).mean(
            axis=1
        )
        np.testing.assert_allclose(attribution.sum(axis=(1, 2)), expected, atol=1e-5)
        # Non-hypothetical attributions live on the bases present only.
        assert np.all(attribution[X.numpy() == 0] == 0)


def test_deep_lift_wrappers_compute_the_models_score(random_one_hot):
    X = random_one_hot(3, 101, seed=7)
    for preset in ("small-cnn", "med-cnn", "deepbind"):
        torch.manual_seed(0)
        model = build_model(preset).eval()
        for target in ("logit", "log_odds"):
            with torch.no_grad():
                wrapped = deep_lift_model(model, target)(X)
                assert wrapped.shape == (3, 1)
                torch.testing.assert_close(wrapped[:, 0], score(model(X), target))


def test_gata_deep_lift_on_the_site_and_n_columns(gata_model, gata_sequences, gata_site):
    X = gata_sequences(n=2)
    X[1, :, 90] = 0.0  # an N far from the site
    attribution = deep_lift_shap(gata_model(), X, n_shuffles=10)
    per_position = attribution.sum(axis=1)
    assert all(gata_site.start <= i < gata_site.stop for i in per_position.argmax(axis=1))


def test_deep_lift_refuses_recurrent_models(random_one_hot):
    torch.manual_seed(0)
    with pytest.raises(ValueError, match="recurrent") as error:
        deep_lift_shap(build_model("small-rnn"), random_one_hot(1, 50))
    assert "\n" not in str(error.value)
    with pytest.raises(ValueError):
        deep_lift_shap(build_model("small-cnn-rnn"), random_one_hot(1, 50))
