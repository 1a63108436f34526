"""Models: the preset catalogue (no torch), the paper's networks, DeepBind, the non-neural
baselines, and their weights as safetensors.

``gdashboard.models.catalogue`` names every preset and what it is; importing it (or
this package) does not import torch. ``build_model`` loads torch when first used.
A trained model is saved in and loaded from a run folder by :mod:`gdashboard.results`.
"""

from gdashboard.models.catalogue import (
    ALL_PRESETS,
    ARCHITECTURE,
    ARCHITECTURES,
    BASELINES,
    NEURAL_PRESETS,
    NON_NEURAL_PRESETS,
    PRESETS,
    RECURRENT_PRESETS,
    Recipe,
    model_label,
)

_LAZY = {"build_model": "gdashboard.models.presets", "model_kwargs": "gdashboard.models.presets"}


def __getattr__(name: str):
    # PEP 562: the torch-backed functions load on first use, so that asking the
    # catalogue (the CLI's help, the report, the dashboard's pages) stays light.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gdashboard.models' has no attribute {name!r}")


__all__ = [
    "ALL_PRESETS",
    "ARCHITECTURE",
    "ARCHITECTURES",
    "BASELINES",
    "NEURAL_PRESETS",
    "NON_NEURAL_PRESETS",
    "PRESETS",
    "RECURRENT_PRESETS",
    "Recipe",
    "build_model",
    "model_kwargs",
    "model_label",
]
