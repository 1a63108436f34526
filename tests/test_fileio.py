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


def test_a_temporary_left_by_a_killed_process_is_removed_by_the_next_write(tmp_path, dead_pid):
    from gdashboard.fileio import _HOST

    gone = dead_pid
    stale = tmp_path / f".out.tsv.{gone}@{_HOST}.abc_1234.tmp"
    alive = tmp_path / f".out.tsv.{os.getpid()}@{_HOST}.def_5678.tmp"  # a write in progress
    elsewhere = tmp_path / f".out.tsv.{gone}@another-host.ghi_9012.tmp"  # cannot be checked
    other_file = tmp_path / f".other.tsv.{gone}@{_HOST}.jkl_3456.tmp"
    for path in (stale, alive, elsewhere, other_file):
        path.write_text("half")
    write_text(tmp_path / "out.tsv", "new\n")
    assert not stale.exists()
    assert alive.exists() and elsewhere.exists() and other_file.exists()
    assert (tmp_path / "out.tsv").read_text() == "new\n"


def test_write_texts_changes_a_folder_all_at_once(tmp_path):
    from gdashboard.fileio import write_texts

    folder = tmp_path / "report"
    write_texts(folder, {"a.csv": "old a\n", "b.csv": "old b\n", "notes.txt": "mine\n"})
    with pytest.raises(UnicodeEncodeError):  # the second file fails: neither is changed
        write_texts(folder, {"a.csv": "new a\n", "b.csv": "\ud800"})
    assert (folder / "a.csv").read_text() == "old a\n" and (folder / "b.csv").read_text() == "old b\n"
    assert sorted(p.name for p in folder.iterdir()) == ["a.csv", "b.csv", "notes.txt"]  # no staging left
    written = write_texts(folder, {"a.csv": "new a\n"}, remove=("a.csv", "b.csv"))
    assert written == {"a.csv": folder / "a.csv"}
    assert sorted(p.name for p in folder.iterdir()) == ["a.csv", "notes.txt"]  # b.csv was of the old write
    assert (folder / "a.csv").read_text() == "new a\n"


def test_json_outputs_refuse_nan_and_infinity(tmp_path):
    # NaN and Infinity are not JSON: other languages' readers (and jq) refuse such a file.
    for value in (float("nan"), float("inf")):
        with pytest.raises(ValueError):
            write_json(tmp_path / "metrics.json", {"test_auc": value})
    assert not list(tmp_path.iterdir())


def test_a_long_file_name_is_written_and_its_temporaries_still_found(tmp_path, dead_pid):
    from gdashboard.fileio import remove_stale_temporaries, temporary_prefix

    name = "x" * 200 + ".csv"  # a legal name; with a temporary's tag added in full it would not be
    assert write_text(tmp_path / name, "a\n").read_text() == "a\n"
    stale = tmp_path / (temporary_prefix(name).replace(f".{os.getpid()}@", f".{dead_pid}@") + "abc_1234.tmp")
    stale.write_text("half")
    assert remove_stale_temporaries(tmp_path / name) == [stale]


def test_a_file_is_hashed_once_until_it_changes(tmp_path, monkeypatch):
    import hashlib

    from gdashboard.fileio import file_sha256

    path = write_text(tmp_path / "train.tsv", "id\tlabel\tsequence\n")
    real, made = hashlib.sha256, []
    monkeypatch.setattr(hashlib, "sha256", lambda *args: made.append(1) or real(*args))
    digest = file_sha256(path)
    assert digest == real(path.read_bytes()).hexdigest()
    monkeypatch.chdir(tmp_path)
    assert file_sha256("train.tsv") == digest and len(made) == 1  # one file, two spellings
    write_text(path, "id\tlabel\tsequence\na\t1\tACGT\n")
    assert file_sha256(path) == real(path.read_bytes()).hexdigest() != digest
    assert len(made) == 2
    with pytest.raises(OSError):
        file_sha256(tmp_path / "absent.tsv")
