"""The numbers of one run's panels: its class-optimised input, TF-MoDISco patterns,
extracted motifs and test-set curves, read through :mod:`gdashboard.results`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gdashboard.methods import ClassOptOptions
from gdashboard.results import EXTRACTED_FILE, WINDOWS_FILE, Run


def class_optimized(run: Run, options: ClassOptOptions | None = None, *, compute: bool = True) -> dict | None:
    """The run's class-optimised input (cached beside the run) with its logo's letter
    heights: ``probabilities`` (4, L), ``bits`` (4, L), ``sequence``, ``score``.

    ``options`` default to :class:`~gdashboard.methods.ClassOptOptions`'s. With
    ``compute=False``, None unless it is cached already."""
    from gdashboard.explain.run import cached_class_optimization
    from gdashboard.motifs.logo import information_matrix

    arrays = cached_class_optimization(run, options, compute=compute)
    if arrays is None:
        return None
    probabilities = np.asarray(arrays["probabilities"], dtype=np.float64)
    return {
        "probabilities": probabilities,
        "bits": information_matrix(probabilities),
        "sequence": str(arrays["sequence"]),
        "score": float(arrays["score"]),
    }


def modisco_patterns(run: Run, limit: int = 5) -> list[dict]:
    """The first ``limit`` TF-MoDISco patterns of each ``gdash modisco`` result under the
    run folder, each with ``attribution``, ``name``, ``n_seqlets``, the trimmed forward
    CWM as ``weights`` ``(4, w)``, its top JASPAR ``matches`` and ``matches_tf``."""
    found = []
    for result in run.modisco_results():
        for pattern in result["patterns"][:limit]:
            start, stop = pattern["trim"]
            found.append(
                {
                    "attribution": result["attribution"],
                    "name": pattern["name"],
                    "rank": pattern["rank"],
                    "n_seqlets": pattern["n_seqlets"],
                    "weights": np.asarray(pattern["cwm"]["forward"], dtype=float)[start:stop].T,
                    "matches": pattern["matches"],
                    "matches_tf": bool(pattern.get("matches_tf")),
                }
            )
    return found


def extracted_motifs(run: Run) -> list[dict]:
    """The motifs ``gdash motifs`` extracted from the run (its motif folders'
    ``extracted.meme``), each with ``folder``, ``method``, ``probabilities``, ``bits``
    and ``windows`` (rows of ``windows.tsv`` of that method, whose ``best_hit`` name
    the best JASPAR match of each window). Empty when ``gdash motifs`` was not run."""
    from gdashboard.motifs.logo import information_matrix
    from gdashboard.motifs.meme import read_meme_motifs

    found = []
    for result in run.motif_results():
        folder = Path(result["motifs_path"]).parent
        if not (folder / EXTRACTED_FILE).is_file():
            continue
        windows = _read_windows(folder / WINDOWS_FILE)
        classopt = result["methods"].get("classopt", {})
        for motif in read_meme_motifs(folder / EXTRACTED_FILE):
            method = motif.id.removesuffix("_aggregate")
            rows = [row for row in windows if row.get("method") == method]
            found.append(
                {
                    "folder": str(folder),
                    "method": method,
                    "probabilities": motif.probabilities,
                    "bits": information_matrix(motif.probabilities),
                    "windows": rows,
                    "best_hit": classopt.get("best_hit") if method == "classopt" else _commonest_hit(rows),
                }
            )
    return found


def _read_windows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        return []
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:] if line]


def _commonest_hit(rows: list[dict]) -> str | None:
    """The JASPAR motif that is most often the best hit of a method's windows."""
    counts: dict[str, int] = {}
    for row in rows:
        hit = f"{row.get('best_hit', '')} {row.get('best_hit_name', '')}".strip()
        if hit:
            counts[hit] = counts.get(hit, 0) + 1
    return max(counts, key=counts.get) if counts else None


def roc_curves(run: Run) -> dict:
    """ROC and precision-recall curves of a run's test predictions (sklearn.metrics):
    ``fpr``, ``tpr``, ``precision``, ``recall`` arrays and ``auc``, ``auprc``."""
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    predictions = run.predictions()
    labels, scores = predictions.labels, predictions.scores
    if len(np.unique(labels)) < 2:
        return {}
    fpr, tpr, _ = roc_curve(labels, scores)
    precision, recall, _ = precision_recall_curve(labels, scores)
    return {
        "fpr": fpr,
        "tpr": tpr,
        "precision": precision,
        "recall": recall,
        "auc": float(roc_auc_score(labels, scores)),
        "auprc": float(average_precision_score(labels, scores)),
    }
