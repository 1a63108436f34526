"""``gdash demo``: the main job on the embedded simulated data, end to end."""

from __future__ import annotations

import os
from pathlib import Path

DEMO_PRESETS = ("small-cnn", "small-cnn-rnn")
# The folder names the experiment; its first field is the TF.
DEMO_EXPERIMENT = "GATA1_simulated"


def run_demo(
    out: str | os.PathLike,
    seed: int = 0,
    n: int = 4000,
    epochs: int | None = None,
    progress: bool = True,
    classopt_steps: int = 1000,
):
    """Simulate the GATA1 → E-box dataset, train small-cnn and small-cnn-rnn, explain them
    (saliency of every test sequence), compare their motifs with JASPAR, write the report.

    Yields one line per thing done, naming what was written. A rerun reuses the
    finished runs in ``out`` (each run folder is resumable) and motif results newer
    than their run.
    """
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.explain.run import explain_file
    from gdashboard.methods import ClassOptOptions
    from gdashboard.motifs.analysis import MotifAnalysisOptions, motif_analysis
    from gdashboard.report import write_report
    from gdashboard.results import METRICS_FILE, MOTIFS_FILE
    from gdashboard.runs import train_run
    from gdashboard.train_options import TrainOptions

    out = Path(out)
    # The folder names the experiment, and its first field the TF (GATA1), so that
    # the pwm baseline and the motif tools find the planted motif in JASPAR.
    data_dir = out / DEMO_EXPERIMENT
    paths = write_simulation(simulate(n=n, seed=seed), data_dir)
    yield f"data:    {data_dir} ({', '.join(p.name for p in paths.values())})"
    rundirs = []
    for preset in DEMO_PRESETS:
        rundir = out / "runs" / preset
        # The embedded grammar is read on the forward strand (GATA1, then the E-box 35 bp
        # downstream): a synthetic choice that binding of real DNA does not make, so the
        # networks' default of both strands does not hold for it.
        options = TrainOptions(seed=seed, epochs=epochs, rc_augment=False, rc_average=False)
        metrics = train_run(
            data_dir / "train.tsv", data_dir / "test.tsv", preset, rundir, options, resume=True, progress=progress
        )
        rundirs.append(rundir)
        yield (
            f"model:   {rundir} test AUC {metrics['test_auc']:.4f} "
            f"(validation {metrics['validation_auc']:.4f}, best epoch {metrics['best_epoch']})"
        )
    test = data_dir / "test.tsv"
    # The demo's seed is the chance count's shuffle and the class optimisation's restarts'.
    motif_options = MotifAnalysisOptions(seed=seed, classopt=ClassOptOptions(steps=classopt_steps, seed=seed))
    for rundir in rundirs:
        saliency = explain_file(rundir, test, "saliency", rundir / "saliency.npz")
        yield f"explain: {saliency} (saliency of every test sequence)"
        motifs = rundir / "motifs"
        if not (
            (motifs / MOTIFS_FILE).exists()
            and (motifs / MOTIFS_FILE).stat().st_mtime >= (rundir / METRICS_FILE).stat().st_mtime
        ):
            motif_analysis(rundir, test, motifs, motif_options, progress=progress)
        yield f"motifs:  {motifs} (windows of the positives against JASPAR)"
    for path in write_report(rundirs, out / "report").values():
        yield f"report:  {path}"
