"""The house's import rule: imports only point down, and no two files import each other.

data -> models (beside them the definitions that import no torch: methods, train_options) ->
results/train/evaluate -> runs (ensemble) -> explain -> motifs -> report -> (study, dashboard, demo)
-> cli, with the foundations (errors, fileio, parallel) below everything. Lazy imports inside
functions count too: a layer that needs a higher one at run time is still tied to it.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "gdashboard"

# Higher numbers may import lower ones (and their own layer), never the reverse.
LAYERS = {
    "errors": 0,
    "fileio": 0,
    "parallel": 0,
    "data": 1,
    "models": 2,
    # The explanation methods' registry and the training options: definitions any layer may read.
    "methods": 2,
    "train_options": 2,
    "evaluate": 3,
    "train": 3,
    "results": 3,
    "runs": 4,
    "ensemble": 4,
    "explain": 5,
    "motifs": 6,
    "report": 7,
    "study": 8,
    "dashboard": 8,
    "demo": 8,
    "cli": 9,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
        edges[name] = {m for m in found if m in modules and m != name}
    return edges


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_top_level_module_has_a_layer():
    tops = {_layer(m) for m in _imports()} - {""}
    assert tops <= set(LAYERS), f"give these a layer in LAYERS: {sorted(tops - set(LAYERS))}"


def test_imports_only_point_down():
    upward = [
        f"{module} -> {target}"
        for module, targets in _imports().items()
        if _layer(module)
        for target in targets
        if LAYERS[_layer(target)] > LAYERS[_layer(module)]
    ]
    assert not upward, "imports pointing up: " + ", ".join(sorted(upward))


def test_only_the_command_line_imports_the_dashboard_and_the_study():
    reaching = [
        f"{module} -> {target}"
        for module, targets in _imports().items()
        for target in targets
        if _layer(target) in ("dashboard", "study") and _layer(module) not in (_layer(target), "cli")
    ]
    assert not reaching, ", ".join(sorted(reaching))


def test_no_import_circles_between_files():
    # A package __init__ re-exporting its own modules is not a circle of files.
    graph = {m: {t for t in ts if not t.endswith("__init__")} for m, ts in _imports().items()}
    packages = {m for m in graph if (PACKAGE.parent / m.replace(".", "/") / "__init__.py").exists()}
    graph = {m: ts - packages for m, ts in graph.items() if m not in packages}
    state: dict[str, int] = {}  # 1: on the current path, 2: finished

    def visit(module, path):
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                raise AssertionError("import circle: " + " -> ".join([*path, module, target]))
            if target not in state:
                visit(target, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_the_preset_catalogue_imports_no_torch():
    import subprocess
    import sys

    code = "import sys, gdashboard.models.catalogue, gdashboard.models; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_definitions_import_only_the_foundations_and_the_command_line_no_torch():
    import subprocess
    import sys

    foundations = {name for name, layer in LAYERS.items() if layer == 0}
    for definitions in ("gdashboard.methods", "gdashboard.train_options"):
        above = sorted(target for target in _imports()[definitions] if _layer(target) not in foundations)
        assert not above, f"{definitions} imports {above}"
    # gdash --help and the command line's choices come from them without loading torch.
    code = "import sys, gdashboard.cli; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
