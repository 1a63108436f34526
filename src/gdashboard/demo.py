"""``gdash demo``: the main job on the embedded simulated data, end to end."""

from __future__ import annotations

import os
from pathlib import Path

DEMO_PRESETS = ("small-cnn", "small-cnn-rnn")


def run_demo(out: str | os.PathLike, seed: int = 0, n: int = 4000, epochs: int | None = None,
             progress: bool = True):
    """Simulate the GATA1 → E-box dataset, train small-cnn and small-cnn-rnn, write the report.

    Yields one line per thing done, naming what was written. A rerun reuses the
    finished runs in ``out`` (each run folder is resumable).
    """
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.report import write_report
    from gdashboard.runs import train_run

    out = Path(out)
    # The folder names the experiment, and its first field the TF (GATA1), so that
    # the pwm baseline and the motif tools find the planted motif in JASPAR.
    data_dir = out / "GATA1_simulated"
    paths = write_simulation(simulate(n=n, seed=seed), data_dir)
    yield f"data:    {data_dir} ({', '.join(p.name for p in paths.values())})"
    rundirs = []
    for preset in DEMO_PRESETS:
        rundir = out / "runs" / preset
        metrics = train_run(data_dir / "train.tsv", data_dir / "test.tsv", preset, rundir, seed=seed,
                            epochs=epochs, progress=progress, resume=True)
        rundirs.append(rundir)
        yield (f"model:   {rundir} test AUC {metrics['test_auc']:.4f} "
               f"(validation {metrics['validation_auc']:.4f}, best epoch {metrics['best_epoch']})")
    for path in write_report(rundirs, out / "report").values():
        yield f"report:  {path}"
