import os
import stat

import pytest

from gdashboard.fileio import atomic_path, write_json, write_text


def test_write_text_is_utf8_with_newlines_as_given(tmp_path):
    path = write_text(tmp_path / "sub" / "report.md", "mean ± sd – 0.9\r\nnext\n")
    assert path.read_bytes() == "mean ± sd – 0.9\r\nnext\n".encode("utf-8")
    write_json(tmp_path / "x.json", {"a": "±"})
    assert (tmp_path / "x.json").read_bytes() == b'{\n  "a": "\\u00b1"\n}\n'


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = write_text(tmp_path / "out.tsv", "old\n")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as temporary:
            temporary.write_text("half")
            raise RuntimeError("interrupted")
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tsv"]


def test_outputs_get_the_usual_permissions_not_owner_only(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    mode = stat.S_IMODE(write_text(tmp_path / "a.txt", "x").stat().st_mode)
    assert mode == 0o666 & ~umask
