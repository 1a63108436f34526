"""Where the benchmark scripts find the real data: the data home (``$GDASH_DATA``).

In a development checkout the data lives in ``shared/data`` beside the repository; it is
the default here unless ``GDASH_DATA`` names another folder. Scripts import
:func:`data_home` from this module (``from _data import data_home``), never the folder.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("GDASH_DATA", str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))

from gdashboard.data.paths import data_home  # noqa: E402 (after the default is set)

__all__ = ["data_home"]
