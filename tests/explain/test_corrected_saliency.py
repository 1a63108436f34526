"""Gradient-corrected saliency: exact against a linear model's known gradient, blind to the
off-simplex part of the gradient (the paper's point), and the same map through every door."""

import numpy as np
import pytest
import torch
from torch import nn

from gdashboard.explain.corrected_saliency import (
    corrected_gradient,
    explain_corrected_saliency,
    hypothetical_corrected_saliency,
)
from gdashboard.explain.run import explain
from gdashboard.explain.saliency import saliency_map
from gdashboard.methods import SaliencyOptions, get_method

SITE = 40  # tests/explain/conftest.py plants AGATAA at 40..45


class Linear(nn.Module):
    """Logits (0, Σ W ⊙ X + b): the positive logit's input gradient is W, everywhere."""

    def __init__(self, weight: torch.Tensor, bias: float = 0.0):
        super().__init__()
        self.weight = nn.Parameter(weight.clone())
        self.bias = nn.Parameter(torch.tensor(bias))

    def forward(self, X):
        positive = (X * self.weight).sum(dim=(1, 2)) + self.bias
        return torch.stack([torch.zeros_like(positive), positive], dim=1)


def _one_hot(n, length, seed=0):
    index = torch.randint(0, 4, (n, length), generator=torch.Generator().manual_seed(seed))
    return nn.functional.one_hot(index, 4).float().transpose(1, 2).contiguous()


def test_it_is_the_gradient_minus_its_mean_over_the_bases_times_the_input():
    weight = torch.randn(4, 12, generator=torch.Generator().manual_seed(1))
    X = _one_hot(5, 12)
    expected = (weight - weight.mean(dim=0, keepdim=True)).expand(5, 4, 12)
    np.testing.assert_allclose(corrected_gradient(Linear(weight), X), expected.numpy(), rtol=0, atol=1e-6)
    arrays = explain_corrected_saliency(Linear(weight), X, SaliencyOptions())
    np.testing.assert_allclose(arrays["attribution"], (expected * X).numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(arrays["gradient"].sum(axis=1), 0.0, atol=1e-6)  # on the simplex's plane


def test_an_off_simplex_shift_of_the_weights_changes_saliency_but_not_the_corrected_map():
    # Adding c[t] to all four bases' weights at position t, and Σ c to nothing else, moves every
    # one-hot input's score by the same Σ c: remove it through the bias and the model is the same
    # function on DNA. Its plain gradient changes; the corrected one must not.
    weight = torch.randn(4, 12, generator=torch.Generator().manual_seed(2))
    shift = torch.randn(12, generator=torch.Generator().manual_seed(3)) * 5
    same = Linear(weight + shift, bias=-float(shift.sum()))
    X = _one_hot(7, 12, seed=4)
    with torch.no_grad():
        torch.testing.assert_close(Linear(weight)(X), same(X), rtol=0, atol=1e-5)
    plain_before, plain_after = saliency_map(Linear(weight), X)[1], saliency_map(same, X)[1]
    assert np.abs(plain_before - plain_after).max() > 1.0
    np.testing.assert_allclose(corrected_gradient(Linear(weight), X), corrected_gradient(same, X), atol=1e-5)


def test_an_n_column_has_no_attribution_but_keeps_its_hypothetical_contributions():
    weight = torch.randn(4, 12, generator=torch.Generator().manual_seed(5))
    X = _one_hot(2, 12)
    X[:, :, 3] = 0  # an N
    arrays = explain_corrected_saliency(Linear(weight), X, SaliencyOptions())
    assert np.all(arrays["attribution"][:, :, 3] == 0)
    hypothetical = hypothetical_corrected_saliency(Linear(weight), X, SaliencyOptions())
    np.testing.assert_array_equal(hypothetical, arrays["gradient"])
    assert np.abs(hypothetical[:, :, 3]).sum() > 0


def test_through_the_registry_it_equals_the_function_and_respects_the_target(gata_model, gata_sequences):
    model, X = gata_model(), gata_sequences(4)
    record = get_method("corrected_saliency")
    assert record.keys == ("attribution", "gradient") and "differentiable" in record.requires
    for target in ("logit", "log_odds"):
        arrays = explain(model, X, "corrected_saliency", {"target": target})
        np.testing.assert_array_equal(arrays["gradient"], corrected_gradient(model, X, target=target))
    with pytest.raises(ValueError, match="takes no option"):
        explain(model, X, "corrected_saliency", {"n_steps": 3})


def test_the_planted_gata_site_carries_the_corrected_attribution(gata_model, gata_sequences):
    from gdashboard.methods import position_score

    model, X = gata_model(), gata_sequences(6)
    arrays = explain(model, X, "corrected_saliency")
    score = position_score("corrected_saliency", arrays, X.numpy())
    site = slice(SITE, SITE + len("AGATAA"))  # where conftest plants the GATA model's site
    inside = score[:, site]
    outside = np.delete(score, np.s_[site], axis=1)
    assert np.all(inside.sum(axis=1) > 0) and np.all(np.abs(outside).max(axis=1) < inside.max(axis=1))
