"""Atomic writes: every output goes to a temporary file in the same folder and is
renamed into place, so an interrupted or failed command leaves nothing half-written.
And the SHA-256 of a file, computed once per process (:func:`file_sha256`)."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

# mkstemp creates files readable by their owner only; outputs get the usual
# permissions (0666 less the umask) instead. The umask can only be read by setting it.
_UMASK = os.umask(0)
os.umask(_UMASK)


# A temporary's name says which process on which machine made it: ``.NAME.PID@HOST.XXXXXXXX.tmp``.
# A process killed with SIGKILL cannot remove its own temporary; the next write of the same
# file removes the ones whose process is gone. Only processes this one can see can be checked,
# so HOST names the machine and the PID namespace (containers of one host that share a
# hostname have PIDs of their own): a temporary made elsewhere is left alone.
def _host_tag() -> str:
    def read(path: str) -> str:
        try:
            return Path(path).read_text().strip()
        except OSError:
            return ""

    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = ""
    name = socket.gethostname()
    digest = hashlib.sha256("\0".join([name, read("/proc/sys/kernel/random/boot_id"), namespace]).encode())
    return (re.sub(r"[^A-Za-z0-9-]", "-", name)[:20] or "host") + "-" + digest.hexdigest()[:10]


_HOST = _host_tag()
# File systems allow 255 bytes a name; the tag and mkstemp's part take about 50 of them.
_LONGEST_NAME = 150


def _name_part(name: str) -> str:
    if len(name.encode()) <= _LONGEST_NAME:
        return name
    return name[:100] + "~" + hashlib.sha256(name.encode()).hexdigest()[:12]


def temporary_prefix(name: str) -> str:
    """The prefix of this process's temporaries of ``name`` (see :func:`remove_stale_temporaries`);
    a temporary is named ``PREFIX + random + ".tmp"``."""
    return f".{_name_part(name)}.{os.getpid()}@{_HOST}."


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):  # another user's process: alive; no such pid: leave it
        return False
    return False


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove the temporaries of ``path`` left by processes of this machine that are gone.

    Best effort: a temporary that cannot be removed (another user's, a read-only folder) is
    left, and the write that asked goes on. Returns the paths removed.
    """
    path = Path(path)
    name = _name_part(path.name)
    pattern = re.compile(rf"^\.{re.escape(name)}\.(\d+)@{re.escape(_HOST)}\.[^.]+\.tmp$")
    removed = []
    try:
        candidates = list(path.parent.glob(f".{glob.escape(name)}.*.tmp"))
    except OSError:
        return removed
    for candidate in candidates:
        match = pattern.match(candidate.name)
        if match is None or not _process_is_gone(int(match.group(1))):
            continue
        try:
            if candidate.is_dir() and not candidate.is_symlink():
                shutil.rmtree(candidate)
            else:
                candidate.unlink()
        except OSError:  # removed by another process first, or not ours to remove
            continue
        removed.append(candidate)
    return removed


def _error_of(error: OSError, path: str | os.PathLike) -> OSError:
    """``error`` told of ``path``: a full disk or a refused write names the file or folder the
    user asked for, not the temporary one (or none)."""
    return OSError(error.errno, error.strerror or str(error), str(path))


def _about_temporary(error: BaseException, temporary: str | os.PathLike) -> bool:
    return isinstance(error, OSError) and (error.filename is None or str(error.filename).startswith(str(temporary)))


@contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path``; rename it to ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=temporary_prefix(path.name), suffix=".tmp", dir=path.parent)
    except OSError as error:  # a read-only or full filesystem
        raise _error_of(error, path) from None
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException as error:
        if os.path.exists(temporary):
            os.unlink(temporary)
        if _about_temporary(error, temporary):
            raise _error_of(error, path) from None
        raise


@contextmanager
def staging_folder(folder: str | os.PathLike, name: str = ".staging"):
    """Yield a new hidden folder inside ``folder`` (created if missing), removed with all it
    holds on leaving; one left by a killed process is removed first (see
    :func:`remove_stale_temporaries`). For work that must appear in ``folder`` whole or not at
    all: build it here, then rename it into place."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder / name)
    try:
        staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(name), suffix=".tmp", dir=folder))
    except OSError as error:  # a read-only or full filesystem
        raise _error_of(error, folder) from None
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_texts(folder: str | os.PathLike, texts: dict[str, str], *, remove: tuple[str, ...] = ()) -> dict[str, Path]:
    """Write several files of one folder as one change.

    Every file is first written into a hidden staging folder inside ``folder`` (so a full disk
    or an error on any file leaves the folder as it was), then each is renamed into place,
    which needs no space. Names in ``remove`` that are not in ``texts`` are deleted
    afterwards, so a file of an earlier write that this one no longer makes does not linger
    beside the new ones. Two processes writing one folder at the same moment are not
    serialised here: the files of the last rename win, one by one.
    """
    folder = Path(folder)
    with staging_folder(folder) as staging:
        try:
            for name, text in texts.items():
                staged = staging / name
                staged.write_bytes(text.encode("utf-8"))
                os.chmod(staged, 0o666 & ~_UMASK)
            for name in texts:
                os.replace(staging / name, folder / name)
        except OSError as error:
            if error.filename and _about_temporary(error, staging):
                raise _error_of(error, folder / Path(error.filename).name) from None
            raise
    for name in remove:
        if name not in texts:
            (folder / name).unlink(missing_ok=True)
    return {name: folder / name for name in texts}


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` as UTF-8 with its newlines as given, whatever the locale or platform."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(text.encode("utf-8"))
    return Path(path)


def write_json(path: str | os.PathLike, data) -> Path:
    return write_text(path, json.dumps(data, indent=2, sort_keys=False, allow_nan=False) + "\n")


# (resolved path, inode, size, mtime in ns) -> hex digest. Opening many runs that name the
# same data files hashes each file once; a rewritten file has a new size or mtime (or inode,
# when it was replaced by a rename) and is hashed again.
_DIGESTS: dict[tuple, str] = {}
_DIGESTS_LOCK = threading.Lock()


def file_sha256(path: str | os.PathLike) -> str:
    """The hex SHA-256 of a file's bytes, cached for this process by path, size and mtime.

    Raises OSError when the file cannot be read.
    """
    path = Path(path)
    status = path.stat()
    key = (str(path.resolve()), status.st_ino, status.st_size, status.st_mtime_ns)
    with _DIGESTS_LOCK:
        known = _DIGESTS.get(key)
    if known is not None:
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    with _DIGESTS_LOCK:
        _DIGESTS[key] = digest.hexdigest()
    return digest.hexdigest()
