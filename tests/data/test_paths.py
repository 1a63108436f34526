"""The data home: $GDASH_DATA, else the platform's user data folder."""

from __future__ import annotations

import sys
from pathlib import Path

from gdashboard.data.paths import data_home


def test_gdash_data_is_the_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GDASH_DATA", str(tmp_path / "mine"))
    assert data_home() == tmp_path / "mine"
    assert data_home("deepmotif", "GATA1") == tmp_path / "mine" / "deepmotif" / "GATA1"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GDASH_DATA", "~/data")
    assert data_home() == tmp_path / "data"


def test_without_it_the_xdg_data_folder_or_the_home_share_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("GDASH_DATA", raising=False)
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # as where platformdirs is not installed
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_home("encode") == tmp_path / "xdg" / "gdashboard" / "encode"
    monkeypatch.setenv("HOME", str(tmp_path))
    for unusable in ("", "relative/share"):
        monkeypatch.setenv("XDG_DATA_HOME", unusable)
        assert data_home() == tmp_path / ".local" / "share" / "gdashboard"


def test_platformdirs_decides_where_it_is_installed(monkeypatch):
    class Platformdirs:
        @staticmethod
        def user_data_dir(name, appauthor=None):
            return f"/platform/{name}"

    monkeypatch.delenv("GDASH_DATA", raising=False)
    monkeypatch.setitem(sys.modules, "platformdirs", Platformdirs)
    assert data_home("x") == Path("/platform/gdashboard/x")
