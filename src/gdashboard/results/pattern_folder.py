"""The pattern folder that ``gdash modisco`` writes
(:func:`gdashboard.motifs.modisco.modisco_analysis`): ``patterns.json`` (TF-MoDISco's
patterns with their JASPAR matches; written last), ``patterns.meme``,
``modisco_results.h5`` (modisco-lite's own format) and ``logos/``. This module names
those files and checks ``patterns.json``."""

from __future__ import annotations

import os
from typing import Any, Mapping

import numpy as np

from gdashboard.errors import InputError
from gdashboard.models.catalogue import MODEL_OPTIONS, model_label
from gdashboard.results.json_files import checked_copy

# The pattern folder's files (TF-MoDISco).
MODISCO_FILE = "patterns.json"
MODISCO_MEME_FILE = "patterns.meme"
MODISCO_H5_FILE = "modisco_results.h5"
MODISCO_LOGO_FOLDER = "logos"
MODISCO_FORMAT_VERSION = 1


def normalise_modisco_result(result: Any, path: str | os.PathLike | None = None) -> dict:
    """Check one ``patterns.json``: its format version, the keys the report and the
    dashboard read, and each pattern's matrices and matches."""
    where = None if path is None else str(path)
    out = checked_copy(result, "TF-MoDISco patterns", "patterns", where)
    if out.get("format_version") != MODISCO_FORMAT_VERSION:
        raise InputError(
            f"pattern format version {out.get('format_version')!r}; this gdashboard reads "
            f"version {MODISCO_FORMAT_VERSION} (run gdash modisco again)",
            where,
        )
    if not isinstance(out.get("attribution"), str):
        raise InputError("'attribution' must be a string", where)
    patterns = out["patterns"]
    if not isinstance(patterns, list):
        raise InputError("'patterns' must be a list", where)
    for number, pattern in enumerate(patterns):
        label = f"pattern {number}"
        if not isinstance(pattern, Mapping):
            raise InputError(f"{label} must be an object", where)
        for key in ("name", "rank", "n_seqlets", "trim", "ppm", "cwm", "matches"):
            if key not in pattern:
                raise InputError(f"{label} lacks '{key}'", where)
        for matrix in ("ppm", "cwm"):
            value = pattern[matrix]
            forward = np.asarray(value.get("forward") if isinstance(value, Mapping) else None, dtype=object)
            if forward.ndim != 2 or forward.shape[1] != 4:
                raise InputError(f"{label}: '{matrix}' must hold a forward (width, 4) matrix", where)
        trim = pattern["trim"]
        if not (isinstance(trim, list) and len(trim) == 2 and 0 <= trim[0] < trim[1] <= len(pattern["ppm"]["forward"])):
            raise InputError(f"{label}: 'trim' must be [start, stop) within the pattern", where)
        for match in pattern["matches"]:
            if not isinstance(match, Mapping) or not {"id", "name", "p", "q"} <= set(match):
                raise InputError(f"{label}: each match needs id, name, p and q", where)
    first = out.get("first_tf_pattern")
    if first is not None and not (isinstance(first, Mapping) and isinstance(first.get("rank"), int)):
        raise InputError("'first_tf_pattern' must be null or an object with an integer 'rank'", where)
    out.setdefault("cofactors", [])
    out["model"] = model_label(out["preset"], out["pooling"], **{k: out[k] for k in MODEL_OPTIONS})
    return out
