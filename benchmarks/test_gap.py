"""BENCHMARKS.md#accuracy: is a network's test AUC on the ENCODE experiments held down by an
artefact of how its negatives were made?

The DeepBind files give only positives for training; gdashboard makes each negative by a
dinucleotide shuffle of a positive (``gdashboard.data.shuffle``), while the test files bring
DeepBind's own shuffles. If a network learned to tell *this project's* shuffles from real
sequence (an artefact of the shuffle, not biology), its test AUC would fall for that reason
alone. Checked here per run, by scoring only (no training): the test AUC as given; the AUC of
the same test positives against this project's shuffles of them (seeded); and the AUC of the
test file's negatives against this project's shuffles (0.5: the network cannot tell the two
shuffles apart).

    .venv/bin/python benchmarks/test_gap.py --runs runs/study18/runs --models small-cnn,small-cnn-rnn

Writes benchmarks/results/test_gap.csv.
"""

import argparse
import csv
import io
from pathlib import Path

import numpy as np
import torch

from gdashboard.data import read_dataset
from gdashboard.data.shuffle import dinucleotide_shuffle
from gdashboard.evaluate import log_odds, predict_logits, rank_auc
from gdashboard.fileio import write_text
from gdashboard.results import collect_runs, open_run


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    labels = np.r_[np.ones(len(positive)), np.zeros(len(negative))]
    return float(rank_auc(labels, np.r_[positive, negative]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=Path, default=Path("runs/study18/runs"))
    parser.add_argument("--models", default="small-cnn,small-cnn-rnn")
    parser.add_argument("--seed", type=int, default=123, help="seed of this project's shuffles of the test positives")
    args = parser.parse_args()
    torch.set_num_threads(1)
    models = args.models.split(",")
    rows = []
    for run in collect_runs([args.runs]):
        if run["model"] not in models or not run["available"]:
            continue
        opened = open_run(Path(run["metrics_path"]).parent)
        test = read_dataset(opened.data_file("test"), seed=opened.seed)
        labels = np.asarray(test.labels)
        model = opened.model().eval()
        with torch.no_grad():
            scores = np.asarray(log_odds(predict_logits(model, test.X)))
            shuffles = dinucleotide_shuffle(test.X[labels == 1], seed=args.seed)
            ours = np.asarray(log_odds(predict_logits(model, shuffles)))
        row = {
            "experiment": run["experiment"],
            "model": run["model"],
            "validation_auc": run["validation_auc"],
            "test_auc": auc(scores[labels == 1], scores[labels == 0]),
            "test_positives_vs_our_shuffles": auc(scores[labels == 1], ours),
            "file_negatives_vs_our_shuffles": auc(scores[labels == 0], ours),
        }
        rows.append(row)
        print(" ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in row.values()), flush=True)
    if not rows:
        raise SystemExit(f"no available runs of {', '.join(models)} below {args.runs}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(Path(__file__).parent / "results" / "test_gap.csv", buffer.getvalue())
    for model in models:
        mine = [r for r in rows if r["model"] == model]
        mean = {k: np.mean([r[k] for r in mine if r[k] is not None]) for k in list(rows[0])[2:]}
        print(model, len(mine), " ".join(f"{k} {v:.4f}" for k, v in mean.items()))


if __name__ == "__main__":
    main()
