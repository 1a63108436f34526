"""What every kind of model says it is (gdashboard.models.capabilities)."""

import numpy as np
import pytest
from torch import nn

from gdashboard.methods import CAPABILITIES
from gdashboard.models import ALL_PRESETS, NEURAL_PRESETS, build_model
from gdashboard.models.averaged import SeedEnsemble, StrandAverage
from gdashboard.models.baselines import BASELINES, GkmsvmBaseline, KmerBaseline, PWMBaseline
from gdashboard.models.capabilities import DESCRIPTIONS, describe, model_capabilities
from gdashboard.models.catalogue import PRESETS
from gdashboard.models.cnn import ConvNet, DeepBind
from gdashboard.models.rnn import RecurrentNet

NETWORK = {"neural", "differentiable"}


def test_every_capability_is_described():
    assert set(DESCRIPTIONS) == set(CAPABILITIES)


@pytest.mark.parametrize(
    "model, expected",
    [
        (ConvNet(n_filters=2, kernel_sizes=(3,)), NETWORK | {"convolutional"}),
        (DeepBind(n_filters=2, kernel_size=4, hidden=3), NETWORK | {"convolutional"}),
        (RecurrentNet(hidden_size=2), NETWORK | {"recurrent"}),
        (RecurrentNet(hidden_size=2, conv_filters=2, conv_kernel_sizes=(3,)), NETWORK | {"recurrent", "convolutional"}),
    ],
    ids=["cnn", "deepbind", "rnn", "cnn-rnn"],
)
def test_networks(model, expected):
    assert model_capabilities(model) == expected


def test_a_recurrent_class_answers_per_instance():
    plain = RecurrentNet(hidden_size=2)
    convolutional = RecurrentNet(hidden_size=2, conv_filters=2, conv_kernel_sizes=(3,))
    assert "convolutional" not in model_capabilities(plain)
    assert "convolutional" in model_capabilities(convolutional)
    assert model_capabilities(plain) == RecurrentNet.CAPABILITIES


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_every_preset_is_what_the_catalogue_says(preset):
    if preset in BASELINES:
        model = {"pwm": lambda: PWMBaseline({"M1": np.zeros((4, 3))}), "kmer": KmerBaseline, "gkmsvm": GkmsvmBaseline}[
            preset
        ]()
        assert model_capabilities(model) == {"baseline"}
        return
    assert preset in NEURAL_PRESETS
    capabilities = model_capabilities(build_model(preset))
    assert capabilities <= set(CAPABILITIES)
    assert NETWORK <= capabilities and "baseline" not in capabilities and "averaged" not in capabilities
    assert ("recurrent" in capabilities) == PRESETS[preset].recurrent
    assert ("convolutional" in capabilities) == (preset not in ("small-rnn", "large-rnn"))


def test_averaged_models_are_averaged_and_what_all_their_parts_are():
    cnn_rnn = RecurrentNet(hidden_size=2, conv_kernel_sizes=(3,), conv_filters=2)
    rnn = RecurrentNet(hidden_size=2)
    strands = StrandAverage(cnn_rnn)
    assert model_capabilities(strands) == NETWORK | {"recurrent", "convolutional", "averaged"}
    # The wrapper answers for itself, not through its first network's attributes.
    assert model_capabilities(strands) != model_capabilities(cnn_rnn)
    # A mixed ensemble can be asked only what every member can.
    mixed = SeedEnsemble([strands, rnn])
    assert model_capabilities(mixed) == NETWORK | {"recurrent", "averaged"}
    convolutional = SeedEnsemble([ConvNet(n_filters=2, kernel_sizes=(3,)), ConvNet(n_filters=2, kernel_sizes=(3,))])
    assert model_capabilities(convolutional) == NETWORK | {"convolutional", "averaged"}


def test_other_modules_are_read_from_their_layers():
    class Wrapped(nn.Module):
        def __init__(self):
            super().__init__()
            self.first_convolution = nn.Conv1d(4, 2, 3)
            self.lstm = nn.LSTM(2, 2, batch_first=True)

    assert model_capabilities(nn.Sequential(nn.Flatten(), nn.Linear(8, 2))) == NETWORK
    assert model_capabilities(Wrapped()) == NETWORK | {"recurrent", "convolutional"}
    assert model_capabilities(nn.Sequential(nn.GRU(4, 2))) == NETWORK | {"recurrent"}
    # Not a network nor a model class: nothing can be asked of it.
    assert model_capabilities(object()) == frozenset()


def test_an_unknown_capability_is_refused():
    class Boastful(nn.Module):
        CAPABILITIES = frozenset({"neural", "telepathic"})

    with pytest.raises(ValueError, match="telepathic"):
        model_capabilities(Boastful())


def test_describe_names_the_class_and_its_capabilities():
    assert describe(ConvNet(n_filters=2, kernel_sizes=(3,))) == "ConvNet: convolutional, differentiable, neural"
    assert describe(object()) == "object: none"
