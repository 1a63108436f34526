"""README's "From peaks to a model" walk-through, run command for command on a synthetic
genome (that of tests/data/test_from_peaks.py, with chr8 and chr9, the default test
chromosomes)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from gdashboard.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough() -> list[str]:
    text = README.read_text()
    block = text[text.index("## From peaks to a model") :]
    block = block[block.index("```") + 3 :]
    block = block[: block.index("```")]
    return [line.strip() for line in block.strip().splitlines() if line.strip()]


def test_the_readme_walkthrough_runs_on_a_synthetic_genome(tmp_path, monkeypatch, capsys):
    from test_from_peaks import Case, _vcf

    case = Case(tmp_path, chromosomes=("chr1", "chr2", "chr8", "chr9"))
    _vcf(case, tmp_path / "variants.vcf", test_chrom="chr8")
    monkeypatch.chdir(tmp_path)
    commands = walkthrough()
    assert [c.split()[1] for c in commands] == ["data", "train", "motifs", "variants"]
    for command in commands:
        arguments = shlex.split(command)
        assert arguments[0] == "gdash"
        assert main(arguments[1:]) == 0, command
    summary = json.loads((tmp_path / "dataset" / "summary.json").read_text())
    assert summary["test_chroms"] == ["chr8", "chr9"] and summary["positives"]["test"] > 0
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["test_auc"] > 0.9
    assert (tmp_path / "run" / "motifs" / "motifs.json").is_file()
    rows = (tmp_path / "variants.tsv").read_text().splitlines()
    assert rows[0].startswith("variant\tchrom\tpos") and len(rows) > 1
