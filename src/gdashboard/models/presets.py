"""Build the networks the preset catalogue (:mod:`gdashboard.models.catalogue`) describes."""

from __future__ import annotations

from torch import nn

from gdashboard.models.catalogue import ALL_PRESETS, PRESETS
from gdashboard.models.cnn import ConvNet, DeepBind
from gdashboard.models.rnn import RecurrentNet

MODEL_CLASSES = {"ConvNet": ConvNet, "RecurrentNet": RecurrentNet, "DeepBind": DeepBind}


def build_model(preset: str, **overrides) -> nn.Module:
    """Build an untrained model of a preset; ``overrides`` replace its keyword arguments
    (e.g. ``pooling="max"`` for a recurrent preset)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(ALL_PRESETS)}")
    spec = PRESETS[preset]
    return MODEL_CLASSES[spec.model_class](**model_kwargs(preset, **overrides))


def model_kwargs(preset: str, **overrides) -> dict:
    """The keyword arguments of a preset's network, ``overrides`` applied."""
    return {**PRESETS[preset].kwargs, **overrides}
