"""BENCHMARKS.md#modisco: per experiment and model, TF-MoDISco's first pattern matching the
TF (rank, q of its TF hit) and co-factors, beside the 9-bp saliency windows of Table 4 (matches
against chance, one-sided Fisher test), from `gdash report`'s rows; and per model, for how many
TFs with a JASPAR motif each method finds it. Writes benchmarks/results/modisco_runs.csv.

    .venv/bin/python benchmarks/modisco_snapshot.py --study runs/study18
"""

import argparse
import csv
from pathlib import Path

from gdashboard.data.jaspar import motif_names_tf
from gdashboard.report.statistics import pattern_found, pattern_rows
from gdashboard.results import collect_modisco_results, collect_motif_results, collect_runs

OUT = Path(__file__).parent / "results" / "modisco_runs.csv"


def tf_q(result: dict, rank: int | None) -> float | None:
    """The best q among the TF's own hits of the pattern at ``rank`` (results written before
    the matches recorded is_tf gave the top hit's q instead)."""
    if rank is None:
        return None
    pattern = next(p for p in result["patterns"] if p["rank"] == rank)
    wanted = result["tf"].upper()
    return min(m["q"] for m in pattern["matches"] if wanted in motif_names_tf(m["name"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--study", type=Path, default=Path("runs/study18"), help="a gdash study folder")
    args = parser.parse_args()
    args.runs, args.motifs, args.modisco = (args.study / part for part in ("runs", "motifs", "modisco"))
    runs = {(r["experiment"], r["model"], r["seed"]): r for r in collect_runs([args.runs])}
    patterns = [p for p in collect_modisco_results([args.modisco]) if (p["experiment"], p["model"], p["seed"]) in runs]
    motifs = collect_motif_results([args.motifs]) if args.motifs.is_dir() else []
    by_key = {(p["experiment"], p["model"], p["seed"]): p for p in patterns}
    rows = pattern_rows(patterns, motifs)
    for row in rows:
        row["first_tf_q"] = tf_q(by_key[row["experiment"], row["model"], row["seed"]], row["first_tf_rank"])
        row["test_auc"] = runs[row["experiment"], row["model"], row["seed"]]["test_auc"]
        row["seconds"] = sum(by_key[row["experiment"], row["model"], row["seed"]].get("seconds", {}).values())
    columns = [
        "experiment",
        "tf",
        "model",
        "test_auc",
        "n_patterns",
        "first_tf_rank",
        "first_tf_q",
        "cofactors",
        "family",
        "window_matches",
        "window_chance",
        "window_p",
        "windows_find_tf",
        "tf_in_jaspar",
        "seconds",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    header = ["experiment", "model", "test AUC", "patterns", "first TF pattern (rank, q)", "TF's family", "co-factors"]
    print("| " + " | ".join([*header, "windows: matches / chance (p)"]) + " |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        first = "none" if row["first_tf_rank"] is None else f"{row['first_tf_rank']}, {row['first_tf_q']:.2g}"
        if not row["tf_in_jaspar"]:
            first = "TF not in JASPAR"
        windows = (
            "–"
            if row["window_matches"] is None
            else (f"{row['window_matches']} / {row['window_chance']} ({row['window_p']:.1g})")
        )
        family = row["family"].replace(";", ", ") or "–"
        print(
            f"| {row['experiment']} | {row['model']} | {row['test_auc']:.3f} | {row['n_patterns']} | {first} "
            f"| {family} | {row['cofactors'].replace(';', ', ') or '–'} | {windows} |"
        )
    print()
    for found in pattern_found(rows):
        print(found)
    seconds = [row["seconds"] for row in rows]
    print(
        f"seconds per model (500 positives at most): median {sorted(seconds)[len(seconds) // 2]:.0f}, "
        f"range {min(seconds):.0f}-{max(seconds):.0f}"
    )
    print(f"# wrote {OUT}")


if __name__ == "__main__":
    main()
