"""The ``gdash`` command line: parses, calls the library, prints. No logic lives here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gdashboard.errors import InputError
from gdashboard.models.catalogue import preset_help

PathArg = click.Path(path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gdashboard")
def app():
    """gdashboard: train TF binding-site classifiers and show why they decide as they do."""


@app.group()
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
@click.option("--out", type=PathArg, required=True, help="Folder for the archive and its experiments.")
@click.option("--url", help="Where to download from (default: QData/DeepMotif's data/deepbind.tar.gz).")
@click.option("--sha256", "expected_sha256", help="The archive's SHA-256 (default: the paper archive's).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def data_fetch(what, out, url, expected_sha256, quiet):
    """Download the paper's data archive (resumable), check its SHA-256, unpack it safely."""
    from gdashboard.data.fetch import PAPER_SHA256, PAPER_SIZE, PAPER_URL, fetch_paper_data

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
def data_from_peaks(peaks, genome, out, length, negatives, test_chroms, seed, flank_distance, exclude):
    """ChIP-seq peaks and a genome in, a training and a test file out (chromosomes held out)."""
    from gdashboard.data.from_peaks import dataset_from_peaks

    summary = dataset_from_peaks(
        peaks,
        genome,
        out,
        length=length,
        negatives=negatives,
        test_chroms=_split(test_chroms, "chromosome"),
        seed=seed,
        flank_distance=flank_distance,
        exclude=exclude,
    )
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


@app.command()
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
@click.option("--epochs", type=click.IntRange(min=1), help="Maximum epochs (default: the preset's recipe).")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of weights, shuffled negatives, split and batches."
)
@click.option("--tf", help="TF name (default: the first field of the experiment's name).")
@click.option(
    "--pooling",
    type=click.Choice(["mean", "max"]),
    help="Recurrent presets: pooling over time (default mean, the paper's).",
)
@click.option("--lr", "learning_rate", type=float, help="Peak learning rate (default: the preset's recipe).")
@click.option("--batch-size", type=click.IntRange(min=1))
@click.option("--weight-decay", type=click.FloatRange(min=0), help="Adam's L2 penalty (default: the preset's recipe).")
@click.option(
    "--validation-fraction", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.1, show_default=True
)
@click.option("--pad", is_flag=True, help="Pad shorter sequences with N.")
@click.option(
    "--restarts",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Train again from new seeds, up to this many times, while the best validation "
    "AUC stays at or below 0.55 (not learned); the best attempt by validation is kept.",
)
@click.option("--resume", is_flag=True, help="Continue an interrupted run from its last epoch.")
@click.option(
    "--rc-augment/--no-rc-augment",
    default=None,
    help="Each batch also sees its sequences' reverse complements (default for networks: on).",
)
@click.option(
    "--rc-average/--no-rc-average",
    default=None,
    help="The model scores the mean of both strands' log-odds (predict, explain, dashboard; default for networks: on).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def train(
    train_file,
    test_file,
    model,
    out,
    epochs,
    seed,
    tf,
    pooling,
    learning_rate,
    batch_size,
    weight_decay,
    validation_fraction,
    pad,
    restarts,
    resume,
    rc_augment,
    rc_average,
    quiet,
):
    """Train one model preset and evaluate it on the test file."""
    from gdashboard.runs import train_run

    metrics = train_run(
        train_file,
        test_file,
        model,
        out,
        seed=seed,
        epochs=epochs,
        tf=tf,
        pooling=pooling,
        learning_rate=learning_rate,
        batch_size=batch_size,
        weight_decay=weight_decay,
        validation_fraction=validation_fraction,
        pad=pad,
        restarts=restarts,
        resume=resume,
        rc_augment=rc_augment,
        rc_average=rc_average,
        progress=not quiet,
    )
    if not metrics["available"]:
        accuracy = metrics.get("test_accuracy")
        suffix = f"; test accuracy {accuracy:.4f} -> {out}" if accuracy is not None else ""
        click.echo(f"{model} not available: {metrics['reason']}{suffix}")
    else:
        click.echo(
            f"{metrics['experiment']} {model}: test AUC {metrics['test_auc']:.4f} "
            f"(validation AUC {metrics['validation_auc']:.4f}) -> {out}"
        )


@app.command()
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


@app.command()
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


@app.command()
@click.argument("rundir", type=PathArg)
@click.option("--test", "test_file", type=PathArg, required=True, help="Sequences to explain.")
@click.option(
    "--method", required=True, type=click.Choice(["saliency", "temporal", "classopt", "conv", "ism", "ig", "deeplift"])
)
@click.option("--out", type=PathArg, required=True, help="The .npz file to write.")
@click.option(
    "--target",
    type=click.Choice(["logit", "log_odds", "probability", "log_probability"]),
    default="logit",
    show_default=True,
    help="S+: the positive logit (default), logit+ − logit−, p+ (saliency), log p+ (classopt).",
)
@click.option("--limit", type=click.IntRange(min=1), help="Explain only the first N sequences.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help="Sequences (saliency, conv) or mutants (ism) per pass; default: the method's own.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--n-steps", type=click.IntRange(min=1), default=50, show_default=True, help="Integrated gradients: path steps."
)
@click.option(
    "--baseline",
    type=click.Choice(["zeros", "shuffle"]),
    default="zeros",
    show_default=True,
    help="Integrated gradients: reference input.",
)
@click.option(
    "--n-shuffles",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="DeepLIFT/SHAP: shuffled references per sequence.",
)
@click.option(
    "--steps", type=click.IntRange(min=1), default=1000, show_default=True, help="Class optimization: gradient steps."
)
@click.option(
    "--restarts",
    type=click.IntRange(min=1),
    default=16,
    show_default=True,
    help="Class optimization: random restarts (one batch).",
)
@click.option(
    "--l2",
    type=click.FloatRange(min=0),
    default=0.009,
    show_default=True,
    help="Class optimization: λ of the L2 penalty.",
)
@click.option("--pad", is_flag=True, help="Pad shorter sequences with N.")
@click.option(
    "--rc-average",
    is_flag=True,
    help="Explain the mean of both strands (each mapped back to the forward strand), also for a run trained "
    "to score one.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def explain(
    rundir,
    test_file,
    method,
    out,
    target,
    limit,
    batch_size,
    seed,
    n_steps,
    baseline,
    n_shuffles,
    steps,
    restarts,
    l2,
    pad,
    rc_average,
    quiet,
):
    """Explain a trained model's decisions on a sequence file; write an .npz (no pickle)."""
    from gdashboard.explain.run import explain_file

    options = dict(
        target=target,
        batch_size=batch_size,
        seed=seed,
        n_steps=n_steps,
        baseline=baseline,
        n_shuffles=n_shuffles,
        steps=steps,
        restarts=restarts,
        l2=l2,
        progress=not quiet,
    )
    click.echo(
        str(explain_file(rundir, test_file, method, out, limit=limit, pad=pad, rc_average=rc_average, **options))
    )


@app.command()
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
@click.option("--classopt-steps", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option(
    "--classopt-device", help="Run class optimisation there (e.g. cuda; the rest stays on the CPU). Default: the CPU."
)
@click.option("--limit", type=click.IntRange(min=1), help="Use only the first N positive sequences.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def motifs(rundir, test_file, tf, out, p_threshold, classopt_steps, classopt_device, limit, quiet):
    """Extract motifs (saliency, temporal, conv, class optimization) and compare them with JASPAR."""
    from gdashboard.motifs.analysis import motif_analysis

    summary = motif_analysis(
        rundir,
        test_file,
        out,
        tf=tf,
        p_threshold=p_threshold,
        classopt_steps=classopt_steps,
        limit=limit,
        progress=not quiet,
        classopt_device=classopt_device,
    )
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
    click.echo(str(out))


@app.command()
@click.argument("rundir", type=PathArg)
@click.option(
    "--test", "test_file", type=PathArg, required=True, help="Test sequences; patterns come from the bound ones."
)
@click.option("--out", type=PathArg, required=True, help="Folder for patterns.json, patterns.meme, logos/, ...")
@click.option(
    "--attribution",
    type=click.Choice(["ism", "saliency", "integrated_gradients", "deeplift"]),
    help="What TF-MoDISco reads (default: ISM, the best on the simulated ground truth for every architecture).",
)
@click.option("--tf", help="TF name (default: the run's TF).")
@click.option(
    "--limit", type=click.IntRange(min=1), default=500, show_default=True, help="Use the first N positive sequences."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of DeepLIFT's shuffled references.")
@click.option("--no-logos", is_flag=True, help="Do not draw the pattern logos.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def modisco(rundir, test_file, out, attribution, tf, limit, seed, no_logos, quiet):
    """TF-MoDISco patterns of a model's attributions, each matched with JASPAR (Tomtom)."""
    from gdashboard.motifs.modisco import modisco_analysis

    summary = modisco_analysis(
        rundir,
        test_file,
        out,
        attribution=attribution,
        tf=tf,
        limit=limit,
        seed=seed,
        logos=not no_logos,
        progress=not quiet,
    )
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
    click.echo(str(out))


@app.command()
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
    "--classopt-steps",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Class optimisation steps (computed once, cached beside each run).",
)
@click.option("--no-mark-best", is_flag=True, help="Do not mark the best model of each architecture (validation AUC).")
def figure(paths, experiment, sequence_id, sequence_text, out, models, classopt_steps, no_mark_best):
    """The paper's Figure 2 for one experiment and one sequence, as a publication figure."""
    from gdashboard.dashboard.figure import write_figure

    chosen = [m.strip() for m in models.split(",") if m.strip()] if models else None
    path = write_figure(
        list(paths),
        experiment=experiment,
        out=out,
        sequence_id=sequence_id,
        sequence_text=sequence_text,
        models=chosen,
        classopt_steps=classopt_steps,
        mark_best=not no_mark_best,
    )
    click.echo(str(path))


@app.command()
@click.argument("paths", type=PathArg, nargs=-1, required=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8050, show_default=True)
@click.option("--allow-remote", is_flag=True, help="Required with a non-loopback --host: the dashboard has no login.")
@click.option(
    "--classopt-steps",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Class optimisation steps (computed in the background, cached beside each run).",
)
def serve(paths, host, port, allow_remote, classopt_steps):
    """Serve the interactive dashboard and its JSON API over run folders (http://HOST:PORT)."""
    from gdashboard.dashboard.app import serve as serve_dashboard

    serve_dashboard(list(paths), host=host, port=port, allow_remote=allow_remote, classopt_steps=classopt_steps)


@app.command()
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


@app.group()
def study():
    """Run every experiment x model x seed, resumable, with a results index."""


def _json_object(text: str, option: str) -> dict:
    import json

    try:
        value = json.loads(text)
    except ValueError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint=option) from None
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object ({...})", param_hint=option)
    return value


def _split(text: str, what: str, cast=str) -> list:
    try:
        values = [cast(v.strip()) for v in text.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{what} must be a comma-separated list, got {text!r}") from None
    if not values:
        raise click.BadParameter(f"give at least one {what}")
    return values


@app.command()
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


@app.command()
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


@study.command("run")
@click.option("--data", "data_dirs", type=PathArg, multiple=True, required=True, help="A data folder (repeatable).")
@click.option("--models", required=True, help="Comma-separated presets, e.g. small-cnn,small-rnn.")
@click.option("--out", type=PathArg, required=True, help="The study folder.")
@click.option("--seeds", default="0", show_default=True, help="Comma-separated seeds.")
@click.option("--experiments", help="Comma-separated names of the experiments to run (default: all found).")
@click.option(
    "--train-options",
    help="Training options of every network of the study, as JSON (one setting of a search), e.g. "
    '\'{"learning_rate": 0.003, "model_options": {"n_filters": 32}}\'.',
)
@click.option("--epochs", type=click.IntRange(min=1), help="Epoch limit (default: each preset's).")
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
@click.option("--classopt-steps", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option(
    "--pooling",
    type=click.Choice(["mean", "max"]),
    help="Recurrent presets: pooling over time (default mean, the paper's); max gives the -max models.",
)
@click.option(
    "--rc-augment/--no-rc-augment",
    default=None,
    help="Neural presets: train on both strands (default on; gdash train --rc-augment).",
)
@click.option(
    "--rc-average/--no-rc-average",
    default=None,
    help="Neural presets: score both strands (default on; gdash train --rc-average).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def study_run(
    data_dirs,
    models,
    out,
    seeds,
    experiments,
    train_options,
    epochs,
    steps,
    executor,
    workers,
    threads,
    device,
    retries,
    ray_address,
    classopt_steps,
    pooling,
    rc_augment,
    rc_average,
    quiet,
):
    """Train (and analyse) every model on every experiment under the data folders; resumable."""
    from gdashboard.study.runner import run_study

    counts = run_study(
        data_dirs,
        _split(models, "model"),
        out,
        seeds=_split(seeds, "seed", int),
        steps=None if steps is None else _split(steps, "step"),
        epochs=epochs,
        executor=executor,
        workers=workers,
        threads=threads,
        device=device,
        retries=retries,
        ray_address=ray_address,
        classopt_steps=classopt_steps,
        pooling=pooling,
        rc_augment=rc_augment,
        rc_average=rc_average,
        experiment_names=None if experiments is None else _split(experiments, "experiment"),
        train_options=None if train_options is None else _json_object(train_options, "--train-options"),
        progress=not quiet,
    )
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


if __name__ == "__main__":
    entry()
