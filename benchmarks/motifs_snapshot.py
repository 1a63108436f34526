"""Record every `gdash motifs` result of benchmarks/motifs_table.py in a CSV kept in git.

runs/ is not in git; this CSV keeps the per-run figures behind Table 4
(BENCHMARKS.md section 5), one row per (experiment, model): the matches of each
method at Tomtom p < 0.05 and q < 0.5, the chance count, the saliency-FIMO
overlap, the temporal rule's version and where class optimisation ran.

    .venv/bin/python benchmarks/motifs_snapshot.py --motifs runs/motifs --out benchmarks/results/motifs_runs.csv
"""

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from gdashboard.fileio import write_text

METHODS = ("saliency", "temporal", "conv", "classopt")
COLUMNS = (["experiment", "model", "tf", "tf_in_jaspar", "n_positives"]
           + [f"{method}{suffix}" for method in METHODS for suffix in ("", "_q")]
           + ["chance", "chance_q", "saliency_fimo_overlap", "classopt_best_hit", "extraction_version",
              "classopt_device"])


def row(path: Path) -> dict:
    result = json.loads(path.read_text())
    methods = result["methods"]
    values = {"experiment": path.parent.parent.name, "model": path.parent.name, "tf": result["tf"],
              "tf_in_jaspar": result["tf_in_jaspar"], "n_positives": result["n_positives"]}
    for method in METHODS:
        counts = methods.get(method, {})
        values[method] = counts.get("matches", "")
        values[f"{method}_q"] = counts.get("matches_q", "")
    chance = result.get("chance", {})
    values.update(chance=chance.get("matches", ""), chance_q=chance.get("matches_q", ""),
                  saliency_fimo_overlap=result.get("saliency_fimo_overlap", ""),
                  classopt_best_hit=methods.get("classopt", {}).get("best_hit", ""),
                  extraction_version=result.get("extraction_version", "") if "temporal" in methods else "",
                  # results from before this field existed ran it on the CPU
                  classopt_device=result.get("classopt_device", "cpu"))
    return {key: ("" if value is None else value) for key, value in values.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--motifs", type=Path, default=Path("runs/motifs"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/motifs_runs.csv"))
    args = parser.parse_args()
    paths = sorted(args.motifs.glob("*/*/motifs.json"))
    if not paths:
        sys.exit(f"no motifs.json under {args.motifs}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row(path) for path in paths)
    write_text(args.out, buffer.getvalue())
    print(f"{len(paths)} results written to {args.out}")


if __name__ == "__main__":
    main()
