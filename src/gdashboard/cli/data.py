"""``gdash data``: make and inspect sequence data."""

from __future__ import annotations

import click

from gdashboard.cli.options import PathArg, split_list


@click.group()
def data():
    """Make and inspect sequence data."""


@data.command("simulate")
@click.option("--out", type=PathArg, required=True, help="Folder for train.tsv, test.tsv, sites.tsv.")
@click.option(
    "--n", type=click.IntRange(min=10), default=4000, show_default=True, help="Number of sequences in all (half bound)."
)
@click.option("--seed", type=int, default=0, show_default=True)
def data_simulate(out, n, seed):
    """Write the embedded synthetic TFBS dataset (GATA1 then E-box, real JASPAR motifs)."""
    from gdashboard.data.simulate import simulate, write_simulation

    for path in write_simulation(simulate(n=n, seed=seed), out).values():
        click.echo(str(path))


@data.command("fetch")
@click.argument("what", type=click.Choice(["paper"]))
@click.option(
    "--out",
    type=PathArg,
    help="Folder for the archive and its experiments (default: deepmotif/ in the data home: $GDASH_DATA, else "
    "the platform's data folder).",
)
@click.option("--url", help="Where to download from (default: QData/DeepMotif's data/deepbind.tar.gz).")
@click.option("--sha256", "expected_sha256", help="The archive's SHA-256 (default: the paper archive's).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def data_fetch(what, out, url, expected_sha256, quiet):
    """Download the paper's data archive (resumable), check its SHA-256, unpack it safely."""
    from gdashboard.data.fetch import PAPER_SHA256, PAPER_SIZE, PAPER_URL, fetch_paper_data, paper_data_folder

    out = out if out is not None else paper_data_folder()
    # The known size only goes with the known archive.
    size = PAPER_SIZE if url in (None, PAPER_URL) and expected_sha256 in (None, PAPER_SHA256) else None
    made = fetch_paper_data(
        out, url=url or PAPER_URL, expected_sha256=expected_sha256 or PAPER_SHA256, size=size, progress=not quiet
    )
    click.echo(f"{len(made)} experiments in {out} (gdash study run --data {out} ...)")


@data.command("from-peaks")
@click.option("--peaks", type=PathArg, required=True, help="BED or ENCODE narrowPeak (plain or gzipped).")
@click.option("--genome", type=PathArg, required=True, help="Genome FASTA (plain or bgzipped; indexed on first use).")
@click.option("--out", type=PathArg, required=True, help="Folder for train.tsv, test.tsv and summary.json.")
@click.option("--length", type=click.IntRange(min=1), default=101, show_default=True, help="Window length.")
@click.option("--negatives", type=click.Choice(["shuffle", "flank", "gc"]), default="shuffle", show_default=True)
@click.option("--test-chroms", default="chr8,chr9", show_default=True, help="Held-out chromosomes (comma-separated).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--flank-distance", type=click.IntRange(min=1), default=1000, show_default=True, help="flank: bases from the peak."
)
@click.option("--exclude", type=PathArg, help="gc and flank: BED of regions negatives must avoid (e.g. a blacklist).")
def data_from_peaks(peaks, genome, out, test_chroms, **options):
    """ChIP-seq peaks and a genome in, a training and a test file out (chromosomes held out)."""
    from gdashboard.data.from_peaks import dataset_from_peaks

    summary = dataset_from_peaks(peaks, genome, out, test_chroms=split_list(test_chroms, "chromosome"), **options)
    for part in ("train", "test"):
        click.echo(f"{part}: {summary['positives'][part]} positives, {summary['negatives_made'][part]} negatives")
    for reason, count in summary["skipped"].items():
        click.echo(f"skipped {count}: {reason}")
    click.echo(f"-> {out}/train.tsv, test.tsv, summary.json")


@data.command("inspect")
@click.argument("file", type=PathArg)
@click.option("--pad", is_flag=True, help="Pad shorter sequences with N.")
def data_inspect(file, pad):
    """Read a sequence file and print what the trainer would see."""
    from gdashboard.data import read_dataset
    from gdashboard.data.describe import describe

    click.echo(describe(read_dataset(file, pad=pad)))
