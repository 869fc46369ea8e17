"""The package's shape: serving never loads training code, no private imports across modules, no import cycle."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "classifier"
TRAINING_ONLY = ("classifier.weak_labels", "classifier.specs", "classifier.train", "classifier.retrain")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, imported names) of every classifier import in a file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "classifier":
            names = [alias.name for alias in node.names]
            package = node.module == "classifier"
            submodules = [f"classifier.{name}" for name in names if package and (PACKAGE / f"{name}.py").is_file()]
            found.append((node.module, [n for n in names if f"{node.module}.{n}" not in submodules]))
            found += [(module, []) for module in submodules]
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names if alias.name.split(".")[0] == "classifier"]
    return found


def _graph() -> dict[str, set[str]]:
    return {_module(path): {module for module, _ in _imports(path)} for path in PACKAGE.glob("*.py")}


def test_no_private_names_are_imported_across_modules():
    private = [
        f"{_module(path)} imports {module}.{name}"
        for path in [*PACKAGE.glob("*.py"), *(ROOT / "bench").glob("*.py")]
        for module, names in _imports(path)
        for name in names
        if name.startswith("_")
    ]
    assert private == []


def test_the_import_graph_has_no_cycle():
    graph = _graph()
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            assert state.get(target) != "open", " -> ".join([*trail, module, target])
            if target not in state:
                visit(target, [*trail, module])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_serving_never_imports_training_code(tiny_full_model_path):
    script = (
        "import sys, classifier\n"
        f"router = classifier.load({str(tiny_full_model_path)!r})\n"
        "router.predict('村里道路没有硬化', '希望镇政府解决')\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('classifier'))))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True)
    modules = set(loaded.stdout.split())
    assert "classifier.router" in modules and not modules & set(TRAINING_ONLY)
