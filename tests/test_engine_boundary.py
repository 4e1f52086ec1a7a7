"""One boundary: only ``dossier/engine/`` touches WeasyPrint's internals. Everywhere else,
WeasyPrint is used through its public names, and no private attribute is read (ruff's
TID251 rule says the same for imports, as one writes them)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dossier"
ENGINE = PACKAGE / "engine"

PUBLIC = {
    "weasyprint": {"HTML", "CSS", "Document", "Page", "URLFetcher", "FontConfiguration"},
    "weasyprint.document": {"Document", "Page"},
    "weasyprint.urls": {"URLFetcher", "URLFetcherResponse"},
    "weasyprint.text.fonts": {"FontConfiguration"},
}
"""What may be imported from WeasyPrint outside the engine."""
PRIVATE_ALLOWED = {("os", "_exit"), ("etree", "_Element")}
"""Private names of other libraries that are theirs to offer (``os._exit``, lxml's element
type)."""

OUTSIDE = sorted(p for p in PACKAGE.rglob("*.py") if ENGINE not in p.parents)


def _problems(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                f"import {alias.name}"
                for alias in node.names
                if alias.name.startswith("weasyprint.") and alias.name not in PUBLIC
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").partition(".")[0] == (
            "weasyprint"
        ):
            allowed = PUBLIC.get(node.module or "", set())
            found += [
                f"from {node.module} import {alias.name}"
                for alias in node.names
                if alias.name not in allowed
            ]
        elif isinstance(node, ast.Attribute):
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            base = ast.unparse(node.value)
            if private and base not in ("self", "cls") and (base, node.attr) not in PRIVATE_ALLOWED:
                found.append(f"{base}.{node.attr} (line {node.lineno})")
    return found


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_weasyprint_is_used_through_its_public_names_only(path: Path) -> None:
    assert _problems(ast.parse(path.read_text())) == []


def test_the_check_sees_what_it_forbids() -> None:
    source = (
        "from weasyprint.layout import block\n"
        "import weasyprint.formatting_structure.boxes\n"
        "from weasyprint import HTML, default_url_fetcher\n"
        "box = page._page_box\n"
    )
    assert _problems(ast.parse(source)) == [
        "from weasyprint.layout import block",
        "import weasyprint.formatting_structure.boxes",
        "from weasyprint import default_url_fetcher",
        "page._page_box (line 4)",
    ]


def test_box_types_are_not_told_apart_by_name() -> None:
    """Boxes are recognised with ``isinstance`` against WeasyPrint's classes, in the engine."""
    for path in [*OUTSIDE, *ENGINE.rglob("*.py")]:
        assert "__name__ ==" not in path.read_text().replace('__name__ == "__main__"', "")
        assert "type(box)" not in path.read_text(), path
