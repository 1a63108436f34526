"""How the JASPAR pseudocount moves the saliency match count (BENCHMARKS.md#motifs).

Takes the saliency windows that `gdash motifs` wrote (windows.tsv) and scores the same
windows against JASPAR targets made with several pseudocounts, so only the targets change:

    .venv/bin/python benchmarks/jaspar_pseudocount.py \
        runs/motifs-GATA1/small-cnn runs/seeds/motifs-seed{1,2,3,4}

Prints one row per pseudocount and, for each folder, the windows whose match changes.
"""

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
import torch
from _data import data_home

from gdashboard.data import read_dataset
from gdashboard.data.jaspar import BACKGROUND, MEME_PSEUDOCOUNT, all_motifs
from gdashboard.data.onehot import one_hot_decode
from gdashboard.motifs.analysis import WINDOW
from gdashboard.motifs.compare import tf_target_mask, tomtom_compare
from gdashboard.motifs.extract import window_matrices

TEST = data_home("deepmotif", "GATA1_K562_GATA-1_USC", "test.fa")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path, help="gdash motifs output folders")
    parser.add_argument("--test", type=Path, default=TEST)
    parser.add_argument("--tf", default="GATA1")
    parser.add_argument("--pseudocounts", nargs="+", type=float, default=[0.8, 0.1, 0.0])
    parser.add_argument(
        "--meme-query-sites",
        type=float,
        default=20,
        help="also score queries smoothed as MEME would (its pseudocount at this many sites)",
    )
    args = parser.parse_args()
    if not args.test.exists():
        sys.exit(f"skipped: {args.test} is absent")
    dataset = read_dataset(args.test, shuffle_negatives=False)
    row_of = {identifier: i for i, identifier in enumerate(dataset.ids)}
    X = dataset.X.double()
    motifs = all_motifs()
    mask = tf_target_mask([m.name for m in motifs], args.tf)

    variants = [(f"counts + {pc}", pc, None) for pc in args.pseudocounts]
    variants.append(
        (
            f"counts + {MEME_PSEUDOCOUNT}, queries smoothed at {args.meme_query_sites:g} sites",
            MEME_PSEUDOCOUNT,
            args.meme_query_sites,
        )
    )
    targets = {
        pseudocount: {m.matrix_id: m.probabilities(pseudocount) for m in motifs} for _, pseudocount, _ in variants
    }
    counts = {name: [] for name, _, _ in variants}
    matched = {}
    for folder in args.folders:
        with open(folder / "windows.tsv") as handle:
            rows = [r for r in csv.DictReader(handle, delimiter="\t") if r["method"] == "saliency"]
        index = np.array([row_of[r["id"]] for r in rows])
        starts = np.array([int(r["start"]) for r in rows])
        queries = window_matrices(X[index], starts, WINDOW)
        for name, pseudocount, sites in variants:
            q = (
                queries
                if sites is None
                else (queries * sites + pseudocount * BACKGROUND[:, None]) / (sites + pseudocount)
            )
            p = tomtom_compare(q, targets[pseudocount]).p_values
            hit = ((p < 0.05) & mask).any(axis=1)
            counts[name].append(int(hit.sum()))
            matched[folder, name] = (hit, np.where(mask, p, 1).min(axis=1))
        first, *others = [name for name, _, _ in variants]
        for name in others:
            for i in np.flatnonzero(matched[folder, first][0] != matched[folder, name][0]):
                print(
                    f"{folder}: {rows[i]['id']} start {starts[i]} "
                    f"{one_hot_decode(torch.from_numpy(queries[i : i + 1]))[0]}: "
                    f"best {args.tf} p {matched[folder, first][1][i]:.4f} ({first}) -> "
                    f"{matched[folder, name][1][i]:.4f} ({name})"
                )
    print("| targets | " + " | ".join(str(f) for f in args.folders) + " |")
    for name, values in counts.items():
        print(f"| {name} | " + " | ".join(str(v) for v in values) + " |")


if __name__ == "__main__":
    main()
