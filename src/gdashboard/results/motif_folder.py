"""The motif folder that ``gdash motifs`` writes
(:func:`gdashboard.motifs.analysis.motif_analysis`): ``motifs.json`` (Table 4's counts),
``windows.tsv``, ``extracted.meme``, ``fimo_sites.tsv`` and ``saliency_logo.png``. This
module names those files and checks ``motifs.json``."""

from __future__ import annotations

import math
import os
from typing import Any, Mapping

from gdashboard.data.jaspar import PWM_PSEUDOCOUNT
from gdashboard.errors import InputError
from gdashboard.methods import motif_methods
from gdashboard.models.catalogue import MODEL_OPTIONS, model_label, paper_architecture
from gdashboard.results.json_files import checked_copy, count_or_none, match_counts, number_or_none

# The motif folder's files.
MOTIFS_FILE = "motifs.json"
WINDOWS_FILE = "windows.tsv"
EXTRACTED_FILE = "extracted.meme"
FIMO_SITES_FILE = "fimo_sites.tsv"
SALIENCY_LOGO_FILE = "saliency_logo.png"
# The methods ``gdash motifs`` cuts windows from, in the registry's order (Table 4's).
MOTIF_METHODS = motif_methods()


def normalise_motif_result(result: Any, path: str | os.PathLike | None = None) -> dict:
    """Check one ``motifs.json`` and fill in defaults; the dict
    :func:`gdashboard.report.summarise` expects.

    Parameters
    ----------
    result
        The parsed ``motifs.json`` (or a dict built by hand).
    path
        Where it came from, named in error messages.

    Returns
    -------
    dict
        A copy with ``experiment``, ``tf``, ``preset``, ``pooling``, ``seed``,
        ``tf_in_jaspar``, ``saliency_fimo_overlap`` and ``methods`` (method -> dict with
        ``matches``, ``matches_q`` and ``of``) always present, plus the derived ``model``
        and ``architecture``. Methods other than those of Table 4 are kept as given.

    Raises
    ------
    InputError
        A missing or wrong-typed key, a count above its ``of``, or a null count although
        the TF has a JASPAR motif.
    """
    where = None if path is None else str(path)
    out = checked_copy(result, "motif matches", "methods", where)
    pooling = out["pooling"]
    tf = out.setdefault("tf", out["experiment"].split("_")[0])
    if not isinstance(tf, str) or not tf:
        raise InputError("'tf' must be a non-empty string", where)
    if not isinstance(out["methods"], Mapping):
        raise InputError("'methods' must be a JSON object of method -> counts", where)
    methods: dict[str, dict] = {}
    for method, counts in out["methods"].items():
        if method not in MOTIF_METHODS:
            methods[method] = counts
            continue
        name = f"methods.{method}"
        if not isinstance(counts, Mapping):
            raise InputError(f"'{name}' must be a JSON object", where)
        if "of" not in counts:
            raise InputError(f"missing key '{name}.of'", where)
        if "matches" not in counts:
            raise InputError(f"missing key '{name}.matches'", where)
        of = count_or_none(counts["of"], f"{name}.of", where)
        if of is None:
            raise InputError(f"'{name}.of' must be a non-negative integer, not null", where)
        methods[method] = dict(counts, of=of, **match_counts(counts, of, name, where))
    out["methods"] = methods
    counted = [m for m in MOTIF_METHODS if m in methods]
    in_jaspar = out.get("tf_in_jaspar")
    if in_jaspar is None:
        # Older files: a TF JASPAR lacks has null counts throughout.
        in_jaspar = any(methods[m]["matches"] is not None for m in counted)
    if not isinstance(in_jaspar, bool):
        raise InputError(f"'tf_in_jaspar' must be true or false, not {in_jaspar!r}", where)
    out["tf_in_jaspar"] = in_jaspar
    if in_jaspar:
        for method in counted:
            if methods[method]["matches"] is None:
                raise InputError(f"'methods.{method}.matches' is null although 'tf_in_jaspar' is true", where)
    overlap = number_or_none(out.get("saliency_fimo_overlap"), "saliency_fimo_overlap", where)
    if overlap is not None and not (math.isfinite(overlap) and 0.0 <= overlap <= 1.0):
        raise InputError(f"'saliency_fimo_overlap' must lie in [0, 1], not {overlap!r}", where)
    out["saliency_fimo_overlap"] = overlap
    chance = out.get("chance")  # absent from files written before it was counted
    if chance is not None and not isinstance(chance, Mapping):
        raise InputError("'chance' must be a JSON object with 'matches', 'matches_q' and 'of'", where)
    if chance is not None:
        of = count_or_none(chance.get("of"), "chance.of", where)
        out["chance"] = {"of": of, **match_counts(chance, of, "chance", where)}
    out["n_positives"] = count_or_none(out.get("n_positives"), "n_positives", where)
    for key in ("p_threshold", "q_threshold"):
        out[key] = number_or_none(out.get(key), key, where)
    out["architecture"] = paper_architecture(out["preset"])
    out["model"] = model_label(out["preset"], pooling, **{k: out[k] for k in MODEL_OPTIONS})
    return out


def recorded_jaspar_pseudocount(summary: Mapping) -> float:
    """The pseudocount a ``motifs.json``'s JASPAR matrices were made with: files from
    before ``jaspar_pseudocount`` was recorded used 0.8 (now MEME's 0.1)."""
    return float(summary.get("jaspar_pseudocount", PWM_PSEUDOCOUNT))
