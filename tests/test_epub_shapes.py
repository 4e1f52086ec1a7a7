"""A valid nav, landmarks and NCX for every shape of dossier (text before the first heading,
an untitled first chapter, a single chapter, no sources, no key points, only players, links
without text), each clean under EPUBCheck and Ace."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from dossier.config import BuildOptions
from dossier.pipeline import build_one

from .ace import ace
from .conftest import FIXTURES, NS, epub_files, epubcheck

SHAPES = FIXTURES / "shapes"
TYPE = "{http://www.idpf.org/2007/ops}type"

# The contents each shape should get, written out by hand: the title page (with the key
# points when there are any), then every chapter with a heading and its sections, then the
# sources when anything is cited.
CONTENTS = {
    "before-heading.md": ["Text first", "Key points", "First", "Second", "Sources"],
    "untitled-first": ["Untitled start", "Body", "A section", "Sources"],
    "single.md": ["One chapter", "Only"],
    "only-players.md": ["Only players"],
    "empty-links.md": ["Empty links", "Links"],
}
# Where the body landmark leads, and a phrase of the text found there.
BODY = {
    "before-heading.md": ("chapter-01.xhtml", "Some opening words before any heading"),
    "untitled-first": ("chapter-01.xhtml", "An opening chapter without a heading"),
    "single.md": ("chapter-01.xhtml", "Just one chapter"),
    "only-players.md": ("chapter-01.xhtml", "Wants talks."),
    "empty-links.md": ("chapter-01.xhtml", "An empty link"),
}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each shape built once (EPUB only), without an error or a warning."""
    out = tmp_path_factory.mktemp("shapes")
    built = {}
    for name in CONTENTS:
        result = build_one(SHAPES / name, BuildOptions(formats=("epub",), out=out))
        assert not result.failed and not result.warnings, (name, result.diagnostics)
        built[name] = result.artifacts[0].path
    return built


def _text(element: etree._Element) -> str:
    return "".join(element.itertext()).strip()


@pytest.mark.parametrize("shape", CONTENTS)
def test_epubcheck_reports_nothing(shape: str, books: dict[str, Path]) -> None:
    result = epubcheck(books[shape])
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "ERROR" not in output and "WARNING" not in output, output


@pytest.mark.parametrize("shape", CONTENTS)
def test_ace_reports_no_violation(shape: str, books: dict[str, Path], tmp_path: Path) -> None:
    report = ace(books[shape], tmp_path)
    assert report.violations == []
    assert "nav.xhtml" in report.documents and "chapter-01.xhtml" in report.documents


@pytest.mark.parametrize("shape", CONTENTS)
def test_nav_and_ncx_list_the_contents_and_every_link_resolves(
    shape: str, books: dict[str, Path]
) -> None:
    files = epub_files(books[shape])
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    toc = nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    assert [_text(a) for a in toc] == CONTENTS[shape]
    ncx = etree.fromstring(files["EPUB/toc.ncx"])
    points = ncx.xpath("//ncx:navPoint", namespaces=NS)
    labels = [_text(p.find("ncx:navLabel", NS)) for p in points]
    assert labels == CONTENTS[shape]
    assert [p.find("ncx:content", NS).get("src") for p in points] == [a.get("href") for a in toc]
    # Every link of the nav has text and leads to an element that exists.
    for link in nav.xpath("//x:nav//x:a", namespaces=NS):
        assert _text(link), etree.tostring(link)
        file_name, _, anchor = link.get("href").partition("#")
        document = etree.fromstring(files[f"EPUB/{file_name}"])
        assert not anchor or document.xpath(f"//*[@id='{anchor}']"), link.get("href")
    landmarks = {
        a.get(TYPE): a.get("href")
        for a in nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)
    }
    body_file, phrase = BODY[shape]
    assert landmarks["bodymatter"] == body_file
    assert phrase in _text(etree.fromstring(files[f"EPUB/{body_file}"]))
    has_sources = shape in ("before-heading.md", "untitled-first")
    assert ("bibliography" in landmarks) is has_sources


def test_a_link_without_text_is_named_after_where_it_leads(books: dict[str, Path]) -> None:
    chapter = etree.fromstring(epub_files(books["empty-links.md"])["EPUB/chapter-01.xhtml"])
    links = chapter.xpath("//x:p//x:a", namespaces=NS)
    assert [(a.get("href"), a.get("aria-label"), _text(a)) for a in links] == [
        ("https://example.org/a", "https://example.org/a", ""),
        ("#links", "Links", ""),
    ]
