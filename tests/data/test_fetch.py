"""gdash data fetch: against a loopback HTTP server serving a small archive of the paper's
layout (no machine here reaches the internet)."""

from __future__ import annotations

import hashlib
import io
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gdashboard.cli import main
from gdashboard.data.fetch import fetch_paper_data, safe_extract
from gdashboard.errors import InputError

FASTA = ">seq1\nACGTACGTAC\n>seq2\nTTGCAACGTA\n"


def make_archive(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return buffer.getvalue()


PAPER_LIKE = make_archive(
    {
        f"deepbind/{name}/{part}.fa": FASTA.encode() * 200
        for name in ("GATA1_K562_GATA-1_USC", "REST_K562_NRSF_HudsonAlpha")
        for part in ("train", "test")
    }
)


class Server:
    """Serves one body at /archive.tar.gz with Range support; ``break_after`` bytes cut the
    next full transfer short (the connection closes)."""

    def __init__(self, body: bytes):
        self.body, self.break_after, self.ranges = body, None, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                start = 0
                if "Range" in self.headers:
                    start = int(self.headers["Range"].split("=")[1].split("-")[0])
                    server.ranges.append(start)
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(server.body) - 1}/{len(server.body)}")
                else:
                    self.send_response(200)
                payload = server.body[start:]
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if server.break_after is not None:
                    payload, server.break_after = payload[: server.break_after], None
                self.wfile.write(payload)
                self.wfile.flush()
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/archive.tar.gz"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def server():
    serving = Server(PAPER_LIKE)
    yield serving
    serving.close()


def test_a_broken_transfer_resumes_and_the_experiments_are_unpacked(tmp_path, server):
    digest = hashlib.sha256(PAPER_LIKE).hexdigest()
    server.break_after = len(PAPER_LIKE) // 2
    with pytest.raises(InputError, match="the transfer broke at .* run the command again to resume"):
        fetch_paper_data(tmp_path, url=server.url, expected_sha256=digest, size=None)
    assert (tmp_path / "deepbind.tar.gz.part").stat().st_size == len(PAPER_LIKE) // 2
    made = fetch_paper_data(tmp_path, url=server.url, expected_sha256=digest, size=None)
    assert server.ranges == [len(PAPER_LIKE) // 2]  # the second request asked for the rest only
    assert sorted(p.name for p in made) == ["GATA1_K562_GATA-1_USC", "REST_K562_NRSF_HudsonAlpha"]
    assert (tmp_path / "GATA1_K562_GATA-1_USC" / "train.fa").read_text() == FASTA * 200
    assert (tmp_path / "deepbind.tar.gz").read_bytes() == PAPER_LIKE
    from gdashboard.study.plan import find_experiments

    assert [e.name for e in find_experiments([tmp_path])] == ["GATA1_K562_GATA-1_USC", "REST_K562_NRSF_HudsonAlpha"]


def test_by_default_the_experiments_go_to_the_data_homes_deepmotif_folder(tmp_path, server, monkeypatch):
    monkeypatch.setenv("GDASH_DATA", str(tmp_path / "home"))
    digest = hashlib.sha256(PAPER_LIKE).hexdigest()
    made = fetch_paper_data(url=server.url, expected_sha256=digest, size=None)
    assert made[0].parent == tmp_path / "home" / "deepmotif"
    assert (tmp_path / "home" / "deepmotif" / "GATA1_K562_GATA-1_USC" / "test.fa").read_text() == FASTA * 200


def test_a_wrong_checksum_is_one_line_and_unpacks_nothing(tmp_path, server, capsys):
    code = main(
        ["data", "fetch", "paper", "--out", str(tmp_path), "--url", server.url, "--sha256", "0" * 64, "--quiet"]
    )
    error = capsys.readouterr().err
    assert code == 1 and error.startswith("gdash: error: ") and error.count("\n") == 1
    assert "checksum mismatch" in error and "nothing was unpacked" in error
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no download left, nothing unpacked


@pytest.mark.parametrize(
    "members, links, message",
    [
        ({"deepbind/../../evil.fa": b"x"}, None, "leaves the target folder"),
        ({"/etc/evil.fa": b"x"}, None, "leaves the target folder"),
        ({"deepbind/A/train.fa": b"x"}, {"deepbind/A/test.fa": "/etc/passwd"}, "not a plain file"),
    ],
)
def test_unsafe_members_are_refused_before_anything_is_written(tmp_path, members, links, message):
    archive = tmp_path / "bad.tar.gz"
    archive.write_bytes(make_archive({"deepbind/A/ok.fa": b"fine", **members}, links))
    out = tmp_path / "out"
    with pytest.raises(InputError, match=message):
        safe_extract(archive, out, strip="deepbind")
    assert list(out.iterdir()) == []
    assert not (tmp_path / "evil.fa").exists()


def test_an_unpacking_killed_midway_leaves_nothing_the_next_one_keeps(tmp_path, dead_pid):
    from gdashboard.fileio import _HOST

    gone = dead_pid
    out = tmp_path / "out"
    stale = out / f"..unpacking.{gone}@{_HOST}.abc_1234.tmp"  # what a kill -9 leaves
    (stale / "deepbind" / "A").mkdir(parents=True)
    (stale / "deepbind" / "A" / "train.fa").write_text("half")
    archive = tmp_path / "ok.tar.gz"
    archive.write_bytes(make_archive({"deepbind/A/train.fa": FASTA.encode()}))
    assert safe_extract(archive, out, strip="deepbind") == [out / "A"]
    assert sorted(p.name for p in out.iterdir()) == ["A"]
    assert (out / "A" / "train.fa").read_text() == FASTA
