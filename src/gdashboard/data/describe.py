"""A short human-readable summary of a dataset (``gdash data inspect``)."""

from __future__ import annotations


def describe(dataset) -> str:
    counts = dataset.X.sum(dim=(0, 2)).numpy()
    total = counts.sum()
    n_unknown = int(dataset.X.shape[0] * dataset.X.shape[2] - total)
    positives = int((dataset.labels == 1).sum())
    lines = [
        f"file:        {dataset.path}",
        f"experiment:  {dataset.name} (TF {dataset.tf})",
        f"sequences:   {len(dataset)} of length {dataset.length}",
        f"labels:      {positives} bound, {len(dataset) - positives} unbound"
        + (f" ({dataset.n_shuffled} made by dinucleotide shuffle)" if dataset.n_shuffled else ""),
        "composition: "
        + ", ".join(f"{b} {c / max(total, 1):.3f}" for b, c in zip("ACGT", counts))
        + f", N {n_unknown}",
        f"first ids:   {', '.join(dataset.ids[:3])}",
    ]
    return "\n".join(lines)
