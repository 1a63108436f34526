"""Record every finished run of benchmarks/paper_table.py in a CSV kept in git.

runs/ is not in git (model weights, predictions); this CSV keeps the figures of
BENCHMARKS.md section 1 with the project, one row per (experiment, model), with
when each run finished and whether it trained with the sharded step (runs
finished after the time in runs/sharded-training-since.txt) and where it
trained (`trained_on`; runs from before that was recorded trained here, on the CPU). It also prints
which runs the table still lacks.

    .venv/bin/python benchmarks/table_snapshot.py --runs runs/table --out benchmarks/results/table_runs.csv
"""

import argparse
import csv
import datetime
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from paper_table import DATA, experiments, jobs  # noqa: E402

from gdashboard.fileio import write_text  # noqa: E402
from gdashboard.models import ALL_PRESETS  # noqa: E402
from gdashboard.models.catalogue import is_neural
from gdashboard.results import METRICS_FILE, open_run

COLUMNS = [
    "experiment",
    "model",
    "preset",
    "pooling",
    "test_auc",
    "test_auprc",
    "test_accuracy",
    "validation_auc",
    "best_epoch",
    "epochs_run",
    "train_minutes",
    "finished_utc",
    "sharded_step",
    "trained_on",
]


def _train_seconds(rundir: Path, metrics: dict) -> float:
    """Epoch times summed over every attempt's history.jsonl. Runs resumed before
    2026-11-26 recorded only the time after their last resume in train_seconds;
    the histories hold every epoch."""
    histories = [rundir / "history.jsonl", *sorted(rundir.glob("restart-*/history.jsonl"))]
    epochs = [json.loads(line) for h in histories if h.exists() for line in h.read_text().splitlines() if line]
    from_history = sum(record.get("seconds", 0.0) for record in epochs)
    return max(from_history, metrics.get("train_seconds") or 0.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--runs", type=Path, default=Path("runs/table"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/table_runs.csv"))
    parser.add_argument("--sharded-since", type=Path, default=Path("runs/sharded-training-since.txt"))
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"skipped: {args.data} is absent")
    since = None
    if args.sharded_since.exists():
        since = datetime.datetime.fromisoformat(args.sharded_since.read_text().strip()).replace(
            tzinfo=datetime.timezone.utc
        )
    rows, missing, incomplete = [], [], set()
    for name, _, _, _preset, _pooling, label in jobs(args.data, list(ALL_PRESETS), ["mean", "max"]):
        path = args.runs / name / label / METRICS_FILE
        if not path.exists():
            missing.append(f"{name.split('_')[0]} {label}")
            incomplete.add(name)
            continue
        metrics = open_run(path.parent).metrics
        finished = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.timezone.utc)
        neural = is_neural(metrics["preset"])
        # Runs from before `trained_on` was recorded all trained on this CPU machine.
        trained_on = metrics.get("trained_on", "cpu") if neural else ""
        rows.append(
            {
                "experiment": name,
                "model": label,
                "preset": metrics["preset"],
                "pooling": metrics.get("pooling") or "",
                **{
                    key: metrics.get(key)
                    for key in ("test_auc", "test_auprc", "test_accuracy", "validation_auc", "best_epoch", "epochs_run")
                },
                "train_minutes": round(_train_seconds(path.parent, metrics) / 60, 2),
                "finished_utc": finished.strftime("%Y-%m-%dT%H:%M"),
                "trained_on": trained_on,
                # Shards exist on the CPU only (one shard per batch on a GPU).
                "sharded_step": ""
                if not neural or since is None or "cuda" in trained_on
                else ("yes" if finished > since else "no"),
            }
        )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(args.out, buffer.getvalue())
    n_experiments = len(experiments(args.data))
    print(
        f"{len(rows)} runs written to {args.out}; {n_experiments - len(incomplete)} of "
        f"{n_experiments} experiments complete; {len(missing)} runs missing"
    )
    if missing:
        print("missing: " + ", ".join(missing))


if __name__ == "__main__":
    main()
