"""``gdash explain``, ``gdash variants``, ``gdash motifs`` and ``gdash modisco``: why a model decides.

``gdash explain``'s methods and their options come from the registry
(:mod:`gdashboard.methods`): a method added there is a choice here, its options flags.
"""

from __future__ import annotations

import click

from gdashboard.cli.options import (
    MethodChoice,
    PathArg,
    aliases_help,
    check_method_options,
    field_default,
    method_options,
    method_options_epilog,
)
from gdashboard.methods import ClassOptOptions, get_method, modisco_methods

# gdash explain's own parameters, which no method option may be named.
EXPLAIN_PARAMETERS = ("rundir", "test_file", "method", "out", "limit", "pad", "rc_average", "quiet")


@click.command(epilog=method_options_epilog())
@click.argument("rundir", type=PathArg)
@click.option("--test", "test_file", type=PathArg, required=True, help="Sequences to explain.")
@click.option("--method", required=True, type=MethodChoice(), help=f"What to compute ({aliases_help()}).")
@click.option("--out", type=PathArg, required=True, help="The .npz file to write.")
@click.option("--limit", type=click.IntRange(min=1), help="Explain only the first N sequences.")
@click.option("--pad", is_flag=True, help="Pad shorter sequences with N.")
@click.option(
    "--rc-average",
    is_flag=True,
    help="Explain the mean of both strands (each mapped back to the forward strand), also for a run trained "
    "to score one.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@method_options(reserved=EXPLAIN_PARAMETERS)
def explain(rundir, test_file, method, out, quiet, **options):
    """Explain a trained model's decisions on a sequence file; write an .npz (no pickle).

    A method's options not given are its own defaults; an option of another method is refused.
    """
    from gdashboard.explain.run import explain_file

    record = get_method(method)
    run_options = {name: options.pop(name) for name in ("limit", "pad", "rc_average")}
    given = {name: value for name, value in options.items() if value is not None}
    check_method_options(record, given)
    path = explain_file(rundir, test_file, record.name, out, given or None, **run_options, progress=not quiet)
    click.echo(str(path))


@click.command()
@click.argument("rundirs", type=PathArg, nargs=-1, required=True)
@click.option("--vcf", type=PathArg, help="Variants (VCF, plain or gzipped); needs --genome.")
@click.option("--genome", type=PathArg, help="The genome the VCF refers to (FASTA, plain or bgzipped).")
@click.option("--ref", "ref_sequence", help="Instead of a VCF: a reference window of the models' length...")
@click.option("--alt", "alt_sequence", help="...and its variant.")
@click.option("--out", type=PathArg, required=True, help="TSV: one row per variant and model.")
@click.option(
    "--rc-average",
    is_flag=True,
    help="Score and explain both strands, also with runs trained to score one.",
)
def variants(rundirs, vcf, genome, ref_sequence, alt_sequence, out, rc_average):
    """Score variants: ref and alt log-odds, their difference, the saliency at the variant."""
    from gdashboard.explain.variants import score_variants

    result = score_variants(
        rundirs, out, vcf=vcf, genome=genome, ref=ref_sequence, alt=alt_sequence, rc_average=rc_average
    )
    click.echo(f"{result['scored']} variant(s) scored with {len(rundirs)} model(s) -> {out}")
    for reason, count in result["skipped"].items():
        click.echo(f"skipped {count}: {reason}")


@click.command()
@click.argument("rundir", type=PathArg)
@click.option(
    "--test", "test_file", type=PathArg, required=True, help="Test sequences; motifs come from the bound ones."
)
@click.option("--tf", help="TF name (default: the run's TF).")
@click.option("--out", type=PathArg, required=True, help="Folder for motifs.json, windows.tsv, extracted.meme, ...")
@click.option(
    "--p-threshold",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="A window matches when one of the TF's JASPAR motifs is a Tomtom hit below this p-value.",
)
@click.option(
    "--classopt-steps", type=click.IntRange(min=1), default=field_default(ClassOptOptions, "steps"), show_default=True
)
@click.option(
    "--classopt-device", help="Run class optimisation there (e.g. cuda; the rest stays on the CPU). Default: the CPU."
)
@click.option("--limit", type=click.IntRange(min=1), help="Use only the first N positive sequences.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def motifs(rundir, test_file, out, classopt_steps, quiet, **options):
    """Extract motifs (saliency, temporal, conv, class optimization) and compare them with JASPAR."""
    from gdashboard.motifs.analysis import MotifAnalysisOptions, motif_analysis

    asked = MotifAnalysisOptions(classopt=ClassOptOptions(steps=classopt_steps), **options)
    summary = motif_analysis(rundir, test_file, out, asked, progress=not quiet)
    _print_motifs(summary, asked.p_threshold)
    click.echo(str(out))


def _print_motifs(summary: dict, p_threshold: float) -> None:
    if not summary["tf_in_jaspar"]:
        click.echo(
            f"JASPAR {summary['jaspar_release']} has no vertebrate motif for {summary['tf']}: "
            "extracted motifs written, matches not counted"
        )
    for method, counts in summary["methods"].items():
        if counts["matches"] is not None:
            click.echo(
                f"{method:9s} {counts['matches']}/{counts['of']} match {summary['tf']} at p < {p_threshold}"
                f" ({counts['matches_q']} at q < {summary['q_threshold']})"
            )
    chance = summary.get("chance") or {}
    if chance.get("matches") is not None:
        click.echo(
            f"chance    {chance['matches']}/{chance['of']} (the saliency windows' places in shuffled "
            f"positives; {chance['matches_q']} at q < {summary['q_threshold']})"
        )
    if summary.get("saliency_fimo_overlap") is not None:
        click.echo(f"saliency windows overlapping a FIMO site: {summary['saliency_fimo_overlap']:.3f}")


@click.command()
@click.argument("rundir", type=PathArg)
@click.option(
    "--test", "test_file", type=PathArg, required=True, help="Test sequences; patterns come from the bound ones."
)
@click.option("--out", type=PathArg, required=True, help="Folder for patterns.json, patterns.meme, logos/, ...")
@click.option(
    "--attribution",
    type=MethodChoice(modisco_methods()),
    help="What TF-MoDISco reads (default: ISM, the best on the simulated ground truth for every architecture).",
)
@click.option("--tf", help="TF name (default: the run's TF).")
@click.option(
    "--limit", type=click.IntRange(min=1), default=500, show_default=True, help="Use the first N positive sequences."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of DeepLIFT's shuffled references.")
@click.option("--no-logos", is_flag=True, help="Do not draw the pattern logos.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def modisco(rundir, test_file, out, no_logos, quiet, **options):
    """TF-MoDISco patterns of a model's attributions, each matched with JASPAR (Tomtom)."""
    from gdashboard.motifs.modisco import ModiscoOptions, modisco_analysis

    asked = ModiscoOptions(logos=not no_logos, **options)
    summary = modisco_analysis(rundir, test_file, out, asked, progress=not quiet)
    _print_patterns(summary)
    click.echo(str(out))


def _print_patterns(summary: dict) -> None:
    click.echo(
        f"{summary['n_patterns']} patterns from {summary['n_sequences']} positive sequences "
        f"({summary['attribution']}, {sum(summary['seconds'].values()):.0f} s)"
    )
    for pattern in summary["patterns"]:
        best = pattern["matches"][0] if pattern["matches"] else None
        hit = f"{best['name']} ({best['id']}) q={best['q']:.2g}" if best else "no JASPAR hit"
        mark = "  <- " + summary["tf"] if pattern.get("matches_tf") else ""
        click.echo(f"{pattern['rank']:3d} {pattern['name']:24s} {pattern['n_seqlets']:5d} seqlets  {hit}{mark}")
    first = summary["first_tf_pattern"]
    if not summary["tf_in_jaspar"]:
        click.echo(f"JASPAR {summary['jaspar_release']} has no vertebrate motif for {summary['tf']}")
    elif first is None:
        click.echo(f"no pattern matches {summary['tf']} at q < {summary['q_threshold']}")
    if summary["cofactors"]:
        click.echo("co-factors: " + ", ".join(summary["cofactors"]))
