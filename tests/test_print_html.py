"""``--format html`` is the exact print HTML: WeasyPrint alone reproduces the PDF from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from benchmarks.generate import write as write_synthetic
from dossier.config import BuildOptions
from dossier.pipeline import build_one

from .conftest import Built


def _pages_text(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages]


def _destinations(path: Path) -> dict[str, int]:
    reader = pypdf.PdfReader(path)
    return {
        name: reader.get_destination_page_number(dest)
        for name, dest in reader.named_destinations.items()
    }


def _weasyprint(html: Path, out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "weasyprint", str(html), str(out)], check=True, timeout=300
    )


def test_weasyprint_on_the_html_gives_the_same_pdf(sample: Built, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    _weasyprint(sample.path("html"), again)
    assert _pages_text(again) == _pages_text(sample.path("pdf"))
    assert _destinations(again) == _destinations(sample.path("pdf"))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """A ~29-page dossier with about 200 notes, tables and a figure (the benchmarks' medium)."""
    folder = tmp_path_factory.mktemp("synthetic")
    source = write_synthetic(folder / "src", "medium")
    result = build_one(source, BuildOptions(formats=("pdf", "html"), out=folder / "build"))
    assert not result.failed, result.diagnostics
    assert result.warnings == (), result.warnings
    pdf, html = (a.path for a in result.artifacts)
    notes = html.read_text(encoding="utf-8").count('class="footnote"')
    return pdf, html, notes


def test_dense_notes_all_sit_on_their_calls_page(synthetic: tuple[Path, Path, int]) -> None:
    pdf, _, notes = synthetic
    assert notes > 100
    pages = _destinations(pdf)
    assert len(pypdf.PdfReader(pdf).pages) >= 15
    misplaced = [n for n in range(1, notes + 1) if pages[f"fn-{n}"] != pages[f"fnref-{n}"]]
    assert misplaced == []


def test_repairs_are_in_the_html(synthetic: tuple[Path, Path, int], tmp_path: Path) -> None:
    pdf, html, _ = synthetic
    again = tmp_path / "again.pdf"
    _weasyprint(html, again)
    assert _destinations(again) == _destinations(pdf)
