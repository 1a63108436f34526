"""Predictions and the paper's metrics (AUC), with AUPRC and accuracy."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """CUDA when present, else the CPU (or what the caller names)."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@torch.no_grad()
def predict_logits(model: torch.nn.Module, X: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """Two-class logits ``(N, 2)`` of a model in eval mode, batched, on the model's device."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    outputs = [model(X[start:start + batch_size].to(device)).float().cpu()
               for start in range(0, len(X), batch_size)]
    model.train(was_training)
    if not outputs:
        return torch.zeros((0, 2))
    return torch.cat(outputs)


def log_odds(logits: torch.Tensor) -> np.ndarray:
    """logit+ − logit−: the log-odds of binding, monotone in the probability, exact in float."""
    return (logits[:, 1] - logits[:, 0]).double().numpy()


def probability(logits: torch.Tensor) -> np.ndarray:
    return torch.softmax(logits.double(), dim=1)[:, 1].numpy()


def predict_scores(model, X: torch.Tensor) -> np.ndarray:
    """Scores (higher = bound) of a neural model (log-odds) or a baseline (its decision function)."""
    if isinstance(model, torch.nn.Module):
        return log_odds(predict_logits(model, X))
    return np.asarray(model.decision_function(X), dtype=np.float64)


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
