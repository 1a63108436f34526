"""Predictions and the paper's metrics (AUC), with AUPRC and accuracy."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

from gdashboard.parallel import for_each_batch


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """CUDA when present, else the CPU (or what the caller names)."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@torch.no_grad()
def predict_logits(model: torch.nn.Module, X: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Two-class logits ``(N, 2)`` of a model in eval mode, batched, on the model's device.

    Batches run side by side on a multi-core CPU (:mod:`gdashboard.parallel`).
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    logits = torch.zeros((len(X), 2))

    def one_batch(start: int, stop: int) -> None:
        logits[start:stop] = model(X[start:stop].to(device)).float().cpu()

    try:
        for_each_batch(one_batch, len(X), batch_size, device)
    finally:
        model.train(was_training)
    return logits


def log_odds(logits: torch.Tensor) -> np.ndarray:
    """logit+ − logit−: the log-odds of binding, monotone in the probability. The float32 logits
    are subtracted in float64, exactly for logits within a factor 2**29 of each other; a float32
    difference would round, and could tie two sequences that the logits tell apart."""
    return logits[:, 1].double().numpy() - logits[:, 0].double().numpy()


def probability(logits: torch.Tensor) -> np.ndarray:
    return torch.softmax(logits.double(), dim=1)[:, 1].numpy()


def predict_scores(model, X: torch.Tensor) -> np.ndarray:
    """Scores (higher = bound) of a neural model (log-odds) or a baseline (its decision function)."""
    if isinstance(model, torch.nn.Module):
        return log_odds(predict_logits(model, X))
    return np.asarray(model.decision_function(X), dtype=np.float64)


def rank_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC from ranks (the Mann–Whitney U statistic over n+ · n-), ties counted half.

    Equal to ``sklearn.metrics.roc_auc_score`` (tested) at a fraction of its cost
    on a few thousand scores, which matters for the validation AUC measured after
    every epoch of a small model. ``nan`` when only one class is present.
    """
    from scipy.stats import rankdata

    labels = np.asarray(labels) == 1
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(np.asarray(scores, dtype=np.float64))
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def binary_metrics(labels: np.ndarray, scores: np.ndarray, threshold: float = 0.0) -> dict:
    """AUC (the paper's measure), AUPRC and accuracy at ``scores > threshold``.

    For neural models the scores are log-odds, so the threshold 0 is p = 0.5.
    AUC and AUPRC are ``None`` when only one class is present.
    """
    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype=np.float64)
    two_classes = len(np.unique(labels)) == 2
    return {
        "auc": float(roc_auc_score(labels, scores)) if two_classes else None,
        "auprc": float(average_precision_score(labels, scores)) if two_classes else None,
        "accuracy": float(np.mean((scores > threshold) == (labels == 1))),
    }


# The first keys of a run's (or an ensemble's) metrics.json: what was evaluated.
HEADER_KEYS = ("experiment", "tf", "preset", "architecture", "seed", "n_train", "n_validation", "n_test")


def metrics_header(config: dict, pooling: str | None) -> dict:
    """The keys of ``metrics.json`` that name what was evaluated, from the run's ``config.json``
    content, with its ``pooling`` (None for a network without pooling, or a baseline)."""
    return {key: config[key] for key in HEADER_KEYS} | {"pooling": pooling}
