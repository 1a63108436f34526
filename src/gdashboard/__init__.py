"""gdashboard: train TF binding-site classifiers and show why they decide as they do.

Heavy dependencies (torch models, tangermeme, memelite, JASPAR) load lazily from
their own modules so that ``import gdashboard`` and ``gdash --help`` stay fast.
"""

__version__ = "0.1.0"
