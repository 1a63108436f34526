"""Table 4: `gdash motifs` for every finished run of benchmarks/paper_table.py.

Resumable: a run whose motifs.json is newer than its metrics.json is skipped, unless
it came from an older temporal-window rule (extraction_version), lacks the chance count,
or compared with JASPAR matrices made with another pseudocount (results without the
field were made with 0.8).
Processes started side by side share the runs through locks (benchmarks/claims.py);
a run still training is left to the process training it, which runs this script
after. Then `gdash report` over both folders adds Table 4:

    .venv/bin/python benchmarks/motifs_table.py --runs runs/table --out runs/motifs
    .venv/bin/gdash report runs/table runs/motifs --out runs/table-report
"""

import argparse
import json
import sys
from pathlib import Path

import torch

from gdashboard.errors import InputError
from gdashboard.models.catalogue import is_neural
from gdashboard.motifs.analysis import motif_analysis, resolve_classopt_device
from gdashboard.results import METRICS_FILE, MOTIFS_FILE, open_run, read_json
from gdashboard.study.tasks import current_motifs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from claims import claim  # noqa: E402
from paper_table import DATA, experiments  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--runs", type=Path, default=Path("runs/table"))
    parser.add_argument("--out", type=Path, default=Path("runs/motifs"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--poolings",
        nargs="*",
        default=["mean", "max"],
        help="recurrent runs of these forms only (the presets are the mean forms)",
    )
    parser.add_argument("--presets", nargs="*", help="runs of these presets only (default: every neural one)")
    parser.add_argument(
        "--first", type=Path, help="a file of EXPERIMENT/LABEL lines (run folders) to analyse first, in that order"
    )
    parser.add_argument("--classopt-device", help="run class optimisation there (e.g. cuda); the rest on the CPU")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"skipped: {args.data} is absent")
    torch.set_num_threads(args.threads)
    try:  # fail here, once, rather than at every run
        resolve_classopt_device(args.classopt_device)
    except InputError as error:
        sys.exit(str(error))
    tests = {name: test for name, _, test in experiments(args.data)}
    locks = args.out.parent / f".{args.out.name}-locks"
    first = [line.strip().strip("/") for line in args.first.read_text().splitlines()] if args.first else []
    first = [name for name in first if name]
    rank = {name: index for index, name in enumerate(first)}

    def priority(path):  # the listed runs in their order, then the others
        return (rank.get(f"{path.parent.parent.name}/{path.parent.name}", len(rank)), path)

    for metrics_path in sorted(args.runs.glob(f"*/*/{METRICS_FILE}"), key=priority):
        metrics = open_run(metrics_path.parent).metrics
        if not is_neural(metrics["preset"]) or metrics["experiment"] not in tests:
            continue
        if metrics.get("pooling") == "max" and "max" not in args.poolings:
            continue
        if args.presets and metrics["preset"] not in args.presets:
            continue
        rundir = metrics_path.parent
        with claim(locks, f"{rundir.parent.name}.{rundir.name}") as mine:
            if mine:
                analyse(rundir, metrics_path, args.out, tests[metrics["experiment"]], args.classopt_device)


# The rules for a current motif result are the study runner's (one place).
current = current_motifs


def analyse(rundir, metrics_path, out_root, test, classopt_device=None):
    out = out_root / rundir.parent.name / rundir.name
    # Skip what is done, unless the run was retrained since, its temporal windows
    # came from an older extraction rule, it predates the chance count, or its
    # JASPAR matrices had another pseudocount.
    done = out / MOTIFS_FILE
    if done.exists() and done.stat().st_mtime >= metrics_path.stat().st_mtime:
        if current(read_json(done)):
            return
    try:
        summary = motif_analysis(rundir, test, out, classopt_device=classopt_device)
    except InputError as error:
        print(f"{rundir}: {error}", flush=True)
        return
    print(json.dumps({"run": str(rundir), **{m: c["matches"] for m, c in summary["methods"].items()}}), flush=True)


if __name__ == "__main__":
    main()
