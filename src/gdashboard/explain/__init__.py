"""Why a model decides as it does: the paper's three visualisations and the methods
people now expect. Each module is one operation over ``(N, 4, L)`` one-hot input.

* :mod:`.saliency` — saliency maps (|∂S+/∂X ⊙ X|) and the signed gradient
* :mod:`.temporal` — forward / backward temporal output scores (recurrent models)
* :mod:`.classopt` — class optimisation (argmax_X S+(X) − λ‖X‖²)
* :mod:`.conv` — first-layer convolution activation windows (the DeepBind baseline)
* :mod:`.ism` — in-silico mutagenesis
* :mod:`.attribution` — integrated gradients and DeepLIFT/SHAP
* :mod:`.run` — ``gdash explain``: any method over a file, written as an ``.npz``
"""

METHODS = ("saliency", "temporal", "classopt", "conv", "ism", "ig", "deeplift")
