"""Sharing a list of jobs between benchmark processes started side by side.

Each process walks the whole list and runs a job only if it can take the job's
lock, so the processes stay busy until the list is empty (a fixed split of the
list leaves one core idle while the other process finishes a long job). The
locks are ``flock`` locks: the kernel drops them when a process dies, so a job
interrupted by the end of a session is free to be taken again at the next start.
"""

import contextlib
import fcntl
from pathlib import Path


@contextlib.contextmanager
def claim(lock_dir: Path, key: str):
    """Yield True while this process holds the lock of ``key``, False if another does."""
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{key}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
