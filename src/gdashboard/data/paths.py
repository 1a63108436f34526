"""The data home: the user's own folder for gdashboard's data.

``$GDASH_DATA`` when set, else the platform's folder for a user's application data
(platformdirs' ``user_data_dir("gdashboard")`` where platformdirs is installed, else
``$XDG_DATA_HOME/gdashboard``, else ``~/.local/share/gdashboard``). ``gdash data fetch``
unpacks the paper's archive there; tests and benchmarks read the real benchmark data
(``deepmotif/``, ``encode/``) from there and skip with a clear reason when it is absent.
Nothing is created by asking: the folder may not exist.
"""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT_VARIABLE = "GDASH_DATA"
APPLICATION = "gdashboard"


def data_home(*parts: str) -> Path:
    """The data home (see the module's description) joined with ``parts``; it may not exist."""
    given = os.environ.get(ENVIRONMENT_VARIABLE)
    if given:
        return Path(given).expanduser().joinpath(*parts)
    return _platform_data_folder().joinpath(*parts)


def _platform_data_folder() -> Path:
    try:
        from platformdirs import user_data_dir
    except ImportError:
        xdg = os.environ.get("XDG_DATA_HOME")
        # The XDG rule: a relative XDG_DATA_HOME is invalid and ignored.
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
        return base / APPLICATION
    return Path(user_data_dir(APPLICATION, appauthor=False))
