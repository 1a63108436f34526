"""The study's rules for what is redone: runs that no longer follow their preset's rules,
and motif results made by older rules (gdashboard.study.tasks)."""

import json

import pytest

from gdashboard.models import PRESETS
from gdashboard.runs import NOT_LEARNED_AUC
from gdashboard.study.tasks import current_motifs as current
from gdashboard.study.tasks import outdated_run as _outdated


def _run(tmp_path, preset, *, epochs_limit, epochs_run, best_epoch, validation_auc=0.9, attempts=False):
    rundir = tmp_path / preset
    rundir.mkdir()
    recipe = {"epochs": epochs_limit, "patience": PRESETS[preset].recipe.patience}
    # What gdash train writes (the results layer checks it when the script reads it).
    metrics = {
        "experiment": "GATA1_K562_GATA-1_USC",
        "preset": preset,
        "available": True,
        "test_auc": 0.9,
        "validation_auc": validation_auc,
        "epochs_run": epochs_run,
        "best_epoch": best_epoch,
    }
    if attempts:
        metrics["attempts"] = []
    (rundir / "metrics.json").write_text(json.dumps(metrics))
    config = {"preset": preset, "model_class": PRESETS[preset].model_class, "model_kwargs": {}, "recipe": recipe}
    (rundir / "config.json").write_text(json.dumps(config))
    return rundir


def test_a_run_ended_by_a_since_raised_epoch_limit_is_retrained(tmp_path):
    limit = PRESETS["small-cnn"].recipe.epochs
    ended_by_limit = _run(
        tmp_path, "small-cnn", epochs_limit=limit // 2, epochs_run=limit // 2, best_epoch=limit // 2 - 2
    )
    assert _outdated(ended_by_limit) == f"epochs{limit // 2}"


@pytest.mark.parametrize(
    "preset, fields",
    [
        # Early stopping ended it before the old limit: the same steps under the new one.
        ("med-cnn", dict(epochs_limit=50, epochs_run=30, best_epoch=24)),
        # Ended by the current limit.
        (
            "large-cnn",
            dict(
                epochs_limit=PRESETS["large-cnn"].recipe.epochs,
                epochs_run=PRESETS["large-cnn"].recipe.epochs,
                best_epoch=90,
            ),
        ),
        # Early stopping ended it exactly at the old limit (no gain in its last `patience` epochs).
        ("small-cnn", dict(epochs_limit=50, epochs_run=50, best_epoch=44)),
        # Not learned, but already restarted under the current rule.
        ("small-rnn", dict(epochs_limit=40, epochs_run=20, best_epoch=3, validation_auc=0.5, attempts=True)),
    ],
)
def test_a_run_that_follows_the_current_rules_is_kept(tmp_path, preset, fields):
    assert _outdated(_run(tmp_path, preset, **fields)) is None


def test_a_run_that_had_not_learned_before_restarts_existed_is_retrained(tmp_path):
    rundir = _run(tmp_path, "small-rnn", epochs_limit=40, epochs_run=20, best_epoch=3, validation_auc=NOT_LEARNED_AUC)
    assert _outdated(rundir) == "before-restarts"


@pytest.mark.parametrize(
    "metrics",
    [
        # A baseline no better than chance (JASPAR's motif of a TF whose peaks lack it):
        # baselines have no epochs and no restarts, so nothing to redo.
        {"preset": "pwm", "available": True, "validation_auc": 0.5},
        {"preset": "kmer", "available": True, "validation_auc": 0.52},
        {"preset": "pwm", "available": False, "validation_auc": None},
    ],
)
def test_baselines_are_never_retrained(tmp_path, metrics):
    (tmp_path / "metrics.json").write_text(json.dumps(metrics))  # and no config.json
    assert _outdated(tmp_path) is None


def test_motif_results_are_redone_when_made_with_another_jaspar_pseudocount():
    from gdashboard.motifs.analysis import EXTRACTION_VERSION

    recurrent = {
        "methods": {"saliency": {}, "temporal": {}},
        "chance": {},
        "extraction_version": EXTRACTION_VERSION,
        "jaspar_pseudocount": 0.1,
    }
    assert current(recurrent)
    assert current({"methods": {"saliency": {}}, "chance": {}, "jaspar_pseudocount": 0.1})
    assert not current({k: v for k, v in recurrent.items() if k != "jaspar_pseudocount"})  # 0.8 then
    assert not current({**recurrent, "jaspar_pseudocount": 0.8})
    assert not current({**recurrent, "extraction_version": EXTRACTION_VERSION - 1})
    assert not current({k: v for k, v in recurrent.items() if k != "chance"})
