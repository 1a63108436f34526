"""The run-folder, motif-folder and pattern-folder formats: the one place that names, reads and checks them.

A **run folder** is what ``gdash train`` writes (:func:`gdashboard.runs.train_run`):

=====================  ===========================================================
``config.json``        the preset, its network's arguments, recipe, data, seed
                       (``format_version`` :data:`FORMAT_VERSION`); its ``data``
                       records the training and test files (:mod:`.data_references`)
``model.safetensors``  the weights (no pickle)
``metrics.json``       test and validation AUC, AUPRC, accuracy, epochs, times;
                       written last: its presence means the run is complete
``history.jsonl``      one line per epoch
``test_predictions.tsv``  ``id``, ``label``, ``score`` (log-odds) per test sequence
=====================  ===========================================================

A **motif folder** is what ``gdash motifs`` writes (:mod:`.motif_folder`); a **pattern
folder** what ``gdash modisco`` writes (:mod:`.pattern_folder`).

:func:`open_run` gives a :class:`Run`: its config, metrics, predictions, data files and
motif results, and the model on demand. :func:`collect_runs` and
:func:`collect_motif_results` read many at once for the report. Training, explanations,
motifs, the report, the benchmarks and the dashboard read runs through this package and
nothing else.

Modules: :mod:`.run_folder` (``config.json``, the model, ``metrics.json``, the class
optimisation cache), :mod:`.data_references` (the data files ``config.json`` records),
:mod:`.predictions` (``test_predictions.tsv``), :mod:`.motif_folder`,
:mod:`.pattern_folder`, :mod:`.collect` (many folders at once), :mod:`.run` (one run
opened) and :mod:`.json_files` (what the JSON files share). Every name is importable
from here.
"""

from gdashboard.results.collect import collect_modisco_results, collect_motif_results, collect_runs
from gdashboard.results.data_references import (
    DATA_KINDS,
    MissingDataFile,
    data_reference,
    locate_data_file,
)
from gdashboard.results.json_files import read_json
from gdashboard.results.motif_folder import (
    EXTRACTED_FILE,
    FIMO_SITES_FILE,
    MOTIF_METHODS,
    MOTIFS_FILE,
    SALIENCY_LOGO_FILE,
    WINDOWS_FILE,
    normalise_motif_result,
    recorded_jaspar_pseudocount,
)
from gdashboard.results.pattern_folder import (
    MODISCO_FILE,
    MODISCO_FORMAT_VERSION,
    MODISCO_H5_FILE,
    MODISCO_LOGO_FOLDER,
    MODISCO_MEME_FILE,
    normalise_modisco_result,
)
from gdashboard.results.predictions import Predictions, read_predictions, write_predictions
from gdashboard.results.run import Run, find_runs, open_run
from gdashboard.results.run_folder import (
    CLASSOPT_CACHE_FILE,
    CONFIG_FILE,
    FORMAT_VERSION,
    HISTORY_FILE,
    METRICS_FILE,
    PREDICTIONS_FILE,
    WEIGHTS_FILE,
    load_model,
    member_folder,
    normalise_run,
    read_classopt_cache,
    read_config,
    save_model,
    write_classopt_cache,
)

__all__ = [
    "CLASSOPT_CACHE_FILE",
    "CONFIG_FILE",
    "DATA_KINDS",
    "EXTRACTED_FILE",
    "FIMO_SITES_FILE",
    "FORMAT_VERSION",
    "HISTORY_FILE",
    "METRICS_FILE",
    "MODISCO_FILE",
    "MODISCO_FORMAT_VERSION",
    "MODISCO_H5_FILE",
    "MODISCO_LOGO_FOLDER",
    "MODISCO_MEME_FILE",
    "MOTIFS_FILE",
    "MOTIF_METHODS",
    "MissingDataFile",
    "PREDICTIONS_FILE",
    "Predictions",
    "Run",
    "SALIENCY_LOGO_FILE",
    "WEIGHTS_FILE",
    "WINDOWS_FILE",
    "collect_modisco_results",
    "collect_motif_results",
    "collect_runs",
    "data_reference",
    "find_runs",
    "load_model",
    "locate_data_file",
    "member_folder",
    "normalise_modisco_result",
    "normalise_motif_result",
    "normalise_run",
    "open_run",
    "read_classopt_cache",
    "read_config",
    "read_json",
    "read_predictions",
    "recorded_jaspar_pseudocount",
    "save_model",
    "write_classopt_cache",
    "write_predictions",
]
