"""Attribution against planted sites: the vectorised per-row AUROC and the position scores."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from gdashboard.explain.groundtruth import METHODS, attribution_auroc, mean_auroc, position_scores
from gdashboard.explain.run import applicable_methods
from gdashboard.methods import score_methods
from gdashboard.models.presets import build_model


def random_onehot(n, length, seed=0):
    codes = torch.randint(0, 4, (n, length), generator=torch.Generator().manual_seed(seed))
    return torch.nn.functional.one_hot(codes, 4).float().transpose(1, 2).contiguous()


def test_auroc_matches_sklearn_row_by_row_with_ties():
    rng = np.random.default_rng(0)
    n, length = 40, 60
    continuous = rng.normal(size=(n, length))
    tied = rng.integers(0, 4, size=(n, length)).astype(float)  # many ties
    mask = rng.random((n, length)) < 0.2
    mask[:, 0], mask[:, 1] = True, False  # both classes in every row
    for scores in (continuous, tied):
        ours = attribution_auroc(scores, mask)
        expected = [roc_auc_score(mask[i], scores[i]) for i in range(n)]
        np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


def test_auroc_perfect_reversed_and_degenerate_rows():
    mask = np.zeros((4, 10), dtype=bool)
    mask[:, 3:6] = True
    mask[2] = False  # no planted position
    mask[3] = True  # no background position
    perfect = mask.astype(float) + 0.01 * np.arange(10)
    perfect[2:] = np.arange(10)
    result = attribution_auroc(perfect, mask)
    assert result[0] == 1.0 and result[1] == 1.0
    assert np.isnan(result[2]) and np.isnan(result[3])
    assert attribution_auroc(-perfect[:2], mask[:2]).tolist() == [0.0, 0.0]
    assert attribution_auroc(torch.ones(2, 10), mask[:2]).tolist() == [0.5, 0.5]  # all tied
    summary = mean_auroc(result)
    assert summary["n"] == 2 and summary["mean"] == 1.0 and summary["sd"] == 0.0


def test_auroc_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        attribution_auroc(np.zeros((2, 5)), np.zeros((2, 6), dtype=bool))


@pytest.mark.parametrize("preset", ["small-cnn", "small-rnn"])
def test_position_scores_shapes(preset):
    torch.manual_seed(0)
    model = build_model(preset)
    X = random_onehot(3, 24)
    assert METHODS == score_methods()
    # temporal needs a recurrent model, DeepLIFT/SHAP refuses one; the rest take both
    refused = {"small-cnn": {"temporal"}, "small-rnn": {"deeplift"}}[preset]
    assert set(METHODS) - set(applicable_methods(model)) == refused
    for method in METHODS:
        if method in refused:
            with pytest.raises(ValueError, match="recurrent model"):
                position_scores(method, model, X)
            continue
        options = {"n_steps": 4} if method == "integrated_gradients" else None
        scores = position_scores(method, model, X, options=options)
        assert scores.shape == (3, 24) and scores.dtype == np.float32, method
        assert np.isfinite(scores).all(), method


def test_position_score_definitions():
    torch.manual_seed(1)
    model = build_model("small-cnn")
    X = random_onehot(2, 30, seed=1)
    saliency = position_scores("saliency", model, X)
    signed = position_scores("gradient_x_input", model, X)
    np.testing.assert_allclose(np.abs(signed), saliency, atol=1e-6)
    from gdashboard.explain.ism import in_silico_mutagenesis

    effect = in_silico_mutagenesis(model, X)
    np.testing.assert_allclose(position_scores("ism", model, X), -effect.sum(axis=1) / 3, atol=1e-6)
    from gdashboard.explain.attribution import deep_lift_shap

    np.testing.assert_allclose(position_scores("deeplift", model, X), deep_lift_shap(model, X).sum(axis=1), atol=1e-6)
    with pytest.raises(ValueError, match="unknown method"):
        position_scores("nonsense", model, X)
    with pytest.raises(ValueError, match="no score per position"):
        position_scores("conv", model, X)
    with pytest.raises(ValueError, match="takes no option 'n_steps'"):
        position_scores("saliency", model, X, options={"n_steps": 4})


def test_temporal_score_definition():
    torch.manual_seed(2)
    model = build_model("small-rnn")
    X = random_onehot(2, 12, seed=2)
    from gdashboard.explain.temporal import temporal_output_scores

    forward, backward = temporal_output_scores(model, X)
    scores = position_scores("temporal", model, X)
    t = 5
    expected = abs(forward[:, t] - forward[:, t - 1]) + abs(backward[:, t] - backward[:, t + 1])
    np.testing.assert_allclose(scores[:, t], expected, atol=1e-6)
    np.testing.assert_allclose(scores[:, 0], abs(forward[:, 0] - 0.5) + abs(backward[:, 0] - backward[:, 1]), atol=1e-6)
    np.testing.assert_allclose(
        scores[:, -1], abs(forward[:, -1] - forward[:, -2]) + abs(backward[:, -1] - 0.5), atol=1e-6
    )
