"""The public Python API: every exported name resolves, importing it loads no torch, and the
README's Library example runs as written."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np

import gdashboard

README = Path(__file__).resolve().parents[1] / "README.md"


def _library_example() -> str:
    section = README.read_text(encoding="utf-8").split("\n## Library", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the README's Library section holds one python block"
    return blocks[0]


def test_every_exported_name_resolves():
    for name in gdashboard.__all__:
        assert getattr(gdashboard, name) is not None, name
    assert set(gdashboard.__all__) <= set(dir(gdashboard))


def test_importing_the_api_loads_no_torch():
    code = "import sys, gdashboard; gdashboard.TrainOptions; gdashboard.METHODS; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_the_version_is_the_changelogs_newest():
    changelog = (README.parent / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\S+)", changelog, flags=re.M).group(1)
    assert newest == gdashboard.__version__


def test_the_readme_library_example_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(_library_example(), "README.md (Library)", "exec"), namespace)  # noqa: S102
    # What the example says it made, checked beyond "it ran".
    run = gdashboard.open_run(tmp_path / "runs" / "small-cnn-rnn")
    test = run.test_sequences()
    assert namespace["scores"].shape == (len(test),)
    recorded = run.predictions()
    np.testing.assert_allclose(namespace["scores"], recorded.scores, rtol=1e-5, atol=1e-5)
    assert set(namespace["saliency"]) == {"saliency", "gradient"}
    assert namespace["saliency"]["saliency"].shape == (20, test.length)


def test_the_api_reference_is_what_the_docstrings_say():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_api", README.parent / "docs" / "make_api.py")
    make_api = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_api)
    assert make_api.main(["--check"]) == 0, "docs/api.md is out of date: run .venv/bin/python docs/make_api.py"
