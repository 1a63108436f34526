"""Models: the paper's presets, DeepBind, non-neural baselines, save and load."""

from gdashboard.models.presets import (ALL_PRESETS, ARCHITECTURES, NEURAL_PRESETS, PRESETS,
                                       RECURRENT_PRESETS, build_model)
from gdashboard.models.io import load_model, save_model

__all__ = ["ALL_PRESETS", "ARCHITECTURES", "NEURAL_PRESETS", "PRESETS", "RECURRENT_PRESETS",
           "build_model", "load_model", "save_model"]
