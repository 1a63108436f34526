"""Which temporal-window rule puts its window on the motif? Simulated ground truth.

The simulated GATA1 -> E-box data record where each motif was planted, so a
motif-extraction rule can be checked directly: for every positive test sequence,
how many of the 9 window bases lie on planted sites. Compared:

* ``largest step`` (the rule of ``gdash motifs`` since extraction version 3):
  the window ending with the last base read when the forward output takes its
  largest single step up (:func:`gdashboard.motifs.extract.temporal_windows`);
* ``largest rise across the window`` (versions 1-2): the window ``[s, s+9)``
  maximising ``forward[s+8] - forward[s-1]``, ``s >= 1``;
* ``largest step, not aligned``: as the first, but ending at the step's own
  position, ignoring a CNN-RNN's look-ahead.

Uses the runs of benchmarks/attribution_groundtruth.py (trains any that are
missing, with the preset's recipe, into the same folders):

    .venv/bin/python benchmarks/temporal_rule_groundtruth.py --threads 1 --presets small-rnn small-cnn-rnn
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from gdashboard.explain.temporal import input_spans, temporal_output_scores
from gdashboard.motifs.extract import temporal_windows
from gdashboard.results import load_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attribution_groundtruth import ROOT, planted_positives, prepare_data, train  # noqa: E402

WIDTH = 9


def largest_rise_across_window(forward: np.ndarray, width: int = WIDTH) -> np.ndarray:
    """The rule of extraction versions 1-2, kept here for the comparison."""
    rise = forward[:, width:] - forward[:, :-width]  # start s = 1 .. L - width
    return 1 + np.argmax(rise, axis=1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "groundtruth")
    parser.add_argument("--presets", nargs="+", default=["small-rnn", "small-cnn-rnn"])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "temporal_rule_groundtruth.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data_dir = prepare_data(args.out, args.n, args.seed)
    X, _, mask = planted_positives(data_dir)
    rows = np.arange(len(X))[:, None]
    results = []
    print("| model | rule | planted bases in the 9-bp window (mean) | windows with ≥ 5 planted bases |")
    print("|---|---|---|---|")
    for preset in args.presets:
        rundir, _ = train(data_dir, args.out, preset, args.seed, None)
        model = load_model(rundir)
        forward, _ = temporal_output_scores(model, X)
        forward = np.asarray(forward, dtype=np.float64)
        _, last_read = input_spans(model, X.shape[-1])
        rules = {
            "largest step": temporal_windows(forward, WIDTH, reach=last_read),
            "largest rise across the window": largest_rise_across_window(forward),
            "largest step, not aligned": temporal_windows(forward, WIDTH),
        }
        for rule, starts in rules.items():
            inside = mask[rows, starts[:, None] + np.arange(WIDTH)].sum(axis=1)
            result = {
                "preset": preset,
                "rule": rule,
                "n": len(X),
                "planted_bases_mean": float(inside.mean()),
                "at_least_5": float((inside >= 5).mean()),
            }
            results.append(result)
            print(f"| {preset} | {rule} | {result['planted_bases_mean']:.2f} | {result['at_least_5']:.3f} |")
    chance = float(mask.mean() * WIDTH)
    print(f"\nA window placed at random holds {chance:.2f} planted bases on average.")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"results": results, "random_window_planted_bases": chance}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
