"""RELIABILITY.md names, per bad input, fault and attack, the test that checks it: every named
test must exist (so the record cannot claim a test that was renamed or removed), and the
record holds at least 40 rows."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_named_in_reliability_md_exists():
    text = (ROOT / "RELIABILITY.md").read_text()
    rows = [line for line in text.splitlines() if re.match(r"^\| \d+ \|", line)]
    assert len(rows) >= 40
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text)
    assert len(named) >= len(rows)
    functions: dict[str, set[str]] = {}
    for path, name in named:
        if path not in functions:
            tree = ast.parse((ROOT / path).read_text())
            functions[path] = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert name in functions[path], f"RELIABILITY.md names {path}::{name}, which does not exist"
    for row in rows:
        assert "`tests/" in row, f"a row without its test: {row[:80]}"
