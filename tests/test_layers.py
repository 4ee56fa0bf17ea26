"""Data flows one way: each package of ``sim`` imports only the packages above it.

The order is the README's "Package layout": scenario, model, results, ensemble, analysis,
plots, report, workflows, app, then the CLI. Imports made only for type hints (under
``if TYPE_CHECKING:``) are not counted: they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"
LAYERS = [
    "scenario",
    "model",
    "results",
    "ensemble",
    "analysis",
    "plots",
    "report",
    "workflows",
    "app",
    "cli",
]
ANYWHERE = {"errors"}  # the error types, imported by every layer
TOP = {"__init__"}  # sim/__init__.py: the lazy top-level package


def runtime_imports(path: Path) -> set[str]:
    """The ``sim`` packages and top-level modules that ``path`` imports when it runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hinted = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for child in branch.body
        for node in ast.walk(child)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in hinted:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {n.split(".")[1] for n in names if n.startswith("sim.")}
    return found


def layer_of(path: Path) -> str:
    parts = path.relative_to(SIM).parts
    return parts[0] if len(parts) > 1 else path.stem


MODULES = sorted(SIM.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(SIM)) for p in MODULES])
def test_a_module_imports_only_what_is_above_it(path):
    own = layer_of(path)
    if own in TOP:
        return
    allowed = set(LAYERS[: LAYERS.index(own) + 1]) | ANYWHERE if own in LAYERS else ANYWHERE
    wrong = runtime_imports(path) - allowed
    assert not wrong, f"sim/{path.relative_to(SIM)} ({own}) imports {sorted(wrong)} from below it"


def test_every_package_is_placed():
    packages = {p.name for p in SIM.iterdir() if p.is_dir() and not p.name.startswith("__")}
    modules = {p.stem for p in SIM.glob("*.py")}
    assert packages == set(LAYERS)
    assert modules <= TOP | ANYWHERE
