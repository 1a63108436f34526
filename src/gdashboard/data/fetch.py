"""``gdash data fetch paper``: the paper's own data archive, downloaded, checked and unpacked.

QData/DeepMotif's ``data/deepbind.tar.gz`` (a Git LFS object of 107,022,470 bytes,
SHA-256 :data:`PAPER_SHA256`) holds ``deepbind/<experiment>/{train,test}.fa`` for the
108 K562 experiments. By default it goes to the data home's ``deepmotif/`` folder
(:func:`paper_data_folder`), where the tests and benchmarks look for it. It is fetched
with the standard library (no extra dependency):

* **resume**: the bytes arrive in ``DIR/deepbind.tar.gz.part``; a broken transfer is
  continued with an HTTP ``Range`` request from where it stopped (a server that
  ignores ``Range`` sends the whole file again, which is taken from the start);
* **checksum first**: the SHA-256 (and the size, when known) is checked before
  anything is unpacked; a mismatch is a one-line error, the bad download is removed
  and nothing is unpacked;
* **safe extraction**: every member must be a plain file or folder whose path stays
  inside ``DIR`` (no absolute path, no ``..``, no link, no device); one that does not
  is refused, naming it, before anything is written. The files are unpacked into a
  temporary folder inside ``DIR`` and moved into place, ``DIR/<experiment>/{train,test}.fa``
  (the archive's ``deepbind/`` prefix dropped), the layout ``gdash study run`` reads.

Written here because no maintained library does resumable, checksummed, path-safe
fetching of one archive without bringing a framework (pooch comes closest but neither
resumes nor refuses unsafe members itself).
"""

from __future__ import annotations

import http.client
import os
import shutil
import tarfile
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath

from gdashboard.data.paths import data_home
from gdashboard.errors import InputError
from gdashboard.fileio import file_sha256, staging_folder

PAPER_URL = "https://media.githubusercontent.com/media/QData/DeepMotif/master/data/deepbind.tar.gz"
PAPER_SHA256 = "b76db7e6559dae494132ab2c1178ecf84deec5edbdc1498fa8620a4da1de4050"
PAPER_SIZE = 107_022_470
ARCHIVE_NAME = "deepbind.tar.gz"
# The paper's experiments' folder inside the data home (the layout the benchmarks read).
PAPER_FOLDER = "deepmotif"
_CHUNK = 1 << 16


def download(url: str, path: str | os.PathLike, *, size: int | None = None, progress: bool = False) -> Path:
    """Download ``url`` to ``path + ".part"``, resuming what is there; returns the ``.part`` path.

    Raises InputError (one line) when the server cannot be reached, answers with an
    error, or the transfer breaks (run again to resume).
    """
    part = Path(str(path) + ".part")
    part.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    if size is not None and have == size:
        return part
    try:
        request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # nothing left to send: the file is whole
            return part
        raise InputError(f"the server answered {error.code} {error.reason}", url) from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise InputError(f"cannot download: {reason}", url) from None
    with response:
        resumed = have and response.status == 206
        if not resumed:
            have = 0  # the server sent the whole file
        length = response.headers.get("Content-Length")
        total = have + int(length) if length is not None else size
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=total, initial=have, unit="B", unit_scale=True, desc=Path(path).name)
        received = 0
        try:
            with open(part, "ab" if resumed else "wb") as handle:
                while True:
                    try:
                        chunk = response.read(_CHUNK)
                    except (OSError, urllib.error.URLError, http.client.HTTPException) as error:
                        raise InputError(
                            f"the transfer broke at {have + received} bytes ({error}); run the command again to resume",
                            url,
                        ) from None
                    if not chunk:
                        break
                    handle.write(chunk)
                    received += len(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
        finally:
            if bar is not None:
                bar.close()
    if length is not None and received < int(length):
        raise InputError(
            f"the transfer broke at {have + received} of {total} bytes; run the command again to resume", url
        )
    return part


def check_members(archive: tarfile.TarFile, where: str) -> list[tarfile.TarInfo]:
    """Every member, or an InputError naming the first that could land outside the
    target folder or is not a plain file or folder."""
    members = archive.getmembers()
    for member in members:
        name = PurePosixPath(member.name)
        if name.is_absolute() or member.name.startswith(("/", "\\")) or ".." in name.parts:
            raise InputError(f"refused archive member {member.name!r}: its path leaves the target folder", where)
        if not (member.isfile() or member.isdir()):
            raise InputError(f"refused archive member {member.name!r}: not a plain file or folder", where)
    return members


def safe_extract(archive_path: str | os.PathLike, out: str | os.PathLike, strip: str | None = None) -> list[Path]:
    """Unpack a tar archive into ``out`` after checking every member (see the module's
    description); ``strip`` drops a leading folder (``"deepbind"``). Returns the
    top-level paths made in ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        archive = tarfile.open(archive_path)
    except (tarfile.TarError, OSError) as error:
        raise InputError(f"not a readable tar archive ({error})", archive_path) from None
    with archive, staging_folder(out, ".unpacking") as temporary:
        members = check_members(archive, str(archive_path))
        options = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(temporary, members=members, **options)
        source = Path(temporary) / strip if strip and (Path(temporary) / strip).is_dir() else Path(temporary)
        made = []
        for item in sorted(source.iterdir()):
            target = out / item.name
            if target.exists():
                shutil.rmtree(target) if target.is_dir() else target.unlink()
            item.rename(target)
            made.append(target)
    return made


def paper_data_folder() -> Path:
    """Where ``gdash data fetch paper`` unpacks by default: ``deepmotif/`` in the data home
    (:func:`gdashboard.data.paths.data_home`)."""
    return data_home(PAPER_FOLDER)


def fetch_paper_data(
    out: str | os.PathLike | None = None,
    *,
    url: str = PAPER_URL,
    expected_sha256: str = PAPER_SHA256,
    size: int | None = PAPER_SIZE,
    progress: bool = False,
) -> list[Path]:
    """Download, check and unpack the paper's archive into ``out`` (see the module's
    description); returns the experiment folders made. ``out`` defaults to
    :func:`paper_data_folder`. A finished archive already in ``out`` is checked and
    unpacked without downloading again."""
    out = Path(out) if out is not None else paper_data_folder()
    archive = out / ARCHIVE_NAME
    if not archive.exists():
        part = download(url, archive, size=size, progress=progress)
        if size is not None and part.stat().st_size != size:
            got = part.stat().st_size
            part.unlink()
            raise InputError(f"downloaded {got} bytes where {size} were expected; the download was removed", url)
        digest = file_sha256(part)
        if digest != expected_sha256.lower():
            part.unlink()
            raise InputError(
                f"checksum mismatch: SHA-256 {digest}, expected {expected_sha256.lower()}; "
                "the download was removed and nothing was unpacked",
                url,
            )
        part.rename(archive)
    else:
        digest = file_sha256(archive)
        if digest != expected_sha256.lower():
            raise InputError(
                f"checksum mismatch: SHA-256 {digest}, expected {expected_sha256.lower()}; remove this file "
                "to download it again",
                archive,
            )
    return [path for path in safe_extract(archive, out, strip="deepbind") if path.is_dir()]
