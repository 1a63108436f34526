"""Training: Adam, NLL of the softmax, gradient clipping, early stopping on
validation AUC keeping the best epoch's weights, per-epoch checkpoints for
``--resume``, seeded and repeatable.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from tqdm.auto import tqdm

from gdashboard.data.onehot import reverse_complement
from gdashboard.errors import InputError, differences
from gdashboard.evaluate import log_odds, pick_device, predict_logits, rank_auc
from gdashboard.fileio import atomic_path, write_json
from gdashboard.models.catalogue import Recipe
from gdashboard.models.dropout import shard_generator
from gdashboard.models.io import save_tensors
from gdashboard.parallel import for_each_batch, parallel_section

CHECKPOINT_TENSORS = "checkpoint.safetensors"
CHECKPOINT_STATE = "checkpoint.json"
# Each training batch is split into this many shards on the CPU (see
# batch_gradients). Fixed, not the machine's core count, so that the shards and
# their dropout draws do not depend on the machine (kernels with more threads
# may still round differently).
CPU_SHARDS = 2


@dataclass
class FitResult:
    best_epoch: int
    best_validation_auc: float
    epochs_run: int
    history: list = field(default_factory=list)
    seconds: float = 0.0
    devices: list = field(default_factory=list)  # device_description of each device that ran epochs


def device_description(device: torch.device) -> str:
    """Where a model trains, as runs record it: the same seed gives other numbers on
    a GPU than on a CPU (kernels and dropout draws differ)."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)}), torch {torch.__version__}"
    return f"{device.type}, torch {torch.__version__}"


class TrainingDiverged(InputError):
    """The loss, or the scores of the validation sequences, stopped being finite numbers; the
    run's last good checkpoint (if an epoch finished) is kept."""


def learning_rate_at(recipe: Recipe, epoch_position: float) -> float:
    """The learning rate at a (fractional, 0-based) epoch position.

    Linear warm-up over ``recipe.warmup_epochs``, then ``constant``, ``step``
    (halved every ``step_epochs``, the original code's schedule) or ``cosine``
    (decaying to 0 at ``recipe.epochs``).
    """
    rate = recipe.learning_rate
    if recipe.warmup_epochs > 0 and epoch_position < recipe.warmup_epochs:
        return rate * (epoch_position + 1e-3) / recipe.warmup_epochs
    if recipe.schedule == "step":
        return rate * 0.5 ** int(epoch_position // recipe.step_epochs)
    if recipe.schedule == "cosine":
        span = max(recipe.epochs - recipe.warmup_epochs, 1)
        progress = min((epoch_position - recipe.warmup_epochs) / span, 1.0)
        return rate * 0.5 * (1.0 + math.cos(math.pi * progress))
    if recipe.schedule != "constant":
        raise ValueError(f"unknown schedule {recipe.schedule!r}")
    return rate


def batch_gradients(
    model: torch.nn.Module,
    parameters: list,
    X: torch.Tensor,
    y: torch.Tensor,
    seeds: list[int],
    index: torch.Tensor | None = None,
    clip_value: float | None = None,
) -> torch.Tensor:
    """Set each parameter's ``.grad`` to the gradient of the batch's mean loss.

    The batch ``(X, y)`` is cut into ``len(seeds)`` contiguous shards; each
    shard's summed cross-entropy, divided by the batch size, is differentiated
    on its own, its dropout drawn from a generator seeded with its seed
    (:mod:`gdashboard.models.dropout`), and the shards' gradients are added in
    order. That is the gradient of ``cross_entropy(model(X), y)`` (mean over
    the batch) up to floating-point rounding. The shards run side by side on a
    multi-core CPU (:mod:`gdashboard.parallel`) and in order elsewhere, with the
    same result.

    With ``index``, the batch is ``X[index], y[index]`` and each shard gathers
    its own rows (in the thread that computes it). With ``clip_value``, each element of the
    summed gradient is clamped to ``±clip_value`` (as
    ``torch.nn.utils.clip_grad_value_`` does, without its per-call overhead).

    Returns
    -------
    torch.Tensor
        The batch's summed loss (detached).
    """
    device = X.device
    if index is None:
        index = torch.arange(len(X), device=device)
    index_shards = index.tensor_split(len(seeds))
    results: list = [None] * len(seeds)

    def one_shard(shard: int, _stop: int) -> None:
        rows = index_shards[shard]
        generator = torch.Generator(device=device).manual_seed(int(seeds[shard]))
        with shard_generator(generator), torch.enable_grad():
            logits = model(X.index_select(0, rows))
            loss = F.cross_entropy(logits, y.index_select(0, rows), reduction="sum")
            gradients = torch.autograd.grad(loss / len(index), parameters, allow_unused=True)
        results[shard] = (gradients, loss.detach())

    for_each_batch(one_shard, len(seeds), 1, device)
    totals = list(results[0][0])
    for gradients, _ in results[1:]:
        both = [i for i, gradient in enumerate(gradients) if gradient is not None and totals[i] is not None]
        # One call adds every parameter's pair (per-tensor adds cost more than
        # the arithmetic for these small models).
        summed = torch._foreach_add([totals[i] for i in both], [gradients[i] for i in both]) if both else []
        for i, total in zip(both, summed):
            totals[i] = total
        for i, gradient in enumerate(gradients):
            if totals[i] is None:
                totals[i] = gradient
    present = [total for total in totals if total is not None]
    if clip_value and present:
        torch._foreach_clamp_min_(present, -clip_value)
        torch._foreach_clamp_max_(present, clip_value)
    for parameter, total in zip(parameters, totals):
        parameter.grad = total  # None for a parameter the loss does not use: Adam skips it
    return sum(loss for _, loss in results)


def _clone_state(model: torch.nn.Module) -> dict:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _save_checkpoint(directory: Path, model, best_state, optimizer, generator, state: dict) -> None:
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    tensors.update({f"best.{k}": v.detach().cpu().contiguous() for k, v in best_state.items()})
    optimizer_state = optimizer.state_dict()
    scalars = {}
    for index, values in optimizer_state["state"].items():
        for name, value in values.items():
            if torch.is_tensor(value) and value.dim() > 0:
                tensors[f"optimizer.{index}.{name}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{index}.{name}"] = float(value)
    tensors["rng.torch"] = torch.get_rng_state()
    tensors["rng.generator"] = generator.get_state()
    state = {**state, "optimizer_scalars": scalars, "param_groups": optimizer_state["param_groups"]}
    # The state travels inside the tensor file (its metadata), so that the checkpoint is
    # one atomic file: a process killed between two files would leave one epoch's
    # weights with another epoch's counters. checkpoint.json is a readable copy.
    with atomic_path(directory / CHECKPOINT_TENSORS) as temporary:
        save_tensors(tensors, temporary, metadata={"state": json.dumps(state)})
    write_json(directory / CHECKPOINT_STATE, state)


def _check_run_options(checkpoint_dir: Path, kept: dict, asked: dict) -> None:
    """Refuse to continue an interrupted run with other options than it was started with.
    A checkpoint from before an option was recorded is not checked for it."""
    different = differences(kept, asked, [key for key in asked if key in kept])
    if different:
        raise InputError(
            f"holds an interrupted run with {'; '.join(different)}; continue it with the options it began with",
            checkpoint_dir,
        )


def _what_is_kept(checkpoint_dir: Path | None) -> str:
    if checkpoint_dir is not None and (checkpoint_dir / CHECKPOINT_TENSORS).exists():
        return "the last good epoch's checkpoint is kept"
    return "no good epoch to keep"


def read_checkpoint_state(directory: str | os.PathLike) -> dict:
    """The state of the checkpoint in ``directory`` (epoch counters, history, run options)."""
    from safetensors import safe_open

    directory = Path(directory)
    with safe_open(str(directory / CHECKPOINT_TENSORS), framework="pt") as handle:
        embedded = (handle.metadata() or {}).get("state")
    # Checkpoints written before the state was embedded have it in checkpoint.json only.
    return json.loads(embedded) if embedded else json.loads((directory / CHECKPOINT_STATE).read_text())


def _load_checkpoint(directory: Path, model, optimizer, generator):
    tensors = load_file(str(directory / CHECKPOINT_TENSORS))
    state = read_checkpoint_state(directory)
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    best_state = {k[5:]: v for k, v in tensors.items() if k.startswith("best.")}
    optimizer_state = {"state": {}, "param_groups": state["param_groups"]}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            optimizer_state["state"].setdefault(int(index), {})[name] = value
    for key, value in state["optimizer_scalars"].items():
        index, name = key.split(".", 1)
        optimizer_state["state"].setdefault(int(index), {})[name] = torch.tensor(value)
    optimizer.load_state_dict(optimizer_state)
    torch.set_rng_state(tensors["rng.torch"])
    generator.set_state(tensors["rng.generator"])
    return best_state, state


@dataclass(frozen=True)
class FitSetup:
    """Where :func:`fit` runs and keeps its state.

    device : where it trains (default: CUDA when present, else the CPU).
    checkpoint_dir : a folder for a checkpoint after every epoch; ``resume`` continues from it.
    history_path : one JSON line per epoch.
    run_options : what makes the run the one asked for (e.g. its strand options), kept in the
        checkpoint; a resume asking other values is refused, naming them.
    """

    device: str | torch.device | None = None
    checkpoint_dir: str | os.PathLike | None = None
    resume: bool = False
    history_path: str | os.PathLike | None = None
    run_options: Mapping | None = None


@dataclass
class _Progress:
    """What the epochs so far have left: the counters a checkpoint keeps."""

    best_state: dict
    start_epoch: int = 0
    best_epoch: int = -1
    best_auc: float = -math.inf
    epochs_without_gain: int = 0
    history: list = field(default_factory=list)
    devices: list = field(default_factory=list)
    # Training time before an interruption, so that a resumed run reports the whole.
    earlier_seconds: float = 0.0


@dataclass
class _Loop:
    """One training's fixed parts: the model, its optimiser and data, on their device."""

    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    generator: torch.Generator
    recipe: Recipe
    device: torch.device
    X: torch.Tensor
    y: torch.Tensor
    n_train: int
    strands: int
    shards: int
    here: str  # device_description of the device
    parameters: list = field(default_factory=list)

    @property
    def steps_per_epoch(self) -> int:
        return max(1, math.ceil(self.n_train / self.recipe.batch_size))


def _resumed_progress(setup: FitSetup, loop: _Loop, checkpoint_dir: Path) -> _Progress:
    best_state, state = _load_checkpoint(checkpoint_dir, loop.model, loop.optimizer, loop.generator)
    _check_run_options(checkpoint_dir, state.get("run_options", {}), dict(setup.run_options or {}))
    counters = _Progress(
        best_state,
        start_epoch=state["epoch"] + 1,
        best_epoch=state["best_epoch"],
        best_auc=state["best_validation_auc"],
        epochs_without_gain=state["epochs_without_gain"],
        history=state["history"],
        devices=list(state.get("devices", [])),  # checkpoints before this key: CPU only
    )
    counters.earlier_seconds = sum(record["seconds"] for record in counters.history)
    if setup.history_path is not None:
        # The history line of an epoch is written just before its checkpoint; an
        # interruption between the two leaves a line the checkpoint does not
        # have. The checkpoint's history is the truth.
        with atomic_path(setup.history_path) as temporary, open(temporary, "w") as handle:
            handle.writelines(json.dumps(record) + "\n" for record in counters.history)
    if state.get("stopped"):
        counters.start_epoch = loop.recipe.epochs
    return counters


def _starting_progress(setup: FitSetup, loop: _Loop) -> _Progress:
    """The checkpoint's counters when resuming one, else a fresh start (a stale history removed)."""
    checkpoint_dir = Path(setup.checkpoint_dir) if setup.checkpoint_dir is not None else None
    if setup.resume and checkpoint_dir is not None and (checkpoint_dir / CHECKPOINT_TENSORS).exists():
        return _resumed_progress(setup, loop, checkpoint_dir)
    if setup.history_path is not None and Path(setup.history_path).exists():
        Path(setup.history_path).unlink()
    return _Progress(_clone_state(loop.model))


def _new_loop(model, X_train, y_train, recipe: Recipe, seed: int, device: torch.device) -> _Loop:
    model.to(device)
    X = X_train.to(device)
    y = torch.as_tensor(np.asarray(y_train), dtype=torch.long, device=device)
    generator = torch.Generator().manual_seed(seed)
    # The fused kernel updates all parameters in one pass (CPU and CUDA alike).
    optimizer = torch.optim.Adam(
        model.parameters(), lr=recipe.learning_rate, weight_decay=recipe.weight_decay, fused=True
    )
    shards = CPU_SHARDS if device.type == "cpu" else 1
    return _Loop(model, optimizer, generator, recipe, device, X, y, len(X), 1, shards, device_description(device))


def _with_both_strands(loop: _Loop) -> None:
    """The other strand of every sequence after the sequences; a batch's drawn indices i take
    i + n_train with them (:func:`_train_epoch`), so each batch holds both strands."""
    loop.X = torch.cat([loop.X, reverse_complement(loop.X)])
    loop.y = torch.cat([loop.y, loop.y])
    loop.strands = 2


def _train_epoch(loop: _Loop, epoch: int) -> tuple[torch.Tensor, float]:
    """One pass over the training sequences; returns the summed loss and the last learning rate."""
    recipe, model = loop.recipe, loop.model
    model.train()
    order = torch.randperm(loop.n_train, generator=loop.generator).to(loop.device)
    loss_sum = torch.zeros((), device=loop.device)
    rate = recipe.learning_rate
    for step in range(loop.steps_per_epoch):
        index = order[step * recipe.batch_size : (step + 1) * recipe.batch_size]
        if loop.strands == 2:
            index = torch.cat([index, index + loop.n_train])
        rate = learning_rate_at(recipe, epoch + step / loop.steps_per_epoch)
        for group in loop.optimizer.param_groups:
            group["lr"] = rate
        seeds = torch.randint(0, 2**62, (loop.shards,), generator=loop.generator).tolist()
        loss_sum += batch_gradients(
            model, loop.parameters, loop.X, loop.y, seeds[: len(index)], index=index, clip_value=recipe.clip_value
        )
        loop.optimizer.step()
    return loss_sum, rate


def _validation_scores(loop: _Loop, X_valid, y_valid, epoch: int, checkpoint_dir) -> tuple[float, float]:
    """The validation loss and AUC after an epoch; TrainingDiverged when they are not numbers."""
    # One batch per worker: the validation set is small.
    batch_size = min(512, max(1, math.ceil(len(X_valid) / loop.shards)))
    validation_logits = predict_logits(loop.model, X_valid, batch_size=batch_size)
    validation_loss = float(F.cross_entropy(validation_logits, torch.as_tensor(y_valid)))
    if not (bool(torch.isfinite(validation_logits).all()) and math.isfinite(validation_loss)):
        # A finite training loss can hide weights that overflow on other inputs (scores,
        # or a loss, of inf): an AUC of such scores means nothing, and a checkpoint
        # would record inf.
        raise TrainingDiverged(
            f"training diverged in epoch {epoch + 1}: the scores of the validation sequences are not "
            "finite (try a lower --lr); " + _what_is_kept(checkpoint_dir),
            checkpoint_dir,
        )
    return validation_loss, rank_auc(y_valid, log_odds(validation_logits))


def _checkpoint_epoch(loop: _Loop, counters: _Progress, setup: FitSetup, epoch: int, stopped: bool) -> None:
    state = {
        "epoch": epoch,
        "best_epoch": counters.best_epoch,
        "best_validation_auc": counters.best_auc,
        "epochs_without_gain": counters.epochs_without_gain,
        "history": counters.history,
        "stopped": stopped,
        "devices": counters.devices,
        "run_options": dict(setup.run_options or {}),
    }
    _save_checkpoint(Path(setup.checkpoint_dir), loop.model, counters.best_state, loop.optimizer, loop.generator, state)


def _run_epoch(loop: _Loop, counters: _Progress, setup: FitSetup, validation: tuple, epoch: int) -> dict:
    """Train one epoch, validate, keep the best weights and the counters; returns its record."""
    checkpoint_dir = Path(setup.checkpoint_dir) if setup.checkpoint_dir is not None else None
    epoch_began = time.perf_counter()
    loss_sum, rate = _train_epoch(loop, epoch)
    if not bool(torch.isfinite(loss_sum)):
        # The weights are no longer numbers; the checkpoint on disk is the last
        # good epoch's (written after each finished epoch), so --resume or a lower
        # learning rate can go on from there.
        raise TrainingDiverged(
            f"training diverged in epoch {epoch + 1}: the loss is not finite (try a lower --lr); "
            + _what_is_kept(checkpoint_dir),
            checkpoint_dir,
        )
    validation_loss, validation_auc = _validation_scores(loop, *validation, epoch, checkpoint_dir)
    record = {
        "epoch": epoch + 1,
        "train_loss": float(loss_sum) / (loop.strands * loop.n_train),
        "validation_loss": validation_loss,
        "validation_auc": validation_auc,
        "learning_rate": rate,
        "seconds": time.perf_counter() - epoch_began,
    }
    counters.history.append(record)
    if loop.here not in counters.devices:
        counters.devices.append(loop.here)
    if setup.history_path is not None:
        with open(setup.history_path, "a") as handle:
            handle.write(json.dumps(record) + "\n")
    if validation_auc > counters.best_auc:
        counters.best_auc, counters.best_epoch, counters.epochs_without_gain = validation_auc, epoch + 1, 0
        counters.best_state = _clone_state(loop.model)
    else:
        counters.epochs_without_gain += 1
    return record


def _epochs(loop: _Loop, counters: _Progress, setup: FitSetup, validation: tuple, bar) -> None:
    """The epochs from where ``counters`` stand until the limit or early stopping."""
    recipe = loop.recipe
    # One parallel section for the whole training: the shards of every batch
    # and the validation batches run side by side on the CPU's cores.
    with parallel_section(loop.device, max_workers=loop.shards):
        for epoch in range(counters.start_epoch, recipe.epochs):
            record = _run_epoch(loop, counters, setup, validation, epoch)
            stopped = counters.epochs_without_gain >= recipe.patience and epoch + 1 >= recipe.min_epochs
            bar.set_postfix(
                loss=f"{record['train_loss']:.4f}",
                val_auc=f"{record['validation_auc']:.4f}",
                best=f"{counters.best_auc:.4f}@{counters.best_epoch}",
            )
            bar.update(1)
            if setup.checkpoint_dir is not None:
                _checkpoint_epoch(loop, counters, setup, epoch, stopped)
            if stopped:
                break


def fit(
    model: torch.nn.Module,
    X_train: torch.Tensor,
    y_train: np.ndarray,
    X_valid: torch.Tensor,
    y_valid: np.ndarray,
    recipe: Recipe = Recipe(),  # noqa: B008 (frozen: one shared default is safe)
    seed: int = 0,
    *,
    progress: bool = True,
    setup: FitSetup | None = None,
) -> FitResult:
    """Train ``model`` in place and leave it holding the best epoch's weights.

    Adam on the negative log-likelihood of the softmax (``cross_entropy``), each
    gradient element clamped to ``±recipe.clip_value`` as in the original code,
    the learning rate set per batch by :func:`learning_rate_at`. Each batch's
    gradient is computed in ``CPU_SHARDS`` shards on the CPU (one on a GPU), in
    parallel where there are cores for it (:func:`batch_gradients`). After every
    epoch the validation AUC is measured; training stops after
    ``recipe.patience`` epochs without improvement (but not before epoch
    ``recipe.min_epochs``) and the best epoch's weights are restored. With
    ``setup.checkpoint_dir`` every epoch is checkpointed (model, best weights,
    optimizer, random states), and ``setup.resume`` continues from the last
    checkpoint exactly as if never interrupted (:class:`FitSetup`).
    """
    setup = setup or FitSetup()
    loop = _new_loop(model, X_train, y_train, recipe, seed, pick_device(setup.device))
    counters = _starting_progress(setup, loop)
    if recipe.rc_augment:
        _with_both_strands(loop)
    loop.parameters = [parameter for parameter in model.parameters() if parameter.requires_grad]
    began = time.perf_counter()
    shown = dict(unit="epoch", desc="training", leave=False, dynamic_ncols=True)
    bar = tqdm(total=recipe.epochs, initial=counters.start_epoch, disable=not progress, **shown)
    try:
        _epochs(loop, counters, setup, (X_valid, y_valid), bar)
    finally:
        bar.close()
    model.load_state_dict(counters.best_state)
    model.eval()
    return FitResult(
        best_epoch=counters.best_epoch,
        best_validation_auc=counters.best_auc,
        epochs_run=len(counters.history),
        history=counters.history,
        seconds=counters.earlier_seconds + time.perf_counter() - began,
        devices=counters.devices,
    )
