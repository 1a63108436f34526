"""Model weights as safetensors (no pickle), and a model rebuilt from its configuration.

Where these live in a run folder is :mod:`gdashboard.results`'s business
(``save_model`` / ``load_model`` there); this module knows no file names.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from gdashboard.errors import InputError
from gdashboard.fileio import atomic_path
from gdashboard.models.catalogue import NON_NEURAL_PRESETS


def write_weights(model, path: str | os.PathLike) -> None:
    """Write a network's ``state_dict`` (or a baseline's ``state_tensors``) to ``path`` (atomic)."""
    if isinstance(model, torch.nn.Module):
        tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    else:
        tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_tensors().items()}
    with atomic_path(path) as temporary:
        save_tensors(tensors, temporary)


def save_tensors(tensors: dict, path: str | os.PathLike, metadata: dict | None = None) -> None:
    """safetensors' ``save_file``, whose I/O failures (a full disk) become an ``OSError``
    instead of its own ``SafetensorError``, so they are reported like every other."""
    try:
        save_file(tensors, str(path), metadata=metadata)
    except Exception as error:
        if type(error).__name__ != "SafetensorError":
            raise
        raise OSError(errno.EIO, str(error).splitlines()[0]) from None


def read_weights(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    try:
        return load_file(str(path))
    except Exception as error:  # safetensors raises its own SafetensorError on a damaged file
        raise InputError(f"cannot read the weights: {str(error).splitlines()[0]}", path) from None


def model_from_config(config: dict, tensors: dict[str, torch.Tensor], where: str | os.PathLike):
    """The model ``config`` describes, with ``tensors`` loaded, in eval mode.

    A ``torch.nn.Module`` for neural presets; a baseline object (with
    ``decision_function``) for ``pwm`` and ``kmer``. ``where`` (the run folder) is
    named in errors.
    """
    from gdashboard.models.presets import MODEL_CLASSES

    preset = config.get("preset")
    if preset in NON_NEURAL_PRESETS:
        from gdashboard.models.baselines import BASELINES

        return BASELINES[preset].from_state(config["baseline"], tensors)
    model_class = MODEL_CLASSES.get(config.get("model_class"))
    if model_class is None:
        raise InputError(f"unknown model_class {config.get('model_class')!r}", Path(where) / "config.json")
    try:
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in config["model_kwargs"].items()}
        model = model_class(**kwargs)
        model.load_state_dict(tensors)
        if config.get("rc_average"):
            from gdashboard.models.averaged import StrandAverage

            model = StrandAverage(model)
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        # A config.json and model.safetensors that do not describe one model.
        raise InputError(
            f"the weights do not fit the model config.json describes: {str(error).splitlines()[0]}", where
        ) from None
    return model.eval()
