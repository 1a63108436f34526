"""Save and load trained models as ``config.json`` + ``model.safetensors`` (no pickle)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from gdashboard.errors import InputError
from gdashboard.fileio import atomic_path, write_json

FORMAT_VERSION = 1


def save_model(model, rundir: str | os.PathLike, config: dict) -> None:
    """Write ``model.safetensors`` and ``config.json`` into ``rundir``.

    ``config`` must hold ``preset`` and ``model_kwargs`` (the keyword arguments
    that rebuild the architecture) or, for a non-neural baseline, what its
    ``get_config`` returned.
    """
    rundir = Path(rundir)
    rundir.mkdir(parents=True, exist_ok=True)
    if isinstance(model, torch.nn.Module):
        tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    else:
        tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_tensors().items()}
    with atomic_path(rundir / "model.safetensors") as temporary:
        save_file(tensors, str(temporary))
    write_json(rundir / "config.json", {"format_version": FORMAT_VERSION, **config})


def read_config(rundir: str | os.PathLike) -> dict:
    path = Path(rundir) / "config.json"
    if not path.exists():
        raise InputError("no config.json: not a trained run folder", rundir)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError(f"invalid JSON: {error.msg}", path, error.lineno) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path) from None


def load_model(rundir: str | os.PathLike, device: str | torch.device = "cpu"):
    """Rebuild a trained model from its run folder, in eval mode.

    Returns a ``torch.nn.Module`` for neural presets and a baseline object (with
    ``decision_function``) for ``pwm`` and ``kmer``.
    """
    from gdashboard.models.presets import MODEL_CLASSES

    config = read_config(rundir)
    weights = Path(rundir) / "model.safetensors"
    if not weights.exists():
        raise InputError("no model.safetensors: the run has not finished training", rundir)
    try:
        tensors = load_file(str(weights))
    except Exception as error:  # safetensors raises its own SafetensorError on a damaged file
        raise InputError(f"cannot read the weights: {str(error).splitlines()[0]}", weights) from None
    preset = config.get("preset")
    if preset in ("pwm", "kmer"):
        from gdashboard.models.baselines import BASELINES

        return BASELINES[preset].from_state(config["baseline"], tensors)
    model_class = MODEL_CLASSES.get(config.get("model_class"))
    if model_class is None:
        raise InputError(f"unknown model_class {config.get('model_class')!r}", Path(rundir) / "config.json")
    try:
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in config["model_kwargs"].items()}
        model = model_class(**kwargs)
        model.load_state_dict(tensors)
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        # A config.json and model.safetensors that do not describe one model.
        raise InputError(f"the weights do not fit the model config.json describes: "
                         f"{str(error).splitlines()[0]}", rundir) from None
    return model.to(device).eval()
