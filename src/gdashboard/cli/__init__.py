"""The ``gdash`` command line: parses, calls the library, prints. No logic lives here.

One module per group of commands (:mod:`~gdashboard.cli.data`, :mod:`~gdashboard.cli.training`,
:mod:`~gdashboard.cli.explaining`, :mod:`~gdashboard.cli.serving`, :mod:`~gdashboard.cli.study`);
options that the library defines once (the training options, the explanation methods and their
options) are made from those definitions by :mod:`~gdashboard.cli.options`.
"""

from __future__ import annotations

import sys

import click

# The groups stay their modules' (gdashboard.cli.data is the module, its group gdashboard.cli.data.data).
from gdashboard.cli import data as data_commands
from gdashboard.cli import study as study_commands
from gdashboard.cli.explaining import explain, modisco, motifs, variants
from gdashboard.cli.serving import demo, figure, report, serve
from gdashboard.cli.training import ensemble, predict, train
from gdashboard.errors import InputError

__all__ = ["app", "demo", "ensemble", "entry", "explain", "figure", "main", "modisco", "motifs", "predict"]
__all__ += ["report", "serve", "train", "variants"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gdashboard")
def app():
    """gdashboard: train TF binding-site classifiers and show why they decide as they do."""


for _command in (
    data_commands.data,
    train,
    predict,
    report,
    explain,
    motifs,
    modisco,
    figure,
    serve,
    demo,
    study_commands.study,
    ensemble,
    variants,
):
    app.add_command(_command)


def main(argv: list[str] | None = None) -> int:
    """Run ``gdash``; every error is one line on stderr and a non-zero exit, never a traceback."""
    try:
        app.main(args=argv, prog_name="gdash", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        print(f"gdash: error: {error.format_message()}", file=sys.stderr)
        return 2
    except InputError as error:
        print(f"gdash: error: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, click.exceptions.Abort):
        print("gdash: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("gdash: error: out of memory", file=sys.stderr)
        return 1
    except OSError as error:
        # A path the system refuses (an output folder that is a file, no permission,
        # a full disk): name it, one line.
        where = f"{error.filename}: " if error.filename else ""
        print(f"gdash: error: {where}{error.strerror or error}", file=sys.stderr)
        return 1
    return 0


def entry() -> None:
    sys.exit(main())
