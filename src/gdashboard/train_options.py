"""Training options, defined once: what ``gdash train``, ``gdash study run`` and
:func:`gdashboard.runs.train_run` accept beyond the data, the preset and the folder.

``None`` means "the preset's own" (its recipe, or :func:`~gdashboard.models.catalogue.strand_options`
for the strands). It imports no torch, so the command line's help can read it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping

# Retrained from new seeds while the best validation AUC stays at or below NOT_LEARNED_AUC.
RESTARTS = 2


def _option(default, help: str, **limits):  # noqa: A002 - click's word
    return field(default=default, metadata={"help": help, **limits})


@dataclass(frozen=True)
class TrainOptions:
    """How one preset is trained; every field's metadata is its command-line help.

    The recipe's fields (``epochs`` … ``weight_decay``) override the preset's recipe when
    not None; ``model_options`` are keyword arguments of the network's class.
    """

    seed: int = _option(0, "Seed of weights, shuffled negatives, split and batches.")
    epochs: int | None = _option(None, "Maximum epochs (default: the preset's recipe).", min=1)
    tf: str | None = _option(None, "TF name (default: the first field of the experiment's name).")
    pooling: str | None = _option(
        None, "Recurrent presets: pooling over time (default mean, the paper's).", choices=("mean", "max")
    )
    model_options: Mapping[str, Any] | None = _option(None, "Keyword arguments of the network's class.")
    learning_rate: float | None = _option(None, "Peak learning rate (default: the preset's recipe).", min=0.0)
    batch_size: int | None = _option(None, "Sequences per batch (default: the preset's recipe).", min=1)
    schedule: str | None = _option(
        None, "Learning-rate schedule (default: the preset's recipe).", choices=("constant", "step", "cosine")
    )
    warmup_epochs: int | None = _option(None, "Linear warm-up epochs (default: the preset's recipe).", min=0)
    patience: int | None = _option(None, "Early-stopping patience (default: the preset's recipe).", min=1)
    weight_decay: float | None = _option(None, "Adam's L2 penalty (default: the preset's recipe).", min=0.0)
    validation_fraction: float = _option(0.1, "Share of the training groups held out for validation.")
    pad: bool = _option(False, "Pad shorter sequences with N.")
    restarts: int = _option(
        RESTARTS,
        "Train again from new seeds, up to this many times, while the best validation AUC stays at "
        "or below 0.55 (not learned); the best attempt by validation is kept.",
        min=0,
    )
    rc_augment: bool | None = _option(
        None, "Each batch also sees its sequences' reverse complements (default for networks: on)."
    )
    rc_average: bool | None = _option(
        None, "The model scores the mean of both strands' log-odds (default for networks: on)."
    )

    # The recipe fields a study may set for all its trainings (one setting per study).
    RECIPE_FIELDS = (
        "epochs",
        "learning_rate",
        "batch_size",
        "schedule",
        "warmup_epochs",
        "patience",
        "weight_decay",
    )

    def recipe_overrides(self) -> dict:
        """The recipe fields that were set, for ``dataclasses.replace(recipe, **...)``;
        ``rc_augment`` included when set."""
        fields = (*self.RECIPE_FIELDS, "rc_augment")
        return {name: getattr(self, name) for name in fields if getattr(self, name) is not None}

    @classmethod
    def from_mapping(cls, given: Mapping | None) -> TrainOptions:
        """From a dict (a study's ``train_options.json``, a notebook's keywords); ValueError
        naming an unknown option."""
        given = dict(given or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(given) - known)
        if unknown:
            raise ValueError(f"unknown training option {unknown[0]!r}; choose among {', '.join(sorted(known))}")
        return cls(**given)

    def replace(self, **changes) -> TrainOptions:
        return dataclasses.replace(self, **changes)
