"""What a model is, in the words the explanation methods ask about.

Every model class says what its instances can be asked in a ``CAPABILITIES``
class attribute (names from :data:`gdashboard.methods.CAPABILITIES`):

* ``neural`` — a torch network returning ``(N, 2)`` logits;
* ``differentiable`` — its score has an input gradient;
* ``recurrent`` — it reads the sequence with a recurrent layer (temporal output scores);
* ``convolutional`` — a first convolution reads the one-hot input (convolution windows);
* ``baseline`` — a non-neural comparison model (pwm, kmer, gkmsvm);
* ``averaged`` — the mean of other networks (both strands, a seed ensemble).

A class whose instances differ (a recurrent network with or without convolutions, an
averaging wrapper and its members) also defines a ``capabilities()`` method that answers
for the instance. :func:`model_capabilities` is the one function that answers for any
model; the method registry's ``requires`` and ``refuses`` are checked against it.
"""

from __future__ import annotations

from gdashboard.methods import CAPABILITIES

# How an error names a capability a model lacks or has.
DESCRIPTIONS = {
    "neural": "a neural network",
    "differentiable": "a network with an input gradient",
    "recurrent": "an RNN or CNN-RNN",
    "convolutional": "a CNN, CNN-RNN or DeepBind",
    "baseline": "pwm, kmer or gkmsvm",
    "averaged": "both strands' mean or a seed ensemble",
}


def model_capabilities(model) -> frozenset[str]:
    """The capabilities of ``model`` (a subset of :data:`gdashboard.methods.CAPABILITIES`).

    Asks the model's class: its ``capabilities()`` method where it has one, else its
    ``CAPABILITIES``. A torch module of another class is a differentiable network,
    recurrent when any of its layers is, convolutional when it names a
    ``first_convolution``; anything else can be asked nothing.
    """
    # Looked up on the class: an averaging wrapper hands unknown attributes of an
    # instance on to its first network, which would answer for the wrong model.
    if callable(getattr(type(model), "capabilities", None)):
        found = frozenset(model.capabilities())
    elif getattr(type(model), "CAPABILITIES", None) is not None:
        found = frozenset(type(model).CAPABILITIES)
    else:
        found = _structural(model)
    unknown = found - set(CAPABILITIES)
    if unknown:
        raise ValueError(f"{type(model).__name__} claims unknown capabilities {sorted(unknown)}")
    return found


def _structural(model) -> frozenset[str]:
    from torch import nn

    if not isinstance(model, nn.Module):
        return frozenset()
    found = {"neural", "differentiable"}
    if any(isinstance(module, nn.RNNBase) for module in model.modules()):
        found.add("recurrent")
    if isinstance(getattr(model, "first_convolution", None), nn.Conv1d):
        found.add("convolutional")
    return frozenset(found)


def describe(model, capabilities: frozenset[str] | None = None) -> str:
    """``"ConvNet: convolutional, differentiable, neural"``: a model's class and capabilities."""
    found = model_capabilities(model) if capabilities is None else capabilities
    return f"{type(model).__name__}: {', '.join(sorted(found)) or 'none'}"
