"""Write docs/api.md, the Python API's reference, from gdashboard's exports and their docstrings.

    .venv/bin/python docs/make_api.py          # rewrites docs/api.md
    .venv/bin/python docs/make_api.py --check  # exit 1 when docs/api.md is not what it would write

``tests/test_public_api.py`` runs the check, so the page never drifts from the code.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parent / "api.md"

HEAD = """# The Python API

Everything below is importable from the top-level package (`import gdashboard as gd`); nothing
else is promised. Sequences are one-hot `(N, 4, L)` arrays (torch tensors or numpy arrays) in ACGT
order, an all-zero column for an `N`; models return `(N, 2)` logits; scores are log-odds of binding.
Functions that return several arrays return them by name. Bad input raises
`gdashboard.errors.InputError` (files and folders, one line naming the file) or `ValueError`
(arrays and options). This page is generated from the docstrings by `docs/make_api.py`.

```python
import gdashboard as gd

run = gd.open_run("runs/small-cnn-rnn")           # a trained run folder, from any directory
X = run.test_sequences().X                         # one-hot (N, 4, L)
scores = gd.predict_scores(run.model(), X)         # log-odds, (N,)
ism = gd.explain_model(run.model(), X[:10], "ism")  # {"ism": (10, 4, L)}
print(gd.get_method("ism").options())              # each method's options and defaults
```
"""


def _groups(source: str) -> list[tuple[str, list[str]]]:
    """The export table's comment lines and the names under each, in order."""
    groups: list[tuple[str, list[str]]] = []
    for line in source.split("_EXPORTS = {", 1)[1].split("\n}", 1)[0].splitlines():
        line = line.strip()
        if line.startswith("# ("):  # a note on the next name, not a group
            continue
        if line.startswith("#"):
            groups.append((line.lstrip("# ").strip(), []))
        elif line.startswith('"'):
            groups[-1][1].append(line.split('"')[1])
    return groups


def _first_paragraph(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.split("\n\n", 1)[0].replace("\n", " ").strip()


def _signature(name: str, obj) -> str:
    if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
        shown = [f for f in dataclasses.fields(obj) if f.init and not f.name.startswith("_")]
        fields = ", ".join(f.name if f.default is dataclasses.MISSING else f"{f.name}={f.default!r}" for f in shown)
        return f"{name}({fields})"
    try:
        text = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return name
    # Annotations already arrive as strings (from __future__ import annotations); the
    # quotes of a dataclass field's default and memory addresses are what would vary.
    return name + re.sub(r" at 0x[0-9a-f]+", "", text)


def _entry(name: str, obj) -> str:
    if isinstance(obj, dict) and name == "METHODS":  # the registry, which grows: not listed here
        return (
            f"### `{name}`\n\nThe registry of explanation methods (`gdashboard.methods`): name -> record (its "
            "function, options dataclass with defaults, the arrays it returns, what a model needs). "
            "`gdash explain --help` lists every method with its options.\n"
        )
    if isinstance(obj, dict):
        return f"### `{name}`\n\nBy name: {', '.join(f'`{key}`' for key in obj)}.\n"
    if not callable(obj):
        return f"### `{name}`\n\n{type(obj).__name__} of {len(obj)} entries ({_first_paragraph(type(obj))}).\n"
    kind = "class" if inspect.isclass(obj) else "function"
    home = f"{obj.__module__}.{obj.__qualname__}"
    return f"### `{name}`\n\n```python\n{_signature(name, obj)}\n```\n\n{kind} `{home}`. {_first_paragraph(obj)}\n"


def render() -> str:
    import gdashboard

    source = Path(gdashboard.__file__).read_text(encoding="utf-8")
    parts = [HEAD]
    for title, names in _groups(source):
        parts.append(f"## {title[0].upper()}{title[1:]}\n")
        parts.extend(_entry(name, getattr(gdashboard, name)) for name in names)
    return "\n".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Compare instead of writing.")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != text:
            print(f"{PAGE} is out of date: run .venv/bin/python docs/make_api.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(PAGE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
