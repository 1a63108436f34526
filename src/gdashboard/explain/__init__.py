"""Why a model decides as it does: the paper's three visualisations and the methods
people now expect.

The methods themselves — their names, options, returned arrays and what a model must
be to have them — are written down once, in the registry :mod:`gdashboard.methods`
(re-exported here as :data:`METHODS`, :data:`METHOD_NAMES` and :func:`get_method`).
Each record names its function in one of these modules; :func:`explain` runs any of
them on arrays and :func:`explain_file` on a run folder and a sequence file.

Modules
-------
* :mod:`.saliency` — saliency maps (|∂S+/∂X ⊙ X|), the signed gradient, gradient × input
* :mod:`.temporal` — forward / backward temporal output scores (recurrent models)
* :mod:`.classopt` — class optimisation (argmax_X S+(X) − λ‖X‖²)
* :mod:`.conv` — first-layer convolution activation windows (the DeepBind baseline)
* :mod:`.ism` — in-silico mutagenesis
* :mod:`.attribution` — integrated gradients and DeepLIFT/SHAP
* :mod:`.groundtruth` — how well each method's per-position scores find planted motifs
* :mod:`.common` — what they share: the explained score ``S+``, the model's device,
  the eval-mode and frozen-model contexts, the input gradient
* :mod:`.run` — the registry's dispatch (:func:`explain`, with the capability check),
  ``gdash explain`` (:func:`explain_file`) and the cached class optimisation
* :mod:`.variants` — ``gdash variants``: what a genetic variant does to binding

Input convention
----------------
Every method takes sequences as one-hot ``(N, 4, L)`` arrays (a torch tensor or a
numpy array): rows in ``ACGT`` order, positions along the last axis, an all-zero
column for an ``N``; the models return ``(N, 2)`` logits, the positive class in
column 1. Input is checked once at the boundary by
:func:`gdashboard.data.onehot.check_one_hot`. Models run in eval mode and leave
with every submodule's mode (and every parameter's ``requires_grad``) as it came.

Errors
------
The array-level functions raise ValueError for bad arrays, bad options and a
model the method cannot explain: :func:`explain` checks the record's ``requires``
and ``refuses`` against :func:`gdashboard.models.capabilities.model_capabilities`
(temporal scores of a CNN, DeepLIFT of an RNN, convolution windows of a plain RNN).
Only the file-level functions of :mod:`.run` raise
:class:`gdashboard.errors.InputError`, which names the run folder and which the
command line prints as one line.
"""

from gdashboard.methods import METHOD_NAMES, METHODS, get_method

# Loaded on first use (PEP 562): reading the registry through this package imports no torch.
_LAZY = {
    "explain": "gdashboard.explain.run",
    "explain_file": "gdashboard.explain.run",
    "applicable_methods": "gdashboard.explain.run",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gdashboard.explain' has no attribute {name!r}")


__all__ = ["METHODS", "METHOD_NAMES", "applicable_methods", "explain", "explain_file", "get_method"]
