"""Record every `gdash motifs` result of benchmarks/motifs_table.py in a CSV kept in git.

runs/ is not in git; this CSV keeps the per-run figures behind Table 4
(BENCHMARKS.md section 5), one row per (experiment, model): the matches of each
method at Tomtom p < 0.05 and q < 0.5, the chance count, the saliency-FIMO
overlap, the temporal rule's version, the JASPAR pseudocount and where class
optimisation ran. With --markdown it also prints section 5's per-experiment tables.

    .venv/bin/python benchmarks/motifs_snapshot.py --motifs runs/motifs --out benchmarks/results/motifs_runs.csv
"""

import argparse
import csv
import io
import sys
from pathlib import Path

from gdashboard.fileio import write_text
from gdashboard.models.catalogue import NEURAL_PRESETS
from gdashboard.results import read_json, recorded_jaspar_pseudocount

METHODS = ("saliency", "temporal", "conv", "classopt")
COLUMNS = (
    ["experiment", "model", "tf", "tf_in_jaspar", "n_positives"]
    + [f"{method}{suffix}" for method in METHODS for suffix in ("", "_q")]
    + [
        "chance",
        "chance_q",
        "saliency_fimo_overlap",
        "classopt_best_hit",
        "extraction_version",
        "jaspar_pseudocount",
        "classopt_device",
    ]
)
# Table columns of the per-experiment tables, in the paper's order of presets.
MODELS = NEURAL_PRESETS


def row(path: Path) -> dict:
    result = read_json(path)
    methods = result["methods"]
    values = {
        "experiment": path.parent.parent.name,
        "model": path.parent.name,
        "tf": result["tf"],
        "tf_in_jaspar": result["tf_in_jaspar"],
        "n_positives": result["n_positives"],
    }
    for method in METHODS:
        counts = methods.get(method, {})
        values[method] = counts.get("matches", "")
        values[f"{method}_q"] = counts.get("matches_q", "")
    chance = result.get("chance", {})
    values.update(
        chance=chance.get("matches", ""),
        chance_q=chance.get("matches_q", ""),
        saliency_fimo_overlap=result.get("saliency_fimo_overlap", ""),
        classopt_best_hit=methods.get("classopt", {}).get("best_hit", ""),
        extraction_version=result.get("extraction_version", "") if "temporal" in methods else "",
        jaspar_pseudocount=recorded_jaspar_pseudocount(result),
        # results from before this field existed ran it on the CPU
        classopt_device=result.get("classopt_device", "cpu"),
    )
    return {key: ("" if value is None else value) for key, value in values.items()}


def experiment_label(experiment: str) -> str:
    """``GATA1_K562_GATA-1_USC`` -> ``GATA1 (K562)``."""
    tf, cell, *_ = experiment.split("_")
    return f"{tf} ({cell})"


def markdown_tables(rows: list[dict]) -> str:
    """Section 5's per-experiment tables (TFs with a JASPAR motif, mean-pooling presets)."""
    cells = {(r["experiment"], r["model"]): r for r in rows if r["tf_in_jaspar"] and r["model"] in MODELS}
    experiments = sorted({e for e, _ in cells}, key=lambda e: (experiment_label(e).upper(), e))

    def table(title, cell):
        lines = [title, "", "| experiment | " + " | ".join(MODELS) + " |", "|---" * (len(MODELS) + 1) + "|"]
        for experiment in experiments:
            values = [cell(cells[experiment, m]) if (experiment, m) in cells else "" for m in MODELS]
            lines.append(f"| {experiment_label(experiment)} | " + " | ".join(values) + " |")
        return "\n".join(lines)

    dash = lambda value: "–" if value == "" else str(value)  # noqa: E731
    return "\n\n".join(
        [
            table(
                "Saliency matches of 500 positives (p < 0.05), chance count in brackets:",
                lambda r: f"{r['saliency']} ({r['chance']})",
            ),
            table(
                "Temporal-output matches (recurrent presets) / convolution-activation matches (presets "
                "with a convolution), p < 0.05:",
                lambda r: f"{dash(r['temporal'])} / {dash(r['conv'])}",
            ),
            table(
                "Class optimisation: does the best 9-wide window of the optimised matrix match (1) or not "
                "(0), p < 0.05:",
                lambda r: str(r["classopt"]),
            ),
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--motifs", type=Path, default=Path("runs/motifs"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/motifs_runs.csv"))
    parser.add_argument("--markdown", action="store_true", help="print the per-experiment tables too")
    args = parser.parse_args()
    paths = sorted(args.motifs.glob("*/*/motifs.json"))
    if not paths:
        sys.exit(f"no motifs.json under {args.motifs}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    rows = [row(path) for path in paths]
    writer.writerows(rows)
    write_text(args.out, buffer.getvalue())
    print(f"{len(paths)} results written to {args.out}")
    if args.markdown:
        print(markdown_tables(rows))


if __name__ == "__main__":
    main()
