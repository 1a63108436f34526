"""``gdash modisco``: the motifs a model learned, found by TF-MoDISco and matched to JASPAR.

The paper's method (:mod:`gdashboard.motifs.analysis`) takes one 9-bp window per
sequence and asks whether it matches the TF's JASPAR motif. TF-MoDISco (Shrikumar
et al. 2018; here ``modisco-lite``, the maintained implementation) answers the wider
question: it cuts the stretches of high attribution (seqlets) out of many sequences,
clusters them and aggregates each cluster into a pattern — a contribution-weight
matrix (CWM) and a sequence probability matrix (PPM) with its seqlet count — so that
co-factor motifs and motifs JASPAR lacks show up too. Nothing of its algorithm is
written here; this module computes the hypothetical contributions it reads, calls
``modiscolite.tfmodisco.TFMoDISco``, and matches each pattern with the project's
Tomtom (:func:`gdashboard.motifs.compare.tomtom_compare`: memelite, JASPAR2024 CORE
vertebrates, both strands, Benjamini–Hochberg q per pattern).

Choices (where the paper and modisco-lite leave them open)
---------------------------------------------------------
* **Sequences**: the positive (bound) test sequences, at most ``limit`` (500).
* **Hypothetical contributions** (``(N, 4, L)``: what each base would contribute if
  it were at that position) come from each registry method that has them
  (:func:`gdashboard.methods.modisco_methods`: its record's ``hypothetical``
  function, run with the method's default options): ``ism`` — the change of ``S+``
  when a position becomes each base, minus its mean over the four bases (so the base
  present gets minus the mean change of mutating it, the ISM score of
  :mod:`gdashboard.explain.groundtruth`, times 3/4); ``saliency`` — the gradient of
  ``S+``, minus its mean over the four bases; ``integrated_gradients`` and
  ``deeplift`` — their hypothetical scores
  (:func:`~gdashboard.explain.attribution.integrated_gradients` with
  ``hypothetical=True``, all-zero baseline; tangermeme's DeepLIFT/SHAP, 20 shuffled
  references, CNNs only).
* **Default attribution per architecture** (:data:`DEFAULT_ATTRIBUTION`): the one with
  the best planted-site AUROC on the simulated data that the architecture supports
  (BENCHMARKS.md#attribution-groundtruth): ISM for CNN, RNN and CNN-RNN alike.
* **Window sizes**: modisco-lite's defaults (a 21-bp sliding window with 10-bp flanks,
  seqlets of 41 bp, 20 bp suppressed on each side of a seqlet) are made for
  1,000-bp ChIP-seq windows; the paper's sequences are 101 bp with sites as close
  as 35 bp apart (the simulated GATA1 → E-box grammar), so one default seqlet would
  hold both sites. Here the sliding window is 15 bp with 5-bp flanks (25-bp seqlets,
  12 bp suppressed), wider than the paper's motifs (6-12 bp) and narrower than the
  spacing; every other option is modisco-lite's default. Three settings were tried on
  the simulated data with the demo's small-cnn-rnn, so the choice is not blind to it:
  21/10 and 11/5 gave E-box patterns only, 15/5 the E-box and GATA1 (BENCHMARKS.md
  BENCHMARKS.md#modisco); the real-data comparison there was not used to choose.
* **Matching** follows modisco-lite's own report: each pattern's PPM is trimmed to
  the positions whose summed absolute CWM reaches 30% of its maximum, and compared
  with all JASPAR motifs (counts plus MEME Tomtom's pseudocount, 0.1); the top three
  hits are kept with p and q. A pattern **matches the TF** when one of its top three
  hits names the TF (heterodimers included) at q < 0.05.
* **Order**: positive patterns (seqlets that raise ``S+``) first, then negative
  ones, each in modisco-lite's order (by seqlet count); ranks count from 1 in that
  order. **Co-factors**: the best hit (q < 0.05) of every pattern that does not
  match the TF, by TF name.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gdashboard.errors import InputError
from gdashboard.fileio import atomic_path, write_json
from gdashboard.methods import METHODS, get_method, modisco_methods
from gdashboard.results import (
    MODISCO_FILE,
    MODISCO_FORMAT_VERSION,
    MODISCO_H5_FILE,
    MODISCO_LOGO_FOLDER,
    MODISCO_MEME_FILE,
    open_run,
)

# The registry's methods with hypothetical contributions, in its order.
ATTRIBUTIONS = modisco_methods()
# BENCHMARKS.md#attribution-groundtruth: ISM has the best planted-site AUROC on every architecture.
DEFAULT_ATTRIBUTION = {"CNN": "ism", "RNN": "ism", "CNN-RNN": "ism"}
SLIDING_WINDOW = 15
FLANK = 5
# Patterns are built in windows of this width, padded by FLANK: modisco-lite's defaults (30 and
# 10, sized for its 41-bp seqlets) let a GATA1 pattern slide onto a stronger site 35 bp away.
PATTERN_WINDOW = 20
TRIM_THRESHOLD = 0.3  # modisco-lite's report trims at 30% of the largest column
TOP_MATCHES = 3
Q_THRESHOLD = 0.05
COMPLEMENT = [3, 2, 1, 0]  # A<->T, C<->G in ACGT order


@dataclass(frozen=True)
class ModiscoOptions:
    """What ``gdash modisco`` is asked.

    attribution : what TF-MoDISco reads, one of :data:`ATTRIBUTIONS` (default: the
        architecture's, :func:`default_attribution`).
    tf : the TF whose JASPAR motifs a pattern must match (default: the run's).
    limit : use the first positive sequences only (None: all).
    seed : seed of the attribution's shuffled references, where it has them (DeepLIFT).
    logos : draw the patterns' logos.
    """

    attribution: str | None = None
    tf: str | None = None
    limit: int | None = 500
    seed: int = 0
    logos: bool = True


def default_attribution(architecture: str | None) -> str:
    """The attribution TF-MoDISco reads by default for an architecture (ISM when unknown)."""
    return DEFAULT_ATTRIBUTION.get(architecture or "", "ism")


def attribution_name(attribution: str) -> str:
    """The registry's name of an attribution (an alias accepted); ValueError naming the
    choices for one without hypothetical contributions."""
    try:
        name = get_method(attribution).name
    except ValueError:
        name = None
    if name not in ATTRIBUTIONS:
        raise ValueError(f"attribution must be one of {', '.join(ATTRIBUTIONS)}, got {attribution!r}")
    return name


def hypothetical_contributions(
    model, X, attribution: str = "ism", *, seed: int = 0, progress: bool = False
) -> np.ndarray:
    """Every base's hypothetical contribution to ``S+`` at every position, ``(N, 4, L)`` float32.

    The method's record's hypothetical function with its default options (``seed`` where
    they have one); see the module's description for each ``attribution``. Raises
    ValueError for an unknown attribution, ``deeplift`` on a recurrent model, or ``X``
    not ``(N, 4, L)``.
    """
    from gdashboard.data.onehot import check_one_hot

    record = METHODS[attribution_name(attribution)]
    X = check_one_hot(X)
    seeded = "seed" in {f.name for f in dataclasses.fields(record.options)}
    options = record.make_options(**({"seed": seed} if seeded else {}))
    return np.asarray(record.load_hypothetical()(model, X, options, progress=progress), dtype=np.float32)


def trim_bounds(cwm: np.ndarray, threshold: float = TRIM_THRESHOLD) -> tuple[int, int]:
    """``[start, stop)`` of the positions of a ``(w, 4)`` CWM whose summed absolute
    contribution reaches ``threshold`` times the largest (modisco-lite's report rule)."""
    column = np.abs(np.asarray(cwm)).sum(axis=1)
    passing = np.flatnonzero(column >= column.max() * threshold)
    return int(passing.min()), int(passing.max()) + 1


def trimmed_ppm(pattern: dict) -> np.ndarray:
    """A pattern record's forward PPM cut to its trim, ``(4, w)``: what is matched with
    JASPAR and written to ``patterns.meme``."""
    return np.asarray(pattern["ppm"]["forward"])[slice(*pattern["trim"])].T


def reverse_complement(matrix: np.ndarray) -> np.ndarray:
    """A ``(w, 4)`` matrix of the other strand: positions reversed, bases complemented."""
    return np.asarray(matrix)[::-1][:, COMPLEMENT]


def run_modisco(X, hypothetical: np.ndarray, *, sliding_window: int = SLIDING_WINDOW, flank: int = FLANK):
    """modiscolite's ``TFMoDISco`` on one-hot ``(N, 4, L)`` sequences and their hypothetical
    contributions; returns its positive and negative pattern lists (either may be None)."""
    from modiscolite.tfmodisco import TFMoDISco

    from gdashboard.parallel import torch_threads_kept

    one_hot = np.ascontiguousarray(np.asarray(X, dtype=np.float32).transpose(0, 2, 1))
    contributions = np.ascontiguousarray(np.asarray(hypothetical, dtype=np.float32).transpose(0, 2, 1))
    with torch_threads_kept():
        return TFMoDISco(
            one_hot=one_hot,
            hypothetical_contribs=contributions,
            sliding_window_size=sliding_window,
            flank_size=flank,
            trim_to_window_size=PATTERN_WINDOW,
            initial_flank_to_add=flank,
        )


def describe_patterns(positive, negative, ids: list[str], tf: str | None, targets=None) -> list[dict]:
    """The patterns as plain records, matched with JASPAR (see the module's description)."""
    from gdashboard.motifs.compare import tomtom_compare

    patterns = []
    for sign, group, found in (("+", "pos_patterns", positive), ("-", "neg_patterns", negative)):
        for index, pattern in enumerate(found or []):
            cwm = np.asarray(pattern.contrib_scores, dtype=np.float64)
            ppm = np.asarray(pattern.sequence, dtype=np.float64)
            start, stop = trim_bounds(cwm)
            seqlets = []
            for seqlet in pattern.seqlets:
                # The pattern's core in the sequence's own coordinates (forward strand).
                if seqlet.is_revcomp:
                    core = (seqlet.end - stop, seqlet.end - start)
                else:
                    core = (seqlet.start + start, seqlet.start + stop)
                seqlets.append(
                    {
                        "sequence": ids[seqlet.example_idx],
                        "index": int(seqlet.example_idx),
                        "start": int(seqlet.start),
                        "end": int(seqlet.end),
                        "strand": "-" if seqlet.is_revcomp else "+",
                        "core_start": int(core[0]),
                        "core_end": int(core[1]),
                    }
                )
            patterns.append(
                {
                    "name": f"{group}.pattern_{index}",
                    "sign": sign,
                    "rank": len(patterns) + 1,
                    "n_seqlets": len(pattern.seqlets),
                    "trim": [start, stop],
                    "ppm": {"forward": ppm.tolist(), "reverse": reverse_complement(ppm).tolist()},
                    "cwm": {"forward": cwm.tolist(), "reverse": reverse_complement(cwm).tolist()},
                    "seqlets": seqlets,
                }
            )
    if not patterns:
        return patterns
    comparison = tomtom_compare([trimmed_ppm(p) for p in patterns], targets)
    for row, pattern in enumerate(patterns):
        pattern["matches"] = [
            {
                "id": hit.target_id,
                "name": hit.target_name,
                "p": hit.p_value,
                "q": hit.q_value,
                "strand": hit.strand,
                "offset": hit.offset,
                "families": list(_families(hit.target_id)),
            }
            for hit in comparison.hits(row, max_hits=TOP_MATCHES)
        ]
        for match in pattern["matches"]:
            match["is_tf"] = bool(tf) and _names_tf(match, tf)
        pattern["matches_tf"] = any(m["is_tf"] and m["q"] < Q_THRESHOLD for m in pattern["matches"])
    return patterns


def _families(matrix_id: str) -> tuple[str, ...]:
    from gdashboard.data.jaspar import motif_family

    try:
        return motif_family(matrix_id)
    except Exception:  # a target given from outside JASPAR: no family
        return ()


def _tf_families(known) -> set[str]:
    """The JASPAR families of the TF's own motifs; heterodimers (GATA1::TAL1) are left
    out, so that the partner's family (TAL1's) still counts as a co-factor."""
    single = [m for m in known if "::" not in m.name] or list(known)
    return {family for m in single for family in _families(m.matrix_id)}


def _names_tf(match: dict, tf: str) -> bool:
    from gdashboard.data.jaspar import motif_names_tf

    return tf.strip().upper() in motif_names_tf(match["name"])


def summarise_patterns(patterns: list[dict], tf_families: set[str] | frozenset = frozenset()) -> dict:
    """The first pattern matching the TF (rank, name, best q of its TF hits), the
    co-factors, and the TF's relatives.

    A pattern that does not match the TF contributes its best hit (q < 0.05): to
    ``family`` when that motif shares a JASPAR family with the TF's own motifs
    (``tf_families``: GATA5 for GATA1 is the same motif, not a partner), else to
    ``cofactors``.
    """
    first = None
    cofactors: list[str] = []
    family: list[str] = []
    for pattern in patterns:
        if pattern.get("matches_tf") and first is None:
            first = {
                "rank": pattern["rank"],
                "name": pattern["name"],
                "n_seqlets": pattern["n_seqlets"],
                "q": min(m["q"] for m in pattern["matches"] if m.get("is_tf", True)),
            }
        elif not pattern.get("matches_tf") and pattern.get("matches"):
            best = pattern["matches"][0]
            if best["q"] >= Q_THRESHOLD:
                continue
            related = tf_families and set(best.get("families") or ()) & set(tf_families)
            found = family if related else cofactors
            if best["name"] not in found:
                found.append(best["name"])
    return {"first_tf_pattern": first, "cofactors": cofactors, "family": family}


def _save_h5(path: Path, positive, negative) -> None:
    """modisco-lite's own results file, so that its ``modisco report`` and the field's
    tools read the same patterns (written to a temporary name, then renamed)."""
    from modiscolite.io import save_hdf5

    with atomic_path(path) as temporary:
        save_hdf5(str(temporary), positive, negative, SLIDING_WINDOW)


def _save_logos(folder: Path, patterns: list[dict]) -> None:
    from gdashboard.motifs.logo import save_weight_logo

    folder.mkdir(parents=True, exist_ok=True)
    for pattern in patterns:
        best = pattern["matches"][0] if pattern.get("matches") else None
        note = f" — {best['name']} q={best['q']:.2g}" if best else ""
        for strand in ("forward", "reverse"):
            cwm = np.asarray(pattern["cwm"][strand])
            title = f"{pattern['name']} ({strand}, {pattern['n_seqlets']} seqlets){note}"
            for suffix in ("png", "svg"):
                save_weight_logo(cwm.T, folder / f"{pattern['name']}.{strand}.{suffix}", title=title)


def modisco_analysis(
    rundir: str | os.PathLike,
    test_path: str | os.PathLike,
    out: str | os.PathLike,
    options: ModiscoOptions | None = None,
    *,
    progress: bool = False,
) -> dict:
    """TF-MoDISco on a trained run's attributions of the positive test sequences; write ``out``.

    Writes ``patterns.json`` (every pattern: CWM and PPM on both strands, trim, seqlet
    count and seqlets, top three JASPAR hits; the TF's first matching pattern and the
    co-factors; what ``gdash report`` and the dashboard read), ``patterns.meme`` (each
    pattern's trimmed PPM), ``modisco_results.h5`` (modisco-lite's format) and
    ``logos/`` (CWM logos, both strands, PNG and SVG).
    """
    from gdashboard.motifs.analysis import positive_sequences

    options = options or ModiscoOptions()
    run = open_run(rundir)
    model = run.network("nothing to explain")
    architecture = run.config.get("architecture")  # recorded by gdash train
    try:
        attribution = attribution_name(options.attribution or default_attribution(architecture))
    except ValueError as error:
        raise InputError(str(error)) from None
    tf = options.tf or run.tf
    positives = positive_sequences(run, test_path, options.limit, "no positive (bound) sequences to find patterns in")

    seconds = {}
    began = time.perf_counter()
    try:
        hypothetical = hypothetical_contributions(model, positives.X, attribution, seed=options.seed, progress=progress)
    except ValueError as error:  # e.g. DeepLIFT on a recurrent model: the user's choice, one line
        raise InputError(str(error), rundir) from None
    seconds["attribution"] = time.perf_counter() - began
    if not np.isfinite(hypothetical).all():
        # Checked before minutes of TF-MoDISco: patterns of such scores mean nothing.
        raise InputError(f"the {attribution} attributions are not all finite numbers (a diverged model?)", rundir)
    began = time.perf_counter()
    positive, negative = run_modisco(positives.X.numpy(), hypothetical)
    seconds["modisco"] = time.perf_counter() - began
    began = time.perf_counter()
    patterns = describe_patterns(positive, negative, list(positives.ids), tf)
    seconds["tomtom"] = time.perf_counter() - began

    summary = _summary(run, tf, attribution, len(positives), test_path)
    summary.update(_tf_summary(tf, patterns))
    summary["seconds"] = seconds
    summary["patterns"] = patterns
    _write_results(Path(out), summary, (positive, negative), options.logos)
    return summary


def _summary(run, tf: str | None, attribution: str, n_sequences: int, test_path) -> dict:
    """What ``patterns.json`` records of the run and the analysis' settings."""
    return {
        "format_version": MODISCO_FORMAT_VERSION,
        "experiment": run.experiment,
        "tf": tf,
        "preset": run.preset,
        "architecture": run.config.get("architecture"),
        "pooling": run.pooling,
        **run.options,
        "seed": run.seed,
        "attribution": attribution,
        "n_sequences": n_sequences,
        "test_file": str(test_path),
        "sliding_window": SLIDING_WINDOW,
        "flank": FLANK,
        "trim_threshold": TRIM_THRESHOLD,
        "q_threshold": Q_THRESHOLD,
    }


def _tf_summary(tf: str | None, patterns: list[dict]) -> dict:
    """The TF's JASPAR motifs, the pattern count, and the patterns matching the TF or not."""
    from gdashboard.data.jaspar import DEFAULT_RELEASE, MEME_PSEUDOCOUNT, motifs_for_tf

    known = motifs_for_tf(tf) if tf else []
    return {
        "jaspar_release": DEFAULT_RELEASE,
        "jaspar_pseudocount": MEME_PSEUDOCOUNT,
        "tf_in_jaspar": bool(known),
        "tf_motifs": [f"{m.matrix_id} {m.name}" for m in known],
        "n_patterns": len(patterns),
        **summarise_patterns(patterns, _tf_families(known)),
    }


def _write_results(out: Path, summary: dict, found: tuple, logos: bool) -> None:
    """``patterns.json`` and beside it the MEME file, modisco-lite's h5 and the logos.

    ``found``: modisco-lite's positive and negative patterns.
    """
    import shutil

    from gdashboard.motifs.meme import write_meme

    patterns = summary["patterns"]
    out.mkdir(parents=True, exist_ok=True)
    # A rerun into the same folder: nothing of the previous result may outlive it.
    for stale in (MODISCO_FILE, MODISCO_MEME_FILE, MODISCO_H5_FILE):
        (out / stale).unlink(missing_ok=True)
    shutil.rmtree(out / MODISCO_LOGO_FOLDER, ignore_errors=True)
    if patterns:
        write_meme(
            {p["name"]: trimmed_ppm(p) for p in patterns},
            out / MODISCO_MEME_FILE,
            nsites={p["name"]: p["n_seqlets"] for p in patterns},
        )
        _save_h5(out / MODISCO_H5_FILE, *found)
        if logos:
            _save_logos(out / MODISCO_LOGO_FOLDER, patterns)
    write_json(out / MODISCO_FILE, summary)  # last: its presence marks a finished analysis
