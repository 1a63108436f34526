"""``gdash study``: every experiment × model × seed, resumable, with a results index."""

from __future__ import annotations

from pathlib import Path

import click

from gdashboard.cli.options import JsonObject, PathArg, dataclass_options, field_default, flag_name, split_list
from gdashboard.errors import InputError
from gdashboard.methods import ClassOptOptions
from gdashboard.train_options import TrainOptions

# The training options a study also takes as flags (the others through --train-options), with
# the help that says what they mean in a study.
STUDY_TRAIN_FLAGS = {
    "epochs": {"help": "Epoch limit (default: each preset's)."},
    "pooling": {"help": "Recurrent presets: pooling over time (default mean, the paper's); max gives the -max models."},
    "rc_augment": {"help": "Neural presets: train on both strands (default on; gdash train --rc-augment)."},
    "rc_average": {"help": "Neural presets: score both strands (default on; gdash train --rc-average)."},
}


@click.group()
def study():
    """Run every experiment x model x seed, resumable, with a results index."""


def _train_options(given: dict | None, flags: dict) -> TrainOptions:
    """The study's training options: ``--train-options`` with the flags given; one set twice is refused."""
    given = dict(given or {})
    for name, value in flags.items():
        if value is None:
            continue
        if name in given and given[name] != value:
            raise click.UsageError(f"--train-options and {flag_name(name)} both set {name}; give it once")
        given[name] = value
    try:
        return TrainOptions.from_mapping(given)
    except (TypeError, ValueError) as error:
        raise InputError(str(error)) from None


@study.command("run")
@click.option("--data", "data_dirs", type=PathArg, multiple=True, required=True, help="A data folder (repeatable).")
@click.option("--models", required=True, help="Comma-separated presets, e.g. small-cnn,small-rnn.")
@click.option("--out", type=PathArg, required=True, help="The study folder.")
@click.option("--seeds", default="0", show_default=True, help="Comma-separated seeds.")
@click.option("--experiments", help="Comma-separated names of the experiments to run (default: all found).")
@click.option(
    "--train-options",
    type=JsonObject(),
    help="Training options of every network of the study, as JSON (one setting of a search), e.g. "
    '\'{"learning_rate": 0.003, "model_options": {"n_filters": 32}}\'.',
)
@dataclass_options(TrainOptions, only=("epochs",), override=STUDY_TRAIN_FLAGS)
@click.option(
    "--steps",
    help="Any of train,ensemble,motifs,modisco (comma-separated; ensemble: one model of each network's seeds). "
    "Default: train, and ensemble too with several seeds.",
)
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Tasks side by side.")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True, help="Threads per task.")
@click.option("--device", help="cpu (default) or cuda: every worker trains there (N workers share one GPU).")
@click.option("--retries", type=click.IntRange(min=0), default=0, show_default=True, help="Tries again per failure.")
@click.option("--ray-address", help="A running Ray cluster (default: a local Ray).")
@click.option(
    "--classopt-steps", type=click.IntRange(min=1), default=field_default(ClassOptOptions, "steps"), show_default=True
)
@dataclass_options(TrainOptions, only=("pooling", "rc_augment", "rc_average"), override=STUDY_TRAIN_FLAGS)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def study_run(data_dirs, models, out, quiet, **given):
    """Train (and analyse) every model on every experiment under the data folders; resumable."""
    import dataclasses

    from gdashboard.study import run_study
    from gdashboard.study.options import Execution, StudyOptions

    execution = Execution(**{f.name: given.pop(f.name) for f in dataclasses.fields(Execution) if f.name in given})
    flags = {name: given.pop(name) for name in STUDY_TRAIN_FLAGS}
    options = StudyOptions(
        seeds=tuple(split_list(given["seeds"], "seed", int)),
        steps=None if given["steps"] is None else tuple(split_list(given["steps"], "step")),
        experiments=None if given["experiments"] is None else tuple(split_list(given["experiments"], "experiment")),
        train=_train_options(given["train_options"], flags),
        classopt_steps=given["classopt_steps"],
    )
    counts = run_study(data_dirs, split_list(models, "model"), out, options, execution, progress=not quiet)
    click.echo(", ".join(f"{n} {state}" for state, n in counts.items()))
    if counts.get("failed"):
        click.echo(f"gdash study status {out} lists the failures")


@study.command("status")
@click.argument("study_dir", type=PathArg)
def study_status_command(study_dir):
    """Done, running, failed and pending tasks, with times and each failure's error."""
    from gdashboard.study.runner import study_status

    rows = study_status(study_dir)
    counts: dict = {}
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    states = ("done", "running", "interrupted", "failed", "pending")
    click.echo(", ".join(f"{counts.get(s, 0)} {s}" for s in states if s != "interrupted" or counts.get(s)))
    for row in rows:
        seconds = f"{row['seconds']:.1f} s" if row["seconds"] is not None else ""
        auc = f"test AUC {row['test_auc']:.4f}" if row["test_auc"] is not None else ""
        detail = row["error"] or auc
        click.echo(f"{row['state']:11s} {row['id']:60s} {seconds:>9s}  {detail}".rstrip())


@study.command("adopt")
@click.argument("study_dir", type=PathArg)
@click.argument("paths", type=PathArg, nargs=-1, required=True)
def study_adopt(study_dir, paths):
    """Take runs and motif folders made elsewhere into a study (hard links), so they are not redone."""
    from gdashboard.study.runner import adopt_runs

    counts = adopt_runs(study_dir, paths)
    click.echo(", ".join(f"{n} {state}" for state, n in counts.items()))


@study.command("index")
@click.argument("study_dir", type=PathArg)
@click.option("--rebuild", is_flag=True, help="Make the index again from the study's folders.")
@click.option("--csv", "csv_path", type=PathArg, help="Write every task of the index to this CSV file.")
def study_index(study_dir, rebuild, csv_path):
    """Rebuild the study's index (study.sqlite) from its folders, or export it as CSV."""
    from gdashboard.study.index import INDEX_FILE, StudyIndex
    from gdashboard.study.runner import rebuild_index

    if not rebuild and csv_path is None:
        raise InputError("say what to do: --rebuild, --csv FILE or both")
    if rebuild:
        counts = rebuild_index(study_dir)
        click.echo(", ".join(f"{n} {state}" for state, n in counts.items()))
    if csv_path is not None:
        if not (Path(study_dir) / INDEX_FILE).exists():
            raise InputError(f"no study index here ({INDEX_FILE}); gdash study index --rebuild makes one", study_dir)
        click.echo(f"{StudyIndex(study_dir).write_csv(csv_path)} tasks -> {csv_path}")
