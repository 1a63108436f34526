"""The preset catalogue: every model's name, architecture, class, arguments and recipe.

The one place presets are written down. It imports no torch, so the command line,
the report, the results layer and the dashboard can ask it without loading a
model; :mod:`gdashboard.models.presets` builds the networks it describes.

Names
-----
* A **preset** is one of :data:`ALL_PRESETS`: the paper's seven (Table 1), the
  DeepBind network (with this project's recipe, and as calibrated by DeepBind's own
  random search: ``deepbind-cal``), and the three non-neural baselines (``pwm``, ``kmer``, ``gkmsvm``).
* An **architecture** is the paper's family of a preset: ``CNN``, ``RNN`` or
  ``CNN-RNN`` (:data:`ARCHITECTURES`); the three comparison models are
  ``baseline``.
* A **model** is a preset plus its pooling over time. Mean pooling is the
  paper's; the max-pooled form of a recurrent preset is a separate model whose
  one label is ``"small-rnn (max)"`` (:func:`model_label`); where a label must be
  a file name it is ``"small-rnn-max"`` (:func:`model_folder`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Recipe:
    """How a preset is trained by default (chosen on validation data only)."""

    learning_rate: float = 1e-3
    epochs: int = 30
    batch_size: int = 256
    # Linear warm-up over this many epochs, then the schedule.
    warmup_epochs: int = 0
    # "constant", "step" (halve every `step_epochs`, the original code's) or "cosine".
    schedule: str = "constant"
    step_epochs: int = 10
    clip_value: float = 5.0
    weight_decay: float = 0.0
    patience: int = 8
    # Early stopping may end training only from this epoch on (1-based).
    min_epochs: int = 0
    # Each batch also sees its sequences' reverse complements, with the same labels
    # (gdash train --rc-augment): a site counts the same on either strand.
    rc_augment: bool = False


@dataclass(frozen=True)
class Preset:
    """A neural preset: its network class (by name), keyword arguments and recipe."""

    name: str
    architecture: str
    model_class: str
    kwargs: dict = field(default_factory=dict)
    recipe: Recipe = Recipe()

    @property
    def recurrent(self) -> bool:
        return self.model_class == "RecurrentNet"


# Recipes chosen on the GATA1_K562 validation split only (BENCHMARKS.md has the
# curves): CNNs diverge early at the original 1e-2 and do best at 1e-3; the
# recurrent presets need 1e-2 (CNN-RNN too: 0.925 vs 0.837 at epoch 12) and the
# plain RNNs a 16x input-weight initialisation to leave the
# mean-pooling plateau (see RecurrentNet's input_init_scale).
# Up to 100 epochs: at a limit of 50 the GATA1 validation AUC of med-cnn and
# large-cnn was still rising at the limit (best epochs 45 and 48 of 50), so the
# limit, not early stopping, ended their training.
CNN_RECIPE = Recipe(learning_rate=1e-3, epochs=100, patience=6)
# min_epochs=20: a recurrent model can sit on a plateau (validation AUC near 0.5)
# for a dozen epochs before it takes off (small-cnn-rnn on the simulated set:
# 0.54-0.57 up to epoch 12, 0.91 at epoch 23, 0.98 from 29), and patience 6 alone then ends
# training on the plateau. No stop before two learning-rate periods.
RNN_RECIPE = Recipe(learning_rate=1e-2, epochs=40, schedule="step", step_epochs=10, patience=6, min_epochs=20)
CNN_RNN_RECIPE = RNN_RECIPE
RNN_INIT = dict(input_init_scale=16.0)

# In the order every table shows them: the paper's architectures, then DeepBind.
PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in [
        Preset("small-rnn", "RNN", "RecurrentNet", dict(hidden_size=32, n_layers=1, **RNN_INIT), RNN_RECIPE),
        Preset("large-rnn", "RNN", "RecurrentNet", dict(hidden_size=32, n_layers=2, **RNN_INIT), RNN_RECIPE),
        Preset("small-cnn", "CNN", "ConvNet", dict(n_filters=64, kernel_sizes=(9, 5), pool=2), CNN_RECIPE),
        Preset("med-cnn", "CNN", "ConvNet", dict(n_filters=64, kernel_sizes=(9, 5, 3), pool=2), CNN_RECIPE),
        Preset("large-cnn", "CNN", "ConvNet", dict(n_filters=64, kernel_sizes=(9, 5, 3, 3), pool=2), CNN_RECIPE),
        Preset(
            "small-cnn-rnn",
            "CNN-RNN",
            "RecurrentNet",
            dict(hidden_size=32, n_layers=1, conv_filters=128, conv_kernel_sizes=(9,), conv_pool=None),
            CNN_RNN_RECIPE,
        ),
        Preset(
            "large-cnn-rnn",
            "CNN-RNN",
            "RecurrentNet",
            dict(hidden_size=32, n_layers=1, conv_filters=128, conv_kernel_sizes=(9, 5), conv_pool=2),
            CNN_RNN_RECIPE,
        ),
        Preset("deepbind", "baseline", "DeepBind", dict(n_filters=16, kernel_size=24, hidden=32), CNN_RECIPE),
        # DeepBind calibrated as its paper did: the best of 20 random settings by the mean
        # validation AUC of three experiments (GATA1, SRF, MYC), never a test AUC
        # (benchmarks/deepbind_calibration.py; every setting in
        # benchmarks/results/deepbind_search.csv). Setting 16 of seed 0, values as drawn.
        Preset(
            "deepbind-cal",
            "baseline",
            "DeepBind",
            dict(n_filters=32, kernel_size=24, hidden=16, dropout=0.5),
            Recipe(learning_rate=0.003977853070821512, epochs=100, patience=6, weight_decay=3.752061013854158e-05),
        ),
    ]
}
NEURAL_PRESETS = tuple(PRESETS)
# Baselines with no network: nothing to explain, no epochs, no device.
NON_NEURAL_PRESETS = ("pwm", "kmer", "gkmsvm")
ALL_PRESETS = NEURAL_PRESETS + NON_NEURAL_PRESETS
# The paper's three architectures, in its order, and which of them read in time.
ARCHITECTURES = ("CNN", "RNN", "CNN-RNN")
RECURRENT_ARCHITECTURES = ("RNN", "CNN-RNN")
# preset -> architecture ("baseline" for the comparison models), in table order.
ARCHITECTURE = {
    **{name: preset.architecture for name, preset in PRESETS.items()},
    **{name: "baseline" for name in NON_NEURAL_PRESETS},
}
# The models every architecture is compared against (the paper's Table 3 baselines).
BASELINES = tuple(name for name, architecture in ARCHITECTURE.items() if architecture == "baseline")
RECURRENT_PRESETS = tuple(name for name, preset in PRESETS.items() if preset.recurrent)


def is_neural(preset: str | None) -> bool:
    """Whether ``preset`` is a network (one that can be explained)."""
    return preset not in NON_NEURAL_PRESETS


# Both strands -- training on each sequence's reverse complement too (--rc-augment) and
# scoring the mean of both strands' log-odds (--rc-average) -- are the networks' default:
# on the real experiments of BENCHMARKS.md#strands they gained most of every option
# tried, at twice the time. The baselines (kmer, gkmsvm, pwm) read both strands already.
BOTH_STRANDS_BY_DEFAULT = True


def strand_options(preset: str, rc_augment: bool | None = None, rc_average: bool | None = None) -> dict:
    """The strand options of a run of ``preset``, ``{"rc_augment": ..., "rc_average": ...}``:
    each as asked, or, where not asked (None), the default: both strands for a network
    (:data:`BOTH_STRANDS_BY_DEFAULT`), neither for a baseline."""
    default = BOTH_STRANDS_BY_DEFAULT and is_neural(preset)
    return {
        "rc_augment": default if rc_augment is None else bool(rc_augment),
        "rc_average": default if rc_average is None else bool(rc_average),
    }


def paper_architecture(preset: str) -> str | None:
    """The paper's architecture of a preset (``CNN``, ``RNN``, ``CNN-RNN``); None for
    the baselines and for presets this catalogue does not know."""
    architecture = ARCHITECTURE.get(preset)
    return architecture if architecture in ARCHITECTURES else None


# The options that make trained networks another model, as runs record them, with their
# label: both strands in training (--rc-augment) and in scoring (--rc-average), and a
# seed ensemble (gdash ensemble).
MODEL_OPTIONS = {"rc_augment": "rc-aug", "rc_average": "rc-avg", "ensemble": "ensemble"}


def model_label(
    preset: str, pooling: str | None, rc_augment: bool = False, rc_average: bool = False, ensemble: bool = False
) -> str:
    """The one label of a model: the preset, plus ``" (max)"`` for max pooling, plus its
    options (:data:`MODEL_OPTIONS`) joined by ``+``: ``"small-cnn +rc-aug+rc-avg"`` (both
    strands, the networks' default), ``"small-cnn +rc-aug+rc-avg+ensemble"`` (a seed
    ensemble of such runs), ``"small-cnn"`` and ``"small-cnn +ensemble"`` on the forward
    strand alone.

    Mean pooling is the paper's form, so it carries no suffix. Pooling only means
    something for recurrent presets (and presets this catalogue does not know), so
    a CNN's own max over positions never turns into a bogus "(max)" model.
    """
    architecture = ARCHITECTURE.get(preset)
    label = preset
    if pooling == "max" and (architecture is None or architecture in RECURRENT_ARCHITECTURES):
        label = f"{preset} (max)"
    chosen = dict(rc_augment=rc_augment, rc_average=rc_average, ensemble=ensemble)
    options = "+".join(name for key, name in MODEL_OPTIONS.items() if chosen[key])
    return f"{label} +{options}" if options else label


def model_folder(
    preset: str, pooling: str | None, rc_augment: bool = False, rc_average: bool = False, ensemble: bool = False
) -> str:
    """:func:`model_label` as a file name: ``small-rnn-max`` for ``small-rnn (max)``,
    ``small-cnn-rc-aug-rc-avg`` for ``small-cnn +rc-aug+rc-avg``."""
    label = model_label(preset, pooling, rc_augment, rc_average, ensemble)
    return label.replace(" (max)", "-max").replace(" +", "-").replace("+", "-")


def model_order(label: str) -> tuple:
    """Sort key of model labels: catalogue order, the mean form before the max form
    and a model before its strand options, unknown presets last, alphabetically."""
    label, _, options = label.partition(" +")
    preset, _, suffix = label.partition(" (")
    known = list(ARCHITECTURE)
    rank = known.index(preset) if preset in known else len(known)
    return (rank, preset, suffix, options)


def preset_help() -> str:
    """The presets as a comma-separated list, for help texts and error messages."""
    return ", ".join(ALL_PRESETS)
