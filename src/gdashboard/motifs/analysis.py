"""``gdash motifs``: what a model learned, compared with JASPAR — the paper's Table 4.

From each **positive** test sequence a motif is extracted per method and compared
with the whole pinned JASPAR collection (JASPAR2024 CORE vertebrates) by Tomtom
(memelite):

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
from pathlib import Path

import numpy as np

from gdashboard.errors import InputError
from gdashboard.fileio import atomic_path, write_json
from gdashboard.results import EXTRACTED_FILE, FIMO_SITES_FILE, MOTIFS_FILE, SALIENCY_LOGO_FILE, WINDOWS_FILE, open_run

WINDOW = 9
# Bumped when a method's windows change (the study runner redoes older results of
# recurrent runs): 2 = the temporal window no longer rises from an
# assumed 0.5 before the first base; 3 = the temporal window ends with the last
# base read at the output's largest single step up (was: the window across which
# the output rises most), aligned for a CNN-RNN's look-ahead.
EXTRACTION_VERSION = 3


def _windows_for(method: str, model, X, progress: bool):
    """Window starts and widths (N,) of one method on positives ``X``; None when not applicable."""
    from gdashboard.models.averaged import unwrap
    from gdashboard.models.rnn import RecurrentNet
    from gdashboard.motifs.extract import saliency_windows, temporal_windows

    if method == "saliency":
        from gdashboard.explain.saliency import saliency_map

        saliency, _ = saliency_map(model, X, progress=progress)
        return saliency_windows(saliency, WINDOW), np.full(len(X), WINDOW), saliency
    if method == "temporal":
        if not isinstance(unwrap(model), RecurrentNet):
            return None
        from gdashboard.explain.temporal import input_spans, temporal_output_scores

        forward, _ = temporal_output_scores(model, X, progress=progress)
        _, read_up_to = input_spans(model, X.shape[-1])
        return temporal_windows(forward, WINDOW, reach=read_up_to), np.full(len(X), WINDOW), forward
    if method == "conv":
        if getattr(model, "first_convolution", None) is None:
            return None
        from gdashboard.explain.conv import max_activation_windows

        start, width, _ = max_activation_windows(model, X)
        return start, width, None
    raise ValueError(method)


def _chance_matches(X, starts, tf: str, known, p_threshold: float, q_threshold: float, seed: int) -> dict:
    """How often a window matches by chance: the windows at ``starts`` cut from a
    dinucleotide shuffle of each positive (the negatives' construction), so they
    keep the sequences' composition but lose their motifs.

    The match criterion (any of the TF's motifs, heterodimers included, a Tomtom
    hit at uncorrected p < 0.05) is lenient for short, low-complexity motifs;
    this count is what it gives without any motif, the floor to read the
    methods' counts against.
    """
    from gdashboard.data.shuffle import dinucleotide_shuffle
    from gdashboard.motifs.compare import tomtom_compare
    from gdashboard.motifs.extract import window_matrices

    if not known:
        return {"matches": None, "matches_q": None, "of": len(X)}
    comparison = tomtom_compare(window_matrices(dinucleotide_shuffle(X, seed=seed), starts, WINDOW))
    return {
        "matches": int(comparison.matches_tf(tf, p_threshold=p_threshold).sum()),
        "matches_q": int(comparison.matches_tf(tf, p_threshold=None, q_threshold=q_threshold).sum()),
        "of": len(X),
    }


def _one_hot_windows(X, starts, widths) -> list[np.ndarray]:
    array = X.numpy() if hasattr(X, "numpy") else np.asarray(X)
    return [array[i, :, s : s + w] for i, (s, w) in enumerate(zip(starts, widths))]


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


def motif_analysis(
    rundir: str | os.PathLike,
    test_path: str | os.PathLike,
    out: str | os.PathLike,
    *,
    tf: str | None = None,
    p_threshold: float = 0.05,
    q_threshold: float = 0.5,
    classopt_steps: int = 1000,
    classopt_restarts: int = 16,
    limit: int | None = None,
    seed: int = 0,
    progress: bool = False,
    classopt_device: str | None = None,
) -> dict:
    """Extract motifs by every applicable method, compare them with JASPAR, write ``out``.

    Writes ``motifs.json`` (the counts; what ``gdash report`` reads for Table 4),
    ``windows.tsv`` (per positive sequence and method: window, match, best hit),
    ``extracted.meme`` (the aggregate of each method's windows and the
    class-optimised motif), ``fimo_sites.tsv`` (FIMO sites of the TF's JASPAR
    motifs on the positives, for the dashboard to highlight) and
    ``saliency_logo.png`` (all saliency windows aligned).

    Everything runs on the CPU, except class optimisation when
    ``classopt_device`` names another device (e.g. ``"cuda"``): its 16 x 1,000
    gradient steps dominate the time for a recurrent model. On a GPU the
    optimised matrix may differ from the CPU's (rounding over 1,000 steps), so
    ``motifs.json`` records where it ran (``classopt_device``).
    """

    from gdashboard.data.jaspar import DEFAULT_RELEASE, MEME_PSEUDOCOUNT, motifs_for_tf
    from gdashboard.explain.classopt import class_optimize
    from gdashboard.motifs.compare import tomtom_compare
    from gdashboard.motifs.extract import aggregate_pfm, best_window
    from gdashboard.motifs.meme import write_meme
    from gdashboard.motifs.sites import find_sites, site_mask
    from gdashboard.train import device_description

    # Checked first: the class optimisation that uses it comes last, minutes in.
    optimisation_device = resolve_classopt_device(classopt_device)
    run = open_run(rundir)
    model = run.network("nothing to extract")
    tf = tf or run.tf
    if not tf:
        raise InputError("the run names no transcription factor: give one with --tf", rundir)
    dataset = run.read_sequences(test_path)
    positives = dataset.subset(np.flatnonzero(dataset.labels == 1))
    if limit is not None:
        positives = positives.subset(np.arange(min(limit, len(positives))))
    if len(positives) == 0:
        raise InputError("no positive (bound) sequences to extract motifs from", test_path)
    X = positives.X
    known = motifs_for_tf(tf)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    summary = {
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
        "n_positives": len(positives),
        "p_threshold": p_threshold,
        "q_threshold": q_threshold,
        "window": WINDOW,
        "extraction_version": EXTRACTION_VERSION,
        "methods": {},
    }
    rows, aggregates = [], {}
    saliency = None
    for method in ("saliency", "temporal", "conv"):
        found = _windows_for(method, model, X, progress)
        if found is None:
            continue
        starts, widths, values = found
        if method == "saliency":
            saliency = values
        windows = _one_hot_windows(X, starts, widths)
        comparison = tomtom_compare(windows)
        by_p = comparison.matches_tf(tf, p_threshold=p_threshold) if known else np.zeros(len(X), bool)
        by_q = comparison.matches_tf(tf, p_threshold=None, q_threshold=q_threshold) if known else np.zeros(len(X), bool)
        best = comparison.p_values.argmin(axis=1)
        summary["methods"][method] = {
            "matches": int(by_p.sum()) if known else None,
            "matches_q": int(by_q.sum()) if known else None,
            "of": len(X),
        }
        # Stack the full-width windows (a clipped convolution window is narrower).
        full_width = int(max(widths))
        full = [window for window, width in zip(windows, widths) if int(width) == full_width]
        aggregates[f"{method}_aggregate"] = aggregate_pfm(np.stack(full))
        summary["methods"][method]["aggregated"] = len(full)
        for i, identifier in enumerate(positives.ids):
            rows.append(
                (
                    identifier,
                    method,
                    int(starts[i]),
                    int(widths[i]),
                    bool(by_p[i]),
                    bool(by_q[i]),
                    comparison.target_ids[best[i]],
                    comparison.target_names[best[i]],
                    float(comparison.p_values[i, best[i]]),
                )
            )

    if saliency is not None:
        sal_starts = np.array([r[2] for r in rows if r[1] == "saliency"])
        summary["chance"] = _chance_matches(X, sal_starts, tf, known, p_threshold, q_threshold, seed)

    model.to(optimisation_device)
    optimised = class_optimize(
        model, X.shape[-1], steps=classopt_steps, restarts=classopt_restarts, seed=seed, progress=progress
    )
    model.cpu()
    summary["classopt_device"] = device_description(optimisation_device)
    probabilities = np.asarray(optimised.probabilities)
    start = int(best_window(probabilities, WINDOW))
    classopt_motif = probabilities[:, start : start + WINDOW]
    comparison = tomtom_compare([classopt_motif])
    matched = bool(comparison.matches_tf(tf, p_threshold=p_threshold)[0]) if known else None
    matched_q = bool(comparison.matches_tf(tf, p_threshold=None, q_threshold=q_threshold)[0]) if known else None
    best = int(comparison.p_values[0].argmin())
    summary["methods"]["classopt"] = {
        "matches": None if matched is None else int(matched),
        "matches_q": None if matched_q is None else int(matched_q),
        "of": 1,
        "window_start": start,
        "sequence": optimised.sequence,
        "score": float(optimised.score),
        "best_hit": f"{comparison.target_ids[best]} {comparison.target_names[best]}",
        "best_p": float(comparison.p_values[0, best]),
    }
    aggregates["classopt"] = classopt_motif
    write_meme(aggregates, out / EXTRACTED_FILE)

    if known and saliency is not None:
        sites = find_sites(known, X)
        mask = site_mask(sites, len(X), X.shape[-1])
        columns = np.clip(sal_starts[:, None] + np.arange(WINDOW), 0, X.shape[-1] - 1)
        overlap = mask[np.arange(len(X))[:, None], columns].any(axis=1)
        summary["saliency_fimo_overlap"] = float(overlap.mean())
        summary["fimo_sequences_with_site"] = float(mask.any(axis=1).mean())
        with atomic_path(out / FIMO_SITES_FILE) as temporary, open(temporary, "w") as handle:
            handle.write("id\tmotif\tstart\tend\tstrand\tscore\tp_value\n")
            for site in sites:
                handle.write(
                    f"{positives.ids[site.sequence]}\t{site.motif_id}\t{site.start}\t{site.end}\t"
                    f"{site.strand}\t{site.score:.4g}\t{site.p_value:.3g}\n"
                )
    else:
        summary["saliency_fimo_overlap"] = None

    with atomic_path(out / WINDOWS_FILE) as temporary, open(temporary, "w") as handle:
        handle.write("id\tmethod\tstart\twidth\tmatch_p\tmatch_q\tbest_hit\tbest_hit_name\tbest_p\n")
        for row in rows:
            handle.write("\t".join(str(v) if not isinstance(v, float) else f"{v:.3g}" for v in row) + "\n")
    if "saliency_aggregate" in aggregates:
        from gdashboard.motifs.logo import save_logo

        save_logo(
            aggregates["saliency_aggregate"],
            out / SALIENCY_LOGO_FILE,
            title=f"{summary['experiment']} {summary['preset']}: saliency windows ({len(X)})",
        )
    write_json(out / MOTIFS_FILE, summary)
    return summary
