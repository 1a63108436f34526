"""``python -m gdashboard.cli``: the same as ``gdash``."""

from gdashboard.cli import entry

entry()
