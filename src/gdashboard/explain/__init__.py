"""Why a model decides as it does: the paper's three visualisations and the methods
people now expect.

Modules
-------
* :mod:`.saliency` — saliency maps (|∂S+/∂X ⊙ X|) and the signed gradient
* :mod:`.temporal` — forward / backward temporal output scores (recurrent models)
* :mod:`.classopt` — class optimisation (argmax_X S+(X) − λ‖X‖²)
* :mod:`.conv` — first-layer convolution activation windows (the DeepBind baseline)
* :mod:`.ism` — in-silico mutagenesis
* :mod:`.attribution` — integrated gradients and DeepLIFT/SHAP
* :mod:`.groundtruth` — how well each method's per-position scores find planted motifs
* :mod:`.common` — what they share: the explained score ``S+``, the model's device,
  the eval-mode and frozen-model contexts, the input gradient
* :mod:`.run` — ``gdash explain``: any method over a file, written as an ``.npz``

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
model the method cannot explain (temporal scores of a CNN, DeepLIFT of an RNN,
convolution windows of a plain RNN). Only the file-level functions of
:mod:`.run` raise :class:`gdashboard.errors.InputError`, which names the run
folder and which the command line prints as one line.
"""

METHODS = ("saliency", "temporal", "classopt", "conv", "ism", "ig", "deeplift")
