"""TF-MoDISco on the section-1 runs (BENCHMARKS.md section 8): `gdash modisco` for every
finished run of the chosen presets in --runs, written to --out/EXPERIMENT/RUN/.

Resumable: a run whose patterns.json is newer than its metrics.json is skipped.
Processes started side by side share the runs through locks (benchmarks/claims.py).
Then `gdash report` over the runs, the Table 4 motif folders and these pattern
folders gives the TF-MoDISco rows beside Table 4 and the "which method finds the
TF" summary:

    .venv/bin/python benchmarks/modisco_table.py --runs runs/table --out runs/modisco
    .venv/bin/gdash report runs/table runs/motifs runs/modisco --out runs/modisco-report
"""

import argparse
import json
import sys
from pathlib import Path

import torch

from gdashboard.errors import InputError
from gdashboard.motifs.modisco import modisco_analysis
from gdashboard.results import METRICS_FILE, MODISCO_FILE, open_run

sys.path.insert(0, str(Path(__file__).resolve().parent))
from claims import claim  # noqa: E402
from paper_table import DATA, experiments  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--runs", type=Path, default=Path("runs/table"))
    parser.add_argument("--out", type=Path, default=Path("runs/modisco"))
    parser.add_argument("--presets", nargs="*", default=["small-cnn", "small-cnn-rnn"])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"skipped: {args.data} is absent")
    torch.set_num_threads(args.threads)
    tests = {name: test for name, _, test in experiments(args.data)}
    order = {name: index for index, name in enumerate(tests)}
    locks = args.out.parent / f".{args.out.name}-locks"
    found = sorted(args.runs.glob(f"*/*/{METRICS_FILE}"), key=lambda p: (order.get(p.parent.parent.name, 99), p))
    for metrics_path in found:
        run = open_run(metrics_path.parent)
        if run.preset not in args.presets or run.pooling == "max" or run.experiment not in tests:
            continue
        out = args.out / run.path.parent.name / run.path.name
        done = out / MODISCO_FILE
        if done.exists() and done.stat().st_mtime >= metrics_path.stat().st_mtime:
            continue
        with claim(locks, f"{run.path.parent.name}.{run.path.name}") as mine:
            if not mine:
                continue
            try:
                summary = modisco_analysis(run.path, tests[run.experiment], out)
            except InputError as error:
                print(f"{run.path}: {error}", flush=True)
                continue
            first = summary["first_tf_pattern"]
            print(
                json.dumps(
                    {
                        "run": str(run.path),
                        "patterns": summary["n_patterns"],
                        "first_tf_rank": first and first["rank"],
                        "first_tf_q": first and first["q"],
                        "cofactors": summary["cofactors"],
                        "seconds": {k: round(v, 1) for k, v in summary["seconds"].items()},
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
