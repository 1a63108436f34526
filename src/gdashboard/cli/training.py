"""``gdash train``, ``gdash predict`` and ``gdash ensemble``: runs made and scored."""

from __future__ import annotations

import sys

import click

from gdashboard.cli.options import PathArg, dataclass_options
from gdashboard.models.catalogue import preset_help
from gdashboard.train_options import TrainOptions

# Where a flag of gdash train says more than the field's metadata: its historical name, a range.
TRAIN_FLAGS = {
    "learning_rate": {"flag": "--lr"},
    "validation_fraction": {"type": click.FloatRange(0, 1, min_open=True, max_open=True)},
}


@click.command()
@click.option("--train", "train_file", type=PathArg, required=True, help="Training sequences.")
@click.option(
    "--test",
    "test_file",
    type=PathArg,
    required=True,
    help="Test sequences (evaluated only; never used for any choice).",
)
@click.option("--model", required=True, help=f"Preset: {preset_help()}.")
@click.option("--out", type=PathArg, required=True, help="Run folder to create.")
@dataclass_options(TrainOptions, override=TRAIN_FLAGS)
@click.option("--resume", is_flag=True, help="Continue an interrupted run from its last epoch.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def train(train_file, test_file, model, out, resume, quiet, **options):
    """Train one model preset and evaluate it on the test file."""
    from gdashboard.runs import train_run

    metrics = train_run(train_file, test_file, model, out, TrainOptions(**options), resume=resume, progress=not quiet)
    if not metrics["available"]:
        accuracy = metrics.get("test_accuracy")
        suffix = f"; test accuracy {accuracy:.4f} -> {out}" if accuracy is not None else ""
        click.echo(f"{model} not available: {metrics['reason']}{suffix}")
    else:
        click.echo(
            f"{metrics['experiment']} {model}: test AUC {metrics['test_auc']:.4f} "
            f"(validation AUC {metrics['validation_auc']:.4f}) -> {out}"
        )


@click.command()
@click.argument("rundir", type=PathArg)
@click.argument("file", type=PathArg)
@click.option("--pad", is_flag=True, help="Pad shorter sequences with N.")
@click.option(
    "--rc-average",
    is_flag=True,
    help="Score both strands (the mean of their log-odds), also for a run trained to score one.",
)
def predict(rundir, file, pad, rc_average):
    """Print a TSV of scores (log-odds of binding) for every sequence of FILE."""
    from gdashboard.runs import predict_file

    dataset, scores = predict_file(rundir, file, pad=pad, rc_average=rc_average)
    out = sys.stdout
    out.write("id\tscore\n")
    out.writelines(f"{i}\t{s:.6g}\n" for i, s in zip(dataset.ids, scores))


@click.command()
@click.argument("rundirs", type=PathArg, nargs=-1, required=True)
@click.option("--out", type=PathArg, required=True, help="The ensemble's folder to create.")
def ensemble(rundirs, out):
    """One model of several seeds' runs (mean log-odds): predict, explain, motifs, report, serve."""
    from gdashboard.runs import make_ensemble

    metrics = make_ensemble(rundirs, out)
    click.echo(
        f"{metrics['experiment']} {metrics['preset']} ensemble of {len(metrics['members'])}: "
        f"test AUC {metrics['test_auc']:.4f} (members "
        + ", ".join(f"{m['test_auc']:.4f}" for m in metrics["members"])
        + f") -> {out}"
    )
