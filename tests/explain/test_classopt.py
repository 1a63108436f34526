import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gdashboard.data.onehot import ALPHABET, one_hot_encode
from gdashboard.explain.classopt import class_optimize, logo_probabilities
from gdashboard.models import build_model

MOTIF = "AGATAA"


def motif_weights(motif: str, width: int | None = None, offset: int = 0) -> torch.Tensor:
    """A (4, width) filter: +1 on the motif's bases, -1/3 on the other bases of its columns.

    Columns sum to zero, so a uniform random X excites the filter about as often
    as not: the ReLU is not dead at the start and the ascent has a gradient. (With
    -1 on the other bases every window of a uniform [0, 1) X starts negative.)
    """
    width = width or len(motif)
    weights = torch.zeros(4, width)
    for j, base in enumerate(motif):
        weights[:, offset + j] = -1 / 3
        weights[ALPHABET.index(base), offset + j] = 1.0
    return weights


class GataNet(nn.Module):
    """One GATA filter, ReLU, global max, and logit+ = activation, logit- = -activation."""

    def __init__(self):
        super().__init__()
        self.convolution = nn.Conv1d(4, 1, len(MOTIF))
        self.linear = nn.Linear(1, 2)
        with torch.no_grad():
            self.convolution.weight.copy_(motif_weights(MOTIF)[None])
            self.convolution.bias.zero_()
            self.linear.weight.copy_(torch.tensor([[-1.0], [1.0]]))
            self.linear.bias.zero_()

    def forward(self, X):
        return self.linear(torch.relu(self.convolution(X)).amax(dim=-1))

    @property
    def first_convolution(self):
        return self.convolution


def test_recovers_the_filters_motif():
    model = GataNet()
    result = class_optimize(model, 24, steps=100, restarts=4, seed=0)
    assert MOTIF in result.sequence
    assert result.matrix.shape == (4, 24)
    assert result.all_matrices.shape == (4, 4, 24)
    assert result.all_scores.shape == (4,) and result.all_objectives.shape == (4,)
    # The best restart is the one with the highest objective.
    assert result.best == int(np.argmax(result.all_objectives))
    np.testing.assert_array_equal(result.matrix, result.all_matrices[result.best])
    # Every restart finds the motif somewhere, and scores the exact match (6).
    assert all(MOTIF in s for s in result.all_sequences)
    np.testing.assert_allclose(result.all_scores, 6.0, atol=1e-5)


def test_larger_l2_gives_a_smaller_norm():
    model = GataNet()
    norms = [
        np.linalg.norm(class_optimize(model, 20, l2=l2, steps=150, restarts=2).matrix) for l2 in (0.0, 0.009, 0.1, 1.0)
    ]
    assert norms[0] > norms[1] > norms[2] > norms[3]
    # Strong lambda: X is pulled close to 0 (the optimum is w / (2 lambda) on
    # the motif window, 0 elsewhere).
    assert norms[3] < 3.0


def test_batched_restarts_equal_restarts_run_alone():
    model = GataNet()
    batched = class_optimize(model, 25, steps=100, restarts=3, seed=7)
    for r in range(3):
        alone = class_optimize(model, 25, steps=100, restarts=1, seed=7 + r)
        np.testing.assert_allclose(batched.all_matrices[r], alone.matrix, atol=1e-5)
        assert batched.all_sequences[r] == alone.sequence
        assert batched.all_objectives[r] == pytest.approx(alone.objective, abs=1e-4)


@pytest.mark.parametrize("preset", ["small-cnn", "small-rnn"])
def test_batched_restarts_equal_alone_on_presets(preset):
    # In float64 the batch and the loop agree to rounding over many steps. (In
    # float32, batched and single-row kernels round differently, and over
    # hundreds of steps a max-pool tie can flip and the paths drift apart.)
    torch.manual_seed(0)
    model = build_model(preset).double()
    batched = class_optimize(model, 20, steps=30, restarts=2, seed=3)
    for r in range(2):
        alone = class_optimize(model, 20, steps=30, restarts=1, seed=3 + r)
        np.testing.assert_allclose(batched.all_matrices[r], alone.matrix, atol=1e-6)
        assert batched.all_sequences[r] == alone.sequence


def test_probabilities_follow_the_documented_normalization():
    model = GataNet()
    result = class_optimize(model, 20, steps=50, restarts=2)
    np.testing.assert_allclose(result.probabilities.sum(axis=0), 1.0, atol=1e-6)
    clamped = np.clip(result.matrix, 0, 1)
    expected = clamped / clamped.max() + 0.01
    expected /= expected.sum(axis=0, keepdims=True)
    np.testing.assert_allclose(result.probabilities, expected, rtol=1e-6)
    # An all-negative matrix has nothing to scale: every position is uniform.
    np.testing.assert_allclose(logo_probabilities(-np.ones((4, 3))), 0.25)
    # Hand-worked column: clamp [2, 0.5, -1, 0] -> [1, .5, 0, 0], /1, +.01.
    column = np.array([[2.0], [0.5], [-1.0], [0.0]])
    np.testing.assert_allclose(logo_probabilities(column)[:, 0], np.array([1.01, 0.51, 0.01, 0.01]) / 1.54, rtol=1e-6)


@pytest.mark.parametrize("target", ["logit", "log_probability", "log_odds"])
def test_score_is_the_models_target_on_the_argmax_sequence(target):
    torch.manual_seed(1)
    model = build_model("small-cnn")
    result = class_optimize(model, 30, target=target, steps=20, restarts=2)
    assert set(result.sequence) <= set(ALPHABET) and len(result.sequence) == 30
    assert result.sequence == "".join(ALPHABET[i] for i in result.matrix.argmax(axis=0))
    model.eval()
    with torch.no_grad():
        logits = model(one_hot_encode(result.sequence))[0]
    expected = {"logit": logits[1], "log_probability": F.log_softmax(logits, 0)[1], "log_odds": logits[1] - logits[0]}[
        target
    ]
    assert result.score == pytest.approx(float(expected), abs=1e-5)


def test_objective_is_target_minus_l2_norm():
    model = GataNet()
    result = class_optimize(model, 20, steps=30, restarts=2, l2=0.05)
    X = torch.from_numpy(result.matrix)[None]
    with torch.no_grad():
        expected = model(X)[0, 1] - 0.05 * X.pow(2).sum()
    assert result.objective == pytest.approx(float(expected), abs=1e-4)


def test_model_is_left_as_it_was():
    model = GataNet()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    model.linear.weight.requires_grad_(False)
    class_optimize(model, 15, steps=5, restarts=2, optimizer="sgd")
    assert model.training
    assert model.convolution.weight.requires_grad and not model.linear.weight.requires_grad
    assert model.convolution.weight.grad is None
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, before[key])


def test_bad_options():
    model = GataNet()
    with pytest.raises(ValueError, match="target"):
        class_optimize(model, 20, target="probability", steps=1)
    with pytest.raises(ValueError, match="optimizer"):
        class_optimize(model, 20, optimizer="lbfgs", steps=1)
    with pytest.raises(ValueError, match="length 3"):
        class_optimize(model, 3, steps=1)
