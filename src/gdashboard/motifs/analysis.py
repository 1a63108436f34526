"""``gdash motifs``: what a model learned, compared with JASPAR — the paper's Table 4.

From each **positive** test sequence a motif is extracted per method and compared
with the whole pinned JASPAR collection (JASPAR2024 CORE vertebrates) by Tomtom
(memelite). The methods are the registry's motif methods
(:func:`gdashboard.methods.motif_methods`) that the model can be asked, each cut by its
rule in :data:`gdashboard.motifs.window_rules.WINDOW_RULES`:

* ``saliency`` — the length-9 window with the highest sum of saliency
  (:func:`gdashboard.motifs.extract.saliency_windows`);
* ``temporal`` (recurrent models) — the length-9 window that ends with the last
  base the model had read when its forward temporal output took its largest
  single step up (:func:`gdashboard.motifs.extract.temporal_windows`; for a
  CNN-RNN, whose convolutions let each output read a few bases ahead, that base
  lies past the step's position);
* ``conv`` (models with a first convolution) — the input window under the
  strongest first-layer activation, as wide as the filter (clipped where a padded
  filter hangs over an end of the sequence; the aggregate motif stacks the
  full-width windows only);
* ``classopt`` — one motif per model: the 9-wide window of the class-optimised
  probability matrix with the highest information content
  (:func:`gdashboard.motifs.extract.best_window`), not the whole 101-wide matrix,
  whose flat columns would only dilute the comparison.

Each window is the one-hot sequence found there; JASPAR's counts become
probabilities with MEME Tomtom's default motif pseudocount, 0.1 (recorded in
``motifs.json`` as ``jaspar_pseudocount``). A window **matches** when one of
the TF's own JASPAR motifs (heterodimers that name it included) is among its Tomtom
hits at p < ``p_threshold`` (0.05); the count at q < 0.5 (MEME Tomtom's default
reporting threshold; Benjamini–Hochberg over the targets of each query) is given
beside it. ``chance`` counts the same for windows at the saliency windows' places
in a dinucleotide shuffle of each positive: what the criterion gives without a
motif. memelite's Tomtom scores columns by Euclidean distance where MEME's
Tomtom defaults to Pearson correlation, so its p-values differ somewhat from MEME's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gdashboard.errors import InputError
from gdashboard.fileio import atomic_path, write_json
from gdashboard.methods import METHODS, ClassOptOptions, Method, motif_methods
from gdashboard.motifs.window_rules import WINDOW, WINDOW_RULES, Windows
from gdashboard.results import EXTRACTED_FILE, FIMO_SITES_FILE, MOTIFS_FILE, SALIENCY_LOGO_FILE, WINDOWS_FILE, open_run

__all__ = ["EXTRACTION_VERSION", "WINDOW", "MotifAnalysisOptions", "motif_analysis", "resolve_classopt_device"]

# Bumped when a method's windows change (the study runner redoes older results of
# recurrent runs): 2 = the temporal window no longer rises from an
# assumed 0.5 before the first base; 3 = the temporal window ends with the last
# base read at the output's largest single step up (was: the window across which
# the output rises most), aligned for a CNN-RNN's look-ahead.
EXTRACTION_VERSION = 3
WINDOWS_HEADER = "id\tmethod\tstart\twidth\tmatch_p\tmatch_q\tbest_hit\tbest_hit_name\tbest_p\n"


@dataclass(frozen=True)
class MotifAnalysisOptions:
    """What ``gdash motifs`` is asked.

    tf : the TF whose JASPAR motifs count as a match (default: the run's).
    p_threshold, q_threshold : a window matches at Tomtom p below the first; the count
        at q below the second is given beside it.
    limit : use only the first positive sequences.
    seed : seed of the dinucleotide shuffle of the chance count.
    classopt : class optimisation's options (its own seed included).
    classopt_device : where class optimisation runs (e.g. ``"cuda"``; default: the CPU).
    """

    tf: str | None = None
    p_threshold: float = 0.05
    q_threshold: float = 0.5
    limit: int | None = None
    seed: int = 0
    classopt: ClassOptOptions = field(default_factory=ClassOptOptions)
    classopt_device: str | None = None

    def method_options(self, record: Method):
        """A method's options: those given here when they are of its type, else its defaults."""
        return record.make_options(self.classopt if isinstance(self.classopt, record.options) else None)


def resolve_classopt_device(name: str | None):
    """The ``torch.device`` class optimisation runs on (the CPU for ``None``), or an
    InputError when it cannot be used here."""
    import torch

    try:
        device = torch.device(name or "cpu")
    except RuntimeError:
        raise InputError(f"unknown device {name!r} for class optimisation") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InputError("class optimisation on cuda was asked for, but no CUDA device is available")
    return device


def positive_sequences(run, test_path: str | os.PathLike, limit: int | None, nothing: str):
    """The positive (bound) sequences of a test file as the run reads it, at most ``limit``;
    an InputError saying ``nothing`` when there are none."""
    dataset = run.read_sequences(test_path)
    positives = dataset.subset(np.flatnonzero(dataset.labels == 1))
    if limit is not None:
        positives = positives.subset(np.arange(min(limit, len(positives))))
    if len(positives) == 0:
        raise InputError(nothing, test_path)
    return positives


def motif_analysis(
    rundir: str | os.PathLike,
    test_path: str | os.PathLike,
    out: str | os.PathLike,
    options: MotifAnalysisOptions | None = None,
    *,
    progress: bool = False,
) -> dict:
    """Extract motifs by every applicable method, compare them with JASPAR, write ``out``.

    Writes ``motifs.json`` (the counts; what ``gdash report`` reads for Table 4),
    ``windows.tsv`` (per positive sequence and method: window, match, best hit),
    ``extracted.meme`` (the aggregate of each method's windows and the
    class-optimised motif), ``fimo_sites.tsv`` (FIMO sites of the TF's JASPAR
    motifs on the positives, for the dashboard to highlight) and
    ``saliency_logo.png`` (all saliency windows aligned).

    Everything runs on the CPU, except class optimisation when
    ``options.classopt_device`` names another device (e.g. ``"cuda"``): its restarts'
    gradient steps (:class:`~gdashboard.methods.ClassOptOptions`) dominate the time for
    a recurrent model. On a GPU the optimised matrix may differ from the CPU's
    (rounding over many steps), so ``motifs.json`` records where it ran
    (``classopt_device``).
    """
    from gdashboard.data.jaspar import motifs_for_tf
    from gdashboard.explain.run import applicable_methods
    from gdashboard.motifs.meme import write_meme
    from gdashboard.train import device_description

    options = options or MotifAnalysisOptions()
    # Checked first: the class optimisation that uses it comes last, minutes in.
    device = resolve_classopt_device(options.classopt_device)
    run = open_run(rundir)
    model = run.network("nothing to extract")
    tf = options.tf or run.tf
    if not tf:
        raise InputError("the run names no transcription factor: give one with --tf", rundir)
    positives = positive_sequences(
        run, test_path, options.limit, "no positive (bound) sequences to extract motifs from"
    )
    known = motifs_for_tf(tf)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = _summary_head(run, tf, known, len(positives), options)
    match = _Matcher(tf, bool(known), options)
    rows, aggregates, saliency = [], {}, None
    for name in applicable_methods(model, motif_methods()):
        windows = _method_windows(METHODS[name], model, positives.X, options, device, progress)
        if METHODS[name].per_sequence:
            summary["methods"][name], aggregates[f"{name}_aggregate"], found = match.per_sequence(
                name, windows, positives.ids
            )
            rows += found
        else:
            summary["methods"][name], aggregates[name] = match.per_model(windows)
        if name == "saliency":  # the chance count and the FIMO overlap are the saliency windows'
            saliency = np.asarray(windows.starts, dtype=np.int64)
    if saliency is not None:
        summary["chance"] = _chance_matches(positives.X, saliency, match)
    summary["classopt_device"] = device_description(device)
    write_meme(aggregates, out / EXTRACTED_FILE)
    if known and saliency is not None:
        summary.update(_fimo_overlap(known, positives, saliency, out))
    else:
        summary["saliency_fimo_overlap"] = None
    _write_windows(out / WINDOWS_FILE, rows)
    if "saliency_aggregate" in aggregates:
        from gdashboard.motifs.logo import save_logo

        title = f"{summary['experiment']} {summary['preset']}: saliency windows ({len(positives)})"
        save_logo(aggregates["saliency_aggregate"], out / SALIENCY_LOGO_FILE, title=title)
    write_json(out / MOTIFS_FILE, summary)
    return summary


def _summary_head(run, tf: str, known, n_positives: int, options: MotifAnalysisOptions) -> dict:
    """What ``motifs.json`` records before any method runs."""
    from gdashboard.data.jaspar import DEFAULT_RELEASE, MEME_PSEUDOCOUNT

    return {
        "experiment": run.experiment,
        "tf": tf,
        "preset": run.preset,
        "pooling": run.pooling,
        **run.options,
        "seed": run.seed,
        "jaspar_release": DEFAULT_RELEASE,
        "jaspar_pseudocount": MEME_PSEUDOCOUNT,
        "tf_in_jaspar": bool(known),
        "tf_motifs": [f"{m.matrix_id} {m.name}" for m in known],
        "n_positives": n_positives,
        "p_threshold": options.p_threshold,
        "q_threshold": options.q_threshold,
        "window": WINDOW,
        "extraction_version": EXTRACTION_VERSION,
        "methods": {},
    }


def _method_windows(record: Method, model, X, options: MotifAnalysisOptions, device, progress: bool) -> Windows:
    """The method's windows on positives ``X``.

    A method with one motif per model (class optimisation) runs on ``device``; the
    model is back on the CPU afterwards.
    """
    from gdashboard.explain.run import explain

    method_options = options.method_options(record)
    if record.per_sequence:
        arrays = explain(model, X, record.name, method_options, progress=progress)
    else:
        model.to(device)
        try:
            arrays = explain(model, X, record.name, method_options, progress=progress)
        finally:
            model.cpu()
    return WINDOW_RULES[record.name](model, X, arrays)


class _Matcher:
    """Windows compared with JASPAR by Tomtom: whether each matches the TF at p and at q."""

    def __init__(self, tf: str, known: bool, options: MotifAnalysisOptions):
        self.tf, self.known = tf, known
        self.p_threshold, self.q_threshold, self.seed = options.p_threshold, options.q_threshold, options.seed

    def compare(self, matrices) -> tuple:
        """Tomtom's comparison of ``matrices`` and its matches at p and q (all False
        when the TF has no JASPAR motif)."""
        from gdashboard.motifs.compare import tomtom_compare

        comparison = tomtom_compare(matrices)
        if not self.known:
            return comparison, np.zeros(len(matrices), bool), np.zeros(len(matrices), bool)
        by_p = comparison.matches_tf(self.tf, p_threshold=self.p_threshold)
        by_q = comparison.matches_tf(self.tf, p_threshold=None, q_threshold=self.q_threshold)
        return comparison, by_p, by_q

    def counts(self, by_p, by_q) -> dict:
        return {
            "matches": int(by_p.sum()) if self.known else None,
            "matches_q": int(by_q.sum()) if self.known else None,
            "of": len(by_p),
        }

    def per_sequence(self, method: str, windows: Windows, ids) -> tuple[dict, np.ndarray, list[tuple]]:
        """A window per sequence: the counts, the aggregate of the full-width windows (a
        clipped convolution window is narrower) and the rows of ``windows.tsv``."""
        from gdashboard.motifs.extract import aggregate_pfm

        matrices = windows.matrices()
        comparison, by_p, by_q = self.compare(matrices)
        best = comparison.p_values.argmin(axis=1)
        entry = self.counts(by_p, by_q)
        full_width = int(max(windows.widths))
        full = [window for window, width in zip(matrices, windows.widths) if int(width) == full_width]
        entry["aggregated"] = len(full)
        rows = [
            (
                identifier,
                method,
                int(windows.starts[i]),
                int(windows.widths[i]),
                bool(by_p[i]),
                bool(by_q[i]),
                comparison.target_ids[best[i]],
                comparison.target_names[best[i]],
                float(comparison.p_values[i, best[i]]),
            )
            for i, identifier in enumerate(ids)
        ]
        return entry, aggregate_pfm(np.stack(full)), rows

    def per_model(self, windows: Windows) -> tuple[dict, np.ndarray]:
        """One motif per model: matched or not, where it was cut, and its best hit."""
        (motif,) = windows.matrices()
        comparison, by_p, by_q = self.compare([motif])
        best = int(comparison.p_values[0].argmin())
        entry = {
            **self.counts(by_p, by_q),
            "window_start": int(windows.starts[0]),
            **windows.details,
            "best_hit": f"{comparison.target_ids[best]} {comparison.target_names[best]}",
            "best_p": float(comparison.p_values[0, best]),
        }
        return entry, motif


def _chance_matches(X, starts, match: _Matcher) -> dict:
    """How often a window matches by chance: the windows at ``starts`` cut from a
    dinucleotide shuffle of each positive (the negatives' construction), so they
    keep the sequences' composition but lose their motifs.

    The match criterion (any of the TF's motifs, heterodimers included, a Tomtom
    hit at uncorrected p < 0.05) is lenient for short, low-complexity motifs;
    this count is what it gives without any motif, the floor to read the
    methods' counts against.
    """
    from gdashboard.data.shuffle import dinucleotide_shuffle
    from gdashboard.motifs.extract import window_matrices

    if not match.known:
        return {"matches": None, "matches_q": None, "of": len(X)}
    _, by_p, by_q = match.compare(window_matrices(dinucleotide_shuffle(X, seed=match.seed), starts, WINDOW))
    return match.counts(by_p, by_q)


def _fimo_overlap(known, positives, starts: np.ndarray, out: Path) -> dict:
    """FIMO sites of the TF's motifs on the positives (written to ``fimo_sites.tsv``) and
    how often a saliency window overlaps one."""
    from gdashboard.motifs.sites import find_sites, site_mask

    X = positives.X
    sites = find_sites(known, X)
    mask = site_mask(sites, len(X), X.shape[-1])
    columns = np.clip(starts[:, None] + np.arange(WINDOW), 0, X.shape[-1] - 1)
    overlap = mask[np.arange(len(X))[:, None], columns].any(axis=1)
    with atomic_path(out / FIMO_SITES_FILE) as temporary, open(temporary, "w") as handle:
        handle.write("id\tmotif\tstart\tend\tstrand\tscore\tp_value\n")
        for site in sites:
            handle.write(
                f"{positives.ids[site.sequence]}\t{site.motif_id}\t{site.start}\t{site.end}\t"
                f"{site.strand}\t{site.score:.4g}\t{site.p_value:.3g}\n"
            )
    return {"saliency_fimo_overlap": float(overlap.mean()), "fimo_sequences_with_site": float(mask.any(axis=1).mean())}


def _write_windows(path: Path, rows: list[tuple]) -> None:
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        handle.write(WINDOWS_HEADER)
        for row in rows:
            handle.write("\t".join(str(v) if not isinstance(v, float) else f"{v:.3g}" for v in row) + "\n")
