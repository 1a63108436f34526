"""gdashboard: train TF binding-site classifiers and show why they decide as they do.

The public Python API is what this module exports (:data:`__all__`); its reference is
``docs/api.md``. Sequences are one-hot ``(N, 4, L)`` arrays in ACGT order (an all-zero
column is an ``N``), models return ``(N, 2)`` logits, scores are log-odds of binding, and
every function that returns several arrays returns them by name (a dict, or a record with
named fields), never as a bare tuple.

This facade sits above every layer, like the command line: each name loads its module on
first use (PEP 562), so that ``import gdashboard`` and ``gdash --help`` stay fast and
import no torch.
"""

__version__ = "0.2.0"

# name -> the module that defines it ("module:name" where the names differ); the one list of
# what a user imports.
_EXPORTS = {
    # data: reading, one-hot, the embedded simulated grammar, the data home
    "Dataset": "gdashboard.data.readers",
    "read_dataset": "gdashboard.data.readers",
    "one_hot_encode": "gdashboard.data.onehot",
    "one_hot_decode": "gdashboard.data.onehot",
    "reverse_complement": "gdashboard.data.onehot",
    "simulate": "gdashboard.data.simulate",
    "write_simulation": "gdashboard.data.simulation_files",
    "data_home": "gdashboard.data.paths",
    # models: the presets and what a model can do
    "PRESETS": "gdashboard.models.catalogue",
    "build_model": "gdashboard.models.presets",
    "model_capabilities": "gdashboard.models.capabilities",
    # training, runs and scoring
    "TrainOptions": "gdashboard.train_options",
    "train_run": "gdashboard.runs",
    "make_ensemble": "gdashboard.ensemble",
    "open_run": "gdashboard.results",
    "find_runs": "gdashboard.results",
    "Run": "gdashboard.results",
    "predict_scores": "gdashboard.evaluate",
    # explanations: the registry and the one entry point
    "METHODS": "gdashboard.methods",
    "get_method": "gdashboard.methods",
    # (not named "explain": importing the subpackage gdashboard.explain would replace it)
    "explain_model": "gdashboard.explain.run:explain",
    "position_rows": "gdashboard.methods",
    # motifs, the report, studies and the figure
    "motif_analysis": "gdashboard.motifs.analysis",
    "modisco_analysis": "gdashboard.motifs.modisco",
    "write_report": "gdashboard.report.write",
    "StudyOptions": "gdashboard.study.options",
    "Execution": "gdashboard.study.options",
    "run_study": "gdashboard.study.runner",
    "write_figure": "gdashboard.dashboard.figure",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        module, _, attribute = _EXPORTS[name].partition(":")
        value = getattr(importlib.import_module(module), attribute or name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'gdashboard' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_EXPORTS])
