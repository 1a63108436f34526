import json

from gdashboard.demo import DEMO_PRESETS, run_demo


def test_demo_writes_data_runs_and_report(tmp_path):
    lines = list(run_demo(tmp_path, n=300, epochs=1, progress=False, classopt_steps=5))
    assert lines[0].startswith("data:")
    assert (tmp_path / "GATA1_simulated" / "sites.tsv").exists()
    for preset in DEMO_PRESETS:
        metrics = json.loads((tmp_path / "runs" / preset / "metrics.json").read_text())
        assert metrics["preset"] == preset and metrics["tf"] == "GATA1"
        assert 0.0 <= metrics["test_auc"] <= 1.0
    for preset in DEMO_PRESETS:
        assert (tmp_path / "runs" / preset / "saliency.npz").exists()
        motifs = json.loads((tmp_path / "runs" / preset / "motifs" / "motifs.json").read_text())
        assert motifs["tf"] == "GATA1" and motifs["tf_in_jaspar"]
    report = (tmp_path / "report" / "report.md").read_text()
    assert "small-cnn-rnn" in report
    assert "Table 4" in report
    # a rerun reuses the finished runs
    again = list(run_demo(tmp_path, n=300, epochs=1, progress=False, classopt_steps=5))
    assert [l for l in again if l.startswith("model:")] == [l for l in lines if l.startswith("model:")]
