import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from gdashboard.evaluate import binary_metrics, rank_auc


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rank_auc_equals_sklearn_with_ties(seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, 700)
    scores = np.round(rng.normal(size=700) + labels, 1)  # rounded: many ties
    assert rank_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert rank_auc(labels, scores) == pytest.approx(binary_metrics(labels, scores)["auc"], abs=1e-12)


def test_rank_auc_extremes():
    assert rank_auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert rank_auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]) == 0.0
    assert rank_auc([0, 1], [0.5, 0.5]) == 0.5
    assert np.isnan(rank_auc([1, 1], [0.1, 0.2]))


def test_log_odds_is_the_exact_difference_of_the_logits():
    from fractions import Fraction

    import torch

    from gdashboard.evaluate import log_odds

    logits = torch.tensor([[0.1, 0.3], [1e-3, 1.0], [3.0, 3.0], [-2.5, 7.1]], dtype=torch.float32)
    pairs = logits.double().tolist()
    exact = [Fraction(positive) - Fraction(negative) for negative, positive in pairs]
    assert [Fraction(value) for value in log_odds(logits)] == exact
    # A float32 difference rounds some of them: the test tells the two ways apart.
    rounded = (logits[:, 1] - logits[:, 0]).double().tolist()
    assert [Fraction(value) for value in rounded] != exact
