"""Atomic writes: every output goes to a temporary file in the same folder and is
renamed into place, so an interrupted or failed command leaves nothing half-written."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

# mkstemp creates files readable by their owner only; outputs get the usual
# permissions (0666 less the umask) instead. The umask can only be read by setting it.
_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path``; rename it to ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException as error:
        if os.path.exists(temporary):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.filename in (None, temporary):
            # A full disk or a refused write names the file the user asked for, not the
            # temporary one (or none).
            raise OSError(error.errno, error.strerror or str(error), str(path)) from None
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` as UTF-8 with its newlines as given, whatever the locale or platform."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(text.encode("utf-8"))
    return Path(path)


def write_json(path: str | os.PathLike, data) -> Path:
    return write_text(path, json.dumps(data, indent=2, sort_keys=False) + "\n")
