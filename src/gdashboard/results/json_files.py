"""``read_json`` and the checks that ``metrics.json``, ``motifs.json`` and ``patterns.json``
share: each file is one JSON object naming an experiment and a model."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

from gdashboard.errors import InputError
from gdashboard.models.catalogue import MODEL_OPTIONS


def read_json(path: str | os.PathLike) -> Any:
    """Parse a JSON file; every failure is an InputError naming the file (and line)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"malformed JSON: {error.msg} (column {error.colno})", path, line=error.lineno) from None


def number_or_none(value: Any, key: str, where: str | None) -> float | None:
    if value is None:
        return None
    # bool is an int in Python; a true/false AUC is a bug upstream, not a number.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"'{key}' must be a number or null, not {value!r}", where)
    return float(value)


def count_or_none(value: Any, key: str, where: str | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"'{key}' must be a non-negative integer or null, not {value!r}", where)
    return value


def match_counts(counts: Mapping, of: int | None, name: str, where: str | None) -> dict:
    """``matches`` and ``matches_q`` of a motif count object, each null or at most ``of``."""
    checked = {}
    for key in ("matches", "matches_q"):
        count = count_or_none(counts.get(key), f"{name}.{key}", where)
        if count is not None and (of is None or count > of):
            raise InputError(f"'{name}.{key}' is {count}, more than its 'of' ({of})", where)
        checked[key] = count
    return checked


def checked_copy(data: Any, what: str, required: str, where: str | None) -> dict:
    """A copy of a ``metrics.json`` or ``motifs.json`` object, its common keys checked.

    ``experiment``, ``preset`` and ``required`` must be present, ``experiment`` and
    ``preset`` non-empty strings; ``pooling`` must be "mean", "max" or null and ``seed``
    a number, a string or null; both are always set in the copy. ``what`` names the
    expected object in the error message.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"expected a JSON object of {what}", where)
    out = dict(data)
    for key in ("experiment", "preset", required):
        if key not in out:
            raise InputError(f"missing key '{key}'", where)
    for key in ("experiment", "preset"):
        if not isinstance(out[key], str) or not out[key]:
            raise InputError(f"'{key}' must be a non-empty string", where)
    pooling = out.get("pooling")
    if pooling not in (None, "mean", "max"):
        raise InputError(f'\'pooling\' must be "mean", "max" or null, not {pooling!r}', where)
    out["pooling"] = pooling
    for key in MODEL_OPTIONS:
        out[key] = out.get(key, False)
        if not isinstance(out[key], bool):
            raise InputError(f"'{key}' must be true or false, not {out[key]!r}", where)
    seed = out.setdefault("seed", None)
    if isinstance(seed, (list, dict)):
        raise InputError(f"'seed' must be a number, a string or null, not {seed!r}", where)
    return out
