"""What a study is asked (gdashboard.study.options): its setting as train_options.json records it."""

import subprocess
import sys

import pytest

from gdashboard.errors import InputError
from gdashboard.methods import ClassOptOptions
from gdashboard.study import Execution, StudyOptions
from gdashboard.train_options import TrainOptions


def test_the_setting_is_what_train_options_json_records():
    train = TrainOptions(
        seed=0,  # the default: each task's own replaces it
        epochs=3,
        pooling="max",
        rc_augment=False,
        learning_rate=3e-3,
        patience=None,
        model_options={"kernel_sizes": (9, 5), "n_filters": 8},
    )
    setting = StudyOptions(train=train).setting(["small-cnn", "small-rnn"])
    # Tuples as JSON lists, keys sorted; what the study decides itself (epochs, pooling,
    # strands) and options not set are not part of it.
    assert setting == {"learning_rate": 3e-3, "model_options": {"kernel_sizes": [9, 5], "n_filters": 8}}
    assert list(setting) == ["learning_rate", "model_options"]
    assert StudyOptions(train=TrainOptions(model_options={})).setting(["kmer"]) == {}
    assert StudyOptions().setting(["pwm", "small-cnn"]) == {}


@pytest.mark.parametrize(
    "train, message",
    [
        (TrainOptions(seed=1), "a study takes no training option 'seed'"),
        (TrainOptions(tf="GATA1"), "a study takes no training option 'tf'; choose among model_options, learning_rate"),
        (TrainOptions(pad=True), "a study takes no training option 'pad'"),
        (TrainOptions(weight_decay=float("nan")), "training options must be JSON values"),
        ({"learning_rate": 1e-3}, "a study's training options are a TrainOptions, not dict"),
    ],
)
def test_a_setting_a_study_cannot_take_is_refused(train, message):
    with pytest.raises(InputError, match=message):
        StudyOptions(train=train).setting(["small-cnn"])


def test_the_defaults_are_written_once():
    assert StudyOptions().classopt_steps == ClassOptOptions().steps
    assert StudyOptions().train == TrainOptions()
    assert Execution() == Execution("local", 1, 1, None, 0, None)


def test_the_options_import_no_torch():
    code = "import sys, gdashboard.study.options, gdashboard.study; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
