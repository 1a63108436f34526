"""``gdash report``, ``gdash figure``, ``gdash serve`` and ``gdash demo``: results shown."""

from __future__ import annotations

from pathlib import Path

import click

from gdashboard.cli.options import PathArg, field_default, split_list
from gdashboard.methods import ClassOptOptions, row_methods

CLASSOPT_STEPS = field_default(ClassOptOptions, "steps")


@click.command()
@click.argument("rundirs", type=PathArg, nargs=-1, required=True)
@click.option("--out", type=PathArg, required=True, help="Folder for report.md and the CSV tables.")
@click.option(
    "--include-max",
    is_flag=True,
    help="Let the max-over-time forms of the recurrent presets compete to represent "
    "RNN and CNN-RNN in Tables 3 and 4 (default: the paper's mean forms only).",
)
def report(rundirs, out, include_max):
    """The paper's Table 2 (AUC summary), Table 3 (paired t-tests) and, given motif results
    (`gdash motifs` folders), Table 4 over many runs."""
    from gdashboard.report import write_report

    for path in write_report(list(rundirs), out, include_max_in_architectures=include_max).values():
        click.echo(str(path))


@click.command()
@click.argument("paths", type=PathArg, nargs=-1, required=True)
@click.option("--experiment", required=True, help="The experiment to draw (e.g. GATA1_K562_GATA-1_USC).")
@click.option(
    "--sequence",
    "sequence_id",
    help="A test sequence by id, as gdash names it (e.g. test:1); default: the first bound one with a FIMO site "
    "of the TF's JASPAR motifs, else the first bound one.",
)
@click.option("--sequence-text", help="The sequence itself (A, C, G, T, N), instead of --sequence.")
@click.option("--out", type=PathArg, required=True, help="The figure: .png (300 dpi), .svg or .pdf.")
@click.option("--models", help="Comma-separated model labels (default: every network of the experiment).")
@click.option(
    "--methods",
    help=f"Comma-separated methods drawn as rows, of {', '.join(row_methods())} (default: the paper's rows).",
)
@click.option(
    "--classopt-steps",
    type=click.IntRange(min=1),
    default=CLASSOPT_STEPS,
    show_default=True,
    help="Class optimisation steps (computed once, cached beside each run).",
)
@click.option("--no-mark-best", is_flag=True, help="Do not mark the best model of each architecture (validation AUC).")
def figure(paths, models, methods, classopt_steps, no_mark_best, **options):
    """The paper's Figure 2 for one experiment and one sequence, as a publication figure."""
    from gdashboard.dashboard.figure import write_figure

    path = write_figure(
        list(paths),
        models=[m.strip() for m in models.split(",") if m.strip()] if models else None,
        methods=None if methods is None else split_list(methods, "method"),
        classopt=ClassOptOptions(steps=classopt_steps),
        mark_best=not no_mark_best,
        **options,
    )
    click.echo(str(path))


@click.command()
@click.argument("paths", type=PathArg, nargs=-1, required=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8050, show_default=True)
@click.option("--allow-remote", is_flag=True, help="Required with a non-loopback --host: the dashboard has no login.")
@click.option(
    "--classopt-steps",
    type=click.IntRange(min=1),
    default=CLASSOPT_STEPS,
    show_default=True,
    help="Class optimisation steps (computed in the background, cached beside each run).",
)
def serve(paths, host, port, allow_remote, classopt_steps):
    """Serve the interactive dashboard and its JSON API over run folders (http://HOST:PORT)."""
    from gdashboard.dashboard.app import serve as serve_dashboard

    classopt = ClassOptOptions(steps=classopt_steps)
    serve_dashboard(list(paths), host=host, port=port, allow_remote=allow_remote, classopt=classopt)


@click.command()
@click.option("--out", type=PathArg, default=Path("demo-output"), show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def demo(out, seed, quiet):
    """Simulate data, train small-cnn and small-cnn-rnn, explain them, compare their motifs with
    JASPAR, report, draw Figure 2 of one test sequence, and print what was written."""
    from gdashboard.dashboard.figure import write_figure
    from gdashboard.demo import DEMO_EXPERIMENT, run_demo

    for line in run_demo(out, seed=seed, progress=not quiet):
        click.echo(line)
    # The figure is drawn here, not in gdashboard.demo: only the command line reaches the dashboard.
    figure_path = write_figure([out / "runs"], experiment=DEMO_EXPERIMENT, out=out / "figure2.png")
    click.echo(f"figure:  {figure_path} (Figure 2 of the first bound test sequence with a FIMO site of GATA1)")
    click.echo(f"Open the dashboard on these runs:  gdash serve {out / 'runs'}")
