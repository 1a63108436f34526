"""A run trained with relative paths keeps its data from any working directory, and after its
folder and its data were moved together: the figure draws a test sequence by id and the dashboard
opens its test sequences."""

import shutil

from gdashboard.cli import main
from gdashboard.train_options import TrainOptions


def _figure_and_dashboard(runs, experiment, sequence_id, out):
    from gdashboard.dashboard.app import create_app

    assert main(["figure", str(runs), "--experiment", experiment, "--sequence", sequence_id, "--out", str(out)]) == 0
    assert out.stat().st_size > 0
    state = create_app([runs], classopt_steps=5, classopt_restarts=1).gdashboard_state
    dataset, _ = state.test_set(state.experiments[experiment])
    assert dataset is not None and sequence_id in dataset.ids
    assert len(state.test_sequence(state.experiments[experiment], sequence_id)) == dataset.length


def test_a_run_trained_with_relative_paths_opens_its_data_from_elsewhere_and_after_a_move(tmp_path, monkeypatch):
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.runs import train_run

    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.chdir(work)
    write_simulation(simulate(n=200, seed=3), "data/GATA1_sim")
    options = TrainOptions(epochs=1, restarts=0, rc_augment=False, rc_average=False)
    train_run(
        "data/GATA1_sim/train.tsv", "data/GATA1_sim/test.tsv", "small-cnn", "runs/small-cnn", options, progress=False
    )
    sequence_id = (work / "data/GATA1_sim/test.tsv").read_text().splitlines()[1].split("\t")[0]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    _figure_and_dashboard(work / "runs", "GATA1_sim", sequence_id, elsewhere / "figure.png")

    # The run folder and its data moved together, under a new name; the old place is gone.
    moved = tmp_path / "archive" / "project-2026"
    moved.parent.mkdir()
    shutil.move(str(work), str(moved))
    _figure_and_dashboard(moved / "runs", "GATA1_sim", sequence_id, elsewhere / "moved.png")
