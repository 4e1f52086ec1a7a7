"""The package's shape: stages in one order, imports pointing back along it only, no cycles,
and a one-line docstring for every package (the README's architecture section lists them)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dossier"

STAGES = (
    "dossier.version",
    "dossier.errors",
    "dossier.text",
    "dossier.model",
    "dossier.runtime",
    "dossier.config",
    "dossier.sources",
    "dossier.markup",
    "dossier.citations",
    "dossier.checks",
    "dossier.resolve",
    "dossier.render",
    "dossier.engine",
    "dossier.writers",
    "dossier.changes",
    "dossier.pipeline",
    "dossier.workflow",
    "dossier.progress",
    "dossier.cli",
    "dossier",
)
"""Every module belongs to the first of these that names it or its package; a module may
import from its own stage and from earlier ones, never from a later one."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _stage(module: str) -> int:
    for index, stage in enumerate(STAGES):
        if module == stage or module.startswith(stage + "."):
            return index
    raise AssertionError(f"{module} belongs to no stage: add it to STAGES")


def _imports(module: str) -> set[str]:
    """Modules of ours that ``module`` imports anywhere (functions and type checks too)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in MODULES and name != module}
    return found


def _own_imports(module: str) -> set[str]:
    """``_imports`` less the packages that only hold the imported module (``from . import x``)."""
    found = _imports(module)
    return {name for name in found if not any(other.startswith(name + ".") for other in found)}


def test_every_module_has_a_stage() -> None:
    for module in MODULES:
        _stage(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_back_along_the_stages(module: str) -> None:
    later = sorted(name for name in _own_imports(module) if _stage(name) > _stage(module))
    assert not later, f"{module} ({STAGES[_stage(module)]}) imports later stages: {later}"


def test_no_import_cycles() -> None:
    graph = {module: _own_imports(module) - {module} for module in MODULES}
    # A package's __init__ re-exporting its modules is not a cycle with them.
    for module in graph:
        graph[module] = {n for n in graph[module] if not module.startswith(n + ".")}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


@pytest.mark.parametrize("init", sorted(p for p in PACKAGE.rglob("__init__.py")))
def test_every_package_says_its_job_in_one_line(init: Path) -> None:
    docstring = ast.get_docstring(ast.parse(init.read_text()))
    assert docstring, f"{init.relative_to(PACKAGE.parent)} has no docstring"
    assert "\n" not in docstring.strip() or init.parent == PACKAGE


def test_the_checks_can_fail() -> None:
    """The stage check sees a later import where there is one (a test of the test)."""
    assert _stage("dossier.writers.pdf.writer") > _stage("dossier.render.documents")
    assert "dossier.render.documents" in _own_imports("dossier.writers.pdf.writer")
