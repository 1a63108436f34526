"""Where the real benchmark data lives: ``../shared/data`` beside the repository.

Tests and benchmarks read the ENCODE / DeepBind files from there (they are never
copied into the project) and skip with a clear reason when the folder is absent.
``GDASH_SHARED_DATA`` points elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT_VARIABLE = "GDASH_SHARED_DATA"


def shared_data(*parts: str) -> Path:
    """``../shared/data`` (or ``$GDASH_SHARED_DATA``) joined with ``parts``; it may not exist.

    The repository root is found from this file in a source checkout
    (``src/gdashboard/data/paths.py``), else taken to be the working directory.
    """
    given = os.environ.get(ENVIRONMENT_VARIABLE)
    if given:
        return Path(given).joinpath(*parts)
    here = Path(__file__).resolve()
    root = here.parents[3] if (here.parents[3] / "pyproject.toml").exists() else Path.cwd()
    return (root.parent / "shared" / "data").joinpath(*parts)
