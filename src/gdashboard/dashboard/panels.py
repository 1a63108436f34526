"""The numbers behind the dashboard's panels, shared by the API, the web app and the figure.

Everything here is plain computation on runs read through :mod:`gdashboard.results`:
no Dash, no Flask, no plotting. The web app (:mod:`gdashboard.dashboard.app`), the
JSON API (:mod:`gdashboard.dashboard.api`) and the publication figure all call the
same functions, so the three show the same numbers.

* :class:`Experiment` groups the runs of one experiment and loads their models once.
* :func:`check_sequence` turns pasted text into a sequence or a one-line error.
* :func:`sequence_view` computes the paper's Figure 2 for one sequence: each model's
  score, saliency map, temporal output scores (recurrent models) and ISM map, and the
  FIMO sites of the TF's JASPAR motifs.
* :func:`variant_view` compares a reference with an edited sequence.

The heavy libraries (torch, memelite's numba code) are imported inside the functions
that need them, so that importing this module stays cheap.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np

from gdashboard.data.readers import tf_name
from gdashboard.models.catalogue import model_order
from gdashboard.results import EXTRACTED_FILE, WINDOWS_FILE, Run, find_runs

if TYPE_CHECKING:
    import torch

METHODS = ("saliency", "temporal", "ism")
# Longest sequence a pasted text may hold: the models' input length is far below it,
# and the cap keeps a stray paste of a genome from reaching the one-hot encoder.
MAX_SEQUENCE_LENGTH = 10_000
ALLOWED = frozenset("ACGTN")
COMPLEMENT = str.maketrans("ACGTN", "TGCAN")

# parallel.for_each_batch changes torch's process-wide thread count inside its
# sections, which are meant for one calling thread at a time; web requests arrive on
# several threads, so the model computations of a view run one at a time.
_COMPUTE_LOCK = threading.Lock()


# --------------------------------------------------------------------------- experiments


@dataclass
class LoadedModel:
    """One run's trained network, ready to explain.

    Attributes
    ----------
    run : gdashboard.results.Run
        The run folder it was loaded from.
    label : str
        The model's label (``run.label``), e.g. ``"small-rnn"`` or ``"small-rnn (max)"``.
    model : torch.nn.Module
        The network in eval mode on the CPU.
    recurrent : bool
        Whether it is a :class:`gdashboard.models.rnn.RecurrentNet` (it has temporal
        output scores).
    """

    run: Run
    label: str
    model: "torch.nn.Module"
    recurrent: bool


def seed_key(run: Run) -> tuple:
    """A sort key of runs by seed (a number, a string or null): numbers first, in order,
    then the rest."""
    seed = run.seed
    if isinstance(seed, (int, float)) and not isinstance(seed, bool):
        return (0, float(seed), "")
    return (1, math.inf, "" if seed is None else str(seed))


def _one_run_per_label(runs: Iterable[Run]) -> list[Run]:
    """The run of lowest seed of each label, in catalogue order."""
    by_label: dict[str, Run] = {}
    for run in sorted(runs, key=seed_key):
        by_label.setdefault(run.label, run)
    return [by_label[label] for label in sorted(by_label, key=model_order)]


class Experiment:
    """The runs of one experiment (one training/test set), and their models.

    Parameters
    ----------
    name : str
        The experiment's name (``run.experiment``).
    runs : list of Run
        Every finished run of it, baselines included.

    Attributes
    ----------
    name, tf : str
        The experiment and its transcription factor.
    runs : list of Run
        All runs, as given.
    neural_runs : list of Run
        One run per neural model label, in catalogue order
        (:func:`gdashboard.models.catalogue.model_order`). When several runs share a
        label (the same model trained from several seeds), the run with the lowest
        seed is kept, so every view shows one model per label and is reproducible.
    baseline_runs : list of Run
        The same for the baselines (``pwm``, ``kmer``, ``gkmsvm``) that were evaluated:
        compared with the networks on the experiment's page, never explained.
    """

    def __init__(self, name: str, runs: Sequence[Run]):
        self.name = name
        self.runs = list(runs)
        tfs = [run.tf for run in self.runs if run.tf]
        self.tf = tfs[0] if tfs else tf_name(name)
        self.neural_runs = _one_run_per_label(r for r in self.runs if r.is_neural and r.config)
        self.baseline_runs = _one_run_per_label(
            r for r in self.runs if not r.is_neural and r.config and (r.metrics or {}).get("available", True)
        )
        self._models: dict[str, LoadedModel] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Experiment({self.name!r}, tf={self.tf!r}, {len(self.runs)} runs)"

    @property
    def labels(self) -> list[str]:
        """The neural models' labels, in catalogue order."""
        return [run.label for run in self.neural_runs]

    @property
    def lengths(self) -> set[int]:
        """The sequence lengths its models accept (each was trained on one length)."""
        return {run.sequence_length for run in self.neural_runs}

    def run(self, label: str) -> Run:
        """The neural run of a model label; KeyError when there is none."""
        for run in self.neural_runs:
            if run.label == label:
                return run
        raise KeyError(label)

    def models(self) -> dict[str, LoadedModel]:
        """Label -> :class:`LoadedModel` of every neural run, loaded on first call and kept."""
        with self._lock:
            if self._models is None:
                from gdashboard.models.averaged import unwrap
                from gdashboard.models.rnn import RecurrentNet

                loaded = {}
                for run in self.neural_runs:
                    model = run.model(device="cpu").eval()
                    recurrent = isinstance(unwrap(model), RecurrentNet)
                    loaded[run.label] = LoadedModel(run, run.label, model, recurrent)
                self._models = loaded
            return self._models


def find_experiments(paths: Iterable[str | Path]) -> dict[str, Experiment]:
    """Every experiment of the finished runs found in or below ``paths``, sorted by name.

    Raises
    ------
    gdashboard.errors.InputError
        A path that does not exist or holds no run (see :func:`gdashboard.results.find_runs`).
    """
    grouped: dict[str, list[Run]] = {}
    for run in find_runs(paths):
        grouped.setdefault(run.experiment or "unnamed", []).append(run)
    return {name: Experiment(name, grouped[name]) for name in sorted(grouped)}


# --------------------------------------------------------------------------- sequences


def check_sequence(text: str, lengths: set[int]) -> str:
    """Turn pasted text into a DNA sequence the models accept.

    Parameters
    ----------
    text : str
        The sequence; whitespace and line breaks anywhere are removed, and a FASTA
        header line (starting with ``>``) is dropped.
    lengths : set of int
        The lengths the models accept (:attr:`Experiment.lengths`); empty accepts any.

    Returns
    -------
    str
        The sequence in upper case, over ``ACGTN``.

    Raises
    ------
    ValueError
        With a one-line message: the sequence is empty, longer than
        :data:`MAX_SEQUENCE_LENGTH`, holds a character other than A, C, G, T or N
        (the first one and its 1-based position are named), or has a length the
        models do not accept.
    """
    if not isinstance(text, str):
        raise ValueError("the sequence must be text")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    sequence = "".join("".join(lines).split()).upper()
    if not sequence:
        raise ValueError("the sequence is empty")
    if len(sequence) > MAX_SEQUENCE_LENGTH:
        raise ValueError(f"the sequence has {len(sequence):,} bases, more than the limit of {MAX_SEQUENCE_LENGTH:,}")
    for position, char in enumerate(sequence, start=1):
        if char not in ALLOWED:
            raise ValueError(f"invalid character {char!r} at position {position}; only A, C, G, T and N are allowed")
    if lengths and len(sequence) not in lengths:
        accepted = " or ".join(str(n) for n in sorted(lengths))
        raise ValueError(f"the sequence has {len(sequence)} bases; the models accept {accepted}")
    return sequence


def reverse_complement(sequence: str) -> str:
    """The reverse complement of an ``ACGTN`` sequence (``N`` stays ``N``)."""
    return sequence.translate(COMPLEMENT)[::-1]


# --------------------------------------------------------------------------- JASPAR motifs


_JASPAR_LOCK = threading.Lock()


def all_jaspar_motifs() -> list:
    """Every motif of the pinned JASPAR collection (:func:`gdashboard.data.jaspar.all_motifs`),
    safe to call from any thread.

    Read once, then cached in memory (:mod:`gdashboard.data.jaspar` opens one SQLite
    connection per thread, so any of the server's threads may read it).
    """
    from gdashboard.data import jaspar

    with _JASPAR_LOCK:
        return jaspar.all_motifs()


@lru_cache(maxsize=64)
def jaspar_motifs(tf: str | None) -> tuple:
    """The TF's JASPAR motifs (:func:`gdashboard.data.jaspar.motifs_for_tf`); empty for None."""
    if not tf:
        return ()
    from gdashboard.data.jaspar import motifs_for_tf

    all_jaspar_motifs()  # read the collection safely first; motifs_for_tf then reads the cache
    return tuple(motifs_for_tf(tf))


def jaspar_motif(matrix_id: str):
    """One motif of the pinned collection by matrix id, or None."""
    return next((motif for motif in all_jaspar_motifs() if motif.matrix_id == matrix_id), None)


def jaspar_logos(tf: str | None) -> list[dict]:
    """The TF's JASPAR motifs as logos: ``motif_id``, ``motif_name``, ``probabilities``
    (4, w) with MEME's pseudocount (what FIMO scans) and ``bits`` (letter heights)."""
    from gdashboard.data.jaspar import MEME_PSEUDOCOUNT
    from gdashboard.motifs.logo import information_matrix

    logos = []
    for motif in jaspar_motifs(tf):
        probabilities = motif.probabilities(MEME_PSEUDOCOUNT)
        logos.append(
            {
                "motif_id": motif.matrix_id,
                "motif_name": motif.name,
                "probabilities": probabilities,
                "bits": information_matrix(probabilities),
            }
        )
    return logos


def sequence_sites(sequence: str, tf: str | None, X=None) -> list[dict]:
    """FIMO sites (p < 1e-4) of the TF's JASPAR motifs in one sequence, by start."""
    motifs = jaspar_motifs(tf)
    if not motifs:
        return []
    from gdashboard.data import one_hot_encode
    from gdashboard.motifs.sites import find_sites

    names = {motif.matrix_id: motif.name for motif in motifs}
    X = one_hot_encode(sequence) if X is None else X
    return [
        {
            "motif_id": site.motif_id,
            "motif_name": names.get(site.motif_id, site.motif_id),
            "start": site.start,
            "end": site.end,
            "strand": site.strand,
            "score": site.score,
            "p_value": site.p_value,
        }
        for site in find_sites(list(motifs), X)
    ]


def warm_up() -> None:
    """Compile memelite's numba code (FIMO and Tomtom) once, so that the first view
    does not wait tens of seconds for it. Meant for a background thread."""
    from gdashboard.motifs.compare import tomtom_compare

    all_jaspar_motifs()
    sequence = "ACGT" * 10
    sequence_sites(sequence, "GATA1")
    tomtom_compare([np.full((4, 6), 0.25)])


# --------------------------------------------------------------------------- one sequence


def _model_view(loaded: LoadedModel, X, methods: Sequence[str]) -> dict[str, Any]:
    from gdashboard.evaluate import log_odds, predict_logits, probability

    # One forward pass gives both numbers: log_odds is what `gdash predict` prints.
    logits = predict_logits(loaded.model, X)
    view: dict[str, Any] = {
        "score": float(log_odds(logits)[0]),
        "probability": float(probability(logits)[0]),
        "recurrent": loaded.recurrent,
    }
    if "saliency" in methods:
        from gdashboard.explain.saliency import saliency_map

        view["saliency"] = saliency_map(loaded.model, X)[0][0]
    if "temporal" in methods and loaded.recurrent:
        from gdashboard.explain.temporal import temporal_output_scores

        forward, backward = temporal_output_scores(loaded.model, X)
        view["forward"], view["backward"] = forward[0], backward[0]
    if "ism" in methods:
        from gdashboard.explain.ism import in_silico_mutagenesis

        view["ism"] = in_silico_mutagenesis(loaded.model, X)[0]
    return view


def _check_methods(methods: Iterable[str]) -> tuple[str, ...]:
    methods = tuple(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown method {unknown[0]!r}; choose from {', '.join(METHODS)}")
    return methods


def sequence_view(
    models: Sequence[LoadedModel],
    sequence: str,
    *,
    tf: str | None,
    methods: Sequence[str] = METHODS,
    sites: bool = True,
) -> dict:
    """Every model's score and explanations of one sequence (the paper's Figure 2).

    Parameters
    ----------
    models : sequence of LoadedModel
        The models to show (:meth:`Experiment.models`).
    sequence : str
        An ``ACGTN`` sequence already checked by :func:`check_sequence`.
    tf : str or None
        The TF whose JASPAR motifs are scanned for sites; None scans nothing.
    methods : subset of ("saliency", "temporal", "ism")
        The explanations to compute; temporal scores are computed for recurrent models only.
    sites : bool
        Scan for FIMO sites.

    Returns
    -------
    dict
        ``sequence``, ``length``, ``sites`` (list of dicts: ``motif_id``,
        ``motif_name``, ``start`` 0-based, ``end`` exclusive, ``strand``, ``score``,
        ``p_value``) and ``models``: label -> ``score`` (log-odds, as ``gdash
        predict`` prints), ``probability``, ``recurrent``, and per method asked:
        ``saliency`` (L,), ``forward`` and ``backward`` (L,), ``ism`` (4, L), all
        float32 numpy arrays.
    """
    from gdashboard.data import one_hot_encode

    methods = _check_methods(methods)
    sequence = check_sequence(sequence, set())
    X = one_hot_encode(sequence)
    with _COMPUTE_LOCK:
        views = {loaded.label: _model_view(loaded, X, methods) for loaded in models}
    found = sequence_sites(sequence, tf, X) if sites else []
    return {"sequence": sequence, "length": len(sequence), "sites": found, "models": views}


def variant_view(
    models: Sequence[LoadedModel],
    reference: str,
    alternative: str,
    *,
    tf: str | None,
    methods: Sequence[str] = METHODS,
    sites: bool = True,
) -> dict:
    """Both sequences' views and what the edit changes.

    Returns
    -------
    dict
        ``reference`` and ``alternative`` (each a :func:`sequence_view`),
        ``changed`` (0-based positions where they differ) and ``differences``: label
        -> ``score`` (alternative minus reference log-odds), ``probability`` and, when
        saliency was asked, ``saliency`` (L,) (alternative minus reference).

    Raises
    ------
    ValueError
        The two sequences differ in length.
    """
    if len(reference) != len(alternative):
        raise ValueError(
            f"the variant has {len(alternative)} bases but the reference {len(reference)}; "
            "edit bases without inserting or deleting"
        )
    from gdashboard.data.onehot import one_hot_encode
    from gdashboard.explain.variants import variant_effects

    ref = sequence_view(models, reference, tf=tf, methods=methods, sites=sites)
    alt = sequence_view(models, alternative, tf=tf, methods=methods, sites=sites)
    changed = [i for i, (a, b) in enumerate(zip(ref["sequence"], alt["sequence"])) if a != b]
    X_ref, X_alt = one_hot_encode(ref["sequence"]), one_hot_encode(alt["sequence"])
    differences = {}
    for loaded in models:
        ref_view, alt_view = ref["models"][loaded.label], alt["models"][loaded.label]
        # The score change is gdash variants' own computation (the same function).
        with _COMPUTE_LOCK:
            effect = variant_effects(loaded.model, X_ref, X_alt, [changed[0] if changed else 0], saliency=False)
        difference = {
            "score": float(effect["difference"][0]),
            "probability": alt_view["probability"] - ref_view["probability"],
        }
        if "saliency" in ref_view:
            difference["saliency"] = alt_view["saliency"] - ref_view["saliency"]
        differences[loaded.label] = difference
    return {"reference": ref, "alternative": alt, "changed": changed, "differences": differences}


# --------------------------------------------------------------------------- tables


def view_table(view: dict) -> list[dict]:
    """The numbers of a :func:`sequence_view` as rows, one per model and position.

    Columns: ``model``, ``score``, ``probability``, ``position`` (1-based), ``base``,
    then ``saliency``, ``forward``, ``backward`` and ``ism_A`` .. ``ism_T`` where
    present (empty otherwise). What the dashboard's CSV download holds.
    """
    rows = []
    sequence = view["sequence"]
    for label, model in view["models"].items():
        for position, base in enumerate(sequence):
            row = {
                "model": label,
                "score": model["score"],
                "probability": model["probability"],
                "position": position + 1,
                "base": base,
            }
            for key in ("saliency", "forward", "backward"):
                row[key] = float(model[key][position]) if key in model else None
            for index, letter in enumerate("ACGT"):
                row[f"ism_{letter}"] = float(model["ism"][index, position]) if "ism" in model else None
            rows.append(row)
    return rows


def jsonable(view: dict) -> dict:
    """A copy of a view with numpy arrays as (nested) lists and numpy numbers as floats."""
    if isinstance(view, dict):
        return {key: jsonable(value) for key, value in view.items()}
    if isinstance(view, (list, tuple)):
        return [jsonable(value) for value in view]
    if isinstance(view, np.ndarray):
        return view.astype(np.float64).tolist()
    if isinstance(view, np.generic):
        return view.item()
    return view


# --------------------------------------------------------------------------- per run


def class_optimized(run: Run, *, steps: int = 1000, restarts: int = 16, compute: bool = True) -> dict | None:
    """The run's class-optimised input (cached beside the run) with its logo's letter
    heights: ``probabilities`` (4, L), ``bits`` (4, L), ``sequence``, ``score``.
    With ``compute=False``, None unless it is cached already."""
    from gdashboard.explain.run import cached_class_optimization
    from gdashboard.motifs.logo import information_matrix

    arrays = cached_class_optimization(run, steps=steps, restarts=restarts, compute=compute)
    if arrays is None:
        return None
    probabilities = np.asarray(arrays["probabilities"], dtype=np.float64)
    return {
        "probabilities": probabilities,
        "bits": information_matrix(probabilities),
        "sequence": str(arrays["sequence"]),
        "score": float(arrays["score"]),
    }


def modisco_patterns(run: Run, limit: int = 5) -> list[dict]:
    """The first ``limit`` TF-MoDISco patterns of each ``gdash modisco`` result under the
    run folder, each with ``attribution``, ``name``, ``n_seqlets``, the trimmed forward
    CWM as ``weights`` ``(4, w)``, its top JASPAR ``matches`` and ``matches_tf``."""
    found = []
    for result in run.modisco_results():
        for pattern in result["patterns"][:limit]:
            start, stop = pattern["trim"]
            found.append(
                {
                    "attribution": result["attribution"],
                    "name": pattern["name"],
                    "rank": pattern["rank"],
                    "n_seqlets": pattern["n_seqlets"],
                    "weights": np.asarray(pattern["cwm"]["forward"], dtype=float)[start:stop].T,
                    "matches": pattern["matches"],
                    "matches_tf": bool(pattern.get("matches_tf")),
                }
            )
    return found


def extracted_motifs(run: Run) -> list[dict]:
    """The motifs ``gdash motifs`` extracted from the run (its motif folders'
    ``extracted.meme``), each with ``folder``, ``method``, ``probabilities``, ``bits``
    and ``windows`` (rows of ``windows.tsv`` of that method, whose ``best_hit`` name
    the best JASPAR match of each window). Empty when ``gdash motifs`` was not run."""
    from gdashboard.motifs.logo import information_matrix
    from gdashboard.motifs.meme import read_meme_motifs

    found = []
    for result in run.motif_results():
        folder = Path(result["motifs_path"]).parent
        if not (folder / EXTRACTED_FILE).is_file():
            continue
        windows = _read_windows(folder / WINDOWS_FILE)
        classopt = result["methods"].get("classopt", {})
        for motif in read_meme_motifs(folder / EXTRACTED_FILE):
            method = motif.id.removesuffix("_aggregate")
            rows = [row for row in windows if row.get("method") == method]
            found.append(
                {
                    "folder": str(folder),
                    "method": method,
                    "probabilities": motif.probabilities,
                    "bits": information_matrix(motif.probabilities),
                    "windows": rows,
                    "best_hit": classopt.get("best_hit") if method == "classopt" else _commonest_hit(rows),
                }
            )
    return found


def _read_windows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        return []
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:] if line]


def _commonest_hit(rows: list[dict]) -> str | None:
    """The JASPAR motif that is most often the best hit of a method's windows."""
    counts: dict[str, int] = {}
    for row in rows:
        hit = f"{row.get('best_hit', '')} {row.get('best_hit_name', '')}".strip()
        if hit:
            counts[hit] = counts.get(hit, 0) + 1
    return max(counts, key=counts.get) if counts else None


def roc_curves(run: Run) -> dict:
    """ROC and precision-recall curves of a run's test predictions (sklearn.metrics):
    ``fpr``, ``tpr``, ``precision``, ``recall`` arrays and ``auc``, ``auprc``."""
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    predictions = run.predictions()
    labels, scores = predictions.labels, predictions.scores
    if len(np.unique(labels)) < 2:
        return {}
    fpr, tpr, _ = roc_curve(labels, scores)
    precision, recall, _ = precision_recall_curve(labels, scores)
    return {
        "fpr": fpr,
        "tpr": tpr,
        "precision": precision,
        "recall": recall,
        "auc": float(roc_auc_score(labels, scores)),
        "auprc": float(average_precision_score(labels, scores)),
    }
