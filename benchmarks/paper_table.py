"""Every preset (baselines included) on every experiment of ../shared/data.

Resumable and shareable: each (experiment, model) is a run folder under --out;
finished runs are skipped, interrupted ones resume from their last epoch. Start
several processes side by side with one thread each (processes × threads ≤
cores); they share the jobs through locks (benchmarks/claims.py):

    .venv/bin/python benchmarks/paper_table.py --out runs/table &
    .venv/bin/python benchmarks/paper_table.py --out runs/table &
    .venv/bin/gdash report runs/table --out runs/table-report

The recurrent presets run in the paper's mean form and, as a separate model, in
the max form (``--pooling max``).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from gdashboard.data.paths import shared_data
from gdashboard.errors import InputError
from gdashboard.models import ALL_PRESETS, RECURRENT_PRESETS
from gdashboard.models.catalogue import model_folder
from gdashboard.results import METRICS_FILE
from gdashboard.runs import train_run
from gdashboard.study.tasks import outdated_run

sys.path.insert(0, str(Path(__file__).resolve().parent))
from claims import claim  # noqa: E402

DATA = shared_data()


def experiments(data: Path):
    """(name, train file, test file) of every experiment, smallest training set first,
    the paper's own GATA1 split leading."""
    found = []
    for folder in sorted((data / "deepmotif").glob("*")):
        if (folder / "train.fa").exists():
            found.append((folder.name, folder / "train.fa", folder / "test.fa"))
    for train in sorted((data / "encode").glob("*_AC.seq.gz")):
        name = train.name[: -len("_AC.seq.gz")]
        found.append((name, train, train.with_name(f"{name}_B.seq.gz")))
    found.sort(key=lambda e: (not e[0].startswith("GATA1_K562"), e[1].stat().st_size))
    return found


# The rules for an outdated run are the study runner's (one place).
_outdated = outdated_run


def jobs(data: Path, presets, poolings):
    for name, train, test in experiments(data):
        for preset in presets:
            for pooling in poolings if preset in RECURRENT_PRESETS else [None]:
                label = model_folder(preset, pooling)
                yield name, train, test, preset, pooling, label


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=Path("runs/table"))
    parser.add_argument("--presets", nargs="*", default=list(ALL_PRESETS))
    parser.add_argument("--poolings", nargs="*", default=["mean", "max"])
    parser.add_argument("--experiments", nargs="*", help="only these experiment names")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"skipped: {args.data} is absent")
    torch.set_num_threads(args.threads)
    locks = args.out.parent / f".{args.out.name}-locks"
    for name, train, test, preset, pooling, label in jobs(args.data, args.presets, args.poolings):
        if args.experiments and name not in args.experiments:
            continue
        with claim(locks, f"{name}.{label}") as mine:
            if mine:
                run_job(args, name, train, test, preset, pooling, label)


def run_job(args, name, train, test, preset, pooling, label):
    rundir = args.out / name / label
    if (rundir / METRICS_FILE).exists():
        reason = _outdated(rundir)
        if reason is None:
            return
        # Set it aside and train it again under the current rules.
        aside = args.out.parent / f"{args.out.name}-superseded" / name / f"{label}-{reason}"
        while aside.exists():  # never overwrite an earlier superseded run
            aside = aside.with_name(aside.name + "+")
        aside.parent.mkdir(parents=True, exist_ok=True)
        rundir.rename(aside)
    began = time.time()
    try:
        metrics = train_run(train, test, preset, rundir, seed=args.seed, pooling=pooling, progress=False, resume=True)
    except InputError as error:
        print(f"{name} {label}: {error}", flush=True)
        return
    print(
        json.dumps(
            {
                "experiment": name,
                "model": label,
                "test_auc": metrics["test_auc"],
                "validation_auc": metrics["validation_auc"],
                "minutes": round((time.time() - began) / 60, 2),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
