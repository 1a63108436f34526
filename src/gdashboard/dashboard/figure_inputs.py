"""What the publication figure shows: the experiment's models, the sequence (by id, as
text, or the first bound test sequence with a site), the TF's JASPAR motifs and the
marks of the best model of each architecture."""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np

from gdashboard.dashboard.figure_layout import MAX_JASPAR_MOTIFS, ordered
from gdashboard.errors import InputError
from gdashboard.models.catalogue import paper_architecture


def chosen_models(paths: Iterable, experiment: str, models: list[str] | None):
    """The experiment (:class:`~gdashboard.dashboard.panels.Experiment`) and its loaded
    models by label: those named, in catalogue order, or every network of it."""
    from gdashboard.dashboard import panels

    experiments = panels.find_experiments(paths)
    if experiment not in experiments:
        available = ", ".join(sorted(experiments)) or "none"
        raise InputError(f"no runs of experiment {experiment!r} in the paths given; available: {available}")
    chosen = experiments[experiment]
    neural = [run.label for run in chosen.neural_runs]
    if not neural:
        raise InputError(f"experiment {experiment} has no trained network to explain")
    if models:
        unknown = [label for label in models if label not in neural]
        if unknown:
            raise InputError(
                f"no model {', '.join(map(repr, unknown))} in experiment {experiment}; "
                f"available: {', '.join(ordered(neural))}"
            )
    loaded = chosen.models()
    wanted = ordered(dict.fromkeys(models) if models else loaded)
    return chosen, {label: loaded[label] for label in wanted}


def pick_sequence(experiment, run, sequence_id: str | None, sequence_text: str | None) -> tuple[str | None, str]:
    """``(id, sequence)``: the text given (checked, no id), the test sequence of that id
    (``run``'s test set), or the first bound one with a site."""
    from gdashboard.dashboard import panels

    if sequence_text is not None:
        try:
            return None, panels.check_sequence(sequence_text, experiment.lengths)
        except ValueError as error:
            raise InputError(str(error).splitlines()[0] if str(error) else "not a DNA sequence") from None
    if sequence_id is not None:
        return sequence_id, _sequence_by_id(run, sequence_id)
    return _first_positive(run, experiment.tf)


def best_of_architecture(loaded: Mapping) -> dict[str, str]:
    """``"*"`` for the model of each architecture with the best validation AUC (the first
    in catalogue order on ties), where an architecture has two models or more."""
    by_architecture: dict[str, list[tuple[float, str]]] = {}
    for label in ordered(loaded):
        run = loaded[label].run
        auc = (run.metrics or {}).get("validation_auc")
        architecture = paper_architecture(run.preset)
        if auc is not None and architecture is not None:
            by_architecture.setdefault(architecture, []).append((float(auc), label))
    marks = {}
    for candidates in by_architecture.values():
        if len(candidates) >= 2:
            best_auc, best = candidates[0]
            for auc, label in candidates[1:]:
                if auc > best_auc:
                    best_auc, best = auc, label
            marks[best] = "*"
    return marks


def pick_motifs(tf: str | None) -> list:
    """The TF's JASPAR motifs (those whose sites the view boxes), its own before the
    dimers that name it."""
    from gdashboard.dashboard.panels import jaspar_motifs
    from gdashboard.data.jaspar import motif_names_tf

    found = jaspar_motifs(tf)
    return sorted(found, key=lambda motif: len(motif_names_tf(motif.name)) > 1)[:MAX_JASPAR_MOTIFS]


def _test_dataset(run):
    """The run's test sequences (:meth:`gdashboard.results.Run.test_sequences`, which finds
    moved data), or an InputError saying why they cannot be opened."""
    try:
        return run.test_sequences(missing_ok=False)
    except InputError as error:
        raise InputError(f"{error.problem}; give the sequence as text", error.path or run.path) from None


def _sequence_by_id(run, sequence_id: str) -> str:
    from gdashboard.data import one_hot_decode

    dataset = _test_dataset(run)
    try:
        index = dataset.ids.index(sequence_id)
    except ValueError:
        examples = ", ".join(dataset.ids[:3])
        raise InputError(
            f"no sequence with id {sequence_id!r} (its ids are {examples}, ..., {dataset.ids[-1]})", dataset.path
        ) from None
    return one_hot_decode(dataset.X[index : index + 1])[0]


def _first_positive(run, tf: str | None) -> tuple[str, str]:
    """The first bound test sequence with a FIMO site of the TF's JASPAR motifs (the
    paper's Figure 2 shows one, boxed), else the first bound one."""
    from gdashboard.dashboard.panels import jaspar_motifs
    from gdashboard.data import one_hot_decode
    from gdashboard.motifs.sites import find_sites

    dataset = _test_dataset(run)
    positives = np.flatnonzero(dataset.labels == 1)
    if not positives.size:
        raise InputError("the test file holds no bound sequence; give a sequence id", dataset.path)
    index = int(positives[0])
    motifs = jaspar_motifs(tf)
    if motifs:
        with_site = sorted({site.sequence for site in find_sites(list(motifs), dataset.X[positives])})
        if with_site:
            index = int(positives[with_site[0]])
    return dataset.ids[index], one_hot_decode(dataset.X[index : index + 1])[0]
