"""Golden test of ``gdash report``: its files, byte for byte, on a fixed fixture.

Written *before* ``src/gdashboard/report.py`` was split into a package, to prove that
the split changes no output. It therefore goes through the command line only
(:func:`gdashboard.cli.main`) and never imports the report's internals, so it stays
valid whatever the module layout becomes.

``tests/fixtures/report_house/runs/`` holds hand-written run folders (``metrics.json``)
and motif folders (``motifs.json``, both the old file version and the current one):
four experiments (one whose TF JASPAR lacks, with an unavailable PWM baseline), CNN, RNN
and CNN-RNN presets with mean- and max-pooled recurrent forms, two seeds for some
models, the deepbind, kmer and pwm baselines, and motif results that fill every Table 4
note (TF not in JASPAR, representative without motifs.json, mixed temporal extraction
versions, mixed JASPAR pseudocounts, results without chance, a file matching no run).
``expected/`` is the output of ``gdash report runs --out expected`` and
``expected_include_max/`` that of ``... --include-max``, both run from
``tests/fixtures/report_house`` with the code as it was before the split. The command
is run from that folder here too, because the report names the unmatched motifs.json
by the path it was found at (``runs/motifs/...``).

The expected files must NEVER be regenerated to make this test pass. A failure means
the report's output changed. Only a deliberate output change, documented in its commit
message, may regenerate them: rerun the two commands above from
``tests/fixtures/report_house`` and commit the new files together with the change.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from gdashboard.cli import main

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "report_house"


def _first_difference(expected_dir: Path, actual_dir: Path, names: list[str]) -> str | None:
    """None when every file is identical, else which ones differ and a diff of the first."""
    differing = [n for n in names if (expected_dir / n).read_bytes() != (actual_dir / n).read_bytes()]
    if not differing:
        return None
    name = differing[0]
    expected = (expected_dir / name).read_bytes().decode("utf-8", errors="replace")
    actual = (actual_dir / name).read_bytes().decode("utf-8", errors="replace")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"expected/{name}",
            tofile=f"actual/{name}",
        )
    )
    if not diff:  # same text, other bytes (line endings, a trailing newline)
        diff = f"same lines, different bytes: {expected!r:.200} vs {actual!r:.200}"
    return (
        f"gdash report output changed in {', '.join(differing)} "
        f"(do not regenerate {expected_dir.name}/ to make this pass); "
        f"first difference:\n{diff}"
    )


@pytest.mark.parametrize(
    ("options", "expected_name"),
    [([], "expected"), (["--include-max"], "expected_include_max")],
    ids=["default", "include-max"],
)
def test_report_output_is_byte_identical(tmp_path, monkeypatch, capsys, options, expected_name):
    expected_dir = FIXTURE / expected_name
    actual_dir = tmp_path / expected_name
    monkeypatch.chdir(FIXTURE)

    code = main(["report", "runs", "--out", str(actual_dir), *options])

    captured = capsys.readouterr()
    assert code == 0, f"gdash report exited {code}: {captured.err}"
    expected_names = sorted(p.name for p in expected_dir.iterdir())
    actual_names = sorted(p.name for p in actual_dir.iterdir())
    assert actual_names == expected_names
    difference = _first_difference(expected_dir, actual_dir, expected_names)
    assert difference is None, difference
